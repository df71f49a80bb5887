// Semantic tokens from the assembler's lexical classes. The legend uses standard token types so any
// theme colours them; the same classes drive the TextMate grammar test.

import {
  SemanticTokenModifiers,
  SemanticTokenTypes,
  SemanticTokens,
  SemanticTokensDelta,
  SemanticTokensLegend,
} from 'vscode-languageserver';
import type { Range, Token, TokenClass } from '../isa/asmTypes';
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

/** Which class a legend index and modifier set stand for (constants are read-only variables). */
export function classOf(typeIndex: number, modifiers: number): TokenClass | undefined {
  const type = TYPE_LIST[typeIndex];
  if (type === SemanticTokenTypes.variable) return modifiers & 1 ? 'constant' : undefined;
  return (Object.keys(TYPES) as TokenClass[]).find((c) => TYPES[c] === type);
}

function sorted(tokens: readonly Token[]): readonly Token[] {
  for (let i = 1; i < tokens.length; i++) {
    const a = tokens[i - 1];
    const b = tokens[i];
    if (b.line < a.line || (b.line === a.line && b.start < a.start)) {
      return [...tokens].sort((x, y) => x.line - y.line || x.start - y.start);
    }
  }
  return tokens;
}

/** The tokens of the document, or of the lines a range touches, delta-encoded. */
export function semanticTokens(a: Analysis, range?: Range): SemanticTokens {
  const tokens = sorted(a.result.tokens);
  let from = 0;
  let to = tokens.length;
  if (range) {
    // Binary search the first token on or after range.start.line.
    let lo = 0;
    let hi = tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tokens[mid].line < range.start.line) lo = mid + 1;
      else hi = mid;
    }
    from = lo;
    to = from;
    while (to < tokens.length && tokens[to].line <= range.end.line) to++;
  }
  const data = new Array<number>((to - from) * 5);
  let prevLine = 0;
  let prevStart = 0;
  let n = 0;
  for (let i = from; i < to; i++) {
    const t = tokens[i];
    if (t.length <= 0) continue;
    const dl = t.line - prevLine;
    data[n++] = dl;
    data[n++] = dl === 0 ? t.start - prevStart : t.start;
    data[n++] = t.length;
    data[n++] = TYPE_INDEX.get(t.cls) ?? 0;
    data[n++] = t.cls === 'constant' ? 1 : 0;
    prevLine = t.line;
    prevStart = t.start;
  }
  data.length = n;
  return { data };
}

/**
 * The last tokens sent per document, so that `semanticTokens/full/delta` can answer with the
 * changed stretch only: after a one-character edit that is a handful of integers instead of the
 * whole document's (over a million on 50,000 lines).
 */
export class SemanticTokensCache {
  private readonly last = new Map<string, { resultId: string; data: number[] }>();
  private next = 1;

  full(a: Analysis): SemanticTokens {
    const data = semanticTokens(a).data;
    const resultId = String(this.next++);
    this.last.set(a.uri, { resultId, data });
    return { resultId, data };
  }

  delta(a: Analysis, previousResultId: string): SemanticTokens | SemanticTokensDelta {
    const previous = this.last.get(a.uri);
    const current = this.full(a);
    if (!previous || previous.resultId !== previousResultId) return current;
    const old = previous.data;
    const cur = current.data;
    let start = 0;
    const min = Math.min(old.length, cur.length);
    while (start < min && old[start] === cur[start]) start++;
    let end = 0;
    while (end < min - start && old[old.length - 1 - end] === cur[cur.length - 1 - end]) end++;
    if (start === old.length && start === cur.length) return { resultId: current.resultId, edits: [] };
    return {
      resultId: current.resultId,
      edits: [{ start, deleteCount: old.length - start - end, data: cur.slice(start, cur.length - end) }],
    };
  }

  forget(uri: string): void {
    this.last.delete(uri);
  }
}
