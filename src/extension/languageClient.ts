// Starts the pgasm language server (dist/server.js) for .pgasm files over node IPC, and stops it
// when the extension deactivates. The client library and the server process are only loaded when
// the first pgasm document is open, so activating for a debug session alone stays cheap.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

export function registerLanguageClient(context: vscode.ExtensionContext): void {
  let client: Promise<LanguageClient> | undefined;
  const startOnce = (doc: vscode.TextDocument): void => {
    if (client || doc.languageId !== 'pgasm') return;
    client = startClient(context);
    client.catch((e) => void vscode.window.showErrorMessage(`The pgasm language server did not start: ${e}`));
    opened.dispose();
  };
  const opened = vscode.workspace.onDidOpenTextDocument(startOnce);
  context.subscriptions.push(opened, {
    dispose: () => void client?.then((c) => c.stop()).catch(() => undefined),
  });
  vscode.workspace.textDocuments.forEach(startOnce);
}

async function startClient(context: vscode.ExtensionContext): Promise<LanguageClient> {
  const { LanguageClient, TransportKind } = await import('vscode-languageclient/node');
  const module = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
  const client = new LanguageClient(
    'pgasm',
    'Paging Assembly (pgasm)',
    {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    },
    {
      documentSelector: [{ language: 'pgasm' }],
      initializationOptions: {
        // Diagnostic links open the copy of the documentation shipped with the extension.
        docsUri: vscode.Uri.joinPath(context.extensionUri, 'docs', 'pgasm.md').toString(),
      },
    },
  );
  await client.start();
  return client;
}
