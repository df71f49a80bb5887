// Symbols: outline (labels with their sections, constants, declared segments), go to definition,
// references, highlights and rename of labels and constants.

import {
  DocumentHighlight,
  DocumentHighlightKind,
  DocumentSymbol,
  Location,
  Position,
  Range,
  ResponseError,
  ErrorCodes,
  SymbolKind,
  WorkspaceEdit,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { OPCODE_BY_MNEMONIC } from '../isa/opcodes';
import { Analysis, isDeclaredInText } from './analysis';
import { DIRECTIVE_BY_NAME, NUMBERED_SEGMENT, SEGMENT_KEYWORDS, SPACE_KEYWORDS } from '../isa/directives';
import { hex } from '../isa/hex';

const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

function lastContentLine(doc: TextDocument, from: number, to: number): number {
  // The section ends at its last non-blank line, so folding and outline do not swallow blank gaps.
  let end = to;
  while (end > from && doc.getText({ start: { line: end, character: 0 }, end: { line: end + 1, character: 0 } }).trim() === '') end--;
  return end;
}

export function documentSymbols(a: Analysis, doc: TextDocument): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  const syms = [...a.symbols()].filter(isDeclaredInText);
  syms.sort((x, y) => x.definition.start.line - y.definition.start.line || x.definition.start.character - y.definition.start.character);
  const labels = syms.filter((s) => s.kind === 'label');
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  for (const sym of syms) {
    const line = sym.definition.start.line;
    let range: Range = { start: { line, character: 0 }, end: sym.definition.end };
    if (sym.kind === 'label') {
      const next = labels[labelIndex.get(sym)! + 1];
      const endLine = lastContentLine(doc, line, (next ? next.definition.start.line : doc.lineCount) - 1);
      const endText = doc.getText({ start: { line: endLine, character: 0 }, end: { line: endLine + 1, character: 0 } });
      range = { start: { line, character: 0 }, end: { line: endLine, character: endText.replace(/\r?\n$/, '').length } };
      if (range.end.line === sym.definition.end.line && range.end.character < sym.definition.end.character) range.end = sym.definition.end;
    } else {
      const text = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
      range = { start: { line, character: 0 }, end: { line, character: Math.max(text.length, sym.definition.end.character) } };
    }
    out.push({
      name: sym.name,
      kind: sym.kind === 'label' ? SymbolKind.Function : sym.kind === 'constant' ? SymbolKind.Constant : SymbolKind.Namespace,
      detail: sym.kind === 'label' ? `@${hex(sym.value, { upper: true, digits: 4 })}` : sym.kind === 'constant' ? `= ${sym.value}` : `segment ${sym.value}`,
      range,
      selectionRange: sym.definition,
    });
  }
  return out;
}

export function definition(a: Analysis, doc: TextDocument, pos: Position): Location | null {
  const occ = a.occurrenceAt(pos.line, pos.character);
  if (!occ || !isDeclaredInText(occ.symbol)) return null;
  return { uri: doc.uri, range: occ.symbol.definition };
}

export function references(a: Analysis, doc: TextDocument, pos: Position, includeDeclaration: boolean): Location[] {
  const occ = a.occurrenceAt(pos.line, pos.character);
  if (!occ) return [];
  const ranges = [...(includeDeclaration && isDeclaredInText(occ.symbol) ? [occ.symbol.definition] : []), ...occ.symbol.references];
  return ranges.map((range) => ({ uri: doc.uri, range }));
}

export function documentHighlights(a: Analysis, pos: Position): DocumentHighlight[] {
  const occ = a.occurrenceAt(pos.line, pos.character);
  if (!occ) return [];
  return [
    ...(isDeclaredInText(occ.symbol) ? [{ range: occ.symbol.definition, kind: DocumentHighlightKind.Write }] : []),
    ...occ.symbol.references.map((range) => ({ range, kind: DocumentHighlightKind.Read })),
  ];
}

export function prepareRename(a: Analysis, _doc: TextDocument, pos: Position): { range: Range; placeholder: string } | null {
  const occ = a.occurrenceAt(pos.line, pos.character);
  if (!occ || occ.symbol.kind === 'segment' || !isDeclaredInText(occ.symbol)) return null;
  return { range: occ.range, placeholder: occ.symbol.name };
}

export function rename(a: Analysis, doc: TextDocument, pos: Position, newName: string): WorkspaceEdit | null {
  const occ = a.occurrenceAt(pos.line, pos.character);
  if (!occ || occ.symbol.kind === 'segment' || !isDeclaredInText(occ.symbol)) return null;
  if (!NAME.test(newName)) {
    throw new ResponseError(ErrorCodes.InvalidParams, `"${newName}" is not a valid name: use letters, digits, _ and ., starting with a letter or _.`);
  }
  const lower = newName.toLowerCase();
  const reserved =
    OPCODE_BY_MNEMONIC.has(lower) ||
    DIRECTIVE_BY_NAME.has(lower) ||
    (SPACE_KEYWORDS as readonly string[]).includes(lower) ||
    (SEGMENT_KEYWORDS as readonly string[]).includes(lower) ||
    NUMBERED_SEGMENT.test(newName) ||
    a.result.segments.some((s) => s.name === newName);
  if (reserved) {
    throw new ResponseError(ErrorCodes.InvalidParams, `"${newName}" is a reserved word or a segment name; choose another name.`);
  }
  const clash = a.symbol(newName);
  if (clash && clash.name !== occ.symbol.name) {
    throw new ResponseError(ErrorCodes.InvalidParams, `"${newName}" is already defined (line ${clash.definition.start.line + 1}).`);
  }
  const edits = [occ.symbol.definition, ...occ.symbol.references].map((range) => ({ range, newText: newName }));
  return { changes: { [doc.uri]: edits } };
}
