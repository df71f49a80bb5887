// How VS Code starts the wddm debug adapter: dist/debugAdapter.js as a separate process on the
// extension host's own Node (Electron's, run as Node, in the desktop app), speaking DAP over stdio.
// A separate process keeps a hung or crashing driver away from the extension host.

import * as vscode from 'vscode';
import { DEBUG_TYPE } from './debugEvents';

export function registerDebugAdapter(context: vscode.ExtensionContext): void {
  const program = vscode.Uri.joinPath(context.extensionUri, 'dist', 'debugAdapter.js').fsPath;
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: () =>
        new vscode.DebugAdapterExecutable(process.execPath, [program], { env: { ELECTRON_RUN_AS_NODE: '1' } }),
    }),
  );
}
