// "New Driver Project" (scaffold a driver, the DDI typings, a scenario and a launch configuration
// into a folder) and "Run Scenario Headless" (the bundled command line in a terminal). Both use
// the extension's own files, checked when the command runs.

import * as vscode from 'vscode';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledSamples, findWorkspaceLaunchFiles } from './debugConfiguration';
import { pickFile, UNTRUSTED_MESSAGE } from './launchConfig';
import { scaffoldFiles } from './scaffold';
import { launchDefaults } from './settings';

export const CMD_NEW_DRIVER_PROJECT = 'pagingLab.newDriverProject';
export const CMD_RUN_HEADLESS = 'pagingLab.runScenarioHeadless';

function readBundled(label: string, path: string | undefined, where: string): string {
  if (!path || !existsSync(path)) {
    throw new Error(`The extension's ${label} is missing (expected under ${where}); the installation is incomplete: reinstall Paging Lab.`);
  }
  return readFileSync(path, 'utf8');
}

async function newDriverProject(context: vscode.ExtensionContext): Promise<void> {
  const root = context.extensionUri;
  const samples = bundledSamples(root);
  const typings = vscode.Uri.joinPath(root, 'types', 'paging-lab-ddi.d.ts').fsPath;
  const referenceDir = vscode.Uri.joinPath(root, 'samples', 'drivers', 'reference').fsPath;
  readBundled('reference driver', samples.driver, referenceDir);
  const files = scaffoldFiles({
    ddiTypings: readBundled('DDI typings file', typings, typings),
    // driver.ts and the modules beside it that it imports.
    driverFiles: readdirSync(referenceDir)
      .filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts'))
      .map((n) => ({ path: n, content: readFileSync(join(referenceDir, n), 'utf8') })),
    scenario: readBundled('default scenario', samples.scenario, vscode.Uri.joinPath(root, 'samples', 'scenarios').fsPath),
  });
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Create Driver Project Here', title: 'New Paging Lab Driver Project' });
  const folder = picked?.[0];
  if (!folder) return;
  const clashes: string[] = [];
  for (const f of files) {
    try {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, f.path));
      clashes.push(f.path);
    } catch {
      // Absent: fine.
    }
  }
  if (clashes.length) {
    const ok = await vscode.window.showWarningMessage(`${folder.fsPath} already has ${clashes.join(', ')}.`, { modal: true, detail: 'Overwrite them with the new project\'s files?' }, 'Overwrite');
    if (ok !== 'Overwrite') return;
  }
  for (const f of files) await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, f.path), new TextEncoder().encode(f.content));
  const inWorkspace = vscode.workspace.getWorkspaceFolder(folder);
  if (inWorkspace) {
    await vscode.window.showTextDocument(vscode.Uri.joinPath(folder, 'driver.ts'));
    return;
  }
  const open = await vscode.window.showInformationMessage(`Created a driver project in ${folder.fsPath}.`, 'Open Folder');
  if (open) await vscode.commands.executeCommand('vscode.openFolder', folder);
}

async function choose(label: string, found: string[], plain: string, fallback: string | undefined): Promise<string | undefined> {
  if (found.length <= 1) return found[0] ?? fallback;
  const first = pickFile(found, plain);
  const items = found.map((p) => ({ label: vscode.workspace.asRelativePath(p), path: p, picked: p === first }));
  const choice = await vscode.window.showQuickPick(items, { title: `Run Scenario Headless: which ${label}?` });
  return choice?.path;
}

async function runHeadless(context: vscode.ExtensionContext, arg?: unknown): Promise<void> {
  if (!vscode.workspace.isTrusted) return void vscode.window.showErrorMessage(UNTRUSTED_MESSAGE);
  const cli = vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath;
  if (!existsSync(cli)) return void vscode.window.showErrorMessage(`The bundled command line ${cli} is missing: reinstall Paging Lab.`);
  const settings = launchDefaults();
  const bundled = bundledSamples(context.extensionUri);
  const found = await findWorkspaceLaunchFiles();
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const fromSetting = (v: string) => (v ? (folder && !v.startsWith('/') ? `${folder}/${v}` : v) : undefined);
  const argPath = arg instanceof vscode.Uri ? arg.fsPath : undefined;
  const scenario = argPath?.endsWith('.json') ? argPath : await choose('scenario', found.scenarios, 'scenario.json', fromSetting(settings.defaultScenario) ?? bundled.scenario);
  if (!scenario) return;
  const driver = argPath?.endsWith('.ts') ? argPath : await choose('driver', found.drivers, 'driver.ts', fromSetting(settings.defaultDriver) ?? bundled.driver);
  if (!driver) return;
  for (const [what, p] of [['driver', driver], ['scenario', scenario]] as const) {
    if (!existsSync(p)) return void vscode.window.showErrorMessage(`The ${what} ${p} does not exist: check the pagingLab.default${what === 'driver' ? 'Driver' : 'Scenario'} setting.`);
  }
  const terminal = vscode.window.createTerminal({
    name: 'Paging Lab: run',
    // Node itself runs in the terminal (no shell), so paths with spaces or quotes need no escaping.
    shellPath: process.execPath,
    shellArgs: [cli, 'run', '--driver', driver, '--scenario', scenario, '--seed', String(settings.seed)],
    env: { ELECTRON_RUN_AS_NODE: '1' },
    cwd: folder,
    isTransient: true,
  });
  terminal.show();
}

export function registerProjectCommands(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(CMD_NEW_DRIVER_PROJECT, async () => {
      try {
        await newDriverProject(context);
      } catch (e) {
        void vscode.window.showErrorMessage(`New Driver Project: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
    vscode.commands.registerCommand(CMD_RUN_HEADLESS, async (arg?: unknown) => {
      try {
        await runHeadless(context, arg);
      } catch (e) {
        void vscode.window.showErrorMessage(`Run Scenario Headless: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
  );
}
