// Signature help: the opcode's or directive's operand list with the operand under the cursor active,
// and each operand's meaning as its documentation.

import { MarkupKind, ParameterInformation, Position, SignatureHelp } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from './analysis';
import { directiveOf, directiveSignature, lineContext, opcodeOf, opcodeSignature, operandMarkdown } from './syntax';

export function signatureHelp(_a: Analysis, doc: TextDocument, pos: Position): SignatureHelp | null {
  const prefix = doc.getText({ start: { line: pos.line, character: 0 }, end: pos });
  const ctx = lineContext(prefix);
  if (ctx.inComment || !ctx.head) return null;
  const op = ctx.head.startsWith('.') ? undefined : opcodeOf(ctx.head);
  if (op) {
    const sig = opcodeSignature(op);
    const parameters: ParameterInformation[] = sig.params.map((p, i) => ({
      label: p,
      documentation: {
        kind: MarkupKind.Markdown,
        value: i < op.operands.length ? operandMarkdown(op.operands[i]) : op.flags.map((f) => `\`${f.name}\`: ${f.doc}`).join('\n\n'),
      },
    }));
    const active = Math.min(ctx.operandIndex, parameters.length - 1);
    return {
      signatures: [{ label: sig.label, documentation: { kind: MarkupKind.Markdown, value: `${op.summary}\n\n${op.doc}` }, parameters, activeParameter: Math.max(active, 0) }],
      activeSignature: 0,
      activeParameter: Math.max(active, 0),
    };
  }
  const dir = directiveOf(ctx.head);
  if (dir) {
    const sig = directiveSignature(dir);
    // Repeated operands (`value, ...`) keep the last named one active.
    const active = Math.max(0, Math.min(ctx.operandIndex, sig.params.length - 1 - (dir.operands.includes('...') ? 1 : 0)));
    return {
      signatures: [
        {
          label: sig.label,
          documentation: dir.doc,
          parameters: sig.params.map((p) => ({ label: p })),
          activeParameter: active,
        },
      ],
      activeSignature: 0,
      activeParameter: active,
    };
  }
  return null;
}
