// Runs before every mocha test file. Tests that drive the shipped programs (dist/*.js) check for
// them here, so a missing build says what to do instead of failing obscurely.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');

/** Absolute path of a bundle under dist/, or an error telling the reader to build. */
export function distFile(name: string): string {
  const p = join(ROOT, 'dist', name);
  if (!existsSync(p)) {
    throw new Error(`dist/${name} is missing: run \`npm run build\` first (npm test does it for you).`);
  }
  return p;
}

const temporary: string[] = [];

/** A new folder under the OS temp folder, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

// Driver compilations kept between processes (src/sim/driver/compileCache.ts) go to a folder of this
// run's own, shared by the adapters and CLIs the tests start, and gone afterwards.
process.env.PAGING_LAB_CACHE_DIR ??= join(tempDir('paging-lab-cache-'), 'drivers');

process.on('exit', () => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});
