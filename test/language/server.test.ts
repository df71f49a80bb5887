// The pgasm language server over a real LSP connection (the server's own createConnection on one
// end of a stream pair, a vscode-jsonrpc client on the other), feature by feature with exact
// expected results; then the shipped dist/server.js over stdio and over node IPC.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc';
import {
  CodeAction,
  CompletionItem,
  Diagnostic,
  DocumentSymbol,
  FoldingRange,
  Hover,
  InlayHint,
  Location,
  SemanticTokens,
  SemanticTokensDelta,
  SemanticTokensLegend,
  SignatureHelp,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { assemble } from '../../src/isa/assembler';
import { DIRECTIVES } from '../../src/isa/directives';
import { DEFAULT_SEGMENTS } from '../../src/isa/profile';
import { encode, encodedHex } from './encodingHelpers';
import { LocationSpace, OPCODES, OPCODE_BY_MNEMONIC } from '../../src/isa/opcodes';
import { opcodeReferenceMarkdown } from '../../src/isa/reference';
import { distFile, ROOT } from '../setup';
import { ERRORS, PROGRAM } from './fixtures';
import { LspClient } from './lspClient';

const r = (sl: number, sc: number, el: number, ec: number) => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });
const pos = (line: number, character: number) => ({ line, character });

/**
 * Where a diagnostic about `topic` should link: the line of its heading in docs/pgasm.md (`#L<n>`,
 * which VS Code opens at that line), or before the file exists, the heading's slug in the rendered
 * opcode reference.
 */
function docsHref(topic: string): string {
  const path = join(ROOT, 'docs', 'pgasm.md');
  const exists = existsSync(path);
  const lines = (exists ? readFileSync(path, 'utf8') : opcodeReferenceMarkdown()).split('\n');
  const at = lines.findIndex((l) => /^#+\s/.test(l) && l.includes('`' + topic + '`'));
  assert.ok(at >= 0, `docs have a heading for ${topic}`);
  const slug = lines[at].replace(/^#+\s+/, '').trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
  return `${pathToFileURL(path)}#${exists ? `L${at + 1}` : slug}`;
}

/** The link to a `## Section` of docs/pgasm.md. */
function docsSectionHref(section: string): string {
  const path = join(ROOT, 'docs', 'pgasm.md');
  const at = readFileSync(path, 'utf8').split('\n').findIndex((l) => l === `## ${section}`);
  assert.ok(at >= 0, `docs/pgasm.md has a section ${section}`);
  return `${pathToFileURL(path)}#L${at + 1}`;
}

function applyEdits(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x', 'pgasm', 1, text), edits);
}

describe('language server over LSP', function () {
  let client: LspClient;
  let n = 0;
  /** Opens `text` under a fresh URI and waits for its first diagnostics. */
  async function open(text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
    const uri = `file:///test/doc${++n}.pgasm`;
    await client.open(uri, text);
    const p = await client.waitForDiagnostics(uri, 1);
    return { uri, diagnostics: p.diagnostics };
  }
  const td = (uri: string) => ({ textDocument: { uri } });

  before(async function () {
    client = await LspClient.inProcess();
  });
  after(async function () {
    await client.stop();
  });

  describe('initialize', function () {
    it('announces incremental sync and every feature', function () {
      const c = client.initializeResult.capabilities;
      assert.deepEqual(c.textDocumentSync, { openClose: true, change: 2 });
      assert.equal(c.hoverProvider, true);
      assert.deepEqual(c.completionProvider?.triggerCharacters, ['.', ' ', ',', ':', '(']);
      assert.deepEqual(c.signatureHelpProvider?.triggerCharacters, [' ', ',']);
      for (const k of ['definitionProvider', 'referencesProvider', 'documentSymbolProvider', 'documentFormattingProvider',
        'documentRangeFormattingProvider', 'inlayHintProvider', 'foldingRangeProvider', 'documentHighlightProvider'] as const) {
        assert.equal(c[k], true, k);
      }
      assert.deepEqual(c.renameProvider, { prepareProvider: true });
      assert.deepEqual(c.codeActionProvider, { codeActionKinds: ['quickfix'] });
      assert.deepEqual(c.semanticTokensProvider?.full, { delta: true });
      assert.equal(c.semanticTokensProvider?.range, true);
    });
  });

  describe('diagnostics', function () {
    it('publishes nothing for a correct program, with the document version', async function () {
      const { uri, diagnostics } = await open(PROGRAM);
      assert.deepEqual(diagnostics, []);
      assert.equal(client.diagnostics.get(uri)?.version, 1);
    });

    it('reports each mistake with its exact range, code, severity and a documentation link', async function () {
      const { diagnostics } = await open(ERRORS);
      const summary = diagnostics.map((d) => [d.code, d.severity, d.range, d.source]);
      assert.deepEqual(summary, [
        ['PGA002', 1, r(1, 4, 1, 8), 'pgasm'],
        ['PGA007', 1, r(2, 14, 2, 17), 'pgasm'],
        ['PGA006', 1, r(3, 20, 3, 21), 'pgasm'],
        ['PGA012', 1, r(4, 29, 4, 36), 'pgasm'],
        ['PGA011', 1, r(5, 0, 5, 5), 'pgasm'],
        ['PGA014', 1, r(6, 21, 6, 24), 'pgasm'],
      ]);
      assert.equal(diagnostics[0].message, "unknown mnemonic 'copi' (did you mean 'copy'?)");
      assert.equal(diagnostics[2].message, 'pread count 9 is out of range 1..8');
      // The rule's opcode documentation: docs/pgasm.md at the opcode's heading.
      assert.equal(diagnostics[1].codeDescription?.href, docsHref('fill'));
      assert.equal(diagnostics[2].codeDescription?.href, docsHref('pread'));
      assert.equal(diagnostics[5].codeDescription?.href, docsHref('fence'));
      for (const d of diagnostics) assert.match(d.codeDescription?.href ?? '', /^file:.*\/docs\/pgasm\.md(#[\w-]+)?$/, `${d.code} has a link`);
      // Without an opcode of its own, an unknown mnemonic links to the list of opcodes.
      assert.equal(diagnostics[0].codeDescription?.href, docsSectionHref('Opcodes'));
      // A name defined twice points at the first definition.
      assert.deepEqual(diagnostics[4].relatedInformation, [
        { location: { uri: client.diagnostics.get(`file:///test/doc${n}.pgasm`)!.uri, range: r(0, 0, 0, 5) }, message: 'first defined here' },
      ]);
    });

    it('marks unreachable code as unnecessary', async function () {
      const { diagnostics } = await open('    copy vram:0, vram:0x1000, 4K\n    .u32 1\n    nop\n');
      assert.deepEqual(diagnostics.map((d) => [d.code, d.severity, d.range, d.tags]), [['PGA013', 2, r(2, 4, 2, 7), [1]]]);
    });

    it('follows incremental edits, several per notification, and publishes for the new version', async function () {
      const { uri } = await open(ERRORS);
      // Fix the mnemonic and, in the same notification, break line 0 after it.
      const v = await client.change(uri, [
        { range: r(1, 4, 1, 8), text: 'copy' },
        { range: r(0, 0, 0, 0), text: '    bogus\n' },
      ]);
      const p = await client.waitForDiagnostics(uri, v);
      assert.equal(p.version, 2);
      assert.deepEqual(p.diagnostics.map((d) => [d.code, d.range.start.line]), [
        ['PGA002', 0],
        ['PGA007', 3],
        ['PGA006', 4],
        ['PGA012', 5],
        ['PGA011', 6],
        ['PGA014', 7],
      ]);
      // Deleting across lines.
      const v3 = await client.change(uri, [{ range: r(0, 0, 4, 0), text: '' }]);
      const p3 = await client.waitForDiagnostics(uri, v3);
      // Lines 0-3 are gone with the first `start`, so the second is no longer a duplicate.
      assert.deepEqual(p3.diagnostics.map((d) => [d.code, d.range.start.line]), [['PGA006', 0], ['PGA012', 1], ['PGA014', 3]]);
    });

    it('clears the diagnostics of a closed document', async function () {
      const { uri } = await open(ERRORS);
      client.forget(uri);
      await client.close(uri);
      const p = await client.waitForDiagnostics(uri);
      assert.deepEqual(p.diagnostics, []);
    });
  });

  describe('hover', function () {
    let uri: string;
    before(async function () {
      uri = (await open(PROGRAM)).uri;
    });
    const hover = (line: number, character: number) => client.request<Hover | null>('textDocument/hover', { ...td(uri), position: pos(line, character) });
    const text = (h: Hover | null) => (h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '');

    it("starts with the instruction's offset, size and bytes on a mnemonic, then its summary, then a link to its reference", async function () {
      const h = await hover(7, 5);
      const fill = OPCODE_BY_MNEMONIC.get('fill')!;
      const bytes = encodedHex(encode(fill, [{ space: LocationSpace.Segment, sub: 2, aux: 0, address: 0 }, 8192, 0xdeadbeef]));
      assert.equal(bytes, '11 00 08 00  01 00 02 00  00 00 00 00  00 00 00 00  00 00 00 00  00 20 00 00  00 00 00 00  EF BE AD DE');
      assert.deepEqual(h?.range, r(7, 4, 7, 8));
      assert.equal(
        text(h),
        `Offset 0x002C (44), 32 bytes: \`${bytes}\`\n\n\`fill dst, size, pattern\`: ${fill.summary}\n\n[\`fill\` in the pgasm reference](${docsHref('fill')})`,
      );
    });

    it("shows an operand's meaning, and the value of the constant it uses", async function () {
      const h = await hover(6, 38);
      assert.deepEqual(h?.range, r(6, 37, 6, 41));
      assert.equal(text(h), '**size** (`addr`, 8 bytes at +36; range 1..9007199254740991): Number of bytes to copy.\n\n---\n\nconstant `SIZE` = 8192 (0x2000)');
      const dst = await hover(6, 16);
      assert.equal(text(dst), '**dst** (`loc`, 16 bytes at +4): Destination location.\n\n---\n\n`0x10000` = 65536 (0x10000)');
    });

    it('shows a flag, a label reference, a segment and a directive', async function () {
      assert.equal(text(await hover(10, 23)), 'flag **irq** (bit 0 of `fence`): Raise a DMA-completed interrupt after the write.');
      const label = await hover(6, 28);
      assert.deepEqual(label?.range, r(6, 27, 6, 32));
      assert.equal(text(label), '**src** (`loc`, 16 bytes at +20): Source location.\n\n---\n\nlabel `pages`: offset 0x006C (108)');
      assert.match(text(await hover(6, 10)), /segment `vram`: id 1, memory, 256 MiB, CPU-visible$/);
      const equ = DIRECTIVES.find((d) => d.name === '.equ')!;
      assert.equal(text(await hover(3, 1)), `\`${equ.syntax}\`: ${equ.doc}\n\nExample: \`${equ.example}\`\n\n[\`.equ\` in the pgasm reference](${docsHref('.equ')})`);
      assert.equal(text(await hover(9, 1)), 'label `done`: offset 0x004C (76)');
      const pages = DIRECTIVES.find((d) => d.name === '.pages')!;
      assert.equal(
        text(await hover(12, 9)),
        `Offset 0x006C (108), 24 bytes: \`02 00 00 00  00 00 00 00  00 00 10 00  00 00 00 00  00 10 10 00  00 00 00 00\`\n\n\`${pages.syntax}\`: ${pages.doc}\n\nExample: \`${pages.example}\`\n\n[\`.pages\` in the pgasm reference](${docsHref('.pages')})`,
      );
    });

    it('shows the value of a number literal', async function () {
      assert.equal(text(await hover(3, 12)), '**expr** of `.equ NAME, expr`\n\n---\n\n`8K` = 8192 (0x2000)');
      assert.equal(
        text(await hover(7, 30)),
        '**pattern** (`u32`, 4 bytes at +28; range 0..4294967295): The 32-bit fill pattern.\n\n---\n\n`0xDEADBEEF` = 3735928559 (0xDEADBEEF)',
      );
    });

    it('answers null on blank lines, in comments and past the end', async function () {
      assert.equal(await hover(4, 0), null);
      assert.equal(await hover(0, 5), null);
      assert.equal(await hover(400, 3), null);
    });
  });

  describe('completion', function () {
    const labels = (items: CompletionItem[]) => items.map((i) => i.label).sort();
    async function complete(text: string, line: number, character: number): Promise<CompletionItem[]> {
      const { uri } = await open(text);
      return client.request<CompletionItem[]>('textDocument/completion', { ...td(uri), position: pos(line, character) });
    }

    it('offers every mnemonic (with operand snippets) and directive where a statement starts', async function () {
      const items = await complete(PROGRAM.replace('    nop', '    n'), 11, 5);
      assert.deepEqual(labels(items), [...OPCODES.map((o) => o.mnemonic), ...DIRECTIVES.map((d) => d.name)].sort());
      const copy = items.find((i) => i.label === 'copy')!;
      assert.equal(copy.insertTextFormat, 2);
      assert.deepEqual(copy.textEdit, { range: r(11, 4, 11, 5), newText: 'copy ${1:dst}, ${2:src}, ${3:size}' });
      assert.equal(copy.detail, 'Copy bytes between segments and system pages.');
    });

    it('offers only directives after a dot, with their operands as snippets', async function () {
      const items = await complete('start:\n    .\n', 1, 5);
      assert.deepEqual(labels(items), DIRECTIVES.map((d) => d.name).sort());
      const seg = items.find((i) => i.label === '.segment')!;
      assert.deepEqual(seg.textEdit, { range: r(1, 4, 1, 5), newText: '.segment ${1:NAME}, ${2:ID}, ${3|memory,aperture|}, ${4:SIZE}' });
      assert.equal(items.find((i) => i.label === '.pages')!.textEdit!.newText, '.pages ${1:ADDR0}');
    });

    it('offers segments, location forms and constants for a location operand', async function () {
      const items = await complete(PROGRAM.replace('    copy vram:0x10000, mdl(pages)+0, SIZE ; page-in', '    copy '), 6, 9);
      assert.deepEqual(labels(items), ['SIZE', 'gart', 'local', 'mdl', 'phys', 'va', 'vram']);
      assert.equal(items.find((i) => i.label === 'vram')!.insertText, 'vram:${1:0x0}');
      assert.equal(items.find((i) => i.label === 'mdl')!.insertText, 'mdl(${1:pages})+${2:0}');
    });

    it('offers labels inside mdl( ), constants and labels for numbers, aperture segments for a segment, flags after the operands', async function () {
      const { uri } = await open(PROGRAM + '    apmap \n    fence phys:0, 1, \n');
      const at = (line: number, character: number) => client.request<CompletionItem[]>('textDocument/completion', { ...td(uri), position: pos(line, character) });
      assert.deepEqual(labels(await at(6, 27)), ['done', 'pages', 'start']);
      assert.deepEqual(labels(await at(6, 37)), ['SIZE', 'done', 'pages', 'start']);
      assert.deepEqual(labels(await at(13, 10)), ['SIZE', 'gart']);
      const flags = await at(14, 21);
      assert.deepEqual(labels(flags), ['irq', 'monitored']);
      assert.equal(flags[0].documentation, 'Raise a DMA-completed interrupt after the write.');
      assert.deepEqual(await at(0, 10), []);
    });
  });

  describe('signature help', function () {
    it('shows the operands with the one under the cursor active', async function () {
      const { uri } = await open(PROGRAM);
      const sig = (line: number, character: number) => client.request<SignatureHelp | null>('textDocument/signatureHelp', { ...td(uri), position: pos(line, character) });
      const copy = await sig(6, 24);
      assert.equal(copy?.signatures[0].label, 'copy dst, src, size');
      assert.deepEqual(copy?.signatures[0].parameters?.map((p) => p.label), [[5, 8], [10, 13], [15, 19]]);
      assert.equal(copy?.activeParameter, 1);
      const fence = await sig(10, 22);
      assert.equal(fence?.signatures[0].label, 'fence addr, value [, irq | monitored]');
      assert.equal(fence?.activeParameter, 2);
      const equ = await sig(3, 11);
      assert.equal(equ?.signatures[0].label, '.equ NAME, expr');
      assert.deepEqual(equ?.signatures[0].parameters?.map((p) => p.label), [[5, 9], [11, 15]]);
      assert.equal(equ?.activeParameter, 1);
      assert.equal(await sig(5, 3), null);
    });
  });

  describe('semantic tokens', function () {
    const EXPECTED: [number, number, number, string, string[]][] = [
      [0, 0, 42, 'comment', []], [1, 0, 31, 'comment', []],
      [2, 0, 8, 'macro', []], [2, 9, 2, 'number', []],
      [3, 0, 4, 'macro', []], [3, 5, 4, 'variable', ['readonly']], [3, 11, 2, 'number', []],
      [5, 0, 5, 'label', []],
      [6, 4, 4, 'keyword', []], [6, 9, 4, 'namespace', []], [6, 14, 7, 'number', []], [6, 23, 3, 'type', []],
      [6, 27, 5, 'label', []], [6, 33, 1, 'operator', []], [6, 34, 1, 'number', []], [6, 37, 4, 'variable', ['readonly']],
      [6, 42, 9, 'comment', []],
      [7, 4, 4, 'keyword', []], [7, 9, 5, 'namespace', []], [7, 15, 3, 'number', []], [7, 20, 4, 'variable', ['readonly']],
      [7, 26, 10, 'number', []],
      [9, 0, 4, 'label', []],
      [10, 4, 5, 'keyword', []], [10, 10, 4, 'type', []], [10, 15, 1, 'number', []], [10, 18, 2, 'number', []], [10, 22, 3, 'enumMember', []],
      [11, 4, 3, 'keyword', []],
      [12, 0, 5, 'label', []], [12, 7, 6, 'macro', []], [12, 14, 8, 'number', []], [12, 24, 8, 'number', []],
    ];
    function decode(t: SemanticTokens, legend: SemanticTokensLegend): [number, number, number, string, string[]][] {
      const out: [number, number, number, string, string[]][] = [];
      let line = 0;
      let start = 0;
      for (let i = 0; i < t.data.length; i += 5) {
        line += t.data[i];
        start = t.data[i] === 0 ? start + t.data[i + 1] : t.data[i + 1];
        const mods = legend.tokenModifiers.filter((_, b) => t.data[i + 4] & (1 << b));
        out.push([line, start, t.data[i + 2], legend.tokenTypes[t.data[i + 3]], mods]);
      }
      return out;
    }

    it('classifies every token of the document', async function () {
      const { uri } = await open(PROGRAM);
      const legend = client.initializeResult.capabilities.semanticTokensProvider!.legend;
      const full = await client.request<SemanticTokens>('textDocument/semanticTokens/full', td(uri));
      assert.deepEqual(decode(full, legend), EXPECTED);
    });

    it('answers a delta request with only the tokens that changed', async function () {
      const { uri } = await open(PROGRAM);
      const full = await client.request<SemanticTokens>('textDocument/semanticTokens/full', td(uri));
      assert.ok(full.resultId);
      // Rename the constant's use on line 7 by hand: one token changes length.
      const v = await client.change(uri, [{ range: r(7, 20, 7, 24), text: 'SIZE + 4' }]);
      await client.waitForDiagnostics(uri, v);
      const delta = await client.request<SemanticTokensDelta>('textDocument/semanticTokens/full/delta', { ...td(uri), previousResultId: full.resultId });
      const after = await client.request<SemanticTokens>('textDocument/semanticTokens/full', td(uri));
      assert.ok(delta.edits.length === 1 && delta.edits[0].deleteCount < 10, JSON.stringify(delta.edits));
      const patched = [...full.data];
      for (const e of delta.edits) patched.splice(e.start, e.deleteCount, ...(e.data ?? []));
      assert.deepEqual(patched, after.data);
      // `SIZE + 4`: the constant, the operator, the number.
      const legend = client.initializeResult.capabilities.semanticTokensProvider!.legend;
      assert.deepEqual(decode(after, legend).filter(([l]) => l === 7).slice(3, 6), [
        [7, 20, 4, 'variable', ['readonly']],
        [7, 25, 1, 'operator', []],
        [7, 27, 1, 'number', []],
      ]);
      // An unknown previous result gets the whole document.
      const whole = await client.request<SemanticTokens>('textDocument/semanticTokens/full/delta', { ...td(uri), previousResultId: 'nope' });
      assert.deepEqual(whole.data, after.data);
    });

    it('returns the tokens of a range of lines', async function () {
      const { uri } = await open(PROGRAM);
      const legend = client.initializeResult.capabilities.semanticTokensProvider!.legend;
      const part = await client.request<SemanticTokens>('textDocument/semanticTokens/range', { ...td(uri), range: r(6, 0, 7, 36) });
      assert.deepEqual(decode(part, legend), EXPECTED.filter(([l]) => l === 6 || l === 7));
    });
  });

  describe('symbols, definition, references, rename', function () {
    let uri: string;
    before(async function () {
      uri = (await open(PROGRAM)).uri;
    });
    const at = (line: number, character: number) => ({ ...td(uri), position: pos(line, character) });

    it('outlines constants and label sections', async function () {
      const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', td(uri));
      assert.deepEqual(symbols, [
        { name: 'SIZE', kind: 14, detail: '= 8192', range: r(3, 0, 3, 13), selectionRange: r(3, 5, 3, 9) },
        { name: 'start', kind: 12, detail: '@0x0000', range: r(5, 0, 7, 36), selectionRange: r(5, 0, 5, 5) },
        { name: 'done', kind: 12, detail: '@0x004C', range: r(9, 0, 11, 7), selectionRange: r(9, 0, 9, 4) },
        { name: 'pages', kind: 12, detail: '@0x006C', range: r(12, 0, 12, 32), selectionRange: r(12, 0, 12, 5) },
      ]);
    });

    it('goes to the definition of a constant and of a label; not of a built-in segment', async function () {
      assert.deepEqual(await client.request<Location>('textDocument/definition', at(7, 21)), { uri, range: r(3, 5, 3, 9) });
      assert.deepEqual(await client.request<Location>('textDocument/definition', at(6, 30)), { uri, range: r(12, 0, 12, 5) });
      assert.equal(await client.request('textDocument/definition', at(6, 10)), null);
    });

    it('finds references with and without the declaration, and highlights them', async function () {
      const refs = (includeDeclaration: boolean) => client.request<Location[]>('textDocument/references', { ...at(3, 6), context: { includeDeclaration } });
      assert.deepEqual(await refs(true), [r(3, 5, 3, 9), r(6, 37, 6, 41), r(7, 20, 7, 24)].map((range) => ({ uri, range })));
      assert.deepEqual(await refs(false), [r(6, 37, 6, 41), r(7, 20, 7, 24)].map((range) => ({ uri, range })));
      assert.deepEqual(await client.request('textDocument/documentHighlight', at(6, 29)), [
        { range: r(12, 0, 12, 5), kind: 3 },
        { range: r(6, 27, 6, 32), kind: 2 },
      ]);
    });

    it('renames a constant everywhere, and the result assembles the same', async function () {
      assert.deepEqual(await client.request('textDocument/prepareRename', at(7, 21)), { range: r(7, 20, 7, 24), placeholder: 'SIZE' });
      const edit = await client.request<WorkspaceEdit>('textDocument/rename', { ...at(7, 21), newName: 'LENGTH' });
      const edits = edit.changes![uri];
      assert.deepEqual(edits, [r(3, 5, 3, 9), r(6, 37, 6, 41), r(7, 20, 7, 24)].map((range) => ({ range, newText: 'LENGTH' })));
      const renamed = applyEdits(PROGRAM, edits);
      assert.equal(renamed, PROGRAM.replace(/SIZE/g, 'LENGTH'));
      const { diagnostics } = await open(renamed);
      assert.deepEqual(diagnostics, []);
    });

    it('refuses to rename to a reserved word, a taken name or an invalid name, and does not rename segments or mnemonics', async function () {
      const refused = async (newName: string, message: RegExp) => {
        await assert.rejects(client.request('textDocument/rename', { ...at(6, 29), newName }), (e: unknown) => e instanceof ResponseError && e.code === -32602 && message.test(e.message));
      };
      await refused('copy', /reserved word/);
      await refused('mdl', /reserved word/);
      await refused('vram', /segment name/);
      await refused('start', /already defined \(line 6\)/);
      await refused('9lives', /not a valid name/);
      assert.equal(await client.request('textDocument/prepareRename', at(6, 10)), null);
      assert.equal(await client.request('textDocument/prepareRename', at(6, 5)), null);
    });
  });

  describe('formatting', function () {
    const MESSY = [
      'start:  copy   vram:0x0,phys:0x0 ,  4K ;c1',
      '  fill vram:0x0, 4K, 0   ; second',
      'nop',
      '    ; indented comment',
      '; column-0 comment',
      'loop: nop',
      '.equ X, 1   ',
      '',
      '    copi vram:0x0,  ; a syntax error keeps its spacing',
      '',
    ].join('\n');
    const FORMATTED = [
      'start:  copy vram:0x0, phys:0x0, 4K ;c1',
      '        fill vram:0x0, 4K, 0        ; second',
      '        nop',
      '        ; indented comment',
      '; column-0 comment',
      'loop:   nop',
      '        .equ X, 1',
      '',
      '    copi vram:0x0,  ; a syntax error keeps its spacing',
      '',
    ].join('\n');
    const options = { tabSize: 4, insertSpaces: true };

    it('aligns labels, mnemonics, operands and comments, and leaves lines it cannot parse alone', async function () {
      const { uri } = await open(MESSY);
      const edits = await client.request<TextEdit[]>('textDocument/formatting', { ...td(uri), options });
      assert.equal(applyEdits(MESSY, edits), FORMATTED);
      assert.deepEqual(edits.map((e) => e.range.start.line), [0, 1, 2, 3, 5, 6]);
    });

    it('is idempotent', async function () {
      const { uri } = await open(FORMATTED);
      assert.deepEqual(await client.request('textDocument/formatting', { ...td(uri), options }), []);
    });

    it('never changes what a sample program assembles to, and formats its own output to itself', async function () {
      const dir = join(ROOT, 'samples', 'pgasm');
      const files = readdirSync(dir).filter((f) => f.endsWith('.pgasm'));
      assert.ok(files.length > 0);
      for (const f of [...files, '(fixtures)']) {
        const original = f === '(fixtures)' ? PROGRAM + ERRORS + MESSY : readFileSync(join(dir, f), 'utf8');
        const { uri } = await open(original);
        const formatted = applyEdits(original, await client.request<TextEdit[]>('textDocument/formatting', { ...td(uri), options }));
        const before = assemble(original, { segments: [...DEFAULT_SEGMENTS] });
        const after = assemble(formatted, { segments: [...DEFAULT_SEGMENTS] });
        assert.deepEqual(after.bytes, before.bytes, f);
        assert.deepEqual(after.diagnostics.map((d) => d.code), before.diagnostics.map((d) => d.code), f);
        const again = await open(formatted);
        assert.deepEqual(await client.request('textDocument/formatting', { ...td(again.uri), options }), [], `${f} formats to itself`);
      }
    });

    it('formats only the lines of a range', async function () {
      const { uri } = await open(MESSY);
      const edits = await client.request<TextEdit[]>('textDocument/rangeFormatting', { ...td(uri), options, range: r(2, 0, 2, 3) });
      assert.deepEqual(edits, [{ range: r(2, 0, 2, 3), newText: '        nop' }]);
    });
  });

  describe('code actions', function () {
    async function fixes(text: string): Promise<{ uri: string; actions: CodeAction[] }> {
      const { uri, diagnostics } = await open(text);
      const actions = await client.request<CodeAction[]>('textDocument/codeAction', { ...td(uri), range: r(0, 0, 0, 0), context: { diagnostics } });
      return { uri, actions };
    }
    const summary = (actions: CodeAction[], uri: string) => actions.map((a) => [a.title, a.diagnostics?.[0].code, a.isPreferred, a.edit?.changes?.[uri]]);

    it('offers a fix for each common mistake', async function () {
      const { uri, actions } = await fixes(ERRORS);
      assert.deepEqual(summary(actions, uri), [
        ["Change to 'copy'", 'PGA002', true, [{ range: r(1, 4, 1, 8), newText: 'copy' }]],
        ['Align up to 0x4', 'PGA007', true, [{ range: r(2, 14, 2, 17), newText: '0x4' }]],
        ['Align down to 0x0', 'PGA007', false, [{ range: r(2, 14, 2, 17), newText: '0x0' }]],
        ['Change to 8 (count is 1..8)', 'PGA006', true, [{ range: r(3, 20, 3, 21), newText: '8' }]],
        ["Define constant 'MISSING'", 'PGA012', false, [{ range: r(0, 0, 0, 0), newText: '.equ MISSING, 0\n' }]],
        ["Change to 'irq'", 'PGA014', true, [{ range: r(6, 21, 6, 24), newText: 'irq' }]],
      ]);
      // Applying one fix of each leaves the duplicate label, which needs a human decision, and the
      // new constant's placeholder value, which is no valid copy size until the user sets it.
      const chosen = [0, 1, 3, 4, 5].flatMap((i) => actions[i].edit!.changes![uri]);
      const { diagnostics } = await open(applyEdits(ERRORS, chosen));
      assert.deepEqual(diagnostics.map((d) => [d.code, d.range.start.line]), [['PGA006', 5], ['PGA011', 6]]);
    });

    it('raises .dmasize to fit the program', async function () {
      const text = '.dmasize 64\n    copy vram:0, vram:0x1000, 4K\n    copy vram:0, vram:0x1000, 4K\n';
      const { uri, actions } = await fixes(text);
      assert.deepEqual(summary(actions, uri), [['Set .dmasize to 4K', 'PGA010', true, [{ range: r(0, 9, 0, 11), newText: '4K' }]]]);
    });

    it('moves data that makes code unreachable after the last instruction', async function () {
      const text = '    copy vram:0, vram:0x1000, 4K\n    .u32 1\n    nop\n';
      const { uri, actions } = await fixes(text);
      assert.equal(actions.length, 1);
      assert.equal(actions[0].title, 'Move the data on line 2 after the last instruction');
      const moved = applyEdits(text, actions[0].edit!.changes![uri]);
      assert.equal(moved, '    copy vram:0, vram:0x1000, 4K\n    nop\n    .u32 1\n');
      assert.deepEqual((await open(moved)).diagnostics, []);
    });
  });

  describe('inlay hints and folding', function () {
    it("shows each statement's offset and size after its code", async function () {
      const { uri } = await open(PROGRAM);
      const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { ...td(uri), range: r(0, 0, 13, 0) });
      assert.deepEqual(hints.map((h) => [h.position, h.label]), [
        [pos(6, 41), '@0x0000 +44'],
        [pos(7, 36), '@0x002C +32'],
        [pos(10, 25), '@0x004C +28'],
        [pos(11, 7), '@0x0068 +4'],
        [pos(12, 32), '@0x006C +24'],
      ]);
      const some = await client.request<InlayHint[]>('textDocument/inlayHint', { ...td(uri), range: r(7, 0, 10, 0) });
      assert.deepEqual(some.map((h) => h.label), ['@0x002C +32', '@0x004C +28']);
    });

    it('folds comment blocks and label sections', async function () {
      const { uri } = await open(PROGRAM);
      assert.deepEqual(await client.request<FoldingRange[]>('textDocument/foldingRange', td(uri)), [
        { startLine: 0, endLine: 1, kind: 'comment' },
        { startLine: 5, endLine: 7, kind: 'region' },
        { startLine: 9, endLine: 11, kind: 'region' },
      ]);
    });
  });

  describe('robustness', function () {
    it('honours cancellation', async function () {
      const { uri } = await open(PROGRAM);
      const source = new CancellationTokenSource();
      const pending = client.request('textDocument/hover', { ...td(uri), position: pos(7, 5) }, source.token);
      source.cancel();
      await assert.rejects(pending, (e: unknown) => e instanceof ResponseError && e.code === -32800);
      // The next request is answered as usual.
      assert.ok(await client.request('textDocument/hover', { ...td(uri), position: pos(7, 5) }));
    });

    it('answers requests for unknown documents and impossible positions', async function () {
      const uri = 'file:///never/opened.pgasm';
      assert.equal(await client.request('textDocument/hover', { ...td(uri), position: pos(0, 0) }), null);
      assert.deepEqual(await client.request('textDocument/documentSymbol', td(uri)), []);
      const { uri: u } = await open(PROGRAM);
      // A position past the end (a stale request after an edit) has nothing to answer; a negative one is not a position.
      assert.deepEqual(await client.request('textDocument/completion', { ...td(u), position: pos(99, 99) }), []);
      await assert.rejects(client.request('textDocument/hover', { ...td(u), position: pos(-1, -5) }), (e: unknown) => e instanceof ResponseError && e.code === -32602);
    });

    it('survives documents that are not pgasm at all', async function () {
      const junk = [
        '\u0000\u0001\uffff'.repeat(50),
        '😀'.repeat(1000) + '\n' + 'copy 😀:0x0, 😀, 😀',
        '(((((((((('.repeat(2000),
        '.equ A, B\n.equ B, A\n'.repeat(100),
        '.equ X, 1 << 9999999\n',
        'x'.repeat(100_000),
      ];
      for (const text of junk) {
        const { uri } = await open(text);
        await client.request('textDocument/hover', { ...td(uri), position: pos(0, 3) });
        await client.request('textDocument/formatting', { ...td(uri), options: { tabSize: 4, insertSpaces: true } });
        await client.request('textDocument/semanticTokens/full', td(uri));
      }
      assert.ok(await client.request('textDocument/hover', { ...td((await open(PROGRAM)).uri), position: pos(7, 5) }));
    });
  });
});

describe('language server: the shipped dist/server.js', function () {
  this.timeout(30_000);
  for (const transport of ['stdio', 'node-ipc'] as const) {
    it(`answers over ${transport}`, async function () {
      const server = distFile('server.js');
      const client = transport === 'stdio' ? await LspClient.spawn(process.execPath, [server, '--stdio']) : await LspClient.fork(server);
      try {
        const uri = 'file:///shipped/errors.pgasm';
        await client.open(uri, ERRORS);
        const p = await client.waitForDiagnostics(uri, 1);
        assert.deepEqual(p.diagnostics.map((d) => d.code), ['PGA002', 'PGA007', 'PGA006', 'PGA012', 'PGA011', 'PGA014']);
        // The bundle finds the docs of the package it ships in.
        assert.equal(p.diagnostics[1].codeDescription?.href, docsHref('fill'));
        const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: pos(2, 5) });
        const hover = (h.contents as { value: string }).value;
        assert.match(hover, /`fill dst, size, pattern`: Fill a range with a 32-bit pattern\./);
        assert.ok(hover.endsWith(`(${docsHref('fill')})`), hover);
      } finally {
        await client.stop();
      }
      if (client.child) assert.notEqual(client.child.exitCode, null, 'the server exits after shutdown and exit');
    });
  }
  it('validates only the latest version when edits to a large file arrive faster than it assembles', async function () {
    // A child process, so that the edits pile up in the pipe while the server is busy, as they do
    // behind a slow validation in an editor.
    const client = await LspClient.spawn(process.execPath, [distFile('server.js'), '--stdio']);
    try {
      const big = Array.from({ length: 20_000 }, (_, i) => (i % 4 === 0 ? `l${i}: nop` : `    fill vram:0x${(i * 16).toString(16)}, 16, ${i}`)).join('\n');
      const uri = 'file:///shipped/big.pgasm';
      await client.open(uri, '.dmasize 1M\n' + big + '\n');
      await client.waitForDiagnostics(uri, 1);
      const sent: Promise<number>[] = [];
      for (let i = 0; i < 30; i++) sent.push(client.change(uri, [i % 2 ? { range: r(5, 4, 5, 5), text: '' } : { range: r(5, 4, 5, 4), text: ' ' }]));
      const v = Math.max(...(await Promise.all(sent)));
      const p = await client.waitForDiagnostics(uri, v);
      assert.equal(p.version, 31);
      assert.deepEqual(p.diagnostics, []);
      const published = client.publishedVersions.get(uri)!.slice(1);
      assert.ok(published.length < 30, `published for ${published.length} of 30 versions: ${published.join(', ')}`);
      assert.equal(published[published.length - 1], 31);
    } finally {
      await client.stop();
    }
  });
});
