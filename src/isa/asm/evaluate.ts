// Expression evaluation, in bigint so nothing silently wraps: names resolve to a label's offset, a
// constant's value (evaluated on first use, with cycles and over-long chains reported) or a
// segment's id.
//
// Pass 1 evaluates early, for `.align` and for instructions that name only what is defined above
// them: then only names defined so far count, and a name that is not known yet (or a segment of a
// file that declares segments) makes the evaluation give up quietly, noting the name in `earlyMiss`.

import { NUMBERED_SEGMENT } from '../directives';
import { P, toBigInt } from '../lexer';
import { binary, Expr, ExprOperand } from '../parser';
import type { ConstDef, Names } from './names';
import { DiagnosticSink, fmt } from './report';

const P_MINUS = P.Minus;
/** How many constants an evaluation may pass through: evaluation recurses, and the stack is finite. */
const MAX_CONSTANT_DEPTH = 400;

export class Evaluator {
  /** Whether pass 1 may evaluate only names defined so far (for `.align` and early encoding). */
  early = false;
  /** In early mode, the first name an evaluation needed that is not known yet. */
  earlyMiss: string | undefined;
  private constDepth = 0;

  constructor(
    private readonly sink: DiagnosticSink,
    private readonly names: Names,
  ) {}

  evalOperand(op: ExprOperand): bigint | undefined {
    return this.evalExpr(op.expr);
  }

  evalExpr(e: Expr): bigint | undefined {
    if (typeof e === 'number') return toBigInt(e);
    if (typeof e === 'bigint') return e;
    switch (e.t) {
      case 0: {
        const names = this.names;
        const sym = names.symbols.get(e.name);
        if (!sym) {
          const m = NUMBERED_SEGMENT.exec(e.name);
          if (m) return BigInt(m[1]);
          if (this.early) this.earlyMiss ??= e.name;
          return undefined;
        }
        if (sym.kind === 'constant') {
          const v = this.constValue(names.consts.get(e.name)!);
          if (v === undefined && this.early) this.earlyMiss ??= e.name;
          return v;
        }
        if (sym.kind === 'segment' && this.early && names.declaresSegments) {
          const def = names.segDefs.find((d) => d.sym === sym);
          if (!def?.id) {
            this.earlyMiss ??= e.name;
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
        if (!this.early || this.earlyMiss === undefined) {
          this.sink.diag(r === 'division by zero' ? 'PGA016' : 'PGA006', r, e.line, e.s, e.e);
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
    const v = this.evalExpr(c.expr);
    this.constDepth--;
    if (this.early) {
      // Values seen by `.align` in pass 1 may miss labels defined later: never cache them.
      c.state = 0;
      return v;
    }
    c.state = 2;
    c.value = v;
    if (v !== undefined) c.sym.value = v;
    return v;
  }

  checkRange(v: bigint, min: bigint, max: bigint, what: string, line: number, s: number, e: number, topic?: string): boolean {
    if (v >= min && v <= max) return true;
    this.sink.diag('PGA006', `${what} ${fmt(v)} is out of range ${fmt(min)}..${fmt(max)}`, line, s, e, topic);
    return false;
  }
}
