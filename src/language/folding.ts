// Folding: runs of comment lines, and label sections (a label to the last line before the next label).

import { FoldingRange, FoldingRangeKind } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from './analysis';

export function foldingRanges(a: Analysis, doc: TextDocument): FoldingRange[] {
  const out: FoldingRange[] = [];
  const lines = doc.getText().split(/\r?\n/);
  const blank = (l: number) => lines[l].trim() === '';
  const commentOnly = (l: number) => /^\s*;/.test(lines[l]);

  for (let l = 0; l < lines.length; l++) {
    if (!commentOnly(l)) continue;
    let end = l;
    while (end + 1 < lines.length && commentOnly(end + 1)) end++;
    if (end > l) out.push({ startLine: l, endLine: end, kind: FoldingRangeKind.Comment });
    l = end;
  }

  const labelLines = a.labelLines().sort((x, y) => x - y);
  for (let i = 0; i < labelLines.length; i++) {
    const start = labelLines[i];
    let end = (i + 1 < labelLines.length ? labelLines[i + 1] : lines.length) - 1;
    while (end > start && (blank(end) || commentOnly(end))) end--;
    if (end > start) out.push({ startLine: start, endLine: end, kind: FoldingRangeKind.Region });
  }
  return out;
}
