// The incremental analysis's results, in the shape the assembler returns (AssembleResult), valid
// until the next edit. The diagnostics are gathered from the lines that have any and sorted; the
// line map, statements, tokens and symbols are built only when read (the language server reads
// the parts it needs through the per-line queries instead).

import type { AsmDiagnostic, AssembleResult, LineMapEntry, Range, Statement, Token } from '../asmTypes';
import { LineMap } from '../asm/lineMap';
import { Sym } from '../asm/names';
import { checkDmaSize, checkReachability, PlacedLines } from '../asm/programChecks';
import { diagnostic, range } from '../asm/report';
import { finishDiagnostics } from '../asm/result';
import { NumberList } from '../asm/numberList';
import { buildLineTable, CLS_NONE, statementOfLine, TOKEN_CLASSES } from '../lineTable';
import { resolution } from '../asm/names';
import { DEFAULT_DMA_SIZE } from '../profile';
import type { AnalysisState } from './state';
import { RecKind } from './lineRecord';
import { Keep } from './lineReader';

/** The lines, as the program-wide checks read them (those that place nothing have length 0). */
function placedLines(a: AnalysisState): PlacedLines {
  const recs = a.recs;
  return {
    count: recs.length,
    line: (k) => k,
    offset: (k) => recs[k].offset,
    length: (k) => recs[k].size,
    isInstruction: (k) => recs[k].kind === RecKind.Instruction,
  };
}

/** The range of line `line`'s mnemonic or directive. */
export function headRange(a: AnalysisState, line: number): Range {
  const rec = a.recs[line];
  return range(line, rec.head[0], rec.head[1]);
}

/** Every diagnostic of the document as it is now, sorted and capped as the assembler's. */
export function diagnosticsOf(a: AnalysisState): AsmDiagnostic[] {
  const list: AsmDiagnostic[] = [];
  const symbols = a.names.symbols;
  for (const rec of a.reporting) {
    if (rec.diags) list.push(...rec.diags);
    if (rec.encodeDiags) list.push(...rec.encodeDiags);
    if (rec.phaseDiags) list.push(...rec.phaseDiags);
    if (rec.layoutDiags) list.push(...rec.layoutDiags);
    if (rec.pageDiags) list.push(...rec.pageDiags);
    const m = rec.earlyMiss;
    if (m && symbols.has(m.name)) list.push(diagnostic('PGA019', `${m.directive} needs its value here, but '${m.name}' is defined after this line`, rec.index, m.s, m.e, m.directive));
  }
  for (const info of a.conflicts) a.index.definitionDiagnostics(info, list);
  const first = a.dmaSizeRecs[0];
  for (let k = 1; k < a.dmaSizeRecs.length; k++) {
    const rec = a.dmaSizeRecs[k];
    list.push(diagnostic('PGA027', `.dmasize is already given on line ${first.index + 1}`, rec.index, rec.head[0], rec.head[1], '.dmasize'));
  }
  const sink = { diag: (code: string, message: string, line: number, s: number, e: number, topic?: string, data?: AsmDiagnostic['data']) => list.push(diagnostic(code, message, line, s, e, topic, data)) };
  const limitFrom = (line: number) => headRange(a, line);
  if (a.total > (a.dmaSize ?? DEFAULT_DMA_SIZE)) checkDmaSize(sink, placedLines(a), a.total, a.dmaSize, limitFrom);
  if (!list.some((d) => d.severity === 'error')) {
    if (a.reachabilityStale) {
      const found: AsmDiagnostic[] = [];
      const placed = placedLines(a);
      checkReachability({ diag: (code, message, line, s, e) => found.push(diagnostic(code, message, line, s, e)) }, placed, a.out.bytes, a.out.view, limitFrom);
      a.reachability = found[0];
      a.reachabilityStale = false;
    }
    if (a.reachability) list.push(a.reachability);
  }
  return finishDiagnostics(list, a.options);
}

/** The tokens of line `line` (start, length, class per token), read once and kept until the line changes. */
export function lineTokens(a: AnalysisState, line: number): Int32Array {
  const rec = a.recs[line];
  if (rec.tokens) return rec.tokens;
  const reader = a.reader;
  reader.read(a.line(line), line, Keep.Tokens);
  const t = reader.tokens;
  for (const r of reader.refs) t[r.token * 3 + 2] = resolution(r, a.names.symbols.get(r.name), undefined, a.suggestions);
  let n = 0;
  for (let k = 0; k < t.length; k += 3) if (t[k + 2] !== CLS_NONE) n++;
  const out = new Int32Array(n * 3);
  let at = 0;
  for (let k = 0; k < t.length; k += 3) {
    if (t[k + 2] === CLS_NONE) continue;
    out[at++] = t[k];
    out[at++] = t[k + 1];
    out[at++] = t[k + 2];
  }
  rec.tokens = out;
  return out;
}

/** The references to each symbol, read from the lines that use a name. */
function referencesOf(a: AnalysisState): Map<string, Range[]> {
  const refs = new Map<string, Range[]>();
  const reader = a.reader;
  for (const rec of a.recs) {
    if (!rec.uses.length) continue;
    reader.read(a.line(rec.index), rec.index, Keep.Names);
    for (const r of reader.refs) {
      const sym = a.names.symbols.get(r.name);
      if (!sym || (r.seg && sym.kind !== 'segment')) continue;
      let list = refs.get(r.name);
      if (!list) refs.set(r.name, (list = []));
      list.push(range(rec.index, r.s, r.e));
    }
  }
  return refs;
}

/** The references to one name, read from the lines that use it. */
export function referencesTo(a: AnalysisState, name: string): Range[] {
  const info = a.index.get(name);
  const sym = a.names.symbols.get(name);
  if (!info || !sym) return [];
  const out: Range[] = [];
  const reader = a.reader;
  for (const rec of info.users) {
    reader.read(a.line(rec.index), rec.index, Keep.Names);
    for (const r of reader.refs) if (r.name === name && !(r.seg && sym.kind !== 'segment')) out.push(range(rec.index, r.s, r.e));
  }
  return out.sort((x, y) => x.start.line - y.start.line || x.start.character - y.start.character);
}

/** The symbols as the assembler lists them: the profile's first, then the file's in order. */
export function symbolsOf(a: AnalysisState, withReferences: boolean): Map<string, Sym> {
  const syms = [...a.names.symbols.values()].sort((x, y) => a.index.rank(x) - a.index.rank(y));
  const refs = withReferences ? referencesOf(a) : undefined;
  const out = new Map<string, Sym>();
  for (const s of syms) {
    const copy = new Sym(s.name, s.kind, s.value, s.definition);
    copy.builtin = s.builtin;
    const list = refs?.get(s.name);
    if (list) copy.references = list;
    out.set(s.name, copy);
  }
  return out;
}

/** The line map: where each line that places bytes put them. */
function lineMapOf(a: AnalysisState): LineMap {
  const list = new NumberList(64);
  const map = new LineMap(list);
  for (const rec of a.recs) if (rec.size > 0) map.add(rec.index, rec.offset, rec.size, rec.kind === RecKind.Instruction);
  return map;
}

/** The document's results now, as `assemble` would give them; read them before the next edit. */
export function resultOf(a: AnalysisState): AssembleResult {
  const version = a.version;
  const valid = () => {
    if (a.version !== version) throw new Error('this result is of an older version of the document');
  };
  let diagnostics: AsmDiagnostic[] | undefined;
  let lines: LineMapEntry[] | undefined;
  let statements: Statement[] | undefined;
  let tokens: Token[] | undefined;
  let symbols: Map<string, Sym> | undefined;
  const out: AssembleResult = {
    get bytes() {
      valid();
      return a.out.bytes.subarray(0, a.total);
    },
    get diagnostics() {
      valid();
      return (diagnostics ??= diagnosticsOf(a));
    },
    get lines() {
      valid();
      return (lines ??= lineMapOf(a).entries());
    },
    get symbols() {
      valid();
      return (symbols ??= symbolsOf(a, true));
    },
    get segments() {
      valid();
      return [...a.names.segById.values()].sort((x, y) => x.id - y.id);
    },
    get statements() {
      valid();
      return (statements ??= buildLineTable(a.text, lineMapOf(a)).statements(a.text));
    },
    get tokens() {
      valid();
      if (!tokens) {
        tokens = [];
        for (let line = 0; line < a.recs.length; line++) {
          const t = lineTokens(a, line);
          for (let k = 0; k < t.length; k += 3) tokens.push({ line, start: t[k], length: t[k + 1], cls: TOKEN_CLASSES[t[k + 2]] });
        }
      }
      return tokens;
    },
  } as AssembleResult;
  if (a.dmaSize !== undefined) out.dmaSize = a.dmaSize;
  return out;
}

/** The statement of line `line` (undefined past the end), read from that line alone. */
export function statementAt(a: AnalysisState, line: number): Statement | undefined {
  if (line < 0 || line >= a.recs.length) return undefined;
  const text = a.line(line);
  const rec = a.recs[line];
  return statementOfLine(text, 0, text.length, line, a.reader.lx, rec.size > 0 ? rec : undefined);
}

/** A name under a position: a reference that resolves to a symbol, or the definition that won. */
export interface NameAt {
  name: string;
  range: Range;
  isDefinition: boolean;
}

/** The name at (`line`, `character`), ends included. */
export function nameAt(a: AnalysisState, line: number, character: number): NameAt | undefined {
  if (line < 0 || line >= a.recs.length) return undefined;
  const rec = a.recs[line];
  for (const [d, role] of [[rec.label, 0], [rec.def, 1]] as const) {
    if (!d || character < d.s || character > d.e) continue;
    const info = a.index.get(d.name);
    if (info?.sym && info.winner?.rec === rec && info.winner.role === role && a.names.symbols.get(d.name) === info.sym) {
      return { name: d.name, range: range(line, d.s, d.e), isDefinition: true };
    }
  }
  if (!rec.uses.length) return undefined;
  a.reader.read(a.line(line), line, Keep.Names);
  for (const r of a.reader.refs) {
    if (character < r.s || character > r.e) continue;
    const sym = a.names.symbols.get(r.name);
    if (sym && !(r.seg && sym.kind !== 'segment')) return { name: r.name, range: range(line, r.s, r.e), isDefinition: false };
  }
  return undefined;
}

/** The lines that have a label. */
export function labelLines(a: AnalysisState): number[] {
  const out: number[] = [];
  for (const rec of a.recs) if (rec.label) out.push(rec.index);
  return out;
}
