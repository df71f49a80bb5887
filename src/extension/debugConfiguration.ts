// The wddm debug configuration provider: fills in a launch configuration (see launchConfig.ts),
// refuses to run driver code in an untrusted workspace and says why, and checks that the files
// named exist before the adapter starts.

import * as vscode from 'vscode';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEBUG_TYPE } from './debugEvents';
import { checkFiles, completeLaunchConfig, UNTRUSTED_MESSAGE, type LaunchConfig } from './launchConfig';
import { launchDefaults } from './settings';
import { dynamicConfigurations, isDriverSource, type OpenFile } from './dynamicConfigurations';

const EXCLUDE = '{**/node_modules/**,**/dist/**,**/.git/**}';

/** The bundled reference driver and default scenario, found in the extension's samples folder. */
export function bundledSamples(extensionUri: vscode.Uri): { driver?: string; scenario?: string } {
  const root = vscode.Uri.joinPath(extensionUri, 'samples').fsPath;
  const first = (dir: string, test: (name: string) => boolean, preferred: string[]) => {
    const d = join(root, dir);
    if (!existsSync(d)) return undefined;
    const names = readdirSync(d).filter(test);
    const name = preferred.find((p) => names.includes(p)) ?? names.sort()[0];
    return name ? join(d, name) : undefined;
  };
  return {
    driver: first('drivers/reference', (n) => n === 'driver.ts' || n.endsWith('.driver.ts'), ['driver.ts']),
    scenario: first('scenarios', (n) => n.endsWith('.json') && !n.endsWith('.schema.json'), ['default.json', 'default.scenario.json', 'scenario.json']),
  };
}

export async function findWorkspaceLaunchFiles(): Promise<{ drivers: string[]; scenarios: string[] }> {
  if (!vscode.workspace.workspaceFolders?.length) return { drivers: [], scenarios: [] };
  const [drivers, scenarios] = await Promise.all([
    vscode.workspace.findFiles('**/{driver.ts,*.driver.ts}', EXCLUDE, 50),
    vscode.workspace.findFiles('**/{scenario.json,*.scenario.json}', EXCLUDE, 50),
  ]);
  return { drivers: drivers.map((u) => u.fsPath), scenarios: scenarios.map((u) => u.fsPath) };
}

class WddmConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(private readonly extensionUri: vscode.Uri) {}

  async resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return undefined;
    }
    const found = await findWorkspaceLaunchFiles();
    const editor = vscode.window.activeTextEditor;
    const doc = editor?.document;
    const result = completeLaunchConfig(config as LaunchConfig, {
      trusted: true,
      activeFile:
        doc && doc.uri.scheme === 'file'
          ? { path: doc.uri.fsPath, languageId: doc.languageId, isDriver: isDriverSource({ path: doc.uri.fsPath, languageId: doc.languageId, text: () => doc.getText() }) }
          : undefined,
      workspaceDrivers: found.drivers,
      workspaceScenarios: found.scenarios,
      settings: launchDefaults(folder?.uri),
      bundled: bundledSamples(this.extensionUri),
      workspaceFolder: (folder ?? vscode.workspace.workspaceFolders?.[0])?.uri.fsPath,
    });
    if (!result.ok) {
      void vscode.window.showErrorMessage(result.error);
      return undefined;
    }
    return result.config as vscode.DebugConfiguration;
  }

  resolveDebugConfigurationWithSubstitutedVariables(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    if (config.type !== DEBUG_TYPE) return config;
    const problem = checkFiles(config as LaunchConfig, existsSync);
    if (problem) {
      void vscode.window.showErrorMessage(problem);
      return undefined;
    }
    return config;
  }
}

/** The files open in editors, the active one first (what the dynamic configurations offer first). */
function openFiles(): OpenFile[] {
  const active = vscode.window.activeTextEditor?.document;
  const docs = [active, ...vscode.window.visibleTextEditors.map((e) => e.document), ...vscode.workspace.textDocuments];
  const out: OpenFile[] = [];
  for (const d of docs) {
    if (!d || d.uri.scheme !== 'file' || out.some((f) => f.path === d.uri.fsPath)) continue;
    out.push({ path: d.uri.fsPath, languageId: d.languageId, text: () => d.getText() });
  }
  return out;
}

/** Offered in the Run and Debug view's picker: the files open in the editor, then the workspace's drivers. */
class WddmDynamicProvider implements vscode.DebugConfigurationProvider {
  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    // VS Code asks once per launch.json: each workspace folder's, then the user's (no folder).
    // Answer for the user's only when there is no folder, so each configuration is listed once.
    if (!folder && vscode.workspace.workspaceFolders?.length) return [];
    const { drivers } = await findWorkspaceLaunchFiles();
    const configs: vscode.DebugConfiguration[] = dynamicConfigurations(openFiles(), drivers, (p) => vscode.workspace.asRelativePath(p));
    if (!configs.length) configs.push({ type: DEBUG_TYPE, request: 'launch', name: 'Debug the reference driver (Paging Lab)' });
    return configs;
  }
}

export function registerDebugConfiguration(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new WddmConfigurationProvider(context.extensionUri)),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new WddmDynamicProvider(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
  );
}
