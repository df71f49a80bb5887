// Language server benchmark over the real protocol: dist/server.js as a child process on stdio,
// driven by a vscode-jsonrpc client, against vscode-json-language-server on a JSON document of the
// same number of lines, in the same run. At 5,000, 50,000 and 500,000 lines: a one-character edit
// until its diagnostics arrive (and an edit that inserts a line, moving everything below), then
// completion, full semantic tokens and a semantic-tokens delta after an edit. Each pgasm round
// trip is timed in turn with the JSON server's pulled diagnostics for the same kind of edit
// (A, B, A, B...), so both see the same machine load; the pgasm server's CPU time per edit is read
// from /proc. The JSON server debounces pushed diagnostics by a fixed 500 ms, so its baseline is
// the pulled textDocument/diagnostic (its validation cost alone).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../test/setup';
import { LspClient } from '../test/language/lspClient';
import { assemble } from '../src/isa/assembler';
import { IncrementalAssembly } from '../src/isa/incremental/assembly';
import { resultOf } from '../src/isa/incremental/result';
import { SERVER_OPTIONS } from '../src/language/analysis';
import { fullCollection } from '../src/sim/runtime/fullCollection';
import { interleaved, median, row, type Suite } from './suite';

const SERVER = join(ROOT, 'dist', 'server.js');
const JSON_SERVER = join(ROOT, 'node_modules', 'vscode-langservers-extracted', 'bin', 'vscode-json-language-server');

/**
 * A realistic paging program of `lines` lines: sections with a label, a constant, a page-in copy,
 * a fill, a physical write and a fence; the page lists (data) after the last instruction.
 */
export function pgasmProgram(lines: number): string {
  const head = ['; generated benchmark program', '.dmasize 64M', ''];
  const sections = Math.max(1, Math.floor((lines - head.length) / 10));
  const code: string[] = [];
  const data: string[] = [];
  for (let i = 0; i < sections; i++) {
    code.push(
      `; section ${i}: page in and clear`,
      `.equ SIZE${i}, ${(i % 2) + 1}K`,
      `section${i}:`,
      `    copy vram:0x${((i * 0x10000) % 0x8000000).toString(16)}, mdl(pages${i})+0, SIZE${i}   ; page-in`,
      `    fill local:0x${((i * 0x2000) % 0x8000000).toString(16)}, 4K, 0xDEADBEEF`,
      `    pwrite phys:0x${(0x300000 + i * 8).toString(16)}, 4, ${i}`,
      `    fence phys:0, ${i + 1}, irq`,
      `    nop`,
      '',
    );
    data.push(`pages${i}: .pages 0x${(0x100000 + i * 0x2000).toString(16)}, 0x${(0x101000 + i * 0x2000).toString(16)}`);
  }
  const out = [...head, ...code, ...data];
  while (out.length < lines) out.push('');
  return out.slice(0, lines).join('\n') + '\n';
}

/** A JSON document with the same number of lines: one small object per line. */
export function jsonDocument(lines: number): string {
  const out = ['['];
  for (let i = 0; out.length < lines - 1; i++) {
    out.push(`  {"op": "copy", "dst": ${i * 4096}, "src": ${i * 8192}, "size": ${(i % 16) + 1}, "irq": ${i % 2 === 0}},`);
  }
  out[out.length - 1] = out[out.length - 1].replace(/,$/, '');
  out.push(']');
  return out.join('\n') + '\n';
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

/** CPU time (ms) a process has used so far, from /proc (Linux); undefined elsewhere. */
function cpuMs(pid: number | undefined): number | undefined {
  const path = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(path)) return undefined;
  // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100 Hz).
  const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A client with one open document, and a way to time an edit's round trip to its diagnostics. */
interface Side {
  client: LspClient;
  uri: string;
  /** Applies the next edit of an alternating pair (insert, then undo) and waits for its diagnostics. */
  edit(kind: 'char' | 'line'): Promise<void>;
  /** Undoes an edit left applied, so the next measurement starts from the original text. */
  restore(): Promise<void>;
}

/**
 * The two edits a side times, each alternating with its undo: typing `char` at `at`, and inserting
 * `lineText` before `at`'s line; `settled` waits for the diagnostics of the version an edit made.
 */
function editor(client: LspClient, uri: string, at: { line: number; character: number }, char: string, lineText: string, settled: (version: number) => Promise<void>): Side {
  let typed = false;
  let inserted = false;
  const side: Side = {
    client,
    uri,
    async edit(kind) {
      let change;
      if (kind === 'char') {
        change = typed ? { range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '' } : { range: { start: at, end: at }, text: char };
        typed = !typed;
      } else {
        const start = { line: at.line, character: 0 };
        change = inserted ? { range: { start, end: { line: at.line + 1, character: 0 } }, text: '' } : { range: { start, end: start }, text: lineText };
        inserted = !inserted;
      }
      await settled(await client.change(uri, [change]));
    },
    async restore() {
      if (typed) await side.edit('char');
      if (inserted) await side.edit('line');
    },
  };
  return side;
}

async function pgasmSide(lines: number): Promise<{ side: Side; openMs: number; text: string; line: number }> {
  // Started as the extension starts it: plain Node, no extra options.
  const client = await LspClient.spawn(process.execPath, [SERVER, '--stdio']);
  const uri = `file:///bench/program${lines}.pgasm`;
  const text = pgasmProgram(lines);
  const t0 = now();
  await client.open(uri, text);
  await client.waitForDiagnostics(uri, 1, 600_000);
  const openMs = now() - t0;
  // Type a digit into an operand in the middle of the file, then delete it (valid either way).
  const all = text.split('\n');
  const line = all.findIndex((l, i) => i >= lines / 2 && l.startsWith('    pwrite'));
  const side = editor(client, uri, { line, character: all[line].lastIndexOf(' ') + 1 }, '1', '    nop\n', async (version) => {
    await client.waitForDiagnostics(uri, version, 600_000);
  });
  return { side, openMs, text, line };
}

async function jsonSide(lines: number): Promise<Side> {
  const uri = `file:///bench/doc${lines}.json`;
  const text = jsonDocument(lines);
  // The edits are made inside the "copy" string of the middle line.
  const line = Math.floor(lines / 2);
  // Pulled diagnostics: the client asks right after the edit; the answer reflects that edit.
  const client = await LspClient.spawn(process.execPath, [JSON_SERVER, '--stdio'], {}, {
    textDocument: { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } },
  });
  await client.open(uri, text, 'json');
  await client.request('textDocument/diagnostic', { textDocument: { uri } });
  return editor(client, uri, { line, character: 10 }, 'x', '  {"op": "nop"},\n', async () => {
    await client.request('textDocument/diagnostic', { textDocument: { uri } });
  });
}

/** Times `a` and `b` in turns, `runs` times each (after one of each to warm up); their medians. */
async function turns(runs: number, a: () => Promise<unknown>, b: (() => Promise<unknown>) | undefined): Promise<[number, number | undefined]> {
  await a();
  if (b) await b();
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = now();
    await a();
    ta.push(now() - t);
    if (b) {
      t = now();
      await b();
      tb.push(now() - t);
    }
  }
  return [median(ta), b ? median(tb) : undefined];
}

const ratio = (x: number, y: number | undefined) => (y === undefined ? 'JSON server not timed at this size' : `pgasm/json ${(x / y).toFixed(3)}x (interleaved)`);
const target = (x: number, limit: number, cpu?: number) => `target < ${limit} ms: ${x < limit ? 'met' : cpu !== undefined && cpu < limit ? `met by CPU time (${cpu.toFixed(1)} ms)` : 'NOT met'}`;

/** The same edit in this process, without the protocol: the incremental analysis, and a whole assembly. */
function inProcess(text: string, line: number, runs: number): void {
  const engine = new IncrementalAssembly(text, SERVER_OPTIONS);
  let current = text;
  const all = text.split('\n');
  const off = text.indexOf(all[line]) + all[line].lastIndexOf(' ') + 1;
  let typed = false;
  const [inc, whole] = interleaved(runs, [
    () => {
      const e = typed ? { start: off, end: off + 1, text: '' } : { start: off, end: off, text: '1' };
      current = current.slice(0, e.start) + e.text + current.slice(e.end);
      typed = !typed;
      engine.update([e]);
      void resultOf(engine).diagnostics;
    },
    () => void assemble(current, SERVER_OPTIONS),
  ]);
  row('pgasm in-process: incremental update after the edit', `${inc.wall.toFixed(2)} ms`, `CPU ${inc.cpu.toFixed(2)} ms; assembling the whole text ${whole.wall.toFixed(1)} ms (CPU ${whole.cpu.toFixed(1)} ms), interleaved`);
}

async function measure(lines: number): Promise<void> {
  const runs = lines >= 500_000 ? 6 : lines > 10_000 ? 10 : 20;
  // At 500,000 lines one validation of the JSON server takes seconds: it is timed at the smaller sizes only.
  const withJson = lines < 500_000;
  const p = await pgasmSide(lines);
  const j = withJson ? await jsonSide(lines) : undefined;
  const pid = p.side.client.child?.pid;
  try {
    console.log(`\n  ${lines.toLocaleString('en-US')} lines`);
    row('pgasm: open to first diagnostics', `${p.openMs.toFixed(1)} ms`);
    inProcess(p.text, p.line, runs);
    // What the in-process measure held (an analysis of the whole text, copies of it) is collected
    // before the round trips are timed: this process stands for the editor, and its own collections
    // would otherwise be counted as the server's latency (at 500,000 lines they were most of it).
    fullCollection();
    for (const kind of ['char', 'line'] as const) {
      const cpu0 = cpuMs(pid);
      const [pe, je] = await turns(runs, () => p.side.edit(kind), j ? () => j.edit(kind) : undefined);
      const cpu1 = cpuMs(pid);
      await p.side.restore();
      await j?.restore();
      const cpu = cpu0 !== undefined && cpu1 !== undefined ? (cpu1 - cpu0) / (runs + 1) : undefined;
      const label = kind === 'char' ? 'one-char edit -> diagnostics (median)' : 'insert/delete a line -> diagnostics (median)';
      const limit = lines === 50_000 ? 15 : lines === 500_000 ? 40 : undefined;
      row(`pgasm: ${label}`, `${pe.toFixed(1)} ms`, kind === 'char' && limit ? target(pe, limit, cpu) : '');
      if (cpu !== undefined) row('pgasm:   server CPU time per edit (mean, 10 ms ticks)', `${cpu.toFixed(1)} ms`);
      if (je !== undefined) row(`json:  same edit -> pulled diagnostics (median)`, `${je.toFixed(1)} ms`, ratio(pe, je));
    }
    // Completion in operand position of a copy (segments, location forms, constants), against the JSON server's completion.
    const copyLine = p.line - 2;
    const [pc, jc] = await turns(
      runs,
      () => p.side.client.request('textDocument/completion', { textDocument: { uri: p.side.uri }, position: { line: copyLine, character: 9 } }),
      j ? () => j.client.request('textDocument/completion', { textDocument: { uri: j.uri }, position: { line: Math.floor(lines / 2), character: 4 } }) : undefined,
    );
    row('pgasm: completion in an operand (median)', `${pc.toFixed(2)} ms`, `${lines === 50_000 ? target(pc, 5) + '; ' : ''}${ratio(pc, jc)} (json completion)`);
    const [pt] = await turns(Math.max(3, runs >> 1), () => p.side.client.request('textDocument/semanticTokens/full', { textDocument: { uri: p.side.uri } }), undefined);
    row('pgasm: semantic tokens, full document (median)', `${pt.toFixed(1)} ms`);
    // Semantic tokens after a one-character edit, as an editor asks for them: a delta on the last result.
    let previous = (await p.side.client.request<{ resultId?: string }>('textDocument/semanticTokens/full', { textDocument: { uri: p.side.uri } })).resultId;
    const deltas: number[] = [];
    for (let i = 0; i < Math.max(3, runs >> 1); i++) {
      await p.side.edit('char');
      const s = now();
      const d = await p.side.client.request<{ resultId?: string }>('textDocument/semanticTokens/full/delta', { textDocument: { uri: p.side.uri }, previousResultId: previous });
      deltas.push(now() - s);
      previous = d.resultId;
    }
    await p.side.restore();
    const pd = median(deltas);
    row('pgasm: semantic tokens delta after an edit (median)', `${pd.toFixed(1)} ms`, lines === 50_000 ? target(pd, 15) : '');
    const published = p.side.client.diagnostics.get(p.side.uri)!;
    if (published.diagnostics.length) throw new Error(`the benchmark program has diagnostics: ${published.diagnostics[0].message}`);
  } finally {
    await p.side.client.stop();
    await j?.client.stop();
  }
}

export const languageSuite: Suite = {
  name: 'language',
  title: 'pgasm language server over LSP (stdio) vs vscode-json-language-server',
  async run() {
    // Latencies are wall-clock times over pipes: on a shared machine they move with its load, so
    // each is timed in turns with its baseline, and the server's CPU time is printed beside them.
    for (const lines of [5_000, 50_000, 500_000]) await measure(lines);
  },
};
