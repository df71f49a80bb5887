// `paging-lab disasm FILE.bin [--start N] [--limit N] [--no-addresses]`: prints a paging buffer as
// pgasm text that `paging-lab asm` turns back into the same bytes.

import { readFileSync } from 'node:fs';
import { disassemble } from '../../isa/disassembler';
import type { Command } from '../command';

const USAGE = 'usage: paging-lab disasm FILE.bin [--start OFFSET] [--limit OFFSET] [--no-addresses]';

function parseOffset(text: string | undefined): number | undefined {
  if (text === undefined || !/^(0x[0-9a-f]+|[0-9]+)$/i.test(text)) return undefined;
  return Number(text);
}

export const disasmCommand: Command = {
  name: 'disasm',
  synopsis: 'disasm FILE.bin [--start N]',
  summary: 'Print a binary paging buffer as paging assembly.',
  async run(args: string[]): Promise<number> {
    let input: string | undefined;
    let start: number | undefined;
    let limit: number | undefined;
    let addresses = true;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '--start' || a === '--limit') {
        const v = parseOffset(args[++i]);
        if (v === undefined) {
          process.stderr.write(`paging-lab disasm: ${a} needs a byte offset (decimal or 0x hex)\n${USAGE}\n`);
          return 2;
        }
        if (a === '--start') start = v;
        else limit = v;
      } else if (a === '--no-addresses') addresses = false;
      else if (a === '-h' || a === '--help') {
        process.stdout.write(USAGE + '\n');
        return 0;
      } else if (a.startsWith('-')) {
        process.stderr.write(`paging-lab disasm: unknown option '${a}'\n${USAGE}\n`);
        return 2;
      } else if (input === undefined) input = a;
      else {
        process.stderr.write(`paging-lab disasm: one input file only\n${USAGE}\n`);
        return 2;
      }
    }
    if (input === undefined) {
      process.stderr.write(`paging-lab disasm: no input file\n${USAGE}\n`);
      return 2;
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(input));
    } catch (e) {
      process.stderr.write(`paging-lab disasm: cannot read ${input}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
      return 1;
    }
    if (start !== undefined && start > bytes.length) {
      process.stderr.write(`paging-lab disasm: --start ${start} is past the end of ${input} (${bytes.length} bytes)\n`);
      return 1;
    }
    if (start !== undefined && start % 4 !== 0) {
      process.stderr.write(`paging-lab disasm: --start ${start} is not a multiple of 4, so it cannot be an instruction boundary\n`);
      return 1;
    }
    process.stdout.write(disassemble(bytes, { start, limit, addresses }).text);
    return 0;
  },
};
