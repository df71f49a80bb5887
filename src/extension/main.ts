// Extension entry point: activation only wires the pieces together. Each concern registers itself
// from its own file, and everything that does not need `vscode` lives in the layers below.

import * as vscode from 'vscode';
import { registerOpcodeReference } from './opcodeReference';
import { registerLanguageClient } from './languageClient';

export function activate(context: vscode.ExtensionContext): void {
  registerOpcodeReference(context);
  registerLanguageClient(context);
}

export function deactivate(): void {
  // Nothing to tear down beyond the disposables in context.subscriptions.
}
