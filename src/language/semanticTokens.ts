// Semantic tokens from the assembler's lexical classes. The legend uses standard token types so any
// theme colours them; the same classes drive the TextMate grammar test.

import {
  SemanticTokenModifiers,
  SemanticTokenTypes,
  SemanticTokens,
  SemanticTokensDelta,
  SemanticTokensLegend,
} from 'vscode-languageserver';
import type { Range, TokenClass } from '../isa/asmTypes';
import { TOKEN_CLASSES } from '../isa/lineTable';
import type { Analysis } from './analysis';

const TYPES: Record<TokenClass, string> = {
  mnemonic: SemanticTokenTypes.keyword,
  directive: SemanticTokenTypes.macro,
  label: 'label',
  constant: SemanticTokenTypes.variable,
  segment: SemanticTokenTypes.namespace,
  space: SemanticTokenTypes.type,
  flag: SemanticTokenTypes.enumMember,
  number: SemanticTokenTypes.number,
  operator: SemanticTokenTypes.operator,
  comment: SemanticTokenTypes.comment,
  string: SemanticTokenTypes.string,
};

const TYPE_LIST = [...new Set(Object.values(TYPES))];
const MODIFIERS = [SemanticTokenModifiers.readonly];

export const SEMANTIC_LEGEND: SemanticTokensLegend = { tokenTypes: TYPE_LIST, tokenModifiers: MODIFIERS };

const TYPE_INDEX = new Map<TokenClass, number>(
  (Object.keys(TYPES) as TokenClass[]).map((c) => [c, TYPE_LIST.indexOf(TYPES[c])]),
);

/** Legend type and modifiers of each token class (by CLS index): five numbers per token on the wire. */
const TYPE_OF_CLASS: readonly number[] = TOKEN_CLASSES.map((c) => TYPE_INDEX.get(c) ?? 0);
const MODIFIERS_OF_CLASS: readonly number[] = TOKEN_CLASSES.map((c) => (c === 'constant' ? 1 : 0));

/**
 * Appends the tokens of `lines[from, to)` (on lines `first`, `first + 1`...) to `out`, each encoded
 * against the token before it (`prev`, the last token written before these: line and start).
 */
function encode(lines: readonly Int32Array[], from: number, to: number, first: number, prev: { line: number; start: number }, out: number[]): void {
  let prevLine = prev.line;
  let prevStart = prev.start;
  for (let k = from; k < to; k++) {
    const t = lines[k];
    const line = first + k - from;
    for (let i = 0; i < t.length; i += 3) {
      if (t[i + 1] <= 0) continue;
      const dl = line - prevLine;
      out.push(dl, dl === 0 ? t[i] - prevStart : t[i], t[i + 1], TYPE_OF_CLASS[t[i + 2]], MODIFIERS_OF_CLASS[t[i + 2]]);
      prevLine = line;
      prevStart = t[i];
    }
  }
}

/** The tokens of each line of the document (or of the lines a range touches). */
function linesOf(a: Analysis, from = 0, to = a.lineCount): Int32Array[] {
  return a.lineTokensOf(Math.max(0, from), Math.min(to, a.lineCount));
}

/** The tokens of the document, or of the lines a range touches, delta-encoded. */
export function semanticTokens(a: Analysis, range?: Range): SemanticTokens {
  const from = range ? range.start.line : 0;
  const to = range ? range.end.line + 1 : a.lineCount;
  const data: number[] = [];
  const lines = linesOf(a, from, to);
  encode(lines, 0, lines.length, Math.max(0, from), { line: 0, start: 0 }, data);
  return { data };
}

/**
 * The last tokens sent per document, line by line, so that `semanticTokens/full/delta` can answer
 * with the changed stretch only. A line's tokens are one array that stays the same object until
 * the line changes, so the unchanged lines at both ends are found by comparing references, and
 * only the lines between are encoded: after a one-character edit, a handful of integers whatever
 * the size of the document.
 */
export class SemanticTokensCache {
  private readonly last = new Map<string, { resultId: string; lines: Int32Array[]; counts: Int32Array }>();
  private next = 1;

  /**
   * Keeps `lines` as the last result sent for `a`'s document. `counts` are the numbers each line
   * takes on the wire; `from` an earlier result, those of its first `p` and last `q` lines (the
   * same arrays) are reused.
   */
  private remember(a: Analysis, lines: Int32Array[], from?: { counts: Int32Array; p: number; q: number }): string {
    const resultId = String(this.next++);
    const counts = new Int32Array(lines.length);
    if (from) {
      counts.set(from.counts.subarray(0, from.p));
      counts.set(from.counts.subarray(from.counts.length - from.q), lines.length - from.q);
      for (let i = from.p; i < lines.length - from.q; i++) counts[i] = wireCount(lines[i]);
    } else for (let i = 0; i < lines.length; i++) counts[i] = wireCount(lines[i]);
    this.last.set(a.uri, { resultId, lines, counts });
    return resultId;
  }

  full(a: Analysis): SemanticTokens {
    const lines = linesOf(a);
    const data: number[] = [];
    encode(lines, 0, lines.length, 0, { line: 0, start: 0 }, data);
    return { resultId: this.remember(a, lines), data };
  }

  delta(a: Analysis, previousResultId: string): SemanticTokens | SemanticTokensDelta {
    const previous = this.last.get(a.uri);
    if (!previous || previous.resultId !== previousResultId) return this.full(a);
    const old = previous.lines;
    const cur = linesOf(a);
    const min = Math.min(old.length, cur.length);
    let p = 0;
    while (p < min && old[p] === cur[p]) p++;
    let q = 0;
    while (q < min - p && old[old.length - 1 - q] === cur[cur.length - 1 - q]) q++;
    // The first token after the change is encoded against the last one before it, which may have
    // moved: the first suffix line with tokens is encoded again too.
    while (q > 0 && previous.counts[old.length - q] === 0) q--;
    if (q > 0) q--;
    let start = 0;
    for (let i = 0; i < p; i++) start += previous.counts[i];
    // The last token before the change.
    const prev = { line: 0, start: 0 };
    for (let i = p - 1; i >= 0 && prev.line === 0 && prev.start === 0; i--) {
      const t = old[i];
      for (let k = t.length - 3; k >= 0; k -= 3) {
        if (t[k + 1] <= 0) continue;
        prev.line = i;
        prev.start = t[k];
        break;
      }
      if (previous.counts[i] > 0) break;
    }
    // The lines between, as they were and as they are, trimmed to the numbers that differ.
    const was: number[] = [];
    encode(old, p, old.length - q, p, prev, was);
    const now: number[] = [];
    encode(cur, p, cur.length - q, p, prev, now);
    let head = 0;
    while (head < was.length && head < now.length && was[head] === now[head]) head++;
    let tail = 0;
    while (tail < was.length - head && tail < now.length - head && was[was.length - 1 - tail] === now[now.length - 1 - tail]) tail++;
    const resultId = this.remember(a, cur, { counts: previous.counts, p, q });
    if (head === was.length && head === now.length) return { resultId, edits: [] };
    return { resultId, edits: [{ start: start + head, deleteCount: was.length - head - tail, data: now.slice(head, now.length - tail) }] };
  }

  forget(uri: string): void {
    this.last.delete(uri);
  }
}

/** How many numbers a line's tokens take on the wire. */
function wireCount(t: Int32Array): number {
  let n = 0;
  for (let i = 0; i < t.length; i += 3) if (t[i + 1] > 0) n += 5;
  return n;
}
