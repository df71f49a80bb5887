// `paging-lab asm FILE.pgasm [-o FILE.bin]`: assembles a paging program. Diagnostics go to stderr as
// `file:line:col: severity CODE: message` (the form editors and CI problem matchers read); any
// error means exit status 1 and no output file.

import { readFileSync, writeFileSync } from 'node:fs';
import type { AsmDiagnostic } from '../../isa/asmTypes';
import { assemble } from '../../isa/assembler';
import type { Command } from '../command';

export function formatDiagnostic(file: string, d: AsmDiagnostic): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code}: ${d.message}`;
}

const USAGE = 'usage: paging-lab asm FILE.pgasm [-o FILE.bin]';

export const asmCommand: Command = {
  name: 'asm',
  synopsis: 'asm FILE.pgasm [-o FILE.bin]',
  summary: 'Assemble paging instructions into a binary paging buffer.',
  async run(args: string[]): Promise<number> {
    let input: string | undefined;
    let output: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '-o' || a === '--output') {
        output = args[++i];
        if (output === undefined) {
          process.stderr.write(`paging-lab asm: -o needs a file name\n${USAGE}\n`);
          return 2;
        }
      } else if (a === '-h' || a === '--help') {
        process.stdout.write(USAGE + '\n');
        return 0;
      } else if (a.startsWith('-')) {
        process.stderr.write(`paging-lab asm: unknown option '${a}'\n${USAGE}\n`);
        return 2;
      } else if (input === undefined) input = a;
      else {
        process.stderr.write(`paging-lab asm: one input file only ('${input}' and '${a}' given)\n${USAGE}\n`);
        return 2;
      }
    }
    if (input === undefined) {
      process.stderr.write(`paging-lab asm: no input file\n${USAGE}\n`);
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
