// `npm run test:vscode`: the smoke test in a desktop VS Code through @vscode/test-electron, for
// machines that have one. VS Code cannot be downloaded on ours, so the executable is given by
// PAGING_LAB_VSCODE_PATH; without it nothing is tested and the script says so in one line.
// (`npm run test:e2e` runs the same checks in code-server and is what CI runs.)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const exe = process.env.PAGING_LAB_VSCODE_PATH;

if (!exe) {
  console.log('test:vscode: nothing was tested: set PAGING_LAB_VSCODE_PATH to a desktop VS Code executable (npm run test:e2e runs the same smoke test in code-server)');
  process.exit(0);
}
if (!existsSync(exe)) {
  console.error(`test:vscode: PAGING_LAB_VSCODE_PATH is ${exe}, which does not exist: point it at the \`code\` executable of a desktop VS Code 1.100 or later`);
  process.exit(1);
}

const tmp = mkdtempSync(join(tmpdir(), 'paging-lab-vscode-'));
try {
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const esbuild = await import('esbuild');
  const runner = join(ROOT, 'out', 'vscode-electron', 'index.js');
  await esbuild.build({
    entryPoints: [join(ROOT, 'test', 'vscode-electron', 'index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: runner,
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  const workspace = join(tmp, 'workspace');
  cpSync(join(ROOT, 'test', 'e2e', 'fixtures', 'smoke'), workspace, { recursive: true });

  const { runTests } = await import('@vscode/test-electron');
  await runTests({
    vscodeExecutablePath: exe,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: runner,
    launchArgs: [
      workspace,
      // Fresh profile and no user extensions, so only Paging Lab and the built-ins load.
      '--user-data-dir', join(tmp, 'user-data'),
      '--extensions-dir', join(tmp, 'extensions'),
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
    ],
  });
  console.log('test:vscode: passed');
} catch (err) {
  console.error(`test:vscode: failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
