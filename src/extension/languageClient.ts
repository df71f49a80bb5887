// Starts the pgasm language server (dist/server.js) for .pgasm files over node IPC, and stops it
// when the extension deactivates.

import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';

export function registerLanguageClient(context: vscode.ExtensionContext): void {
  const module = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'pgasm' }],
    initializationOptions: {
      // Diagnostic links open the copy of the documentation shipped with the extension.
      docsUri: vscode.Uri.joinPath(context.extensionUri, 'docs', 'pgasm.md').toString(),
    },
  };
  const client = new LanguageClient('pgasm', 'Paging Assembly (pgasm)', serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => void client.stop() });
  client.start().catch((e) => void vscode.window.showErrorMessage(`The pgasm language server did not start: ${e}`));
}
