// How the assembler reports problems: one method every part reports through (so the language
// server's incremental analysis can collect a line's diagnostics on their own), the severity from
// the code table, ranges on one line, and values written as the messages write them.

import type { AsmDiagnostic, Range, Severity } from '../asmTypes';
import { DIAGNOSTIC_CODES, DiagnosticCode } from '../diagnosticCodes';
import { hex, UPPER } from '../hex';

export interface DiagnosticSink {
  diag(code: string, message: string, line: number, s: number, e: number, topic?: string, data?: AsmDiagnostic['data']): void;
}

export const ZERO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function range(line: number, s: number, e: number): Range {
  return { start: { line, character: s }, end: { line, character: e } };
}

/** A diagnostic with its severity from the code table. */
export function diagnostic(code: string, message: string, line: number, s: number, e: number, topic?: string, data?: AsmDiagnostic['data']): AsmDiagnostic {
  const info = DIAGNOSTIC_CODES[code as DiagnosticCode];
  const d: AsmDiagnostic = { code, severity: info.severity as Severity, message, range: range(line, s, e) };
  if (topic) d.topic = topic;
  if (data) d.data = data;
  return d;
}

/** The diagnostics of one assembly, in the order they were found. */
export class DiagnosticList implements DiagnosticSink {
  readonly list: AsmDiagnostic[] = [];
  diag(code: string, message: string, line: number, s: number, e: number, topic?: string, data?: AsmDiagnostic['data']): void {
    this.list.push(diagnostic(code, message, line, s, e, topic, data));
  }
}

/** A value as messages write it: decimal when small, hex when large. */
export function fmt(v: bigint): string {
  return v >= -65536n && v <= 65536n ? v.toString() : v < 0n ? '-0x' + (-v).toString(16).toUpperCase() : hex(v, UPPER);
}
