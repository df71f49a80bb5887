// Formatting: labels at column 0, mnemonics and directives in one column, operands in the next
// (separated by ", "), trailing comments aligned within each block of consecutive lines. A line is
// only rewritten from its parsed pieces when that keeps every non-blank character it had; anything
// the parser did not fully account for (a syntax error, say) keeps its text and only loses
// trailing blanks, so formatting never changes what a program means.

import { FormattingOptions, Range, TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Statement } from '../isa/asmTypes';
import type { Analysis } from './analysis';

const MAX_INDENT = 24;

function slice(text: string, r: { start: { character: number }; end: { character: number } }): string {
  return text.slice(r.start.character, r.end.character);
}

const squeeze = (s: string) => s.replace(/\s+/g, '');

export function formatDocument(a: Analysis, doc: TextDocument, options: FormattingOptions, range?: Range): TextEdit[] {
  const lines = doc.getText().split(/\r?\n/);
  const tab = Math.max(1, options.tabSize || 4);

  let labelWidth = 0;
  let headWidth = 0;
  for (const s of a.result.statements) {
    if (s.label && s.head) labelWidth = Math.max(labelWidth, s.label.name.length + 2);
    if (s.head && s.operands.length) headWidth = Math.max(headWidth, s.head.range.end.character - s.head.range.start.character);
  }
  const indent = Math.min(MAX_INDENT, Math.ceil(Math.max(labelWidth, 8) / tab) * tab);

  // Code part of each line (without the comment), or undefined to keep the line as it is.
  const code: (string | undefined)[] = new Array(lines.length);
  const comment: (string | undefined)[] = new Array(lines.length);
  const handled = new Uint8Array(lines.length);
  for (const s of a.result.statements) {
    const text = lines[s.line];
    if (text === undefined) continue;
    const built = build(s, text, indent, headWidth);
    if (built === undefined) continue;
    const commentText = s.comment ? slice(text, s.comment.range) : '';
    if (squeeze(built + commentText) !== squeeze(text)) continue;
    handled[s.line] = 1;
    code[s.line] = built;
    comment[s.line] = s.comment ? commentText : undefined;
  }

  const out: string[] = lines.map((l) => l.replace(/\s+$/, ''));
  let l = 0;
  while (l < lines.length) {
    if (out[l] === '') {
      l++;
      continue;
    }
    // A block: consecutive non-blank lines; its trailing comments share one column.
    let end = l;
    while (end + 1 < lines.length && out[end + 1] !== '') end++;
    let commentCol = 0;
    for (let i = l; i <= end; i++) if (handled[i] && code[i] && comment[i]) commentCol = Math.max(commentCol, code[i]!.length + 1);
    for (let i = l; i <= end; i++) {
      if (handled[i]) {
        const c = code[i]!;
        if (!c) out[i] = (/^;/.test(lines[i]) ? '' : ' '.repeat(indent)) + (comment[i] ?? '').trimEnd();
        else out[i] = comment[i] ? c.padEnd(commentCol) + comment[i]!.trimEnd() : c;
      } else if (/^\s+;/.test(lines[i])) {
        out[i] = ' '.repeat(indent) + lines[i].trim();
      }
    }
    l = end + 1;
  }

  const edits: TextEdit[] = [];
  const first = range ? range.start.line : 0;
  const last = range ? Math.min(range.end.line, lines.length - 1) : lines.length - 1;
  for (let i = first; i <= last; i++) {
    if (out[i] !== lines[i]) {
      edits.push({ range: { start: { line: i, character: 0 }, end: { line: i, character: lines[i].length } }, newText: out[i] });
    }
  }
  return edits;
}

/** The statement's code rebuilt in columns, or '' for a comment-only line. */
function build(s: Statement, text: string, indent: number, headWidth: number): string | undefined {
  const label = s.label ? slice(text, s.label.range) + ':' : '';
  if (!s.head) return label;
  const head = slice(text, s.head.range);
  let line = label.length >= indent ? label + ' ' : label.padEnd(indent);
  line += head;
  if (s.operands.length) line = line.padEnd(line.length + Math.max(0, headWidth - head.length)) + ' ' + s.operands.map((o) => slice(text, o.range).trim()).join(', ');
  return line;
}
