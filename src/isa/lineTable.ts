// Compact per-token records the assembler fills while it parses, and per-line records rebuilt from
// the text, turned into the `Statement` and `Token` objects of AssembleResult only when someone
// reads them. A large file then costs a few typed arrays instead of millions of small objects, and
// the command line, which never looks at statements or tokens, does not pay for them at all.

import type { Range, Statement, Token, TokenClass } from './asmTypes';
import type { LineMap } from './asm/lineMap';
import { LineShape, shapeLine } from './asm/lineShape';
import { Lexemes, lexLine } from './lexer';

const F_LABEL_S = 0;
const F_LABEL_E = 1;
const F_HEAD_S = 2;
const F_HEAD_E = 3;
const F_DIRECTIVE = 4;
const F_COMMENT_S = 5;
const F_COMMENT_E = 6;
const F_OP_FIRST = 7;
const F_OP_COUNT = 8;
const F_OFFSET = 9;
const F_SIZE = 10;
const F_LINE_START = 11;
const STRIDE = 12;

function range(line: number, s: number, e: number): Range {
  return { start: { line, character: s }, end: { line, character: e } };
}

export class LineTable {
  count = 0;
  private data: Int32Array;
  private ops: Int32Array;

  /** `lines`: the expected number of lines (a guess; the table grows as needed). */
  constructor(lines = 16) {
    this.data = new Int32Array(STRIDE * Math.max(16, lines));
    this.ops = new Int32Array(Math.max(32, lines * 4));
  }
  private opCount = 0;

  /** Starts a new line whose text begins at `lineStart` in the source; returns its number. */
  add(lineStart: number): number {
    if ((this.count + 1) * STRIDE > this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    const d = this.data;
    const base = this.count * STRIDE;
    d[base + F_LABEL_S] = -1;
    d[base + F_LABEL_E] = -1;
    d[base + F_HEAD_S] = -1;
    d[base + F_HEAD_E] = -1;
    d[base + F_DIRECTIVE] = 0;
    d[base + F_COMMENT_S] = -1;
    d[base + F_COMMENT_E] = -1;
    d[base + F_OP_FIRST] = this.opCount;
    d[base + F_OP_COUNT] = 0;
    d[base + F_OFFSET] = -1;
    d[base + F_SIZE] = -1;
    d[base + F_LINE_START] = lineStart;
    return this.count++;
  }

  setLabel(line: number, s: number, e: number): void {
    this.data[line * STRIDE + F_LABEL_S] = s;
    this.data[line * STRIDE + F_LABEL_E] = e;
  }
  setHead(line: number, s: number, e: number, directive: boolean): void {
    this.data[line * STRIDE + F_HEAD_S] = s;
    this.data[line * STRIDE + F_HEAD_E] = e;
    this.data[line * STRIDE + F_DIRECTIVE] = directive ? 1 : 0;
  }
  setComment(line: number, s: number, e: number): void {
    this.data[line * STRIDE + F_COMMENT_S] = s;
    this.data[line * STRIDE + F_COMMENT_E] = e;
  }
  setBytes(line: number, offset: number, size: number): void {
    this.data[line * STRIDE + F_OFFSET] = offset;
    this.data[line * STRIDE + F_SIZE] = size;
  }
  /** Adds an operand (characters s..e) to the last line added. */
  addOperand(s: number, e: number): void {
    if (this.opCount * 2 + 2 > this.ops.length) {
      const o = new Int32Array(this.ops.length * 2);
      o.set(this.ops);
      this.ops = o;
    }
    this.ops[this.opCount * 2] = s;
    this.ops[this.opCount * 2 + 1] = e;
    this.opCount++;
    this.data[(this.count - 1) * STRIDE + F_OP_COUNT]++;
  }
  /** Where the line's text begins in the source. */
  lineStart(line: number): number {
    return this.data[line * STRIDE + F_LINE_START];
  }
  headRange(line: number): Range {
    const b = line * STRIDE;
    return range(line, this.data[b + F_HEAD_S], this.data[b + F_HEAD_E]);
  }

  statement(text: string, line: number): Statement {
    const d = this.data;
    const b = line * STRIDE;
    const ls = d[b + F_LINE_START];
    const st: Statement = { line, operands: [] };
    if (d[b + F_LABEL_S] >= 0) {
      st.label = { name: text.slice(ls + d[b + F_LABEL_S], ls + d[b + F_LABEL_E]), range: range(line, d[b + F_LABEL_S], d[b + F_LABEL_E]) };
    }
    if (d[b + F_HEAD_S] >= 0) {
      st.head = {
        name: text.slice(ls + d[b + F_HEAD_S], ls + d[b + F_HEAD_E]).toLowerCase(),
        range: range(line, d[b + F_HEAD_S], d[b + F_HEAD_E]),
        directive: d[b + F_DIRECTIVE] === 1,
      };
    }
    for (let k = 0; k < d[b + F_OP_COUNT]; k++) {
      const i = (d[b + F_OP_FIRST] + k) * 2;
      const s = this.ops[i];
      const e = this.ops[i + 1];
      st.operands.push({ text: text.slice(ls + s, ls + e), range: range(line, s, e) });
    }
    if (d[b + F_COMMENT_S] >= 0) {
      st.comment = { text: text.slice(ls + d[b + F_COMMENT_S], ls + d[b + F_COMMENT_E]), range: range(line, d[b + F_COMMENT_S], d[b + F_COMMENT_E]) };
    }
    if (d[b + F_OFFSET] >= 0) {
      st.offset = d[b + F_OFFSET];
      st.size = d[b + F_SIZE];
    }
    return st;
  }

  statements(text: string): Statement[] {
    const out = new Array<Statement>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.statement(text, i);
    return out;
  }
}

/**
 * Records the shape of one lexed line (label, head, operands, comment; see asm/lineShape.ts) in
 * `table` as line `line`, with positions relative to `from`. Statements depend on nothing else, so
 * they are rebuilt from the text when first read instead of being recorded while assembling.
 */
function addShape(text: string, from: number, lx: Lexemes, shape: LineShape, table: LineTable, line: number): void {
  if (lx.count === 0) return;
  shapeLine(text, lx, shape);
  if (shape.comment >= 0) table.setComment(line, lx.start[shape.comment] - from, lx.end[shape.comment] - from);
  if (shape.label >= 0) table.setLabel(line, lx.start[shape.label] - from, lx.end[shape.label] - from);
  const h = shape.head;
  if (h < 0) return;
  table.setHead(line, lx.start[h] - from, lx.end[h] - from, text.charCodeAt(lx.start[h]) === 46);
  for (let k = 0; k < shape.spanCount; k += 2) table.addOperand(lx.start[shape.spans[k]] - from, lx.end[shape.spans[k + 1] - 1] - from);
}

/** The index of the last number of `sorted` (ascending) that is at or before `value` (0 if none is): the line an offset is on, given where lines start. */
export function lastAtOrBefore(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sorted[mid] <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Calls `each(line, from, to)` for every line of `text`, split as the assembler splits it, until
 * `each` returns true.
 */
export function forEachLine(text: string, each: (line: number, from: number, to: number) => boolean | void): void {
  let line = 0;
  let from = 0;
  for (;;) {
    let to = text.indexOf('\n', from);
    const last = to < 0;
    if (last) to = text.length;
    const end = to > from && text.charCodeAt(to - 1) === 13 ? to - 1 : to;
    if (each(line, from, end) === true) return;
    if (last) break;
    from = to + 1;
    line++;
  }
}

/**
 * The line table of `text`, rebuilt from the text: every line's shape, and from the line map
 * (line, offset, length, kind per entry, in the order the bytes were placed) where its bytes went.
 */
export function buildLineTable(text: string, lineMap: LineMap): LineTable {
  const table = new LineTable(text.length >> 5);
  const lx = new Lexemes();
  const shape = new LineShape();
  forEachLine(text, (line, from, to) => {
    lexLine(text, from, to, lx);
    table.add(from);
    addShape(text, from, lx, shape, table, line);
  });
  for (let k = 0; k < lineMap.count; k++) table.setBytes(lineMap.line(k), lineMap.offset(k), lineMap.length(k));
  return table;
}

/**
 * The statement of one line (text[from, to), line number `line`), with where its bytes went if it
 * placed any: what `statements` gives for that line, without reading the others.
 */
export function statementOfLine(text: string, from: number, to: number, line: number, lx: Lexemes, placed?: { offset: number; size: number }): Statement {
  const table = new LineTable(1);
  lexLine(text, from, to, lx);
  table.add(from);
  addShape(text, from, lx, new LineShape(), table, 0);
  if (placed && placed.size > 0) table.setBytes(0, placed.offset, placed.size);
  const s = table.statement(text, 0);
  const at = (r: Range) => ({ start: { line, character: r.start.character }, end: { line, character: r.end.character } });
  s.line = line;
  if (s.label) s.label.range = at(s.label.range);
  if (s.head) s.head.range = at(s.head.range);
  for (const o of s.operands) o.range = at(o.range);
  if (s.comment) s.comment.range = at(s.comment.range);
  return s;
}

/** The range of the mnemonic or directive on line `line` of `text`. */
export function headRangeOf(text: string, line: number, lx: Lexemes): Range {
  const table = new LineTable(1);
  forEachLine(text, (l, from, to) => {
    if (l !== line) return false;
    lexLine(text, from, to, lx);
    table.add(from);
    addShape(text, from, lx, new LineShape(), table, 0);
    return true;
  });
  const r = table.headRange(0);
  return range(line, r.start.character, r.end.character);
}

/** Token classes by index, as stored in TokenTable.cls. */
export const TOKEN_CLASSES: readonly TokenClass[] = [
  'mnemonic',
  'directive',
  'label',
  'constant',
  'segment',
  'space',
  'flag',
  'number',
  'operator',
  'comment',
  'string',
];
export const CLS: Record<TokenClass, number> = Object.fromEntries(TOKEN_CLASSES.map((c, i) => [c, i])) as Record<TokenClass, number>;
/** A token that turned out to mean nothing (an undefined name): left out of the result. */
export const CLS_NONE = 255;
/** A name reference whose line pass 2 parses again; it gets its class then. */
export const CLS_PENDING = 254;

export class TokenTable {
  count = 0;
  private pos: Int32Array;
  cls: Uint8Array;

  /** `capacity`: the expected number of tokens (a guess; the table grows as needed); -1 for an empty table that compact fills. */
  constructor(capacity = 64) {
    const n = capacity >= 0 ? Math.max(64, capacity) : 0;
    this.pos = new Int32Array(2 * n);
    this.cls = new Uint8Array(n);
  }

  /** A copy holding exactly the tokens recorded, for a result that outlives the run. */
  compact(): TokenTable {
    const t = new TokenTable(-1);
    t.pos = this.pos.slice(0, 2 * this.count);
    t.cls = this.cls.slice(0, this.count);
    t.count = this.count;
    return t;
  }

  /**
   * Adds a token at `start` (an offset in the whole source, not in its line) of `length`
   * characters. Tokens are added line by line, so tokens() finds each one's line from the line
   * table instead of storing it.
   */
  add(start: number, length: number, cls: number): number {
    if (this.count === this.cls.length) {
      const c = new Uint8Array(this.cls.length * 2);
      c.set(this.cls);
      this.cls = c;
      const p = new Int32Array(this.pos.length * 2);
      p.set(this.pos);
      this.pos = p;
    }
    const i = this.count++;
    this.pos[2 * i] = start;
    this.pos[2 * i + 1] = length;
    this.cls[i] = cls;
    return i;
  }

  /** `lines`: the table of the lines these tokens were found on. */
  tokens(lines: LineTable): Token[] {
    const out: Token[] = [];
    let line = 0;
    let lineStart = lines.count > 0 ? lines.lineStart(0) : 0;
    let nextStart = lines.count > 1 ? lines.lineStart(1) : Infinity;
    for (let i = 0; i < this.count; i++) {
      const at = this.pos[2 * i];
      while (at >= nextStart) {
        line++;
        lineStart = nextStart;
        nextStart = line + 1 < lines.count ? lines.lineStart(line + 1) : Infinity;
      }
      if (this.cls[i] >= TOKEN_CLASSES.length) continue;
      out.push({ line, start: at - lineStart, length: this.pos[2 * i + 1], cls: TOKEN_CLASSES[this.cls[i]] });
    }
    return out;
  }
}
