// `npm run test:e2e`: the end-to-end tests in a real VS Code. Installs (or finds cached) code-server
// and Chromium, packages the extension as a .vsix, installs it into a fresh extensions folder, and
// runs test/e2e/**/*.e2e.ts under mocha; the tests open workspaces through the harness in
// test/e2e/harness/. Every stage is a named step that says what to install or fix when it fails.
// Extra arguments go to mocha, e.g. `npm run test:e2e -- --grep opcode`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { ensureInstalled, chromiumPath, codeServerEnv, CODE_SERVER_BIN, CACHE, ROOT } from './install.mjs';
import { step, run, cleanEnv, StepError } from './steps.mjs';

const EXTENSION_ID = 'paging-lab.paging-lab';
// PAGING_LAB_E2E_VSIX=path tests an already packaged .vsix instead of running `npm run package`.
const PREBUILT = process.env.PAGING_LAB_E2E_VSIX;
const VSIX = PREBUILT ? resolve(PREBUILT) : join(ROOT, 'paging-lab.vsix');
const RESULTS = join(ROOT, 'test-results', 'e2e');
const LOGS = join(CACHE, 'logs');

const started = Date.now();
const tmp = mkdtempSync(join(tmpdir(), 'paging-lab-e2e-'));
let mocha;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    // mocha's own exit handlers stop the servers and browsers the tests started.
    mocha?.kill(sig);
    rmSync(tmp, { recursive: true, force: true });
    process.exit(130);
  });
}

try {
  await ensureInstalled();

  await step('Chromium starts under Playwright', 'apt-get install -y chromium (its shared libraries may be missing)', async () => {
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
      timeout: 60_000,
    });
    await browser.close();
  });

  if (PREBUILT) {
    await step('packaged extension from PAGING_LAB_E2E_VSIX', 'name an existing .vsix, or unset PAGING_LAB_E2E_VSIX to package one', () => {
      if (!existsSync(VSIX)) throw new Error(`PAGING_LAB_E2E_VSIX names ${VSIX}, which does not exist`);
      process.stdout.write(`e2e:   using ${VSIX}\n`);
    });
  } else await step('package the extension (npm run package)', `see ${join(LOGS, 'package.log')}; \`npm run package\` shows the same error`, () => {
    rmSync(VSIX, { force: true });
    rmSync(join(LOGS, 'package.log'), { force: true });
    run('npm', ['run', 'package'], { cwd: ROOT, env: cleanEnv(), logFile: join(LOGS, 'package.log') });
    if (!existsSync(VSIX)) throw new Error(`npm run package did not write ${VSIX}`);
  });

  const extensionsDir = join(tmp, 'extensions');
  await step(`install paging-lab.vsix into code-server`, `see ${join(LOGS, 'install-extension.log')}`, () => {
    mkdirSync(extensionsDir, { recursive: true });
    rmSync(join(LOGS, 'install-extension.log'), { force: true });
    run(CODE_SERVER_BIN, ['--extensions-dir', extensionsDir, '--install-extension', VSIX], {
      cwd: ROOT, env: codeServerEnv(), logFile: join(LOGS, 'install-extension.log'),
    });
    const list = spawnSync(CODE_SERVER_BIN, ['--extensions-dir', extensionsDir, '--list-extensions'], { encoding: 'utf8', env: codeServerEnv() });
    if (!list.stdout.split('\n').includes(EXTENSION_ID)) {
      throw new Error(`code-server does not list ${EXTENSION_ID} after installing it; it lists: ${list.stdout.trim() || '(nothing)'}`);
    }
  });

  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
  process.stdout.write('e2e: running test/e2e/**/*.e2e.ts\n');
  const status = await new Promise((resolve) => {
    mocha = spawn(process.execPath, [
      join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js'),
      '--no-config', '--require', 'tsx/cjs', '--timeout', '180000', '--reporter', 'spec',
      'test/e2e/**/*.e2e.ts',
      ...process.argv.slice(2),
    ], {
      cwd: ROOT,
      stdio: 'inherit',
      env: {
        ...process.env,
        PAGING_LAB_E2E_CODE_SERVER: CODE_SERVER_BIN,
        PAGING_LAB_E2E_EXTENSIONS_DIR: extensionsDir,
        PAGING_LAB_E2E_TMP: tmp,
        PAGING_LAB_E2E_RESULTS: RESULTS,
        PAGING_LAB_CHROMIUM_PATH: chromiumPath(),
      },
    });
    mocha.once('error', (err) => { console.error(`e2e: mocha could not start: ${err.message}`); resolve(1); });
    mocha.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
  console.log(`e2e: screenshots in ${RESULTS}`);
  console.log(`e2e: ${status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exitCode = status;
} catch (err) {
  console.error(`e2e: ${err instanceof StepError ? err.message : err instanceof Error ? err.stack : err}`);
  console.error('e2e: nothing was tested');
  process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
