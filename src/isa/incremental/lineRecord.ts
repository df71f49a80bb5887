// What the incremental analysis keeps between edits about each source line, and about each name
// (the lines that define and use it, and which definition won). For a line: what the line is and
// defines and uses (read from its text alone), where its bytes are, and the problems it has; its
// parsed operands only if it uses names (to encode it again when their values change). A line is
// otherwise parsed again when it has to be evaluated again, which costs about a microsecond, so a
// large file costs a small record per line.

import type { AsmDiagnostic } from '../asmTypes';
import type { DirectiveStatement, NameOperand } from '../asm/directiveStatement';
import type { PageListUses } from '../asm/pageLists';
import type { Sym } from '../asm/names';
import type { OpcodeInfo } from '../opcodes';
import type { ExprOperand, Operand } from '../parser';

/** What a line is, for the whole-program phases. */
export const enum RecKind {
  /** Blank, a comment or a label alone; or a line with errors that places nothing. */
  Empty = 0,
  Instruction = 1,
  /** `.pages`. */
  Pages = 2,
  /** `.u8`..`.u64`. */
  Data = 3,
  Align = 4,
  Zero = 5,
  Equ = 6,
  Segment = 7,
  DmaSize = 8,
}

export type SegmentStatement = Extract<DirectiveStatement, { kind: '.segment' }>;

/** A `.align` or `.zero` whose value needs a name that pass 1 could not see yet. */
export interface EarlyMiss {
  directive: string;
  name: string;
  s: number;
  e: number;
}

/** A line's parsed operands, kept to encode it again. */
export interface RetainedLine {
  instr?: { op: OpcodeInfo; flags: number; ok: boolean; headS: number; headE: number; operands: (Operand | undefined)[] };
  data?: { width: number; values: ExprOperand[]; ok: boolean };
}

const NO_NAMES: readonly string[] = [];

export class LineRec {
  /** The line's number now. */
  index: number;
  kind = RecKind.Empty;
  /** How many bytes the line places: fixed by its text for instructions and data, found by the layout for `.align` and `.zero`. */
  size = 0;
  /** Where its bytes start. */
  offset = 0;
  /** The characters of its mnemonic or directive ([-1, -1] if it has none). */
  head: [number, number] = [-1, -1];
  /** The label the line defines, if any. */
  label: NameOperand | undefined;
  /** The name a `.equ` or `.segment` defines, if any. */
  def: NameOperand | undefined;
  /** The index entries of the label's name and the defined name (set when the line is registered). */
  labelInfo: NameInfo | undefined;
  defInfo: NameInfo | undefined;
  /** The names its operands use, each once. */
  uses: readonly string[] = NO_NAMES;
  /** The line mentions `.segment` (the assembler reads that switch from the whole text). */
  segmentWord = false;
  /** The operand the whole-program phases evaluate: a `.equ` value, a `.dmasize`, an `.align` or `.zero` amount. */
  expr: ExprOperand | undefined;
  /** A `.segment` declaration's operands. */
  segment: SegmentStatement | undefined;
  /** Page count of a `.pages` line. */
  pages = 0;

  /** Problems of the line on its own and of the names it uses. */
  diags: AsmDiagnostic[] | null = null;
  /** Problems of encoding it (evaluating its operands, checking them). */
  encodeDiags: AsmDiagnostic[] | null = null;
  /** A line that uses names: its parsed operands, to encode it again when only their values change. */
  retained: RetainedLine | undefined;
  /** Problems found evaluating its constant, segment declaration or `.dmasize` with the others. */
  phaseDiags: AsmDiagnostic[] | null = null;
  /** Problems of evaluating an `.align` or `.zero` where it is. */
  layoutDiags: AsmDiagnostic[] | null = null;
  earlyMiss: EarlyMiss | undefined;
  /** Its mdl() operands into the buffer, and what checking them against the page lists found. */
  pageUses: PageListUses | null = null;
  pageDiags: AsmDiagnostic[] | null = null;
  /** It refers to a name that is not defined (its message names the closest one there is). */
  unresolved = false;
  /** Its semantic tokens (start, length, class per token), once asked for; dropped when they may change. */
  tokens: Int32Array | null = null;
  /** Waiting to be evaluated. */
  dirty = false;
  /** Waiting to be encoded again (the values of its names changed). */
  revalue = false;
  /** Not read from its text yet. */
  fresh = true;
  /** Given an offset by the layout (its bytes are somewhere in the buffer). */
  placed = false;
  /** Edited away: no longer part of the document. */
  gone = false;

  constructor(index: number) {
    this.index = index;
  }

  hasDiagnostics(): boolean {
    return !!(this.diags || this.encodeDiags || this.phaseDiags || this.layoutDiags || this.pageDiags || this.earlyMiss);
  }
}

/** A line defining a name: as a label, or as the name of its `.equ` or `.segment`. */
export interface Definer {
  rec: LineRec;
  /** 0 for the label, 1 for the directive's name (a line's label comes first). */
  role: 0 | 1;
  s: number;
  e: number;
}

export class NameInfo {
  readonly definers: Definer[] = [];
  readonly users = new Set<LineRec>();
  /** The winning symbol, in Names.symbols unless the segment declarations removed it. */
  sym: Sym | undefined;
  /** The definer that won (undefined for a profile segment nobody redeclared). */
  winner: Definer | undefined;
  /** The profile's segment of this name, and its place in the profile. */
  profileSym: Sym | undefined;
  profileIndex = -1;
  profileId = 0;
  /** Whether defining it raises diagnostics (reserved, defined twice, taken from the profile). */
  conflict = false;

  constructor(readonly name: string) {}
}
