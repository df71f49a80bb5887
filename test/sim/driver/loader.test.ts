// The driver loader: TypeScript compiled at run time (esbuild-wasm, in process), relative imports
// bundled, `paging-lab/ddi` and `paging-lab/gpu` provided, stack frames mapped to the .ts source,
// compiled code cached by content, and the shipped typings generated from the contract.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { STATUS_SUCCESS, type DRIVER_OBJECT } from '../../../src/sim/ddi/contract';
import { DriverError } from '../../../src/sim/driver/errors';
import { compileDriver, loadDriver, portableCompilation } from '../../../src/sim/driver/loader';
import { tempDir } from '../../setup';

const dir = tempDir('paging-lab-loader-');
const ROOT = join(__dirname, '..', '..', '..');

describe('sim/driver: loader', function () {
  this.timeout(20000);

  it('compiles a multi-file driver, provides paging-lab/ddi and paging-lab/gpu, and maps stack frames to the .ts lines', async () => {
    writeFileSync(
      join(dir, 'helper.ts'),
      ['import { instructionSize } from "paging-lab/gpu";', 'export function check(n: number): number {', '  if (n > 1) throw new RangeError("too big: " + n);', '  return instructionSize("copy");', '}', ''].join('\n'),
    );
    writeFileSync(
      join(dir, 'driver.ts'),
      [
        'import { STATUS_SUCCESS, type DRIVER_OBJECT } from "paging-lab/ddi";',
        'import { check } from "./helper";',
        'export function DriverEntry(o: DRIVER_OBJECT, r: string): number {',
        '  return check(o.DriverName.length) === 44 ? STATUS_SUCCESS : 1;',
        '}',
        '',
      ].join('\n'),
    );
    const d = await loadDriver(join(dir, 'driver.ts'));
    assert.deepEqual(d.inputs.map((p) => p.slice(dir.length + 1)).sort(), ['driver.ts', 'helper.ts']);
    const ok: DRIVER_OBJECT = { DriverName: 'x', DriverInitializationData: null };
    assert.equal(d.DriverEntry(ok, ''), STATUS_SUCCESS);
    try {
      d.DriverEntry({ DriverName: 'long', DriverInitializationData: null }, '');
      assert.fail('should throw');
    } catch (e) {
      const err = DriverError.fromThrow('throw', e, d.inputs, 'DriverEntry threw');
      assert.equal(err.location?.file, join(dir, 'helper.ts'));
      assert.equal(err.location?.line, 3);
      assert.match(err.message, /RangeError: too big: 4/);
    }
  });

  it('caches by content: an unchanged driver is not compiled again, a changed one is', async () => {
    const path = join(dir, 'cached.ts');
    writeFileSync(path, 'export function DriverEntry() { return 0; }\n');
    const a = await loadDriver(path);
    const b = await loadDriver(path);
    assert.equal(a.cached, false);
    assert.equal(b.cached, true);
    assert.equal(a.hash, b.hash);
    writeFileSync(path, 'export function DriverEntry() { return 1; }\n');
    const c = await loadDriver(path);
    assert.equal(c.cached, false);
    assert.notEqual(c.hash, a.hash);
    assert.equal(c.DriverEntry({ DriverName: '', DriverInitializationData: null }, ''), 1);
  });

  it("takes another thread's compilation: a worker thread loads it without compiling, and compiles a source changed since", async () => {
    const path = join(dir, 'handed.ts');
    writeFileSync(path, 'export function DriverEntry() { return 7; }\n');
    const compiled = portableCompilation(await compileDriver(path));
    assert.ok(compiled, 'the compilation this thread made, as plain data');
    // What a sweep's worker does with the compilation the host sends it (src/cli/sweep/worker.ts).
    const inWorker = (change: boolean): Promise<{ cached: boolean; hash: string; status: unknown }> =>
      new Promise((resolveRun, reject) => {
        const code = `
          require(${JSON.stringify(require.resolve('tsx/cjs'))});
          const { parentPort, workerData } = require('node:worker_threads');
          const { writeFileSync } = require('node:fs');
          const { adoptCompilation, loadDriver } = require(${JSON.stringify(join(ROOT, 'src', 'sim', 'driver', 'loader.ts'))});
          adoptCompilation(workerData.compiled);
          if (workerData.change) writeFileSync(workerData.path, 'export function DriverEntry() { return 8; }\\n');
          loadDriver(workerData.path).then((d) => parentPort.postMessage({ cached: d.cached, hash: d.hash, status: d.DriverEntry({ DriverName: 'x', DriverInitializationData: null }, '') }));`;
        const w = new Worker(code, { eval: true, workerData: { compiled, path, change } });
        w.once('message', (m: { cached: boolean; hash: string; status: unknown }) => {
          resolveRun(m);
          void w.terminate();
        });
        w.once('error', reject);
      });
    const same = await inWorker(false);
    assert.deepEqual(same, { cached: true, hash: compiled.hash, status: 7 });
    const changed = await inWorker(true);
    assert.equal(changed.cached, false, 'a source changed after the compilation is compiled again');
    assert.notEqual(changed.hash, compiled.hash);
    assert.equal(changed.status, 8);
  });

  it('refuses imports other than its own files and the two provided modules, and a module without DriverEntry', async () => {
    const fsDriver = join(dir, 'fs.ts');
    writeFileSync(fsDriver, 'import { readFileSync } from "node:fs";\nexport function DriverEntry() { return readFileSync ? 0 : 1; }\n');
    await assert.rejects(loadDriver(fsDriver), (e: unknown) => e instanceof DriverError && /may import 'paging-lab\/ddi', 'paging-lab\/gpu' and its own files, not 'node:fs'/.test(e.message));
    const none = join(dir, 'none.ts');
    writeFileSync(none, 'export const x = 1;\n');
    await assert.rejects(loadDriver(none), (e: unknown) => e instanceof DriverError && /does not export a DriverEntry function/.test(e.message));
    await assert.rejects(loadDriver(join(dir, 'missing.ts')), (e: unknown) => e instanceof DriverError && /not found/.test(e.message));
  });

  it('the shipped typings (types/paging-lab-ddi.d.ts) are generated from the contract and up to date', function () {
    // A child process that compiles the contract: 14 s on a loaded 2-core machine, near the suite's 20 s.
    this.timeout(120_000);
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'gen-ddi-types.mjs'), '--check'], { stdio: 'pipe' });
  });
});
