// Parses the operands of one pgasm line (already lexed) into expression trees and locations.
// Expressions keep symbol references unresolved: labels may be defined further down, so the
// assembler resolves and evaluates them in its second pass. Literal-only subexpressions are folded
// here, so a typical operand costs nothing to evaluate.

import type { Token, TokenClass } from './asmTypes';
import { Lexemes, Lx, P, PUNCT_TEXT, parseNumber } from './lexer';
import { LocationSpace, PageListBase } from './opcodes';

/** A reference to a name, resolved after the first pass. Positions are characters in `line`. */
export interface SymRef {
  t: 0;
  name: string;
  line: number;
  s: number;
  e: number;
  token: Token;
}

export interface BinExpr {
  t: 1;
  op: number;
  a: Expr;
  b: Expr;
  /** The operator's position, for errors such as division by zero. */
  line: number;
  s: number;
  e: number;
}

export interface UnExpr {
  t: 2;
  op: number;
  a: Expr;
}

/** A literal value is stored as the bigint itself, so a plain number operand allocates no node. */
export type Expr = bigint | SymRef | BinExpr | UnExpr;

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
  token(line: number, s: number, e: number, cls: TokenClass): Token;
  /** A name reference; `segment` when it stands before `:` and must name a segment. */
  ref(r: SymRef, segment: boolean): void;
}

const PRECEDENCE = new Uint8Array(16);
PRECEDENCE[P.Pipe] = 1;
PRECEDENCE[P.Caret] = 2;
PRECEDENCE[P.Amp] = 3;
PRECEDENCE[P.Shl] = 4;
PRECEDENCE[P.Shr] = 4;
PRECEDENCE[P.Plus] = 5;
PRECEDENCE[P.Minus] = 5;
PRECEDENCE[P.Star] = 6;
PRECEDENCE[P.Slash] = 6;
PRECEDENCE[P.Percent] = 6;

/** Largest shift amount an expression may use; keeps hostile input from building huge integers. */
export const MAX_SHIFT = 256n;

export class OperandParser {
  text = '';
  lx!: Lexemes;
  /** Offset of the line's first character in `text`, and the line number. */
  ls = 0;
  line = 0;
  private pos = 0;
  private end = 0;
  private failed = false;

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
  private isPunct(i: number, p: number): boolean {
    return i < this.end && this.lx.kind[i] === Lx.Punct && this.lx.op[i] === p;
  }

  /** Parses lexemes [i, end) as one operand; undefined after reporting a syntax error. */
  parseOperand(i: number, end: number): Operand | undefined {
    this.end = end;
    this.failed = false;
    const lx = this.lx;
    if (lx.kind[i] === Lx.Ident) {
      const name = this.lexText(i);
      const lower = name.toLowerCase();
      if (lower === 'mdl' && this.isPunct(i + 1, P.LParen)) return this.parseMdl(i, end);
      if (this.isPunct(i + 1, P.Colon)) {
        let space: LocationSpace = LocationSpace.Segment;
        let seg: SymRef | undefined;
        if (lower === 'phys') space = LocationSpace.Physical;
        else if (lower === 'va') space = LocationSpace.GpuVirtual;
        else if (lower === 'mdl') {
          this.error('PGA001', 'an mdl location is written mdl(page_list)+offset', i, i + 1);
          return undefined;
        }
        if (space === LocationSpace.Segment) {
          const token = this.sink.token(this.line, this.s(i), this.e(i), 'segment');
          seg = { t: 0, name, line: this.line, s: this.s(i), e: this.e(i), token };
          this.sink.ref(seg, true);
        } else this.sink.token(this.line, this.s(i), this.e(i), 'space');
        if (i + 2 >= end) {
          this.error('PGA001', `expected an address after '${name}:'`, i + 1, i + 2);
          return undefined;
        }
        const addr = this.parseRange(i + 2, end);
        if (addr === undefined) return undefined;
        return {
          t: 'loc',
          space,
          seg,
          base: PageListBase.DmaBuffer,
          addr,
          addrS: this.s(i + 2),
          addrE: this.e(end - 1),
          off: 0n,
          offS: this.e(end - 1),
          offE: this.e(end - 1),
          s: this.s(i),
          e: this.e(end - 1),
        };
      }
    }
    const expr = this.parseRange(i, end);
    if (expr === undefined) return undefined;
    return { t: 'expr', expr, s: this.s(i), e: this.e(end - 1) };
  }

  private parseMdl(i: number, end: number): Operand | undefined {
    const lx = this.lx;
    this.sink.token(this.line, this.s(i), this.e(i), 'space');
    let depth = 0;
    let close = -1;
    for (let k = i + 1; k < end; k++) {
      if (lx.kind[k] !== Lx.Punct) continue;
      if (lx.op[k] === P.LParen) depth++;
      else if (lx.op[k] === P.RParen && --depth === 0) {
        close = k;
        break;
      }
    }
    if (close < 0) {
      this.error('PGA001', "missing ')' after mdl(", i + 1, i + 2);
      return undefined;
    }
    let base = PageListBase.DmaBuffer;
    let from = i + 2;
    if (lx.kind[from] === Lx.Ident && this.isPunct(from + 1, P.Colon) && this.lexText(from).toLowerCase() === 'phys') {
      this.sink.token(this.line, this.s(from), this.e(from), 'space');
      base = PageListBase.Physical;
      from += 2;
    }
    if (from >= close) {
      this.error('PGA001', 'expected a page list inside mdl( )', i + 1, close + 1);
      return undefined;
    }
    const addr = this.parseRange(from, close);
    if (addr === undefined) return undefined;
    let off: Expr = 0n;
    let offS = this.e(close);
    let offE = offS;
    if (close + 1 < end) {
      this.end = end;
      if (!this.isPunct(close + 1, P.Plus)) {
        this.error('PGA001', `expected '+offset' after mdl(...), found '${this.lexText(close + 1)}'`, close + 1, close + 2);
        return undefined;
      }
      this.sink.token(this.line, this.s(close + 1), this.e(close + 1), 'operator');
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
    return {
      t: 'loc',
      space: LocationSpace.Mdl,
      base,
      addr,
      addrS: this.s(from),
      addrE: this.e(close - 1),
      off,
      offS,
      offE,
      s: this.s(i),
      e: this.e(end - 1),
    };
  }

  /** Parses lexemes [i, end) as exactly one expression. */
  parseRange(i: number, end: number): Expr | undefined {
    this.pos = i;
    this.end = end;
    this.failed = false;
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
    while (this.pos < this.end && lx.kind[this.pos] === Lx.Punct) {
      const op = lx.op[this.pos];
      const prec = PRECEDENCE[op];
      if (prec === 0 || prec < minPrec) break;
      const at = this.pos++;
      this.sink.token(this.line, this.s(at), this.e(at), 'operator');
      const right = this.parseBinary(prec + 1);
      if (right === undefined) return undefined;
      left = fold({ t: 1, op, a: left, b: right, line: this.line, s: this.s(at), e: this.e(at) });
    }
    return left;
  }

  private parseUnary(): Expr | undefined {
    const lx = this.lx;
    const i = this.pos;
    if (i >= this.end) {
      // Point at what came last (an operator or a comma), which is what needs a value after it.
      const k = Math.max(0, i - 1);
      this.error('PGA001', `expected a value after '${this.lexText(k)}'`, k, k + 1);
      return undefined;
    }
    const kind = lx.kind[i];
    if (kind === Lx.Number) {
      this.pos++;
      this.sink.token(this.line, this.s(i), this.e(i), 'number');
      const v = parseNumber(this.text, lx.start[i], lx.end[i]);
      if (v === undefined) {
        this.error('PGA018', `'${this.lexText(i)}' is not a number (decimal, 0x hex or 0b binary, optional _ separators and K/M/G suffix)`, i, i + 1);
        return undefined;
      }
      return v;
    }
    if (kind === Lx.Ident) {
      this.pos++;
      const name = this.lexText(i);
      if (name.charCodeAt(0) === 46) {
        this.error('PGA001', `unexpected directive '${name}' in an operand`, i, i + 1);
        return undefined;
      }
      if (this.isPunct(i + 1, P.Colon)) {
        this.error('PGA005', `a location ('${name}:...') cannot be part of an expression`, i, i + 2);
        return undefined;
      }
      const token = this.sink.token(this.line, this.s(i), this.e(i), 'constant');
      const r: SymRef = { t: 0, name, line: this.line, s: this.s(i), e: this.e(i), token };
      this.sink.ref(r, false);
      return r;
    }
    if (kind === Lx.Punct) {
      const op = lx.op[i];
      if (op === P.LParen) {
        this.pos++;
        const inner = this.parseBinary(1);
        if (inner === undefined) return undefined;
        if (!this.isPunct(this.pos, P.RParen)) {
          this.error('PGA001', "missing ')'", i, i + 1);
          return undefined;
        }
        this.pos++;
        return inner;
      }
      if (op === P.Minus || op === P.Tilde || op === P.Plus) {
        this.pos++;
        this.sink.token(this.line, this.s(i), this.e(i), 'operator');
        const a = this.parseUnary();
        if (a === undefined) return undefined;
        if (op === P.Plus) return a;
        return fold({ t: 2, op, a });
      }
      this.error('PGA001', `expected a value, found '${PUNCT_TEXT[op]}'`, i, i + 1);
      return undefined;
    }
    this.error('PGA001', `unexpected character '${this.lexText(i)}'`, i, i + 1);
    return undefined;
  }
}

/** Folds an operation on literals; leaves anything that could fail (÷0, big shifts) for evaluation. */
function fold(e: BinExpr | UnExpr): Expr {
  if (e.t === 2) {
    if (typeof e.a !== 'bigint') return e;
    return e.op === P.Minus ? -e.a : ~e.a;
  }
  const a = e.a;
  const b = e.b;
  if (typeof a !== 'bigint' || typeof b !== 'bigint') return e;
  const r = binary(e.op, a, b);
  return typeof r === 'bigint' ? r : e;
}

/** Applies a binary operator; a string says why it cannot. C semantics: / and % truncate toward zero. */
export function binary(op: number, a: bigint, b: bigint): bigint | string {
  switch (op) {
    case P.Plus:
      return a + b;
    case P.Minus:
      return a - b;
    case P.Star:
      return a * b;
    case P.Slash:
      return b === 0n ? 'division by zero' : a / b;
    case P.Percent:
      return b === 0n ? 'division by zero' : a % b;
    case P.Shl:
      return b < 0n || b > MAX_SHIFT ? `shift amount ${b} is outside 0..${MAX_SHIFT}` : a << b;
    case P.Shr:
      return b < 0n || b > MAX_SHIFT ? `shift amount ${b} is outside 0..${MAX_SHIFT}` : a >> b;
    case P.Amp:
      return a & b;
    case P.Pipe:
      return a | b;
    case P.Caret:
      return a ^ b;
  }
  return `unknown operator ${op}`;
}
