// Completion: mnemonics and directives (with operand snippets) where a statement starts; in operand
// position what the operand's kind accepts: segment names and location forms for `loc`, segment
// names for `seg`, constants and labels for numbers, the opcode's flags after its operands.
//
// A large program has thousands of labels and constants: past MAX_NAMES only the names containing
// what is typed so far are offered, the list marked incomplete so the editor asks again as the
// word grows (each answer stays small, whatever the size of the file).

import {
  CompletionItem,
  CompletionItemKind,
  CompletionList,
  InsertTextFormat,
  MarkupKind,
  Position,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AsmSymbol } from '../isa/asmTypes';
import { OPCODES, OperandKind } from '../isa/opcodes';
import { opcodeMarkdown } from '../isa/reference';
import type { Analysis } from './analysis';
import { DIRECTIVES, SPACE_KEYWORDS } from '../isa/directives';
import { directiveOf, directiveSnippet, lineContext, opcodeOf, opcodeSnippet } from './syntax';

/** Location forms other than segments, as snippets. */
const LOCATION_FORMS: Record<(typeof SPACE_KEYWORDS)[number], { snippet: string; doc: string }> = {
  mdl: { snippet: 'mdl(${1:pages})+${2:0}', doc: 'System pages described by a page list (`.pages`) in this buffer, plus a byte offset.' },
  phys: { snippet: 'phys:${1:0x0}', doc: 'A system-memory physical (bus) address.' },
  va: { snippet: 'va:${1:0x0}', doc: 'A GPU virtual address, translated through the page tables.' },
};

function headItems(a: Analysis, word: string, range: { start: Position; end: Position }): CompletionItem[] {
  const items: CompletionItem[] = [];
  const directiveOnly = word.startsWith('.');
  if (!directiveOnly) {
    for (const op of OPCODES) {
      items.push({
        label: op.mnemonic,
        kind: CompletionItemKind.Keyword,
        detail: op.summary,
        documentation: { kind: MarkupKind.Markdown, value: opcodeMarkdown(op) },
        insertTextFormat: InsertTextFormat.Snippet,
        textEdit: { range, newText: opcodeSnippet(op) },
        sortText: '1' + op.mnemonic,
      });
    }
  }
  for (const d of DIRECTIVES) {
    items.push({
      label: d.name,
      kind: CompletionItemKind.Function,
      detail: d.syntax,
      documentation: { kind: MarkupKind.Markdown, value: `${d.doc}\n\nExample: \`${d.example}\`` },
      insertTextFormat: InsertTextFormat.Snippet,
      textEdit: { range, newText: directiveSnippet(d) },
      sortText: '2' + d.name,
    });
  }
  return items;
}

/** How many label and constant names one answer offers at most. */
export const MAX_NAMES = 200;

/** The answer's names were cut to MAX_NAMES (the list is incomplete). */
let truncated = false;

function symbolItems(a: Analysis, kinds: ('label' | 'constant')[], word = ''): CompletionItem[] {
  const w = word.toLowerCase();
  // In one pass: the first MAX_NAMES + 1 of the kinds asked for, and the first MAX_NAMES containing the word.
  const first: AsmSymbol[] = [];
  const matching: AsmSymbol[] = [];
  for (const sym of a.symbols()) {
    if (!(kinds as string[]).includes(sym.kind)) continue;
    if (first.length <= MAX_NAMES) first.push(sym);
    if (matching.length < MAX_NAMES && (w === '' || sym.name.toLowerCase().includes(w))) matching.push(sym);
    else if (first.length > MAX_NAMES) break;
  }
  let syms = first;
  if (first.length > MAX_NAMES) {
    syms = matching;
    truncated = true;
  }
  const items: CompletionItem[] = [];
  for (const sym of syms) {
    items.push({
      label: sym.name,
      kind: sym.kind === 'label' ? CompletionItemKind.Reference : CompletionItemKind.Constant,
      detail: sym.kind === 'label' ? `label at offset 0x${sym.value.toString(16).toUpperCase()}` : `constant = ${sym.value}`,
      sortText: (sym.kind === 'constant' ? '3' : '4') + sym.name,
    });
  }
  return items;
}

function segmentItems(a: Analysis, asLocation: boolean, apertureOnly = false): CompletionItem[] {
  return a.result.segments
    .filter((s) => !apertureOnly || s.kind === 'aperture')
    .map((s) => ({
      label: s.name,
      kind: CompletionItemKind.Module,
      detail: `segment ${s.id}, ${s.kind}, ${s.size} bytes`,
      insertTextFormat: asLocation ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
      insertText: asLocation ? `${s.name}:\${1:0x0}` : s.name,
      sortText: '1' + s.name,
    }));
}

function operandItems(a: Analysis, kind: OperandKind, word: string): CompletionItem[] {
  switch (kind) {
    case 'loc':
      return [
        ...segmentItems(a, true),
        ...SPACE_KEYWORDS.map((k) => ({
          label: k,
          kind: CompletionItemKind.Struct,
          detail: LOCATION_FORMS[k].doc,
          insertTextFormat: InsertTextFormat.Snippet,
          insertText: LOCATION_FORMS[k].snippet,
          sortText: '2' + k,
        })),
        ...symbolItems(a, ['constant'], word),
      ];
    case 'seg':
      return [...segmentItems(a, false, true), ...symbolItems(a, ['constant'], word)];
    default:
      return symbolItems(a, ['constant', 'label'], word);
  }
}

/** The completion items at `pos`: a plain list, or one marked incomplete when names were left out. */
export function completion(a: Analysis, doc: TextDocument, pos: Position): CompletionItem[] | CompletionList {
  truncated = false;
  const items = completionItems(a, doc, pos);
  return truncated ? { isIncomplete: true, items } : items;
}

function completionItems(a: Analysis, doc: TextDocument, pos: Position): CompletionItem[] {
  const prefix = doc.getText({ start: { line: pos.line, character: 0 }, end: pos });
  const ctx = lineContext(prefix);
  if (ctx.inComment) return [];
  const wordRange = { start: { line: pos.line, character: ctx.wordStart }, end: pos };
  if (ctx.atHead) return headItems(a, ctx.word, wordRange);
  // After `seg:` a number is expected, and inside `mdl(` a page-list label.
  if (ctx.before === ':') return [];
  if (ctx.before === '(') return symbolItems(a, ['label'], ctx.word);
  const op = opcodeOf(ctx.head);
  if (op && !ctx.head!.startsWith('.')) {
    if (ctx.operandIndex < op.operands.length) return operandItems(a, op.operands[ctx.operandIndex].kind, ctx.word);
    return op.flags.map((f) => ({
      label: f.name,
      kind: CompletionItemKind.EnumMember,
      detail: `flag, bit ${f.bit}`,
      documentation: f.doc,
      sortText: '0' + f.name,
    }));
  }
  const dir = directiveOf(ctx.head);
  if (dir) {
    if (dir.name === '.segment' && ctx.operandIndex >= 2) {
      const words = ctx.operandIndex === 2 ? ['memory', 'aperture'] : ctx.operandIndex === 4 ? ['cpuvisible'] : [];
      if (words.length) return words.map((k) => ({ label: k, kind: CompletionItemKind.EnumMember }));
    }
    if (dir.name === '.segment' && ctx.operandIndex <= 1) return [];
    if (dir.name === '.equ' && ctx.operandIndex === 0) return [];
    return symbolItems(a, ['constant', 'label'], ctx.word);
  }
  return [];
}
