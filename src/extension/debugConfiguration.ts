// The wddm debug configuration provider: fills in a launch configuration (see launchConfig.ts),
// refuses to run driver code in an untrusted workspace and says why, and checks that the files
// named exist before the adapter starts.

import * as vscode from 'vscode';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEBUG_TYPE } from './debugEvents';
import { checkFiles, completeLaunchConfig, UNTRUSTED_MESSAGE, type LaunchConfig } from './launchConfig';
import { launchDefaults } from './settings';

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
    const result = completeLaunchConfig(config as LaunchConfig, {
      trusted: true,
      activeFile: editor && editor.document.uri.scheme === 'file' ? { path: editor.document.uri.fsPath, languageId: editor.document.languageId } : undefined,
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

/** Offered in the Run and Debug view's picker: the driver and scenario this workspace holds. */
class WddmDynamicProvider implements vscode.DebugConfigurationProvider {
  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    const { drivers } = await findWorkspaceLaunchFiles();
    const configs: vscode.DebugConfiguration[] = drivers.slice(0, 10).map((d) => ({
      type: DEBUG_TYPE,
      request: 'launch',
      name: `Debug ${vscode.workspace.asRelativePath(d)}`,
      driver: d,
    }));
    if (!configs.length) configs.push({ type: DEBUG_TYPE, request: 'launch', name: 'Debug the reference driver (Paging Lab)' });
    void folder;
    return configs;
  }
}

export function registerDebugConfiguration(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new WddmConfigurationProvider(context.extensionUri)),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new WddmDynamicProvider(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
  );
}
