// Compilations kept on disk between processes (src/sim/driver/compileCache.ts): each case loads a
// driver in processes of their own, as debug sessions and `paging-lab run` do, and checks that the
// next process reuses the compilation exactly when nothing that went into it changed.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { compileCacheDir } from '../../../src/sim/driver/compileCache';
import { ROOT, tempDir } from '../../setup';

interface Loaded {
  cached: boolean;
  hash: string;
  status: unknown;
}

/** Loads `driver` in a new Node process with the compile cache in `cacheDir`, and runs its DriverEntry. */
function loadInProcess(driver: string, cacheDir: string): Loaded {
  const code = `
    const { loadDriver } = require(${JSON.stringify(join(ROOT, 'src', 'sim', 'driver', 'loader.ts'))});
    loadDriver(${JSON.stringify(driver)}).then((d) => {
      process.stdout.write(JSON.stringify({ cached: d.cached, hash: d.hash, status: d.DriverEntry({ DriverName: 'x', DriverInitializationData: null }, '') }));
      process.exit(0);
    }, (e) => { console.error(e); process.exit(1); });`;
  // A file, not `node -e`: there Node's own modules are globals, and esbuild's WebAssembly build
  // takes the global `fs` for its own channel and writes its protocol to stdout.
  const script = join(tempDir('paging-lab-load-'), 'load.js');
  writeFileSync(script, code);
  const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), script], {
    env: { ...process.env, PAGING_LAB_CACHE_DIR: cacheDir },
    encoding: 'utf8',
    timeout: 60000,
  });
  assert.equal(r.status, 0, `the loading process failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Loaded;
}

describe('driver compilations kept between processes', function () {
  this.timeout(120000);

  it('are reused by the next process until a file the driver is made of changes', () => {
    const dir = tempDir('paging-lab-driver-');
    const cache = join(tempDir('paging-lab-cache-'), 'drivers');
    const driver = join(dir, 'driver.ts');
    writeFileSync(join(dir, 'helper.ts'), 'export const answer = 5;\n');
    writeFileSync(driver, "import { answer } from './helper';\nexport function DriverEntry() { return answer; }\n");
    const first = loadInProcess(driver, cache);
    assert.deepEqual({ cached: first.cached, status: first.status }, { cached: false, status: 5 });
    assert.equal(readdirSync(cache).length, 1, 'one compilation stored');
    const second = loadInProcess(driver, cache);
    assert.deepEqual(second, { cached: true, hash: first.hash, status: 5 }, 'the next process compiles nothing');
    writeFileSync(join(dir, 'helper.ts'), 'export const answer = 6;\n');
    const changed = loadInProcess(driver, cache);
    assert.deepEqual({ cached: changed.cached, status: changed.status }, { cached: false, status: 6 }, 'an imported file changed: compiled again');
    assert.notEqual(changed.hash, first.hash);
    assert.equal(loadInProcess(driver, cache).cached, true, 'and that compilation is kept in turn');
  });

  it('are not reused when an import would now find another file', () => {
    const dir = tempDir('paging-lab-driver-');
    const cache = join(tempDir('paging-lab-cache-'), 'drivers');
    const driver = join(dir, 'driver.ts');
    mkdirSync(join(dir, 'util'));
    writeFileSync(join(dir, 'util', 'index.ts'), 'export const answer = 1;\n');
    writeFileSync(driver, "import { answer } from './util';\nexport function DriverEntry() { return answer; }\n");
    assert.equal(loadInProcess(driver, cache).status, 1);
    assert.equal(loadInProcess(driver, cache).cached, true);
    // `./util` now finds util.ts before util/index.ts, though no file the driver was made of changed.
    writeFileSync(join(dir, 'util.ts'), 'export const answer = 2;\n');
    const now = loadInProcess(driver, cache);
    assert.deepEqual({ cached: now.cached, status: now.status }, { cached: false, status: 2 });
  });

  it('are compiled again, and the process carries on, when the stored one is damaged or the cache is off', () => {
    const dir = tempDir('paging-lab-driver-');
    const cache = join(tempDir('paging-lab-cache-'), 'drivers');
    const driver = join(dir, 'driver.ts');
    writeFileSync(driver, 'export function DriverEntry() { return 3; }\n');
    loadInProcess(driver, cache);
    const [stored] = readdirSync(cache);
    for (const damage of ['{"compiler": ', '{"compiler": "paging-lab 0.0.0", "entry": 1}', 'null']) {
      writeFileSync(join(cache, stored), damage);
      const r = loadInProcess(driver, cache);
      assert.deepEqual({ cached: r.cached, status: r.status }, { cached: false, status: 3 }, `stored: ${damage}`);
      assert.equal(loadInProcess(driver, cache).cached, true, 'the damaged one is replaced');
    }
    if (typeof process.getuid === 'function') {
      // What is stored is run as code: a folder others may write to is not used.
      chmodSync(cache, 0o777);
      assert.equal(loadInProcess(driver, cache).cached, false, 'a cache folder others can write to is ignored');
      chmodSync(cache, 0o700);
      assert.equal(loadInProcess(driver, cache).cached, true);
    }
    const other = join(dir, 'other.ts');
    writeFileSync(other, 'export function DriverEntry() { return 4; }\n');
    assert.equal(loadInProcess(other, 'off').cached, false);
    assert.equal(loadInProcess(other, 'off').cached, false, 'PAGING_LAB_CACHE_DIR=off: nothing kept');
  });

  it("are kept in the user's cache folder, never in a folder relative to where a run starts", () => {
    const home = join(sep, 'home', 'someone');
    const linux = (env: NodeJS.ProcessEnv, h = home): string | undefined => compileCacheDir(env, 'linux', h);
    assert.equal(linux({}), join(home, '.cache', 'paging-lab', 'drivers'));
    assert.equal(linux({ XDG_CACHE_HOME: join(sep, 'var', 'cache') }), join(sep, 'var', 'cache', 'paging-lab', 'drivers'));
    assert.equal(linux({ XDG_CACHE_HOME: 'relative' }), join(home, '.cache', 'paging-lab', 'drivers'), 'a relative XDG_CACHE_HOME does not count');
    assert.equal(linux({}, ''), undefined, 'no home folder: no cache');
    assert.equal(compileCacheDir({}, 'darwin', home), join(home, 'Library', 'Caches', 'paging-lab', 'drivers'));
    assert.equal(compileCacheDir({}, 'win32', home), join(home, 'AppData', 'Local', 'paging-lab', 'drivers'));
    assert.equal(compileCacheDir({ LOCALAPPDATA: join(sep, 'local') }, 'win32', ''), join(sep, 'local', 'paging-lab', 'drivers'));
    assert.equal(linux({ PAGING_LAB_CACHE_DIR: 'off' }), undefined);
    assert.equal(linux({ PAGING_LAB_CACHE_DIR: join(sep, 'mine') }), join(sep, 'mine'));
  });
});
