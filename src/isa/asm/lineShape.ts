// The shape of one lexed pgasm line: an optional `label:`, the mnemonic or directive, its operands
// (lexeme spans split at top-level commas) and a trailing comment. The assembler reads every line
// through this, and so do the statements handed to the editor (lineTable.ts), so the two can never
// disagree about where a line's parts are.

import { Lexemes, Lx, P } from '../lexer';

const LX_COMMENT = Lx.Comment;
const LX_IDENT = Lx.Ident;
const LX_PUNCT = Lx.Punct;
const P_COLON = P.Colon;
const P_COMMA = P.Comma;
const P_LPAREN = P.LParen;
const P_RPAREN = P.RParen;

/** One line's parts, as lexeme indexes into the Lexemes it was shaped from. Reused from line to line. */
export class LineShape {
  /** The label's name lexeme, or -1. */
  label = -1;
  /** The first lexeme after the label, where the mnemonic or directive should be; `end` if the line has no code. */
  code = 0;
  /** The mnemonic or directive (an identifier at `code`), or -1 (no code, or code that does not start with a name). */
  head = -1;
  /** The comment lexeme, or -1. */
  comment = -1;
  /** The number of lexemes before the comment. */
  end = 0;
  /** Operand spans: first and end (exclusive) lexeme of each operand, two numbers per operand, `spanCount` numbers. */
  spans = new Int32Array(32);
  spanCount = 0;
  /**
   * Empty operands (`a,,b`, `,a`, a trailing comma), in order: the lexeme index of the comma for
   * one before a comma, or -(index + 1) of the last lexeme for one after the last comma.
   */
  missing = new Int32Array(8);
  missingCount = 0;

  get operandCount(): number {
    return this.spanCount >> 1;
  }

  pushMissing(at: number): void {
    if (this.missingCount === this.missing.length) {
      const d = new Int32Array(this.missing.length * 2);
      d.set(this.missing);
      this.missing = d;
    }
    this.missing[this.missingCount++] = at;
  }

  pushSpan(first: number, end: number): void {
    if (this.spanCount + 2 > this.spans.length) {
      const d = new Int32Array(this.spans.length * 2);
      d.set(this.spans);
      this.spans = d;
    }
    this.spans[this.spanCount] = first;
    this.spans[this.spanCount + 1] = end;
    this.spanCount += 2;
  }
}

/** Shapes the line lexed into `lx` (from `text`) into `out`. */
export function shapeLine(text: string, lx: Lexemes, out: LineShape): void {
  const n = lx.count;
  out.label = -1;
  out.head = -1;
  out.comment = -1;
  out.spanCount = 0;
  out.missingCount = 0;
  let end = n;
  if (n > 0 && lx.kind[n - 1] === LX_COMMENT) {
    end = n - 1;
    out.comment = end;
  }
  out.end = end;
  let i = 0;
  // A leading `.` makes a directive, so `.x:` is not a label.
  if (end >= 2 && lx.kind[0] === LX_IDENT && lx.kind[1] === LX_PUNCT && lx.op[1] === P_COLON && text.charCodeAt(lx.start[0]) !== 46) {
    out.label = 0;
    i = 2;
  }
  out.code = i;
  if (i >= end || lx.kind[i] !== LX_IDENT) return;
  out.head = i;
  let depth = 0;
  let spanStart = i + 1;
  for (let k = i + 1; k <= end; k++) {
    if (k < end && lx.kind[k] === LX_PUNCT) {
      const op = lx.op[k];
      if (op === P_LPAREN) depth++;
      else if (op === P_RPAREN) depth--;
      if (!(op === P_COMMA && depth <= 0)) continue;
    } else if (k < end) continue;
    if (k === spanStart) {
      if (k < end) out.pushMissing(k);
      else if (spanStart > i + 1) out.pushMissing(-k);
    } else {
      out.pushSpan(spanStart, k);
    }
    spanStart = k + 1;
    depth = 0;
  }
}
