// The pgasm lexer: splits one source line into lexemes stored in reusable typed arrays, so that
// assembling a large file allocates nothing per lexeme. The parser reads them by index.

export const enum Lx {
  Ident = 1,
  Number = 2,
  Punct = 3,
  Comment = 4,
  /** A character that starts no lexeme. */
  Bad = 5,
}

/** Punctuation codes (Punct lexemes keep one of these in `op`). */
export const enum P {
  Plus = 1,
  Minus,
  Star,
  Slash,
  Percent,
  Shl,
  Shr,
  Amp,
  Pipe,
  Caret,
  Tilde,
  LParen,
  RParen,
  Comma,
  Colon,
}

export const PUNCT_TEXT: readonly string[] = ['', '+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '~', '(', ')', ',', ':'];

export class Lexemes {
  count = 0;
  kind = new Uint8Array(64);
  op = new Uint8Array(64);
  /** Start and end (exclusive) as offsets into the whole text. */
  start = new Int32Array(64);
  end = new Int32Array(64);

  push(kind: number, op: number, start: number, end: number): void {
    if (this.count === this.kind.length) this.grow();
    const i = this.count++;
    this.kind[i] = kind;
    this.op[i] = op;
    this.start[i] = start;
    this.end[i] = end;
  }

  /** Doubles the capacity (keeping the contents). */
  grow(): void {
    const n = this.kind.length * 2;
    const k = new Uint8Array(n);
    k.set(this.kind);
    this.kind = k;
    const o = new Uint8Array(n);
    o.set(this.op);
    this.op = o;
    const s = new Int32Array(n);
    s.set(this.start);
    this.start = s;
    const e = new Int32Array(n);
    e.set(this.end);
    this.end = e;
  }
}

// Character classes of ASCII, so the lexer's inner loops test one table entry per character.
const C_IDENT = 1;
const C_IDENT_START = 2;
const C_DIGIT = 4;
const C_SPACE = 8;
const CHAR_CLASS = new Uint8Array(128);
/** Punctuation code of each single-character punctuator (0 for none; `<` and `>` pair up). */
const PUNCT_OF = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 46;
  const digit = c >= 48 && c <= 57;
  CHAR_CLASS[c] = (letter || digit ? C_IDENT : 0) | (letter ? C_IDENT_START : 0) | (digit ? C_DIGIT : 0) | (c === 32 || c === 9 || c === 13 || c === 12 || c === 11 ? C_SPACE : 0);
}
PUNCT_OF[43] = P.Plus;
PUNCT_OF[45] = P.Minus;
PUNCT_OF[42] = P.Star;
PUNCT_OF[47] = P.Slash;
PUNCT_OF[37] = P.Percent;
PUNCT_OF[38] = P.Amp;
PUNCT_OF[124] = P.Pipe;
PUNCT_OF[94] = P.Caret;
PUNCT_OF[126] = P.Tilde;
PUNCT_OF[40] = P.LParen;
PUNCT_OF[41] = P.RParen;
PUNCT_OF[44] = P.Comma;
PUNCT_OF[58] = P.Colon;

/** Lexes `text[from, to)` (one line without its line break) into `out`. */
export function lexLine(text: string, from: number, to: number, out: Lexemes): void {
  // A line has at most one lexeme per character: make room once, then store without checks.
  while (out.kind.length < to - from) out.grow();
  const kind = out.kind;
  const opc = out.op;
  const start = out.start;
  const end = out.end;
  let n = 0;
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    const cls = c < 128 ? CHAR_CLASS[c] : 0;
    if (cls & C_SPACE) {
      i++;
      continue;
    }
    if (c === 59) {
      kind[n] = Lx.Comment;
      opc[n] = 0;
      start[n] = i;
      end[n++] = to;
      break;
    }
    const s = i;
    if (cls & C_IDENT_START) {
      i++;
      while (i < to) {
        const d = text.charCodeAt(i);
        if (d >= 128 || (CHAR_CLASS[d] & C_IDENT) === 0) break;
        i++;
      }
      kind[n] = Lx.Ident;
      opc[n] = 0;
      start[n] = s;
      end[n++] = i;
      continue;
    }
    if (cls & C_DIGIT) {
      // A number runs over every identifier character, so `12ab` is one (bad) literal, not two lexemes.
      i++;
      while (i < to) {
        const d = text.charCodeAt(i);
        if (d >= 128 || (CHAR_CLASS[d] & C_IDENT) === 0 || d === 46) break;
        i++;
      }
      kind[n] = Lx.Number;
      opc[n] = 0;
      start[n] = s;
      end[n++] = i;
      continue;
    }
    let p = c < 128 ? PUNCT_OF[c] : 0;
    if (c === 60) {
      if (text.charCodeAt(i + 1) === 60 && i + 1 < to) p = P.Shl;
    } else if (c === 62) {
      if (text.charCodeAt(i + 1) === 62 && i + 1 < to) p = P.Shr;
    }
    if (p === 0) {
      // One bad lexeme per character (a surrogate pair counts as one), so ranges stay exact.
      const w = c >= 0xd800 && c <= 0xdbff && i + 1 < to ? 2 : 1;
      kind[n] = Lx.Bad;
      opc[n] = 0;
      start[n] = i;
      end[n++] = i + w;
      i += w;
      continue;
    }
    const w = p === P.Shl || p === P.Shr ? 2 : 1;
    kind[n] = Lx.Punct;
    opc[n] = p;
    start[n] = i;
    end[n++] = i + w;
    i += w;
  }
  out.count = n;
}

/** Small values as bigints, made once: most values in a program are small. */
export const SMALL_BIGINTS: readonly bigint[] = Array.from({ length: 4096 }, (_, i) => BigInt(i));

/** `v` as a bigint, without allocating for small values. */
export function toBigInt(v: number): bigint {
  return v >= 0 && v < 4096 ? SMALL_BIGINTS[v] : BigInt(v);
}

/**
 * The value of a numeric literal: decimal, `0x` hex or `0b` binary digits with optional `_`
 * separators, and an optional size suffix K, M or G (×2^10, 2^20, 2^30). Returns undefined when the
 * text is not a valid literal. A value up to 2^53 - 1 comes back as a number (exact in a double),
 * a larger one as a bigint: the assembler's arithmetic only needs bigints for values that large.
 */
export function parseNumber(text: string, s: number, e: number): number | bigint | undefined {
  let mult = 0;
  const last = text.charCodeAt(e - 1) | 0x20;
  if (last === 107) mult = 1024;
  else if (last === 109) mult = 1048576;
  else if (last === 103) mult = 1073741824;
  if (mult !== 0) e--;
  let base = 10;
  if (e - s > 2 && text.charCodeAt(s) === 48) {
    const x = text.charCodeAt(s + 1) | 0x20;
    if (x === 120) base = 16;
    else if (x === 98) base = 2;
    if (base !== 10) s += 2;
  }
  if (s >= e) return undefined;
  // Digits accumulate in a double: exact while the value stays below 2^53, and once it is larger the
  // rounded value is larger too, so the check below sends it to the exact bigint path.
  let v = 0;
  let prevUnderscore = true;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    let d: number;
    if (c === 95) {
      if (prevUnderscore) return undefined;
      prevUnderscore = true;
      continue;
    }
    prevUnderscore = false;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    else return undefined;
    if (d >= base) return undefined;
    v = v * base + d;
  }
  if (prevUnderscore) return undefined;
  if (mult === 0) {
    if (v <= Number.MAX_SAFE_INTEGER) return v;
  } else if (v * mult <= Number.MAX_SAFE_INTEGER) return v * mult;
  let big: bigint;
  if (v <= Number.MAX_SAFE_INTEGER) big = BigInt(v);
  else {
    const body = text.slice(s, e).replace(/_/g, '');
    big = BigInt((base === 16 ? '0x' : base === 2 ? '0b' : '') + body);
  }
  return mult !== 0 ? big * BigInt(mult) : big;
}
