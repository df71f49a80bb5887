// `paging-lab disasm FILE.bin [--start N] [--limit N] [--no-addresses]`: prints a paging buffer as
// pgasm text that `paging-lab asm` turns back into the same bytes.

import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { disassemblyChunks } from '../../isa/disassembler';
import type { Command } from '../command';
import { integerOption, parseOptions, UsageError, type OptionSpecs } from '../options';

const USAGE = 'usage: paging-lab disasm FILE.bin [--start OFFSET] [--limit OFFSET] [--no-addresses]';

const OFFSET = 'a byte offset (decimal or 0x hex)';
const OPTIONS = {
  start: { type: 'string', value: OFFSET },
  limit: { type: 'string', value: OFFSET },
  'no-addresses': { type: 'boolean' },
} as const satisfies OptionSpecs;

function offsetOption(flag: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : integerOption(flag, text, { minimum: 0, maximum: Number.MAX_SAFE_INTEGER }, OFFSET);
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
    try {
      const { values, positionals } = parseOptions(args, OPTIONS, { max: 1, noun: 'input file' });
      if (values.help) {
        process.stdout.write(USAGE + '\n');
        return 0;
      }
      [input] = positionals;
      start = offsetOption('--start', values.start);
      limit = offsetOption('--limit', values.limit);
      addresses = values['no-addresses'] !== true;
      if (input === undefined) throw new UsageError('no input file');
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      process.stderr.write(`paging-lab disasm: ${e.message}\n${USAGE}\n`);
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
    // Written as it is made, so memory stays bounded by the input however long the text gets.
    for (const chunk of disassemblyChunks(bytes, { start, limit, addresses })) {
      if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
    }
    return 0;
  },
};
