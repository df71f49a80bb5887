// Quick fixes for the common errors. Where the assembler proposes a replacement (a misspelt
// mnemonic, directive, flag or symbol: `data.replacement`) that is the fix; the others are computed
// here from the diagnostic, the parsed statement and the opcode table:
//   PGA006 value out of range      -> the nearest value in range
//   PGA007 value not aligned       -> the nearest aligned values above and below
//   PGA010 program too large       -> raise (or declare) .dmasize to fit
//   PGA012 undefined symbol        -> define it as a constant (when no spelling fix exists)
//   PGA013 unreachable instruction -> move the data that stops the engine after the last instruction

import { CodeAction, CodeActionKind, CodeActionParams, Diagnostic, TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { OperandInfo } from '../isa/opcodes';
import type { Analysis } from './analysis';
import type { DiagnosticData } from './diagnostics';
import { opcodeOf } from './syntax';

function asmOf(d: Diagnostic): DiagnosticData['asm'] | undefined {
  const data = d.data as Partial<DiagnosticData> | undefined;
  return data && typeof data === 'object' && data.asm ? data.asm : undefined;
}

function fix(title: string, d: Diagnostic, uri: string, edits: TextEdit[], preferred = false): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: preferred, edit: { changes: { [uri]: edits } } };
}

/** A plain decimal or 0x literal (no suffix, no expression), as a bigint. */
function literal(text: string): bigint | undefined {
  const t = text.trim().replace(/_/g, '');
  return /^(0x[0-9a-f]+|\d+)$/i.test(t) ? BigInt(t) : undefined;
}

function sameBase(original: string, v: bigint): string {
  return /^\s*0x/i.test(original) ? '0x' + v.toString(16).toUpperCase() : v.toString();
}

/** The opcode operand whose text holds the diagnostic's range. */
function operandAt(a: Analysis, d: Diagnostic): OperandInfo | undefined {
  const s = a.statementAt(d.range.start.line);
  if (!s?.head || s.head.directive) return undefined;
  const op = opcodeOf(s.head.name);
  const i = s.operands.findIndex(
    (o) => o.range.start.character <= d.range.start.character && d.range.end.character <= o.range.end.character,
  );
  return op && i >= 0 ? op.operands[i] : undefined;
}

function lineRange(doc: TextDocument, line: number) {
  return { start: { line, character: 0 }, end: { line: line + 1, character: 0 } };
}

export function codeActions(a: Analysis, doc: TextDocument, params: CodeActionParams): CodeAction[] {
  if (params.context.only && !params.context.only.some((k) => CodeActionKind.QuickFix.startsWith(k))) return [];
  const out: CodeAction[] = [];
  for (const d of params.context.diagnostics) {
    if (d.source !== 'pgasm') continue;
    const asm = asmOf(d);
    const code = asm?.code ?? String(d.code ?? '');
    const data = asm?.data ?? {};
    const current = doc.getText(d.range);
    const replacement = typeof data.replacement === 'string' ? data.replacement : undefined;
    if (replacement !== undefined && replacement !== current) {
      out.push(fix(`Change to '${replacement}'`, d, doc.uri, [{ range: d.range, newText: replacement }], true));
      continue;
    }
    switch (code) {
      case 'PGA006': {
        const v = literal(current);
        const o = operandAt(a, d);
        if (v === undefined || o?.min === undefined || o.max === undefined) break;
        const to = v < BigInt(o.min) ? BigInt(o.min) : v > BigInt(o.max) ? BigInt(o.max) : undefined;
        if (to !== undefined) out.push(fix(`Change to ${sameBase(current, to)} (${o.name} is ${o.min}..${o.max})`, d, doc.uri, [{ range: d.range, newText: sameBase(current, to) }], true));
        break;
      }
      case 'PGA007': {
        const v = literal(current);
        const o = operandAt(a, d);
        if (v === undefined || !o?.align) break;
        const align = BigInt(o.align);
        const down = (v / align) * align;
        const up = down + align;
        out.push(fix(`Align up to ${sameBase(current, up)}`, d, doc.uri, [{ range: d.range, newText: sameBase(current, up) }], true));
        if (o.min === undefined || down >= BigInt(o.min)) {
          out.push(fix(`Align down to ${sameBase(current, down)}`, d, doc.uri, [{ range: d.range, newText: sameBase(current, down) }]));
        }
        break;
      }
      case 'PGA010': {
        const size = typeof data.size === 'number' ? data.size : undefined;
        if (!size) break;
        const fit = Math.ceil(size / 4096) * 4096;
        const text = fit % 1024 === 0 ? `${fit / 1024}K` : String(fit);
        const decl = a.result.statements.find((s) => s.head?.name === '.dmasize' && s.operands.length === 1);
        const edit = decl
          ? { range: decl.operands[0].range, newText: text }
          : { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: `.dmasize ${text}\n` };
        out.push(fix(`Set .dmasize to ${text}`, d, doc.uri, [edit], true));
        break;
      }
      case 'PGA012': {
        if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(current)) break;
        // After the last .equ, or at the top when there is none.
        const lastEqu = [...a.result.statements].reverse().find((s) => s.head?.name === '.equ');
        const line = lastEqu ? lastEqu.line + 1 : 0;
        out.push(fix(`Define constant '${current}'`, d, doc.uri, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `.equ ${current}, 0\n` }]));
        break;
      }
      case 'PGA013': {
        // The data that stops the engine is the last data line before the unreachable instruction.
        const dataLine = a.result.lines
          .filter((l) => !l.instruction && l.line < d.range.start.line)
          .reduce<number | undefined>((best, l) => (best === undefined || l.line > best ? l.line : best), undefined);
        if (dataLine === undefined) break;
        const lastInstruction = a.result.lines.filter((l) => l.instruction).reduce((m, l) => Math.max(m, l.line), -1);
        if (lastInstruction <= dataLine) break;
        const text = doc.getText(lineRange(doc, dataLine));
        const movedText = text.endsWith('\n') ? text : text + '\n';
        const after = lastInstruction + 1;
        const insertAt = after >= doc.lineCount ? { line: doc.lineCount - 1, character: doc.getText(lineRange(doc, doc.lineCount - 1)).length } : { line: after, character: 0 };
        const newText = after >= doc.lineCount ? '\n' + movedText.replace(/\r?\n$/, '') : movedText;
        out.push(
          fix(`Move the data on line ${dataLine + 1} after the last instruction`, d, doc.uri, [
            { range: lineRange(doc, dataLine), newText: '' },
            { range: { start: insertAt, end: insertAt }, newText },
          ], true),
        );
        break;
      }
    }
  }
  return out;
}
