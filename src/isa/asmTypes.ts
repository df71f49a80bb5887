// The shapes the assembler produces. The language server, the debugger (source maps for `.pgasm`
// programs) and the command line consume these, so they are kept apart from the assembler itself.
// Positions are zero-based lines and UTF-16 character offsets, as in LSP.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface AsmDiagnostic {
  /** Stable code, e.g. `PGA001`; every code is listed in DIAGNOSTIC_CODES with a test. */
  code: string;
  severity: Severity;
  message: string;
  range: Range;
  /** The mnemonic or directive whose documentation explains the rule, for a docs link. */
  topic?: string;
  /** Machine-readable data for quick fixes (e.g. the suggested mnemonic for a misspelling). */
  data?: { replacement?: string; [key: string]: unknown };
}

/** Where a source line's bytes ended up. */
export interface LineMapEntry {
  line: number;
  /** Byte offset of the first byte this line produced, from the start of the buffer. */
  offset: number;
  length: number;
  /** Whether the bytes are an instruction (rather than data from a directive). */
  instruction: boolean;
}

export type SymbolKind = 'label' | 'constant' | 'segment';

export interface AsmSymbol {
  name: string;
  kind: SymbolKind;
  /** A label's byte offset, a constant's value, a segment's id. */
  value: bigint;
  definition: Range;
  references: Range[];
  /** Set for a segment that comes from the adapter profile rather than a `.segment` line (its `definition` is then an empty range at 0:0). */
  builtin?: boolean;
}

/** A segment as a `.segment` directive (or an adapter profile) declares it. */
export interface SegmentDecl {
  name: string;
  id: number;
  kind: 'memory' | 'aperture';
  size: number;
  cpuVisible: boolean;
}

/** Lexical classes, shared by semantic tokens and the TextMate grammar test. */
export type TokenClass =
  | 'mnemonic'
  | 'directive'
  | 'label'
  | 'constant'
  | 'segment'
  | 'space'
  | 'flag'
  | 'number'
  | 'operator'
  | 'comment'
  | 'string';

export interface Token {
  line: number;
  start: number;
  length: number;
  cls: TokenClass;
}

/** One parsed source line, kept for editor features (hover, signature help, formatting). */
export interface Statement {
  line: number;
  label?: { name: string; range: Range };
  /** The mnemonic or directive, lower-cased, with its range. */
  head?: { name: string; range: Range; directive: boolean };
  operands: { text: string; range: Range }[];
  comment?: { text: string; range: Range };
  /** Byte offset and size if the line produced bytes. */
  offset?: number;
  size?: number;
}

export interface AssembleOptions {
  /** Segments known before the file's own directives (e.g. from the adapter profile). */
  segments?: SegmentDecl[];
  /** Stop collecting after this many diagnostics (the rest are counted). */
  maxDiagnostics?: number;
}

export interface AssembleResult {
  bytes: Uint8Array;
  diagnostics: AsmDiagnostic[];
  lines: LineMapEntry[];
  symbols: Map<string, AsmSymbol>;
  segments: SegmentDecl[];
  statements: Statement[];
  tokens: Token[];
  /** From `.dmasize`, if the file declared one. */
  dmaSize?: number;
}
