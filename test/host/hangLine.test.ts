// A hang is reported at the driver's own function, whatever its name: the worker says where the DDI
// it enters is implemented (through the watchdog's shared memory) before the driver runs, so the
// host still knows the line once the worker is stuck in the loop and terminated. Before, the host
// searched the driver's folder for a function named like the DDI and found nothing here.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { distFile, tempDir } from '../setup';
import { lineOf, wrapReference } from '../sim/driver/drivers';

const dir = tempDir('paging-lab-hang-line-');

describe('host: a hang is reported at the driver function that hangs, whatever its name', function () {
  this.timeout(120000);

  const file = wrapReference(
    dir,
    'spins.ts',
    [
      'let fills = 0;',
      '// Waits for the GPU inside the call: it never gets to run, so this never returns.',
      'const waitForTheEngine = (h: unknown, a: { Operation: number }): number => {',
      '  if (a.Operation === 1 && ++fills > 1) for (;;) {}',
      '  return ref.DxgkDdiBuildPagingBuffer(h as never, a as never);',
      '};',
    ],
    ['DxgkDdiBuildPagingBuffer: waitForTheEngine,'],
  );
  const line = lineOf(file, 'const waitForTheEngine');

  it('paging-lab run: the tdr names the DDI and points at the arrow function registered for it', () => {
    const r = spawnSync(process.execPath, [distFile('cli.js'), 'run', '--quiet', '--tdr-delay-ms', '300', '--driver', file], { encoding: 'utf8', timeout: 100000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /verifier: tdr: DxgkDdiBuildPagingBuffer did not return within the TDR delay of 300 ms/);
    assert.ok(r.stdout.includes(`  at ${file}:${line}:`), r.stdout);
  });

  it('paging-lab test: the failed pair has the same file and line', () => {
    const r = spawnSync(process.execPath, [distFile('cli.js'), 'test', '--driver', file, 'samples/scenarios/default.json', '--seeds', '1', '--jobs', '1', '--tdr-delay-ms', '300', '--record-dir', join(dir, 'recordings')], {
      encoding: 'utf8',
      timeout: 100000,
    });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`FAIL samples/scenarios/default\\.json seed 1: tdr at \\S*spins\\.ts:${line}\n`));
    assert.ok(r.stdout.includes(`at ${file}:${line}:`), r.stdout);
  });
});
