// The server's incremental analysis over the protocol: seeded random edits to a document, and
// after each one the published diagnostics are those of assembling the client's copy of the text,
// and a semantic-tokens delta applied to the previous tokens gives the full tokens of the new text.

import assert from 'node:assert/strict';
import type { Diagnostic, SemanticTokens, SemanticTokensDelta } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { assemble } from '../../src/isa/assembler';
import { SERVER_OPTIONS } from '../../src/language/analysis';
import { int, pick, rng } from '../isa/generate';
import { ERRORS, PROGRAM } from './fixtures';
import { LspClient } from './lspClient';

const PIECES = ['nop\n', 'start: ', 'SIZE', ' + 4', '.equ SIZE, 8K\n', 'pages: .pages 0x1000\n', '    fence phys:0, 1, irq\n', 'x', ',', ':', ';', '\n', 'mdl(pages)+0', 'vram:0x10'];

describe('language: incremental analysis over LSP', function () {
  this.timeout(240_000);
  const EDITS = Number(process.env.PGASM_LSP_EDITS ?? 400);
  let client: LspClient;
  before(async function () {
    client = await LspClient.inProcess();
  });
  after(async function () {
    await client.stop();
  });

  it(`publishes the full assembly's diagnostics and consistent token deltas after each of ${EDITS} edits`, async function () {
    const r = rng(21);
    const uri = 'file:///incremental/doc.pgasm';
    let mirror = TextDocument.create(uri, 'pgasm', 1, PROGRAM + ERRORS + PROGRAM);
    await client.open(uri, mirror.getText());
    await client.waitForDiagnostics(uri, 1);
    let tokens = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
    for (let step = 0; step < EDITS; step++) {
      const text = mirror.getText();
      const a = int(r, 0, text.length);
      const b = Math.min(text.length, a + (r() < 0.5 ? 0 : int(r, 1, 10)));
      const change = { range: { start: mirror.positionAt(a), end: mirror.positionAt(b) }, text: r() < 0.3 ? '' : pick(r, PIECES) };
      mirror = TextDocument.create(uri, 'pgasm', mirror.version + 1, text);
      TextDocument.update(mirror, [change], mirror.version);
      const version = await client.change(uri, [change]);
      const published = await client.waitForDiagnostics(uri, version);
      const expected = assemble(mirror.getText(), SERVER_OPTIONS).diagnostics;
      const label = `step ${step}: ${JSON.stringify(change)}`;
      assert.deepEqual(
        published.diagnostics.map((d: Diagnostic) => [d.code, d.range, d.message]),
        expected.map((d) => [d.code, d.range, d.message]),
        label,
      );
      const delta = await client.request<SemanticTokensDelta>('textDocument/semanticTokens/full/delta', { textDocument: { uri }, previousResultId: tokens.resultId });
      const patched = [...tokens.data];
      for (const e of delta.edits) patched.splice(e.start, e.deleteCount, ...(e.data ?? []));
      const full = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
      assert.deepEqual(patched, full.data, label);
      tokens = full;
    }
    assert.ok(!client.logs.some((l) => /failed/.test(l)), client.logs.join('\n'));
  });
});
