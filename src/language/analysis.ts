// One assembled version of a document and the lookups the editor features use. A document is
// analysed incrementally (isa/incremental): an edit costs what it changes, and the lookups read
// single lines instead of building whole-document indexes. Should the incremental analysis ever
// fail, that version is assembled whole instead (and the failure logged), so the features keep
// working on correct results.

import { assemble } from '../isa/assembler';
import type { AsmSymbol, AssembleOptions, AssembleResult, Range, Statement, Token } from '../isa/asmTypes';
import { IncrementalAssembly } from '../isa/incremental/assembly';
import { labelLines, lineTokens, nameAt, referencesTo, resultOf, statementAt } from '../isa/incremental/result';
import { CLS, TOKEN_CLASSES } from '../isa/lineTable';
import { DEFAULT_SEGMENTS } from '../isa/profile';

export interface SymbolOccurrence {
  symbol: AsmSymbol;
  range: Range;
  isDefinition: boolean;
}

export interface Analysis {
  uri: string;
  version: number;
  /** Everything, as `assemble` returns it; each part is built when first read. */
  result: AssembleResult;
  /** The statement parsed from a line (undefined past the end). */
  statementAt(line: number): Statement | undefined;
  /** The label or constant (or segment) name under a position, definition or reference. */
  occurrenceAt(line: number, character: number): SymbolOccurrence | undefined;
  /** The lexical tokens of a line. */
  tokensOn(line: number): readonly Token[];
  /** The tokens of a line as start, length and class (CLS) per token, for semantic tokens. */
  lineTokens(line: number): Int32Array;
  /** Those of lines [from, to). */
  lineTokensOf(from: number, to: number): Int32Array[];
  lineCount: number;
  /** The symbols, without their references (cheap). */
  symbols(): Iterable<AsmSymbol>;
  symbol(name: string): AsmSymbol | undefined;
  /** The lines that define a label. */
  labelLines(): number[];
  /** Set when the incremental analysis failed on this version and it was assembled whole. */
  internalError?: string;
}

/** How the language server assembles: the default adapter profile, at most 1000 diagnostics. */
export const SERVER_OPTIONS: AssembleOptions = { segments: [...DEFAULT_SEGMENTS], maxDiagnostics: 1000 };

export function contains(r: Range, line: number, character: number): boolean {
  if (line < r.start.line || line > r.end.line) return false;
  if (line === r.start.line && character < r.start.character) return false;
  if (line === r.end.line && character > r.end.character) return false;
  return true;
}

/** Symbols that come from the adapter profile (default segments) have no place in the text. */
export function isDeclaredInText(symbol: AsmSymbol): boolean {
  return !symbol.builtin;
}

/** A symbol as it is now, its references read when asked for. */
function symbolView(engine: IncrementalAssembly, s: AsmSymbol): AsmSymbol {
  let refs: Range[] | undefined;
  return {
    name: s.name,
    kind: s.kind,
    value: s.value,
    definition: s.definition,
    builtin: s.builtin,
    get references() {
      return (refs ??= referencesTo(engine, s.name));
    },
  };
}

/** The analysis of the engine's current version (valid until its next update). */
export function incrementalAnalysis(uri: string, version: number, engine: IncrementalAssembly): Analysis {
  const result = resultOf(engine);
  const symbols = engine.names.symbols;
  return {
    uri,
    version,
    result,
    lineCount: engine.recs.length,
    statementAt: (line) => statementAt(engine, line),
    occurrenceAt(line, character) {
      const n = nameAt(engine, line, character);
      const sym = n && symbols.get(n.name);
      return n && sym ? { symbol: symbolView(engine, sym), range: n.range, isDefinition: n.isDefinition } : undefined;
    },
    tokensOn(line) {
      if (line < 0 || line >= engine.recs.length) return [];
      const t = lineTokens(engine, line);
      const out: Token[] = [];
      for (let k = 0; k < t.length; k += 3) out.push({ line, start: t[k], length: t[k + 1], cls: TOKEN_CLASSES[t[k + 2]] });
      return out;
    },
    lineTokens: (line) => lineTokens(engine, line),
    lineTokensOf(from, to) {
      const out = new Array<Int32Array>(Math.max(0, to - from));
      const recs = engine.recs;
      for (let line = from; line < to; line++) out[line - from] = recs[line].tokens ?? lineTokens(engine, line);
      return out;
    },
    symbols: () => symbols.values(),
    symbol: (name) => symbols.get(name),
    labelLines: () => labelLines(engine),
  };
}

/** The analysis of a whole assembly of `text` (the fallback when the incremental analysis fails). */
export function fullAnalysis(uri: string, version: number, text: string, internalError?: string): Analysis {
  const result = assemble(text, SERVER_OPTIONS);
  // Built lazily: most versions are only validated, never hovered.
  let byLine: (Statement | undefined)[] | undefined;
  let occurrences: Map<number, SymbolOccurrence[]> | undefined;
  let tokensByLine: Map<number, Token[]> | undefined;
  const tokensOn = (line: number): readonly Token[] => {
    if (!tokensByLine) {
      tokensByLine = new Map();
      for (const t of result.tokens) {
        const list = tokensByLine.get(t.line);
        if (list) list.push(t);
        else tokensByLine.set(t.line, [t]);
      }
    }
    return tokensByLine.get(line) ?? [];
  };
  return {
    uri,
    version,
    result,
    internalError,
    lineCount: text.split('\n').length,
    statementAt(line) {
      if (!byLine) {
        byLine = [];
        for (const s of result.statements) byLine[s.line] = s;
      }
      return byLine[line];
    },
    occurrenceAt(line, character) {
      if (!occurrences) {
        const map = new Map<number, SymbolOccurrence[]>();
        const add = (o: SymbolOccurrence) => {
          const l = o.range.start.line;
          const list = map.get(l);
          if (list) list.push(o);
          else map.set(l, [o]);
        };
        for (const symbol of result.symbols.values()) {
          if (isDeclaredInText(symbol)) add({ symbol, range: symbol.definition, isDefinition: true });
          for (const r of symbol.references) add({ symbol, range: r, isDefinition: false });
        }
        occurrences = map;
      }
      return occurrences.get(line)?.find((o) => contains(o.range, line, character));
    },
    tokensOn,
    lineTokens(line) {
      const t = tokensOn(line);
      const out = new Int32Array(t.length * 3);
      t.forEach((x, i) => out.set([x.start, x.length, CLS[x.cls]], i * 3));
      return out;
    },
    lineTokensOf(from, to) {
      const out: Int32Array[] = [];
      for (let line = from; line < to; line++) out.push(this.lineTokens(line));
      return out;
    },
    symbols: () => result.symbols.values(),
    symbol: (name) => result.symbols.get(name),
    labelLines: () => result.statements.filter((s) => s.label).map((s) => s.line),
  };
}
