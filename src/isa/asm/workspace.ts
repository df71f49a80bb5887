// The assembler's workspace: buffers and records that every run reuses instead of allocating its
// own. Assembling is synchronous and never re-entered, so runs never overlap; what a result keeps
// is copied out at the end of its run (exact-size copies), so nothing here outlives a run. A large
// program therefore neither allocates tables sized for the worst case nor touches fresh memory
// while it parses, and thousands of short-lived records do not reach the garbage collector.

import type { Location, OpcodeInfo } from '../opcodes';
import { LocationSpace, OPCODES, PageListBase } from '../opcodes';
import type { OperandValue } from '../encoding';
import { Lexemes } from '../lexer';
import { TokenTable } from '../lineTable';
import { NumberList } from './numberList';
import type { ExprOperand, LocOperand, Operand } from '../parser';
import { LineShape } from './lineShape';

/** The most operands any opcode has. Arrays indexed by operand have this fixed length: changing an array's length is a slow path. */
export const MAX_OPERANDS = Math.max(...OPCODES.map((o) => o.operands.length));

/** An instruction as parsed, ready to be evaluated and encoded (now, or in pass 2). */
export interface PendingInstr {
  op: OpcodeInfo;
  line: number;
  offset: number;
  operands: (Operand | undefined)[];
  flags: number;
  ok: boolean;
  /** The mnemonic's characters, for diagnostics about the whole instruction. */
  headS: number;
  headE: number;
}

/** Sizes of the tables a result keeps; not kept for a source larger than this (one huge file should not pin them). */
const TABLES_KEEP_MAX_CHARS = 16 << 20;
/** The output buffer is not kept beyond this size, for the same reason. */
export const OUTPUT_KEEP_MAX = 64 << 20;

class Workspace {
  /** The lexemes of the line being assembled. */
  readonly lexemes = new Lexemes();
  /** Its shape. */
  readonly shape = new LineShape();
  /** The instruction being parsed or encoded; its fields are kept (see DeferredInstructions) only if it has to wait for pass 2. */
  readonly instr: PendingInstr = { op: OPCODES[0], line: 0, offset: 0, operands: new Array<Operand | undefined>(MAX_OPERANDS).fill(undefined), flags: 0, ok: true, headS: 0, headE: 0 };
  /** The values of its operands while it is encoded, by operand index (the encoder and checks read them without keeping them). */
  readonly values: OperandValue[] = new Array<OperandValue>(MAX_OPERANDS).fill(0);
  /** Location values, one record per operand index. */
  readonly locations: Location[] = [];
  /** Operand records pass 2 loads deferred instructions into, one of each kind per operand index. */
  readonly exprOperands: ExprOperand[] = Array.from({ length: MAX_OPERANDS }, () => ({ t: 'expr', expr: 0, s: 0, e: 0 }));
  readonly locOperands: LocOperand[] = Array.from({ length: MAX_OPERANDS }, () => ({
    t: 'loc',
    space: LocationSpace.Segment,
    seg: undefined,
    base: PageListBase.DmaBuffer,
    addr: 0,
    addrS: 0,
    addrE: 0,
    off: 0,
    offS: 0,
    offE: 0,
    s: 0,
    e: 0,
  }));
  /** The numbers of the instructions deferred to pass 2 (see DeferredInstructions); grows as needed. */
  deferred = new Int32Array(4096);
  /**
   * The output buffer passes 1 and 2 write into: all zero between runs; `dirty` is how much may not
   * be (a run that did not finish).
   */
  readonly output = { bytes: new Uint8Array(0), view: new DataView(new ArrayBuffer(0)), dirty: 0 };
  private tableSet: { chars: number; tokens: TokenTable; lineMap: NumberList } | undefined;

  /** Empty token and line-map tables for a source of `chars` characters. */
  tables(chars: number): { tokens: TokenTable; lineMap: NumberList } {
    // Typical pgasm has a token per 5 characters: size the tables once.
    const make = () => ({ chars, tokens: new TokenTable(chars >> 2), lineMap: new NumberList(Math.max(256, chars >> 3)) });
    if (chars > TABLES_KEEP_MAX_CHARS) return make();
    if (!this.tableSet || this.tableSet.chars < chars) this.tableSet = make();
    this.tableSet.tokens.count = 0;
    this.tableSet.lineMap.length = 0;
    return this.tableSet;
  }
}

export type { Workspace };

/** The one workspace, shared by every run. */
export const WORKSPACE = new Workspace();
