// Test runner loaded by a desktop VS Code through `--extensionTestsPath` (see
// scripts/vscode-electron/run.mjs): runs the suites under mocha inside the extension host.
// Bundled by the run script; mocha itself is loaded from the project's node_modules.

import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: true, timeout: 60_000 });
  // Give the suites mocha's describe/it before they load.
  mocha.suite.emit('pre-require', globalThis, 'smoke.vscode.ts', mocha);
  await import('./smoke.vscode');
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} test(s) failed`);
}
