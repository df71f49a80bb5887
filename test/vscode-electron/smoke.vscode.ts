// The smoke test of test/e2e/smoke.e2e.ts, run inside a desktop VS Code's extension host by
// @vscode/test-electron (`npm run test:vscode`): the extension activates for a .pgasm file, the file
// gets the pgasm language, the grammar gives its tokens the expected scopes, and the contributed
// command opens the opcode reference.

import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'paging-lab.paging-lab';

interface CapturedToken {
  c: string;
  t: string;
}

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'VS Code was started with the fixture workspace');
  return vscode.Uri.joinPath(folder.uri, name);
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Paging Lab in desktop VS Code (@vscode/test-electron)', function () {
  this.timeout(60_000);

  it('activates when a .pgasm file opens, in the pgasm language', async function () {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('hello.pgasm'));
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'pgasm');
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is loaded`);
    await waitFor('the extension to activate', () => (ext.isActive ? true : undefined));
  });

  it('scopes the mnemonic and the comment by the pgasm grammar', async function () {
    // VS Code's own colorizer tests use this internal command; builds without it cannot show tokens
    // to an extension, so the test is reported as pending there, not passed.
    const commands = await vscode.commands.getCommands(true);
    if (!commands.includes('_workbench.captureSyntaxTokens')) this.skip();
    const tokens = await vscode.commands.executeCommand<CapturedToken[]>('_workbench.captureSyntaxTokens', workspaceFile('hello.pgasm'));
    const scopeOf = (text: string) => tokens.find((t) => t.c.trim() === text)?.t ?? '';
    assert.match(scopeOf('fill'), /keyword\.other\.mnemonic\.pgasm/);
    assert.match(tokens.find((t) => t.c.startsWith('; clear'))?.t ?? '', /comment\.line\.semicolon\.pgasm/);
  });

  it('shows the opcode reference from "Paging Lab: Show Paging Opcode Reference"', async function () {
    await vscode.commands.executeCommand('pagingLab.showOpcodeReference');
    const reference = await waitFor('the opcode reference document', () =>
      vscode.workspace.textDocuments.find((d) => d.languageId === 'markdown' && d.getText().startsWith('# Paging opcodes')),
    );
    assert.match(reference.getText(), /### `copy`/);
  });
});
