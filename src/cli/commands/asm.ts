// `paging-lab asm FILE.pgasm [-o FILE.bin]`: assembles a paging program. Diagnostics go to stderr as
// `file:line:col: severity CODE: message` (the form editors and CI problem matchers read); any
// error means exit status 1 and no output file.

import { readFileSync, writeFileSync } from 'node:fs';
import type { AsmDiagnostic } from '../../isa/asmTypes';
import { assemble } from '../../isa/assembler';
import type { Command } from '../command';
import { parseOptions, UsageError, type OptionSpecs } from '../options';

export function formatDiagnostic(file: string, d: AsmDiagnostic): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code}: ${d.message}`;
}

const USAGE = 'usage: paging-lab asm FILE.pgasm [-o FILE.bin]';
const OPTIONS = { output: { type: 'string', short: 'o', value: 'a file name' } } as const satisfies OptionSpecs;

export const asmCommand: Command = {
  name: 'asm',
  synopsis: 'asm FILE.pgasm [-o FILE.bin]',
  summary: 'Assemble paging instructions into a binary paging buffer.',
  async run(args: string[]): Promise<number> {
    let input: string | undefined;
    let output: string | undefined;
    try {
      const { values, positionals } = parseOptions(args, OPTIONS, { max: 1, noun: 'input file' });
      if (values.help) {
        process.stdout.write(USAGE + '\n');
        return 0;
      }
      [input] = positionals;
      output = values.output;
      if (input === undefined) throw new UsageError('no input file');
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      process.stderr.write(`paging-lab asm: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    let text: string;
    try {
      text = readFileSync(input, 'utf8');
    } catch (e) {
      process.stderr.write(`paging-lab asm: cannot read ${input}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
      return 1;
    }
    const result = assemble(text);
    let errors = 0;
    for (const d of result.diagnostics) {
      if (d.severity === 'error') errors++;
      process.stderr.write(formatDiagnostic(input, d) + '\n');
    }
    if (errors) {
      process.stderr.write(`paging-lab asm: ${errors} error${errors === 1 ? '' : 's'}; no output written\n`);
      return 1;
    }
    const out = output ?? input.replace(/\.pgasm$/i, '') + '.bin';
    try {
      writeFileSync(out, result.bytes);
    } catch (e) {
      process.stderr.write(`paging-lab asm: cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
      return 1;
    }
    const count = result.lines.filter((l) => l.instruction).length;
    process.stdout.write(`${out}: ${result.bytes.length} bytes, ${count} instruction${count === 1 ? '' : 's'}\n`);
    return 0;
  },
};
