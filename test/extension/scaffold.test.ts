// The project "New Driver Project" writes, from the extension's real typings, reference driver and
// default scenario, type-checks on its own in a fresh folder.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../setup';
import { scaffoldFiles } from '../../src/extension/scaffold';

const REFERENCE = join(ROOT, 'samples', 'drivers', 'reference');

describe('new driver project from the bundled files', () => {
  it('type-checks the scaffolded driver against its own copy of the DDI typings', function () {
    this.timeout(60_000);
    const files = scaffoldFiles({
      ddiTypings: readFileSync(join(ROOT, 'types', 'paging-lab-ddi.d.ts'), 'utf8'),
      driverFiles: readdirSync(REFERENCE)
        .filter((n) => n.endsWith('.ts'))
        .map((n) => ({ path: n, content: readFileSync(join(REFERENCE, n), 'utf8') })),
      scenario: readFileSync(join(ROOT, 'samples', 'scenarios', 'default.json'), 'utf8'),
    });
    const dir = mkdtempSync(join(tmpdir(), 'paging-lab-scaffold-'));
    try {
      for (const f of files) {
        mkdirSync(dirname(join(dir, f.path)), { recursive: true });
        writeFileSync(join(dir, f.path), f.content);
      }
      const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      let out = '';
      try {
        execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
      } catch (e) {
        out = String((e as { stdout?: string }).stdout ?? e);
      }
      assert.equal(out, '', `tsc reported:\n${out}`);
      const driver = readFileSync(join(dir, 'driver.ts'), 'utf8');
      assert.match(driver, /^\/\/\/ <reference path="\.\/paging-lab-ddi\.d\.ts" \/>/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
