// `paging-lab disasm` streams its text: dumps far larger than their disassembly's records would fit
// in come out of a process whose heap is capped at 64 MB, and the text reassembles to the same bytes.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../src/isa/assembler';
import { distFile, tempDir } from '../setup';

function disasm(bytes: Uint8Array): { status: number | null; out: string; err: string } {
  const file = join(tempDir('paging-lab-disasm-'), 'dump.bin');
  writeFileSync(file, bytes);
  const r = spawnSync(process.execPath, ['--max-old-space-size=64', distFile('cli.js'), 'disasm', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe('cli: disasm of large dumps', function () {
  this.timeout(120_000);

  it('16 MiB of zeros is one .zero line, in bounded memory', () => {
    const zeros = new Uint8Array(16 << 20);
    const r = disasm(zeros);
    assert.equal(r.status, 0, r.err);
    assert.deepEqual(r.out.split('\n'), ['; 16777216 bytes from offset 0x0', '.dmasize 0x1000000', '    .zero 0x1000000                                  ; +0x0 not an instruction: zero bytes (0x00 is not an opcode)', '']);
    const back = assemble(r.out);
    assert.deepEqual(back.diagnostics, []);
    assert.equal(back.bytes.length, zeros.length);
  });

  it('2 MiB of bytes that are no instruction stream out line by line, in bounded memory', () => {
    const bytes = new Uint8Array(2 << 20);
    for (let i = 0; i < bytes.length; i++) bytes[i] = 0x77 ^ (i & 0x0f);
    const r = disasm(bytes);
    assert.equal(r.status, 0, r.err);
    const lines = r.out.split('\n');
    assert.equal(lines.length, 3 + bytes.length / 4);
    assert.match(lines[2], /^ {4}\.u32 0x74757677 +; \+0x0 not an instruction: 0x77 is not an opcode$/);
    assert.deepEqual(assemble(r.out).bytes, bytes);
  });
});
