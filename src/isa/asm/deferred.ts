// Instructions that use a name defined further down wait for pass 2, kept parsed with (at the same
// index) the references pass 1 could not resolve. Only these keep their operands: an instruction
// that names only what is defined above it is encoded at once and keeps nothing.
//
// They are kept flat, their numbers in one typed array of the workspace (reused by every run) and
// their expressions in a list, rather than as records: thousands of small objects that live until
// the end of the run are what the garbage collector pays most for.

import { OPCODE_BY_CODE } from '../opcodes';
import type { Expr, SymRef } from '../parser';
import { PendingInstr, WORKSPACE } from './workspace';

// An instruction's record: a header, then one record per operand.
const OPCODE = 0;
const LINE = 1;
const OFFSET = 2;
const FLAGS = 3;
/** The mnemonic's characters. */
const HEAD_S = 4;
const HEAD_E = 5;
const HEADER = 6;
// An operand's record starts with its kind.
const KIND = 0;
const KIND_NUMBER = 0;
const KIND_LOCATION = 1;
// A number operand: its characters; its expression is the next one in the list.
const NUM_S = 1;
const NUM_E = 2;
const NUM_SIZE = 3;
// A location operand; its segment reference, address and offset are the next three in the list.
const LOC_SPACE = 1;
const LOC_BASE = 2;
const LOC_ADDR_S = 3;
const LOC_ADDR_E = 4;
const LOC_OFF_S = 5;
const LOC_OFF_E = 6;
const LOC_S = 7;
const LOC_E = 8;
const LOC_SIZE = 9;

export class DeferredInstructions {
  count = 0;
  /** How many numbers of the workspace's array this run has used. */
  private used = 0;
  /** The expressions (and segment references) of the instructions, in the order keep lists them. */
  private readonly exprs: (Expr | SymRef | undefined)[] = [];
  /** The unresolved references; the k-th instruction's run from refStart[k] to refStart[k + 1]. */
  private readonly refs: SymRef[] = [];
  private readonly refStart: number[] = [0];

  /**
   * Keeps `ins` (parsed cleanly, so every operand is there) with its unresolved references
   * `refs[from, to)`.
   */
  keep(ins: PendingInstr, refs: readonly SymRef[], from: number, to: number): void {
    for (let k = from; k < to; k++) this.refs.push(refs[k]);
    this.refStart.push(this.refs.length);
    const op = ins.op;
    const x = this.exprs;
    let at = this.used;
    const need = at + HEADER + LOC_SIZE * op.operands.length;
    if (need > WORKSPACE.deferred.length) {
      const grown = new Int32Array(Math.max(need, WORKSPACE.deferred.length * 2));
      grown.set(WORKSPACE.deferred.subarray(0, at));
      WORKSPACE.deferred = grown;
    }
    const d = WORKSPACE.deferred;
    d[at + OPCODE] = op.code;
    d[at + LINE] = ins.line;
    d[at + OFFSET] = ins.offset;
    d[at + FLAGS] = ins.flags;
    d[at + HEAD_S] = ins.headS;
    d[at + HEAD_E] = ins.headE;
    at += HEADER;
    for (let k = 0; k < op.operands.length; k++) {
      const p = ins.operands[k]!;
      if (p.t === 'expr') {
        d[at + KIND] = KIND_NUMBER;
        d[at + NUM_S] = p.s;
        d[at + NUM_E] = p.e;
        at += NUM_SIZE;
        x.push(p.expr);
      } else {
        d[at + KIND] = KIND_LOCATION;
        d[at + LOC_SPACE] = p.space;
        d[at + LOC_BASE] = p.base;
        d[at + LOC_ADDR_S] = p.addrS;
        d[at + LOC_ADDR_E] = p.addrE;
        d[at + LOC_OFF_S] = p.offS;
        d[at + LOC_OFF_E] = p.offE;
        d[at + LOC_S] = p.s;
        d[at + LOC_E] = p.e;
        at += LOC_SIZE;
        x.push(p.seg, p.addr, p.off);
      }
    }
    this.used = at;
    this.count++;
  }

  /**
   * Calls `each` for every kept instruction in order, with its unresolved references
   * (`refs[from, to)`) and the instruction loaded into the workspace's instruction record.
   */
  replay(each: (ins: PendingInstr, refs: readonly SymRef[], from: number, to: number) => void): void {
    const d = WORKSPACE.deferred;
    const x = this.exprs;
    const ins = WORKSPACE.instr;
    let at = 0;
    let xi = 0;
    for (let n = 0; n < this.count; n++) {
      const op = OPCODE_BY_CODE[d[at + OPCODE]]!;
      ins.op = op;
      ins.line = d[at + LINE];
      ins.offset = d[at + OFFSET];
      ins.flags = d[at + FLAGS];
      ins.headS = d[at + HEAD_S];
      ins.headE = d[at + HEAD_E];
      ins.ok = true;
      at += HEADER;
      for (let k = 0; k < op.operands.length; k++) {
        if (d[at + KIND] === KIND_NUMBER) {
          const o = WORKSPACE.exprOperands[k];
          o.s = d[at + NUM_S];
          o.e = d[at + NUM_E];
          o.expr = x[xi++] as Expr;
          ins.operands[k] = o;
          at += NUM_SIZE;
        } else {
          const o = WORKSPACE.locOperands[k];
          o.space = d[at + LOC_SPACE];
          o.base = d[at + LOC_BASE];
          o.addrS = d[at + LOC_ADDR_S];
          o.addrE = d[at + LOC_ADDR_E];
          o.offS = d[at + LOC_OFF_S];
          o.offE = d[at + LOC_OFF_E];
          o.s = d[at + LOC_S];
          o.e = d[at + LOC_E];
          o.seg = x[xi] as SymRef | undefined;
          o.addr = x[xi + 1] as Expr;
          o.off = x[xi + 2] as Expr;
          xi += 3;
          ins.operands[k] = o;
          at += LOC_SIZE;
        }
      }
      each(ins, this.refs, this.refStart[n], this.refStart[n + 1]);
    }
  }
}
