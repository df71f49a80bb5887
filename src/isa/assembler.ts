// The pgasm assembler: text to bytes, with a line map, symbols, per-line statements and lexical
// tokens for the editor, and every problem as a diagnostic (it never throws and never stops early).
// The passes are in asm/assembler.ts; the parts they use (statements, names, evaluation, encoding,
// whole-program checks) each have a file of their own under asm/.

import type { AssembleOptions, AssembleResult } from './asmTypes';
import { Assembler } from './asm/assembler';
import { failedResult } from './asm/result';

export { DIAGNOSTIC_CODES } from './diagnosticCodes';
export { DIRECTIVES } from './directives';

/** Assembles pgasm text. Never throws: problems, even internal ones, come back as diagnostics. */
export function assemble(text: string, options: AssembleOptions = {}): AssembleResult {
  try {
    return new Assembler(String(text), options).run();
  } catch (e) {
    return failedResult(e);
  }
}
