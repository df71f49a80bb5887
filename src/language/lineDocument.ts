// A text document kept as lines, for the language server's open documents. The protocol library's
// document keeps one string and rebuilds it at every change: on a 500,000-line file that is a
// 15 MB copy per keystroke, and the garbage it leaves. Here a change replaces only the lines it
// touches; the whole text is joined again only when a feature asks for it. Positions, offsets and
// line breaks (\n, \r\n or \r) behave exactly as in vscode-languageserver-textdocument.

import type { Position, Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { lastAtOrBefore } from '../isa/lineTable';

const CR = 13;
const LF = 10;

/** `text` cut after each line break (\r\n, \r or \n), the break kept with its line. */
function splitLines(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== CR && c !== LF) continue;
    if (c === CR && text.charCodeAt(i + 1) === LF) i++;
    out.push(text.slice(from, i + 1));
    from = i + 1;
  }
  out.push(text.slice(from));
  return out;
}

export class LineDocument implements TextDocument {
  /** The lines, each with its line break (the last has none). */
  private lines: string[];
  /** Where each line starts. */
  private starts: number[] = [];
  private length = 0;
  private joined: string | undefined;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    public version: number,
    content: string,
  ) {
    this.lines = splitLines(content);
    this.index(0);
    this.joined = content;
  }

  /** Recomputes where lines start from line `from` on. */
  private index(from: number): void {
    const starts = this.starts;
    starts.length = this.lines.length;
    let at = from > 0 ? starts[from - 1] + this.lines[from - 1].length : 0;
    for (let i = from; i < this.lines.length; i++) {
      starts[i] = at;
      at += this.lines[i].length;
    }
    this.length = at;
  }

  get lineCount(): number {
    return this.lines.length;
  }

  getText(range?: Range): string {
    if (!range) return (this.joined ??= this.lines.join(''));
    const a = this.offsetAt(range.start);
    const b = this.offsetAt(range.end);
    if (this.joined !== undefined) return this.joined.substring(a, b);
    // As String.substring: a backwards range gives the same text.
    return a <= b ? this.slice(a, b) : this.slice(b, a);
  }

  /** text[start, end), read from the lines it spans. */
  private slice(start: number, end: number): string {
    if (end <= start) return '';
    const first = this.lineAt(start);
    const last = this.lineAt(end);
    if (first === last) return this.lines[first].slice(start - this.starts[first], end - this.starts[first]);
    let out = this.lines[first].slice(start - this.starts[first]);
    for (let i = first + 1; i < last; i++) out += this.lines[i];
    return out + this.lines[last].slice(0, end - this.starts[last]);
  }

  /** The line `offset` is on. */
  private lineAt(offset: number): number {
    return lastAtOrBefore(this.starts, offset);
  }

  private charAt(offset: number): number {
    const line = this.lineAt(offset);
    return this.lines[line].charCodeAt(offset - this.starts[line]);
  }

  /** `offset`, moved back before the line break it is inside or after (never before `lineOffset`). */
  private beforeEOL(offset: number, lineOffset: number): number {
    while (offset > lineOffset) {
      const c = this.charAt(offset - 1);
      if (c !== CR && c !== LF) break;
      offset--;
    }
    return offset;
  }

  positionAt(offset: number): Position {
    offset = Math.max(Math.min(offset, this.length), 0);
    const line = this.lineAt(offset);
    const start = this.starts[line];
    return { line, character: this.beforeEOL(offset, start) - start };
  }

  offsetAt(position: Position): number {
    if (position.line >= this.lines.length) return this.length;
    if (position.line < 0) return 0;
    const lineOffset = this.starts[position.line];
    if (position.character <= 0) return lineOffset;
    const next = lineOffset + this.lines[position.line].length;
    return this.beforeEOL(Math.min(lineOffset + position.character, next), lineOffset);
  }

  getLineRange(line: number): Range {
    if (line >= this.lines.length) {
      const last = this.lines.length - 1;
      return { start: { line: last, character: 0 }, end: { line: last, character: this.length - this.starts[last] } };
    }
    if (line < 0) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const start = this.starts[line];
    const end = this.beforeEOL(start + this.lines[line].length, start);
    return { start: { line, character: 0 }, end: { line, character: end - start } };
  }

  getEOLCharacters(line: number): string {
    if (line < 0 || line >= this.lines.length) return '';
    const text = this.lines[line];
    const start = this.starts[line];
    return text.slice(this.beforeEOL(start + text.length, start) - start);
  }

  /** Applies changes in order (as TextDocument.update does) and takes `version`. */
  update(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if ('range' in change && change.range) {
        let { start, end } = change.range;
        if (start.line > end.line || (start.line === end.line && start.character > end.character)) [start, end] = [end, start];
        this.replace(this.offsetAt(start), this.offsetAt(end), change.text);
      } else {
        this.lines = splitLines(change.text);
        this.index(0);
      }
    }
    this.joined = undefined;
    this.version = version;
  }

  /** text[start, end) becomes `text`: the lines it spans are cut again (with a neighbour where a \r\n may form or split). */
  private replace(start: number, end: number, text: string): void {
    let first = this.lineAt(start);
    let last = this.lineAt(end);
    // A \r at the end of the line before, or a \n at the start of the line after, may pair with the new text.
    if (first > 0 && this.lines[first - 1].charCodeAt(this.lines[first - 1].length - 1) === CR) first--;
    if (last + 1 < this.lines.length) last++;
    const from = this.starts[first];
    let region = '';
    for (let i = first; i <= last; i++) region += this.lines[i];
    region = region.slice(0, start - from) + text + region.slice(end - from);
    const pieces = splitLines(region);
    // The region reaches a whole line past the edit: unless it is the end of the text, it ends with
    // that line's break, after which the lines outside it start (not an empty line of its own).
    if (pieces[pieces.length - 1] === '' && last + 1 < this.lines.length) pieces.pop();
    this.lines.splice(first, last - first + 1, ...pieces);
    this.index(first);
  }
}
