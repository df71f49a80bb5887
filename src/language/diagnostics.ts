// Assembler diagnostics as LSP diagnostics: same range and code, the severity mapped, and a
// codeDescription link to the documentation of the opcode or directive the rule is about.

import { Diagnostic, DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver';
import type { AsmDiagnostic, Severity } from '../isa/asmTypes';
import type { Analysis } from './analysis';
import type { DocsLinks } from './docsLink';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** The assembler's own diagnostic is kept in `data` so code actions need not re-assemble. */
export interface DiagnosticData {
  asm: { code: string; topic?: string; data?: AsmDiagnostic['data'] };
}

export function toLspDiagnostic(d: AsmDiagnostic, links: DocsLinks, uri: string): Diagnostic {
  // An unknown mnemonic has no topic of its own: its link is the list of opcodes.
  const href = links.href([d.topic, d.code], d.code === 'PGA002' ? 'opcodes' : 'diagnostic');
  const out: Diagnostic = {
    range: d.range,
    severity: SEVERITY[d.severity] ?? DiagnosticSeverity.Error,
    code: d.code,
    source: 'pgasm',
    message: d.message,
    data: { asm: { code: d.code, topic: d.topic, data: d.data } } satisfies DiagnosticData,
  };
  if (href) out.codeDescription = { href };
  if (d.code === 'PGA013') out.tags = [DiagnosticTag.Unnecessary];
  // A name defined twice points at its first definition.
  const previous = d.data?.previous as AsmDiagnostic['range'] | undefined;
  if (previous && typeof previous === 'object' && previous.start) {
    out.relatedInformation = [{ location: { uri, range: previous }, message: 'first defined here' }];
  }
  return out;
}

export function diagnosticsFor(a: Analysis, links: DocsLinks): Diagnostic[] {
  const out = a.result.diagnostics.map((d) => toLspDiagnostic(d, links, a.uri));
  if (a.internalError) {
    out.push({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: DiagnosticSeverity.Error,
      source: 'pgasm',
      code: 'internal',
      message: `The assembler failed on this file; the other diagnostics may be missing. ${a.internalError.split('\n')[0]}`,
    });
  }
  return out;
}
