// Expression evaluation, in bigint so nothing silently wraps: names resolve to a label's offset, a
// constant's value (evaluated on first use, with cycles and over-long chains reported) or a
// segment's id.
//
// Pass 1 evaluates early, for `.align`/`.zero` and for instructions that name only what is defined
// above them: then only names defined so far count, and anything not known yet makes the evaluation
// give up quietly, noting the name in `earlyMiss` (the instruction then waits for pass 2). An early
// evaluation has no lasting effect: constants are evaluated afresh (never cached) and their problems
// are left to their own evaluation once every name is known, so what the assembler reports does not
// depend on which line happened to need a constant first.

import { NUMBERED_SEGMENT } from '../directives';
import { P, toBigInt } from '../lexer';
import { binary, Expr, ExprOperand } from '../parser';
import type { ConstDef, Names, Sym } from './names';
import { DiagnosticSink, fmt } from './report';

const P_MINUS = P.Minus;
/** How many constants an evaluation may pass through: evaluation recurses, and the stack is finite. */
export const MAX_CONSTANT_DEPTH = 400;

/** Why an early evaluation gave up: a name not defined yet, a chain of constants too long to follow, a constant that depends on itself. */
export type EarlyMissReason = 'later' | 'deep' | 'cycle';

export class Evaluator {
  /** Whether pass 1 may evaluate only names defined so far (for `.align`, `.zero` and early encoding). */
  early = false;
  /** In early mode, the first name an evaluation needed that is not known yet, and why. */
  earlyMiss: string | undefined;
  earlyMissReason: EarlyMissReason = 'later';
  /**
   * In early mode, the line being evaluated: only names defined above it (and a label on it) count.
   * The assembler's own first pass has only those names yet; the incremental analysis has them all.
   */
  visibleBefore = Infinity;
  /** The line diagnostics of an expression go on (the line being evaluated, or the constant's). */
  line = 0;
  private constDepth = 0;
  /** Constants an early evaluation is inside, to see a cycle without marking them. */
  private readonly earlyVisiting = new Set<ConstDef>();

  constructor(
    private readonly sink: DiagnosticSink,
    private readonly names: Names,
  ) {}

  evalOperand(op: ExprOperand): bigint | undefined {
    return this.evalExpr(op.expr);
  }

  /** Notes, in early mode, the first reason an evaluation cannot finish yet. */
  miss(name: string, reason: EarlyMissReason): void {
    if (this.earlyMiss !== undefined) return;
    this.earlyMiss = name;
    this.earlyMissReason = reason;
  }

  /** Whether an early evaluation at `visibleBefore` sees `sym` (the first pass has read its definition). */
  private visible(sym: Sym): boolean {
    const line = sym.definition.start.line;
    return sym.fromProfile === true || line < this.visibleBefore || (line === this.visibleBefore && sym.kind === 'label');
  }

  evalExpr(e: Expr): bigint | undefined {
    if (typeof e === 'number') return toBigInt(e);
    if (typeof e === 'bigint') return e;
    switch (e.t) {
      case 0: {
        const names = this.names;
        // The name's lookup from the last evaluation holds while the tables are unchanged.
        if (e.lookedIn !== names || e.lookedAt !== names.changes) {
          const found = names.symbols.get(e.name);
          e.sym = found;
          e.constDef = found?.kind === 'constant' ? names.consts.get(e.name) : undefined;
          e.lookedIn = names;
          e.lookedAt = names.changes;
        }
        let sym = e.sym as Sym | undefined;
        if (sym && this.early && this.visibleBefore !== Infinity && !this.visible(sym)) sym = undefined;
        if (!sym) {
          const m = NUMBERED_SEGMENT.exec(e.name);
          if (m) return BigInt(m[1]);
          if (this.early) this.miss(e.name, 'later');
          return undefined;
        }
        if (sym.kind === 'constant') {
          const c = e.constDef as ConstDef | undefined;
          if (!c) return undefined;
          return this.early ? this.earlyConstValue(c) : this.constValue(c);
        }
        if (sym.kind === 'segment' && this.early && names.declaresSegments) {
          const def = names.segDefs.find((d) => d.sym === sym && d.line < this.visibleBefore);
          if (!def?.id) {
            this.miss(e.name, 'later');
            return undefined;
          }
          return this.evalOperand(def.id);
        }
        return sym.value;
      }
      case 1: {
        const a = this.evalExpr(e.a);
        const b = this.evalExpr(e.b);
        if (a === undefined || b === undefined) return undefined;
        const r = binary(e.op, a, b);
        if (typeof r === 'bigint') return r;
        // Inside a constant, early, the constant's own evaluation reports it.
        if (!this.early || (this.earlyMiss === undefined && this.earlyVisiting.size === 0)) {
          this.sink.diag(r === 'division by zero' ? 'PGA016' : 'PGA006', r, this.line, e.s, e.e);
        }
        return undefined;
      }
      case 2: {
        const a = this.evalExpr(e.a);
        if (a === undefined) return undefined;
        return e.op === P_MINUS ? -a : ~a;
      }
    }
  }

  /** A constant's value once every name is known: evaluated on first use, then kept. */
  constValue(c: ConstDef): bigint | undefined {
    if (c.state === 2) return c.value;
    if (c.state === 0 && this.constDepth >= MAX_CONSTANT_DEPTH) {
      // Evaluation recurses through constants; a chain this long would exhaust the stack.
      c.state = 2;
      const d = c.sym.definition;
      this.sink.diag('PGA029', `constant '${c.sym.name}' is reached through more than ${MAX_CONSTANT_DEPTH} other constants`, d.start.line, d.start.character, d.end.character, '.equ');
      return undefined;
    }
    if (c.state === 1) {
      if (!c.cycleReported) {
        c.cycleReported = true;
        const d = c.sym.definition;
        this.sink.diag('PGA017', `constant '${c.sym.name}' is defined in terms of itself`, d.start.line, d.start.character, d.end.character, '.equ');
      }
      return undefined;
    }
    if (c.expr === undefined) {
      c.state = 2;
      return undefined;
    }
    c.state = 1;
    this.constDepth++;
    const line = this.line;
    this.line = c.sym.definition.start.line;
    const v = this.evalExpr(c.expr);
    this.line = line;
    this.constDepth--;
    c.state = 2;
    c.value = v;
    if (v !== undefined) c.sym.value = v;
    return v;
  }

  /** A constant's value in early mode: evaluated afresh with the names seen so far, reporting nothing. */
  private earlyConstValue(c: ConstDef): bigint | undefined {
    if (this.earlyVisiting.has(c)) {
      this.miss(c.sym.name, 'cycle');
      return undefined;
    }
    if (this.earlyVisiting.size >= MAX_CONSTANT_DEPTH) {
      this.miss(c.sym.name, 'deep');
      return undefined;
    }
    if (c.expr === undefined) return undefined;
    this.earlyVisiting.add(c);
    const v = this.evalExpr(c.expr);
    this.earlyVisiting.delete(c);
    return v;
  }

  checkRange(v: bigint, min: bigint, max: bigint, what: string, line: number, s: number, e: number, topic?: string): boolean {
    if (v >= min && v <= max) return true;
    this.sink.diag('PGA006', `${what} ${fmt(v)} is out of range ${fmt(min)}..${fmt(max)}`, line, s, e, topic);
    return false;
  }
}
