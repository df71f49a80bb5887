// Extension entry point: activation only wires the pieces together. Each concern registers itself
// from its own file, and everything that does not need `vscode` lives in the layers below.

import * as vscode from 'vscode';
import { registerOpcodeReference } from './opcodeReference';

export function activate(context: vscode.ExtensionContext): void {
  registerOpcodeReference(context);
}

export function deactivate(): void {
  // Nothing to tear down beyond the disposables in context.subscriptions.
}
