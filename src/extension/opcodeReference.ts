// The "Paging Lab: Show Paging Opcode Reference" command: the opcode table rendered as Markdown
// in a preview beside the editor, generated from the same table the assembler and engine use.

import * as vscode from 'vscode';
import { opcodeReferenceMarkdown } from '../isa/reference';

export function registerOpcodeReference(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('pagingLab.showOpcodeReference', async () => {
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: opcodeReferenceMarkdown() });
      await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
    }),
  );
}
