// The result of an assembly. Diagnostics are sorted and capped here; the line map, statements and
// tokens are built into objects only when first read (see lineTable.ts), and from tables the
// result owns: the run's tables are the workspace's and go on to the next run.

import type { AsmDiagnostic, AsmSymbol, AssembleOptions, AssembleResult, LineMapEntry, SegmentDecl, Statement, Token } from '../asmTypes';
import { DIAGNOSTIC_CODES } from '../diagnosticCodes';
import { buildLineTable, LineTable, TokenTable } from '../lineTable';
import { DEFAULT_SEGMENTS } from '../profile';
import type { LineMap } from './lineMap';
import { ZERO_RANGE } from './report';

/**
 * The order diagnostics are listed in: by position, then code, then message. A total order on what
 * they say, so the list does not depend on the order they were found in (the incremental analysis
 * finds them in another order than the assembler and must list them the same).
 */
export function compareDiagnostics(a: AsmDiagnostic, b: AsmDiagnostic): number {
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    a.range.end.character - b.range.end.character ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

/** Sorts `diags` (compareDiagnostics) and, past `options.maxDiagnostics`, replaces the rest with one that counts them. */
export function finishDiagnostics(diags: AsmDiagnostic[], options: AssembleOptions): AsmDiagnostic[] {
  diags.sort(compareDiagnostics);
  const max = options.maxDiagnostics;
  if (max !== undefined && max >= 0 && diags.length > max) {
    const rest = diags.length - max;
    const lastRange = diags[max].range;
    diags.length = max;
    const info = DIAGNOSTIC_CODES.PGA099;
    diags.push({ code: 'PGA099', severity: info.severity, message: `${rest} more diagnostic${rest === 1 ? '' : 's'} not shown`, range: lastRange });
  }
  return diags;
}

export interface ResultParts {
  text: string;
  bytes: Uint8Array;
  diagnostics: AsmDiagnostic[];
  symbols: Map<string, AsmSymbol>;
  segments: SegmentDecl[];
  /** Owned by the result (compacted from the run's). */
  tokens: TokenTable;
  lineMap: LineMap;
  dmaSize: number | undefined;
}

export function makeResult(p: ResultParts): AssembleResult {
  const { text, tokens: tokenTable, lineMap } = p;
  // Statements, and the lines tokens are on, are rebuilt from the text.
  let lineTable: LineTable | undefined;
  const shape = (): LineTable => (lineTable ??= buildLineTable(text, lineMap));
  let lines: LineMapEntry[] | undefined;
  let statements: Statement[] | undefined;
  let tokens: Token[] | undefined;
  const out: AssembleResult = {
    bytes: p.bytes,
    diagnostics: p.diagnostics,
    get lines(): LineMapEntry[] {
      return (lines ??= lineMap.entries());
    },
    set lines(v: LineMapEntry[]) {
      lines = v;
    },
    symbols: p.symbols,
    segments: p.segments,
    get statements(): Statement[] {
      return (statements ??= shape().statements(text));
    },
    set statements(v: Statement[]) {
      statements = v;
    },
    get tokens(): Token[] {
      return (tokens ??= tokenTable.tokens(shape()));
    },
    set tokens(v: Token[]) {
      tokens = v;
    },
  };
  if (p.dmaSize !== undefined) out.dmaSize = p.dmaSize;
  return out;
}

/** What an assembly that failed inside the assembler returns: the failure as its one diagnostic. */
export function failedResult(e: unknown): AssembleResult {
  return {
    bytes: new Uint8Array(0),
    diagnostics: [
      {
        code: 'PGA000',
        severity: 'error',
        message: `internal assembler error: ${e instanceof Error ? e.message : String(e)}`,
        range: ZERO_RANGE,
      },
    ],
    lines: [],
    symbols: new Map(),
    segments: [...DEFAULT_SEGMENTS],
    statements: [],
    tokens: [],
  };
}
