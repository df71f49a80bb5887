// How VS Code starts the wddm debug adapter: dist/debugAdapter.js as a separate process on the
// extension host's own Node (Electron's, run as Node, in the desktop app), speaking DAP over stdio.
// A separate process keeps a hung or crashing driver away from the extension host. The adapter runs
// driver code, so the factory checks workspace trust itself too: a session started by any route
// (another extension, a compound launch, a client that skipped the configuration provider) is
// refused in an untrusted workspace. The driver's sandbox is not a security boundary; trust is.

import * as vscode from 'vscode';
import { DEBUG_TYPE } from './debugEvents';
import { UNTRUSTED_MESSAGE } from './launchConfig';

export function registerDebugAdapter(context: vscode.ExtensionContext): void {
  const program = vscode.Uri.joinPath(context.extensionUri, 'dist', 'debugAdapter.js').fsPath;
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: () => {
        if (!vscode.workspace.isTrusted) throw new Error(UNTRUSTED_MESSAGE);
        return new vscode.DebugAdapterExecutable(process.execPath, [program], { env: { ELECTRON_RUN_AS_NODE: '1' } });
      },
    }),
  );
}
