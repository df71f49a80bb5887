// Compact per-line and per-token records the assembler fills while it parses, turned into the
// `Statement` and `Token` objects of AssembleResult only when someone reads them. A large file then
// costs a few typed arrays instead of millions of small objects, and the command line, which never
// looks at statements or tokens, does not pay for them at all.

import type { Range, Statement, Token, TokenClass } from './asmTypes';

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

  /** `lines`: the expected number of lines (a guess; the table grows as needed); -1 for an empty table that compact fills. */
  constructor(lines = 16) {
    this.data = new Int32Array(lines >= 0 ? STRIDE * Math.max(16, lines) : 0);
    this.ops = new Int32Array(lines >= 0 ? Math.max(32, lines * 4) : 0);
  }
  private opCount = 0;

  /** Empties the table for a new run, keeping its arrays. */
  reset(): void {
    this.count = 0;
    this.opCount = 0;
  }

  /** A copy holding exactly the lines recorded, for a result that outlives the run. */
  compact(): LineTable {
    const t = new LineTable(-1);
    t.data = this.data.slice(0, this.count * STRIDE);
    t.ops = this.ops.slice(0, this.opCount * 2);
    t.count = this.count;
    t.opCount = this.opCount;
    return t;
  }

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

/** A growable list of numbers in one typed array: records of a few numbers each, without objects. */
export class NumberList {
  length = 0;
  data: Float64Array;
  constructor(capacity = 64) {
    this.data = new Float64Array(capacity);
  }
  /** A copy holding exactly the numbers pushed, for a result that outlives the run. */
  compact(): NumberList {
    const l = new NumberList(0);
    l.data = this.data.slice(0, this.length);
    l.length = this.length;
    return l;
  }
  private grow(need: number): void {
    const d = new Float64Array(Math.max(need, this.data.length * 2));
    d.set(this.data);
    this.data = d;
  }
  push3(a: number, b: number, c: number): void {
    if (this.length + 3 > this.data.length) this.grow(this.length + 3);
    const d = this.data;
    const n = this.length;
    d[n] = a;
    d[n + 1] = b;
    d[n + 2] = c;
    this.length = n + 3;
  }
  push4(a: number, b: number, c: number, e: number): void {
    if (this.length + 4 > this.data.length) this.grow(this.length + 4);
    const d = this.data;
    const n = this.length;
    d[n] = a;
    d[n + 1] = b;
    d[n + 2] = c;
    d[n + 3] = e;
    this.length = n + 4;
  }
  push(...values: number[]): void {
    if (this.length + values.length > this.data.length) this.grow(this.length + values.length);
    this.data.set(values, this.length);
    this.length += values.length;
  }
}

/**
 * The tables of one run, shared by every run: assembling is synchronous, so runs never overlap,
 * and each result gets exact-size copies (compact). A run then neither allocates tables sized
 * for the worst case nor touches fresh memory while it parses. Not kept beyond SCRATCH_KEEP_MAX
 * characters of source, so one huge file does not pin its tables.
 */
const SCRATCH_KEEP_MAX = 16 << 20;
let scratch: { chars: number; lines: LineTable; tokens: TokenTable; lineMap: NumberList } | undefined;

export function scratchTables(chars: number): { lines: LineTable; tokens: TokenTable; lineMap: NumberList } {
  // Typical pgasm has a line per 30 characters and a token per 5: size the tables once.
  const make = () => ({ chars, lines: new LineTable(chars >> 5), tokens: new TokenTable(chars >> 2), lineMap: new NumberList(Math.max(256, chars >> 3)) });
  if (chars > SCRATCH_KEEP_MAX) return make();
  if (!scratch || scratch.chars < chars) scratch = make();
  scratch.lines.reset();
  scratch.tokens.count = 0;
  scratch.lineMap.length = 0;
  return scratch;
}
