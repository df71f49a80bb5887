// One assembled version of a document plus the indexes the editor features look things up in.
// The assembler runs once per document version; every request for that version reuses the result.

import { assemble } from '../isa/assembler';
import type { AsmSymbol, AssembleResult, Range, Statement, Token } from '../isa/asmTypes';
import { DEFAULT_SEGMENTS } from '../isa/profile';

export interface SymbolOccurrence {
  symbol: AsmSymbol;
  range: Range;
  isDefinition: boolean;
}

export interface Analysis {
  uri: string;
  version: number;
  result: AssembleResult;
  /** The statement parsed from each line, if the line has one. */
  statementAt(line: number): Statement | undefined;
  /** The label or constant (or segment) name under a position, definition or reference. */
  occurrenceAt(line: number, character: number): SymbolOccurrence | undefined;
  /** The lexical tokens of a line. */
  tokensOn(line: number): readonly Token[];
  /** Set when the assembler itself failed: the features then work on an empty result. */
  internalError?: string;
}

function emptyResult(): AssembleResult {
  return {
    bytes: new Uint8Array(0),
    diagnostics: [],
    lines: [],
    symbols: new Map(),
    segments: [...DEFAULT_SEGMENTS],
    statements: [],
    tokens: [],
  };
}

export function contains(r: Range, line: number, character: number): boolean {
  if (line < r.start.line || line > r.end.line) return false;
  if (line === r.start.line && character < r.start.character) return false;
  if (line === r.end.line && character > r.end.character) return false;
  return true;
}

/** Assembles `text` and builds the lookups. Never throws: an assembler failure is reported, not fatal. */
export function analyze(uri: string, version: number, text: string, log?: (msg: string) => void): Analysis {
  let result: AssembleResult;
  let internalError: string | undefined;
  try {
    result = assemble(text, { segments: [...DEFAULT_SEGMENTS], maxDiagnostics: 1000 });
  } catch (e) {
    internalError = e instanceof Error ? e.stack ?? e.message : String(e);
    log?.(`assembler failed on ${uri} version ${version}: ${internalError}`);
    result = emptyResult();
  }

  // Built lazily: most versions are only validated, never hovered.
  let byLine: (Statement | undefined)[] | undefined;
  let occurrences: Map<number, SymbolOccurrence[]> | undefined;

  const statementAt = (line: number): Statement | undefined => {
    if (!byLine) {
      byLine = [];
      for (const s of result.statements) byLine[s.line] = s;
    }
    return byLine[line];
  };

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

  const occurrenceAt = (line: number, character: number): SymbolOccurrence | undefined => {
    if (!occurrences) {
      occurrences = new Map();
      const add = (o: SymbolOccurrence) => {
        const l = o.range.start.line;
        const list = occurrences!.get(l);
        if (list) list.push(o);
        else occurrences!.set(l, [o]);
      };
      for (const symbol of result.symbols.values()) {
        if (isDeclaredInText(symbol)) add({ symbol, range: symbol.definition, isDefinition: true });
        for (const r of symbol.references) add({ symbol, range: r, isDefinition: false });
      }
    }
    return occurrences.get(line)?.find((o) => contains(o.range, line, character));
  };

  return { uri, version, result, statementAt, occurrenceAt, tokensOn, internalError };
}

/** Symbols that come from the adapter profile (default segments) have no place in the text. */
export function isDeclaredInText(symbol: AsmSymbol): boolean {
  return !symbol.builtin;
}
