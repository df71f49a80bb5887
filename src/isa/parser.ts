// Parses the operands of one pgasm line (already lexed) into expression trees and locations.
// Expressions keep symbol references unresolved: labels may be defined further down, so the
// assembler resolves and evaluates them in its second pass. Literal-only subexpressions are folded
// here, so a typical operand costs nothing to evaluate.

import { Lexemes, Lx, P, PUNCT_TEXT, parseNumber } from './lexer';
import { CLS } from './lineTable';
import { LocationSpace, PageListBase } from './opcodes';

// Enum members copied to module constants: hot loops then read a local instead of a property of
// an imported binding.
const CLS_SEGMENT = CLS.segment;
const CLS_SPACE = CLS.space;
const CLS_OPERATOR = CLS.operator;
const CLS_NUMBER = CLS.number;
const CLS_CONSTANT = CLS.constant;
const SPACE_GPUVIRTUAL = LocationSpace.GpuVirtual;
const SPACE_MDL = LocationSpace.Mdl;
const SPACE_PHYSICAL = LocationSpace.Physical;
const SPACE_SEGMENT = LocationSpace.Segment;
const LX_IDENT = Lx.Ident;
const LX_NUMBER = Lx.Number;
const LX_PUNCT = Lx.Punct;
const P_AMP = P.Amp;
const P_CARET = P.Caret;
const P_COLON = P.Colon;
const P_LPAREN = P.LParen;
const P_MINUS = P.Minus;
const P_PERCENT = P.Percent;
const P_PIPE = P.Pipe;
const P_PLUS = P.Plus;
const P_RPAREN = P.RParen;
const P_SHL = P.Shl;
const P_SHR = P.Shr;
const P_SLASH = P.Slash;
const P_STAR = P.Star;
const P_TILDE = P.Tilde;
const BASE_DMABUFFER = PageListBase.DmaBuffer;
const BASE_PHYSICAL = PageListBase.Physical;

/** A reference to a name, resolved after the first pass. Positions are characters in `line`. */
export interface SymRef {
  t: 0;
  name: string;
  line: number;
  s: number;
  e: number;
  /** Index of its token, whose class is set once the name is resolved. */
  token: number;
  /** Whether it stands before `:` in a location and so must name a segment. */
  seg: boolean;
  /**
   * What the name resolved to, kept by the evaluator (asm/evaluate.ts) for the next evaluation:
   * the name table it was looked up in, that table's change count then, the symbol and the
   * constant. A retained line is encoded again each time a label it uses moves, without looking
   * its names up again in a table of a hundred thousand.
   */
  lookedIn: unknown;
  lookedAt: number;
  sym: unknown;
  constDef: unknown;
}

export interface BinExpr {
  t: 1;
  op: number;
  a: Expr;
  b: Expr;
  /** The operator's characters in its line, for errors such as division by zero. */
  s: number;
  e: number;
}

export interface UnExpr {
  t: 2;
  op: number;
  a: Expr;
}

/**
 * A literal value is stored as the value itself, so a plain number operand allocates no node: a
 * number when it is a safe integer (|v| < 2^53), a bigint only when it is larger. Keeping that one
 * form per value lets the assembler check and encode literal operands without bigint arithmetic.
 */
export type Literal = number | bigint;
export type Expr = Literal | SymRef | BinExpr | UnExpr;

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** A bigint value in the literal form: a number if it is a safe integer. */
export function literal(v: bigint): Literal {
  return v >= -MAX_SAFE_BIG && v <= MAX_SAFE_BIG ? Number(v) : v;
}

/** Whether an expression is a literal value (rather than a node). */
export function isLiteral(e: Expr): e is Literal {
  return typeof e !== 'object';
}

/**
 * Folds a binary operator over two literals, exactly as `binary` does over bigints; a string says
 * why it cannot. Sums, differences and products of numbers stay in doubles when the result is still
 * a safe integer (a double result beyond 2^53 may be rounded, but is then beyond 2^53 too).
 */
export function foldBinary(op: number, a: Literal, b: Literal): Literal | string {
  if (typeof a === 'number' && typeof b === 'number') {
    let r = NaN;
    if (op === P_PLUS) r = a + b;
    else if (op === P_MINUS) r = a - b;
    else if (op === P_STAR) r = a * b;
    // `+ 0` turns a product's -0 into the 0 that bigints have.
    if (Number.isSafeInteger(r)) return r + 0;
  }
  const r = binary(op, typeof a === 'number' ? BigInt(a) : a, typeof b === 'number' ? BigInt(b) : b);
  return typeof r === 'bigint' ? literal(r) : r;
}

export interface ExprOperand {
  t: 'expr';
  expr: Expr;
  s: number;
  e: number;
}

export interface LocOperand {
  t: 'loc';
  space: LocationSpace;
  /** The segment name (or `segN`) of a segment location. */
  seg?: SymRef;
  /** Where an mdl location's page list is. */
  base: PageListBase;
  addr: Expr;
  addrS: number;
  addrE: number;
  /** The `+offset` of an mdl location. */
  off: Expr;
  offS: number;
  offE: number;
  s: number;
  e: number;
}

export type Operand = ExprOperand | LocOperand;

/** What the parser reports to the assembler. */
export interface ParseSink {
  diag(code: string, message: string, line: number, s: number, e: number, topic?: string): void;
  /** Records a token (class from CLS); returns its index. */
  token(line: number, s: number, e: number, cls: number): number;
  /** A name reference, resolved once every name is defined. */
  ref(r: SymRef): void;
}

const PRECEDENCE = new Uint8Array(16);
PRECEDENCE[P_PIPE] = 1;
PRECEDENCE[P_CARET] = 2;
PRECEDENCE[P_AMP] = 3;
PRECEDENCE[P_SHL] = 4;
PRECEDENCE[P_SHR] = 4;
PRECEDENCE[P_PLUS] = 5;
PRECEDENCE[P_MINUS] = 5;
PRECEDENCE[P_STAR] = 6;
PRECEDENCE[P_SLASH] = 6;
PRECEDENCE[P_PERCENT] = 6;

/** Largest shift amount an expression may use; keeps hostile input from building huge integers. */
export const MAX_SHIFT = 256n;
/** Limits that keep evaluation (which recurses over the tree) far from the stack's end. */
export const MAX_NESTING = 200;
export const MAX_OPERATORS = 2000;

export class OperandParser {
  text = '';
  lx!: Lexemes;
  /** Offset of the line's first character in `text`, and the line number. */
  ls = 0;
  line = 0;
  private pos = 0;
  private end = 0;
  private failed = false;
  private depth = 0;
  private operators = 0;

  constructor(private readonly sink: ParseSink) {}

  /** Characters of lexeme `i` relative to the line. */
  private s(i: number): number {
    return this.lx.start[i] - this.ls;
  }
  private e(i: number): number {
    return this.lx.end[i] - this.ls;
  }
  lexText(i: number): string {
    return this.text.slice(this.lx.start[i], this.lx.end[i]);
  }
  /** Whether identifier lexeme `i` is `lower` in any case (ASCII letters only fold, as in toLowerCase). */
  private identIs(i: number, lower: string): boolean {
    const text = this.text;
    const s = this.lx.start[i];
    if (this.lx.end[i] - s !== lower.length) return false;
    for (let k = 0; k < lower.length; k++) {
      let c = text.charCodeAt(s + k);
      if (c >= 65 && c <= 90) c += 32;
      if (c !== lower.charCodeAt(k)) return false;
    }
    return true;
  }
  private isPunct(i: number, p: number): boolean {
    return i < this.end && this.lx.kind[i] === LX_PUNCT && this.lx.op[i] === p;
  }

  // Operand records are reused from line to line: a line's operands are mostly encoded at once and
  // dropped, so only those kept past the line (see cloneOperand) need an object of their own.
  private readonly locPool: LocOperand[] = [];
  private readonly exprPool: ExprOperand[] = [];
  private locUsed = 0;
  private exprUsed = 0;

  /** Starts a line: the operand records parseOperand returned so far may be handed out again. */
  startLine(): void {
    this.locUsed = 0;
    this.exprUsed = 0;
  }

  /**
   * Parses lexemes [i, end) as one operand; undefined after reporting a syntax error. The record is
   * valid until the next startLine: keep a copy (cloneOperand) to use it later.
   */
  parseOperand(i: number, end: number): Operand | undefined {
    this.end = end;
    this.failed = false;
    const lx = this.lx;
    if (lx.kind[i] === LX_IDENT) {
      // The keywords are matched in the text: most operands that start with a name are not one, and
      // need no string of their own.
      if (this.isPunct(i + 1, P_LPAREN) && this.identIs(i, 'mdl')) return this.parseMdl(i, end);
      if (this.isPunct(i + 1, P_COLON)) {
        let space: LocationSpace = SPACE_SEGMENT;
        let seg: SymRef | undefined;
        if (this.identIs(i, 'phys')) space = SPACE_PHYSICAL;
        else if (this.identIs(i, 'va')) space = SPACE_GPUVIRTUAL;
        else if (this.identIs(i, 'mdl')) {
          this.error('PGA001', 'an mdl location is written mdl(page_list)+offset', i, i + 1);
          return undefined;
        }
        const name = this.lexText(i);
        if (space === SPACE_SEGMENT) {
          const token = this.sink.token(this.line, this.s(i), this.e(i), CLS_SEGMENT);
          seg = { t: 0, name, line: this.line, s: this.s(i), e: this.e(i), token, seg: true, lookedIn: undefined, lookedAt: -1, sym: undefined, constDef: undefined };
          this.sink.ref(seg);
        } else this.sink.token(this.line, this.s(i), this.e(i), CLS_SPACE);
        if (i + 2 >= end) {
          this.error('PGA001', `expected an address after '${name}:'`, i + 1, i + 2);
          return undefined;
        }
        const addr = this.parseRange(i + 2, end);
        if (addr === undefined) return undefined;
        return this.loc(space, seg, BASE_DMABUFFER, addr, this.s(i + 2), this.e(end - 1), 0, this.e(end - 1), this.e(end - 1), this.s(i), this.e(end - 1));
      }
    }
    const expr = this.parseRange(i, end);
    if (expr === undefined) return undefined;
    let o = this.exprPool[this.exprUsed];
    if (o === undefined) this.exprPool.push((o = { t: 'expr', expr, s: 0, e: 0 }));
    this.exprUsed++;
    o.expr = expr;
    o.s = this.s(i);
    o.e = this.e(end - 1);
    return o;
  }

  /** A location operand record from the line's pool. */
  private loc(space: LocationSpace, seg: SymRef | undefined, base: PageListBase, addr: Expr, addrS: number, addrE: number, off: Expr, offS: number, offE: number, s: number, e: number): LocOperand {
    let o = this.locPool[this.locUsed];
    if (o === undefined) this.locPool.push((o = { t: 'loc', space, seg, base, addr, addrS, addrE, off, offS, offE, s, e }));
    this.locUsed++;
    o.space = space;
    o.seg = seg;
    o.base = base;
    o.addr = addr;
    o.addrS = addrS;
    o.addrE = addrE;
    o.off = off;
    o.offS = offS;
    o.offE = offE;
    o.s = s;
    o.e = e;
    return o;
  }

  private parseMdl(i: number, end: number): Operand | undefined {
    const lx = this.lx;
    this.sink.token(this.line, this.s(i), this.e(i), CLS_SPACE);
    let depth = 0;
    let close = -1;
    for (let k = i + 1; k < end; k++) {
      if (lx.kind[k] !== LX_PUNCT) continue;
      if (lx.op[k] === P_LPAREN) depth++;
      else if (lx.op[k] === P_RPAREN && --depth === 0) {
        close = k;
        break;
      }
    }
    if (close < 0) {
      this.error('PGA001', "missing ')' after mdl(", i + 1, i + 2);
      return undefined;
    }
    let base = BASE_DMABUFFER;
    let from = i + 2;
    if (lx.kind[from] === LX_IDENT && this.isPunct(from + 1, P_COLON) && this.identIs(from, 'phys')) {
      this.sink.token(this.line, this.s(from), this.e(from), CLS_SPACE);
      base = BASE_PHYSICAL;
      from += 2;
    }
    if (from >= close) {
      this.error('PGA001', 'expected a page list inside mdl( )', i + 1, close + 1);
      return undefined;
    }
    const addr = this.parseRange(from, close);
    if (addr === undefined) return undefined;
    let off: Expr = 0;
    let offS = this.e(close);
    let offE = offS;
    if (close + 1 < end) {
      this.end = end;
      if (!this.isPunct(close + 1, P_PLUS)) {
        this.error('PGA001', `expected '+offset' after mdl(...), found '${this.lexText(close + 1)}'`, close + 1, close + 2);
        return undefined;
      }
      this.sink.token(this.line, this.s(close + 1), this.e(close + 1), CLS_OPERATOR);
      if (close + 2 >= end) {
        this.error('PGA001', "expected an offset after '+'", close + 1, close + 2);
        return undefined;
      }
      const o = this.parseRange(close + 2, end);
      if (o === undefined) return undefined;
      off = o;
      offS = this.s(close + 2);
      offE = this.e(end - 1);
    }
    return this.loc(SPACE_MDL, undefined, base, addr, this.s(from), this.e(close - 1), off, offS, offE, this.s(i), this.e(end - 1));
  }

  /** Parses lexemes [i, end) as exactly one expression. */
  parseRange(i: number, end: number): Expr | undefined {
    this.pos = i;
    this.end = end;
    this.failed = false;
    this.depth = 0;
    this.operators = 0;
    const e = this.parseBinary(1);
    if (this.failed || e === undefined) return undefined;
    if (this.pos < end) {
      const k = this.pos;
      this.error('PGA001', `unexpected '${this.lexText(k)}' in expression`, k, k + 1);
      return undefined;
    }
    return e;
  }

  private error(code: string, message: string, from: number, to: number): void {
    if (this.failed) return;
    this.failed = true;
    this.sink.diag(code, message, this.line, this.s(from), this.e(to - 1));
  }

  private parseBinary(minPrec: number): Expr | undefined {
    let left = this.parseUnary();
    if (left === undefined) return undefined;
    const lx = this.lx;
    while (this.pos < this.end && lx.kind[this.pos] === LX_PUNCT) {
      const op = lx.op[this.pos];
      const prec = PRECEDENCE[op];
      if (prec === 0 || prec < minPrec) break;
      const at = this.pos++;
      this.sink.token(this.line, this.s(at), this.e(at), CLS_OPERATOR);
      if (++this.operators > MAX_OPERATORS) {
        this.error('PGA001', `expression too long (more than ${MAX_OPERATORS} operators)`, at, at + 1);
        return undefined;
      }
      const right = this.parseBinary(prec + 1);
      if (right === undefined) return undefined;
      if (isLiteral(left) && isLiteral(right)) {
        // Literals fold at once; what cannot (÷0, huge shifts) is kept for evaluation to report.
        const r = foldBinary(op, left, right);
        if (typeof r !== 'string') {
          left = r;
          continue;
        }
      }
      left = { t: 1, op, a: left, b: right, s: this.s(at), e: this.e(at) };
    }
    return left;
  }

  private parseUnary(): Expr | undefined {
    const lx = this.lx;
    const i = this.pos;
    if (this.depth > MAX_NESTING) {
      this.error('PGA001', `expression nested too deeply (more than ${MAX_NESTING} levels)`, i, i + 1);
      return undefined;
    }
    if (i >= this.end) {
      // Point at what came last (an operator or a comma), which is what needs a value after it.
      const k = Math.max(0, i - 1);
      this.error('PGA001', `expected a value after '${this.lexText(k)}'`, k, k + 1);
      return undefined;
    }
    const kind = lx.kind[i];
    if (kind === LX_NUMBER) {
      this.pos++;
      this.sink.token(this.line, this.s(i), this.e(i), CLS_NUMBER);
      const v = parseNumber(this.text, lx.start[i], lx.end[i]);
      if (v === undefined) {
        this.error('PGA018', `'${this.lexText(i)}' is not a number (decimal, 0x hex or 0b binary, optional _ separators and K/M/G suffix)`, i, i + 1);
        return undefined;
      }
      return v;
    }
    if (kind === LX_IDENT) {
      this.pos++;
      const name = this.lexText(i);
      if (name.charCodeAt(0) === 46) {
        this.error('PGA001', `unexpected directive '${name}' in an operand`, i, i + 1);
        return undefined;
      }
      if (this.isPunct(i + 1, P_COLON)) {
        this.error('PGA005', `a location ('${name}:...') cannot be part of an expression`, i, i + 2);
        return undefined;
      }
      const token = this.sink.token(this.line, this.s(i), this.e(i), CLS_CONSTANT);
      const r: SymRef = { t: 0, name, line: this.line, s: this.s(i), e: this.e(i), token, seg: false, lookedIn: undefined, lookedAt: -1, sym: undefined, constDef: undefined };
      this.sink.ref(r);
      return r;
    }
    if (kind === LX_PUNCT) {
      const op = lx.op[i];
      if (op === P_LPAREN) {
        this.pos++;
        this.depth++;
        const inner = this.parseBinary(1);
        this.depth--;
        if (inner === undefined) return undefined;
        if (!this.isPunct(this.pos, P_RPAREN)) {
          this.error('PGA001', "missing ')'", i, i + 1);
          return undefined;
        }
        this.pos++;
        return inner;
      }
      if (op === P_MINUS || op === P_TILDE || op === P_PLUS) {
        this.pos++;
        this.sink.token(this.line, this.s(i), this.e(i), CLS_OPERATOR);
        this.depth++;
        const a = this.parseUnary();
        this.depth--;
        if (a === undefined) return undefined;
        if (op === P_PLUS) return a;
        if (typeof a === 'number' && op === P_MINUS) return a === 0 ? 0 : -a;
        if (isLiteral(a)) {
          const v = typeof a === 'number' ? BigInt(a) : a;
          return literal(op === P_MINUS ? -v : ~v);
        }
        return { t: 2, op, a };
      }
      this.error('PGA001', `expected a value, found '${PUNCT_TEXT[op]}'`, i, i + 1);
      return undefined;
    }
    this.error('PGA001', `unexpected character '${this.lexText(i)}'`, i, i + 1);
    return undefined;
  }
}

/** Applies a binary operator; a string says why it cannot. C semantics: / and % truncate toward zero. */
export function binary(op: number, a: bigint, b: bigint): bigint | string {
  switch (op) {
    case P_PLUS:
      return a + b;
    case P_MINUS:
      return a - b;
    case P_STAR:
      return a * b;
    case P_SLASH:
      return b === 0n ? 'division by zero' : a / b;
    case P_PERCENT:
      return b === 0n ? 'division by zero' : a % b;
    case P_SHL:
      return b < 0n || b > MAX_SHIFT ? `shift amount ${b} is outside 0..${MAX_SHIFT}` : a << b;
    case P_SHR:
      return b < 0n || b > MAX_SHIFT ? `shift amount ${b} is outside 0..${MAX_SHIFT}` : a >> b;
    case P_AMP:
      return a & b;
    case P_PIPE:
      return a | b;
    case P_CARET:
      return a ^ b;
  }
  return `unknown operator ${op}`;
}

/** A copy of an operand record, to keep it past its line. */
export function cloneOperand<T extends Operand>(p: T): T {
  if (p.t === 'expr') return { t: 'expr', expr: p.expr, s: p.s, e: p.e } as T;
  return { t: 'loc', space: p.space, seg: p.seg, base: p.base, addr: p.addr, addrS: p.addrS, addrE: p.addrE, off: p.off, offS: p.offS, offE: p.offE, s: p.s, e: p.e } as T;
}
