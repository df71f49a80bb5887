// Every diagnostic the assembler can report, with a stable code. Codes are never reused or
// renumbered: editors, CI logs and docs refer to them. docs/pgasm.md lists this table, and each
// code has a test that checks its message and range.

import type { Severity } from './asmTypes';

export interface DiagnosticCodeInfo {
  severity: Severity;
  title: string;
}

export const DIAGNOSTIC_CODES = {
  PGA000: { severity: 'error', title: 'Internal assembler error (please report it with the input).' },
  PGA001: { severity: 'error', title: 'Syntax error.' },
  PGA002: { severity: 'error', title: 'Unknown mnemonic.' },
  PGA003: { severity: 'error', title: 'Unknown directive.' },
  PGA004: { severity: 'error', title: 'Wrong number of operands.' },
  PGA005: { severity: 'error', title: 'Wrong kind of operand (a location where a number is expected, or the reverse).' },
  PGA006: { severity: 'error', title: 'Value out of range.' },
  PGA007: { severity: 'error', title: 'Value not aligned as the operand requires.' },
  PGA008: { severity: 'error', title: 'Access outside the segment.' },
  PGA009: { severity: 'error', title: 'Location space not allowed for this operand.' },
  PGA010: { severity: 'error', title: 'Program larger than the DMA buffer.' },
  PGA011: { severity: 'error', title: 'Name defined twice.' },
  PGA012: { severity: 'error', title: 'Undefined symbol.' },
  PGA013: { severity: 'warning', title: 'Unreachable instruction: the engine stops at data that is not an instruction before it.' },
  PGA014: { severity: 'error', title: 'Unknown flag.' },
  PGA015: { severity: 'error', title: 'Unknown segment or location space.' },
  PGA016: { severity: 'error', title: 'Division by zero.' },
  PGA017: { severity: 'error', title: 'Constant defined in terms of itself.' },
  PGA018: { severity: 'error', title: 'Invalid number literal.' },
  PGA019: { severity: 'error', title: 'Value needed before the symbol it uses is defined.' },
  PGA020: { severity: 'warning', title: 'Segment not declared: its bounds are not checked.' },
  PGA021: { severity: 'warning', title: 'Flag given more than once.' },
  PGA022: { severity: 'error', title: 'Not an aperture segment.' },
  PGA023: { severity: 'warning', title: 'mdl() does not point at a .pages list of this file.' },
  PGA024: { severity: 'warning', title: 'Access runs past the end of the page list.' },
  PGA025: { severity: 'error', title: 'Invalid .segment declaration.' },
  PGA026: { severity: 'error', title: 'Segment id declared twice.' },
  PGA027: { severity: 'error', title: '.dmasize given more than once.' },
  PGA028: { severity: 'error', title: 'Reserved word used as a name.' },
  PGA029: { severity: 'error', title: 'Constant reached through too long a chain of other constants.' },
  PGA099: { severity: 'information', title: 'More diagnostics than the limit; the rest are not shown.' },
} as const satisfies Record<string, DiagnosticCodeInfo>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
