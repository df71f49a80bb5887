// Small files with one job each: no source file is over 600 lines unless its header (the comment
// block it opens with) says why, in a line starting "Over 600 lines". The test names every file
// over the limit without one, so a file that grows past it is split or explained in the same commit.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../setup';

const LIMIT = 600;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The comment block a file opens with. */
function header(text: string): string {
  const lines = text.split('\n');
  const end = lines.findIndex((l) => !l.startsWith('//'));
  return lines.slice(0, end < 0 ? lines.length : end).join('\n');
}

describe('file size', () => {
  const files = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'media', 'src'))];

  it('finds the sources', () => {
    assert.ok(files.length > 100, `${files.length} files`);
  });

  it(`no source file is over ${LIMIT} lines without a reason in its header`, () => {
    const offenders: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      if (lines > LIMIT && !/^\/\/ Over 600 lines/m.test(header(text))) offenders.push(`${relative(ROOT, f)} (${lines} lines)`);
    }
    assert.deepEqual(offenders, [], 'split these files or say in their header why they are long');
  });
});
