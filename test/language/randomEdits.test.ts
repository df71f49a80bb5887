// Thousands of seeded random edits to a document, with every kind of request in between (some at
// positions past the end of the text): the server must answer every request, publish diagnostics
// for the latest version, and stay alive. A failure prints the seed and the step to replay.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ErrorCodes, ResponseError } from 'vscode-jsonrpc';
import { assemble } from '../../src/isa/assembler';
import { DEFAULT_SEGMENTS } from '../../src/isa/profile';
import { ROOT } from '../setup';
import { LspClient } from './lspClient';
import { ERRORS, GRAMMAR_SAMPLE, PROGRAM } from './fixtures';

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'copy', 'fill', 'fence', 'nop', 'apmap', 'ptupdate', '.equ', '.pages', '.segment', '.align', '.u64', '.dmasize',
  'vram:', 'local:', 'gart', 'phys:', 'mdl(', ')', '+', '-', '*', '/', '%', '<<', '>>', '~', '(', ',', ', ', ':', ';',
  '0x', '0xDEADBEEF', '4K', '64M', '1G', '0b101', '1_000', '99999999999999999999999', 'start', 'pages', 'SIZE', 'irq',
  'monitored', ' ', '  ', '\t', '\n', '\r\n', 'é', '😀', '\u0000', '"', '[', ']', 'seg7:', 'va:', '.', '_', 'x',
];

const REQUESTS = [
  'textDocument/hover', 'textDocument/completion', 'textDocument/signatureHelp', 'textDocument/definition',
  'textDocument/references', 'textDocument/documentHighlight', 'textDocument/prepareRename', 'textDocument/rename',
  'textDocument/documentSymbol', 'textDocument/formatting', 'textDocument/rangeFormatting', 'textDocument/codeAction',
  'textDocument/inlayHint', 'textDocument/foldingRange', 'textDocument/semanticTokens/full', 'textDocument/semanticTokens/range',
  'textDocument/semanticTokens/full/delta',
];

describe('language: random edits', function () {
  this.timeout(240_000);
  const SEED = Number(process.env.PGASM_FUZZ_SEED ?? 8);
  const EDITS = Number(process.env.PGASM_FUZZ_EDITS ?? 3000);
  let client: LspClient;

  before(async function () {
    client = await LspClient.inProcess();
  });
  after(async function () {
    await client.stop();
  });

  it(`answers every request through ${EDITS} seeded edits (seed ${SEED})`, async function () {
    const random = rng(SEED);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
    const uri = 'file:///fuzz/random.pgasm';
    // Start from real programs: the fixtures and the biggest sample, a whole paging buffer.
    const sample = join(ROOT, 'samples', 'pgasm', 'paging-buffer.pgasm');
    const start = PROGRAM + GRAMMAR_SAMPLE + ERRORS + (existsSync(sample) ? readFileSync(sample, 'utf8') : '');
    let mirror = TextDocument.create(uri, 'pgasm', 1, start);
    await client.open(uri, mirror.getText());
    let answered = 0;
    let rejectedRenames = 0;
    const pendingRequests: Promise<void>[] = [];

    const anyPosition = () => {
      // Mostly inside the text, sometimes past the end of a line or of the document.
      const line = Math.floor(random() * (mirror.lineCount + (random() < 0.05 ? 3 : 0)));
      const lineText = mirror.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
      const character = Math.floor(random() * (lineText.length + (random() < 0.05 ? 5 : 1)));
      return { line, character };
    };

    for (let step = 0; step < EDITS; step++) {
      // The edit: insert a piece, delete a span, replace a span, or (rarely) replace everything.
      const r = random();
      const a = mirror.offsetAt(anyPosition());
      const b = Math.min(mirror.getText().length, a + Math.floor(random() * (r < 0.3 ? 40 : 6)));
      const text = r < 0.02 ? pick([PROGRAM, ERRORS, '', GRAMMAR_SAMPLE]) : r < 0.35 ? '' : Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(PIECES)).join('');
      const change =
        r < 0.02
          ? { text }
          : { range: { start: mirror.positionAt(a), end: mirror.positionAt(r < 0.35 || r > 0.8 ? b : a) }, text };
      mirror = TextDocument.create(uri, 'pgasm', mirror.version + 1, mirror.getText());
      TextDocument.update(mirror, [change], mirror.version);
      await client.change(uri, [change]);

      // A few requests, not awaited one by one: they overlap with the following edits as in an editor.
      const n = Math.floor(random() * 3);
      for (let k = 0; k < n; k++) {
        const method = pick(REQUESTS);
        const position = anyPosition();
        const range = { start: position, end: anyPosition() };
        if (range.end.line < range.start.line) range.end = position;
        const params: Record<string, unknown> = { textDocument: { uri }, position, range, options: { tabSize: 4, insertSpaces: true } };
        if (method.endsWith('references')) params.context = { includeDeclaration: random() < 0.5 };
        if (method.endsWith('rename')) params.newName = pick(['renamed', 'x1', '', 'copy', '9bad', 'start']);
        if (method.endsWith('delta')) params.previousResultId = String(Math.floor(random() * step));
        if (method.endsWith('codeAction')) params.context = { diagnostics: client.diagnostics.get(uri)?.diagnostics.slice(0, 5) ?? [] };
        const label = `step ${step} (seed ${SEED}): ${method} at ${JSON.stringify(position)}`;
        pendingRequests.push(
          client.request(method, params).then(
            () => {
              answered++;
            },
            (e: unknown) => {
              // An invalid new name is refused with a message; that is an answer, not a failure.
              if (method.endsWith('rename') && e instanceof ResponseError && e.code === ErrorCodes.InvalidParams) {
                rejectedRenames++;
                return;
              }
              throw new Error(`${label} failed: ${e instanceof Error ? e.message : String(e)}`);
            },
          ),
        );
      }
      if (step % 50 === 49) await Promise.all(pendingRequests.splice(0));
    }
    await Promise.all(pendingRequests);

    // Diagnostics arrive for the final version, and the server still answers.
    const published = await client.waitForDiagnostics(uri, mirror.version);
    assert.equal(published.version, mirror.version);
    const symbols = await client.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.ok(Array.isArray(symbols));
    // The server's copy of the text, after thousands of incremental changes, is the client's: its
    // diagnostics are exactly those of assembling the client's text.
    const expected = assemble(mirror.getText(), { segments: [...DEFAULT_SEGMENTS], maxDiagnostics: 1000 }).diagnostics;
    assert.deepEqual(published.diagnostics.map((d) => [d.code, d.range, d.message]), expected.map((d) => [d.code, d.range, d.message]));
    assert.ok(answered > EDITS / 2, `answered ${answered} requests`);
    assert.ok(!client.logs.some((l) => /failed|uncaught/.test(l)), `the server logged failures:\n${client.logs.join('\n')}`);
    this.test!.title += ` [${answered} answered, ${rejectedRenames} renames refused]`;
  });
});
