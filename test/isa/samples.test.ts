// samples/pgasm: every operation of the opcode table has a sample, every sample assembles with no
// diagnostic at all, uses only the default segments, and explains itself in comments.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../src/isa/assembler';
import { disassemble } from '../../src/isa/disassembler';
import { decodeAll } from '../../src/isa/encoding';
import { OPCODES } from '../../src/isa/opcodes';

const DIR = join(__dirname, '..', '..', 'samples', 'pgasm');
const SAMPLES = readdirSync(DIR)
  .filter((f) => f.endsWith('.pgasm'))
  .map((f) => ({ name: f, text: readFileSync(join(DIR, f), 'utf8') }));

describe('isa: samples/pgasm', () => {
  it('has a sample using each opcode', () => {
    const used = new Set<string>();
    for (const s of SAMPLES) {
      const r = assemble(s.text);
      for (const l of r.lines) {
        if (!l.instruction) continue;
        const d = decodeAll(r.bytes, l.offset, l.offset + l.length)[0];
        if (d.ok) used.add(d.instr.op.mnemonic);
      }
    }
    assert.deepEqual(OPCODES.map((o) => o.mnemonic).filter((m) => !used.has(m)), []);
  });

  for (const s of SAMPLES) {
    it(`${s.name} assembles cleanly with the default segments, round-trips, and is commented`, () => {
      const r = assemble(s.text);
      assert.deepEqual(r.diagnostics, []);
      assert.ok(r.bytes.length > 0);
      assert.deepEqual(assemble(disassemble(r.bytes).text).bytes, r.bytes);
      const lines = s.text.split('\n');
      assert.ok(lines[0].startsWith('; '), 'opens with a comment saying what it shows');
      const comments = r.statements.filter((st) => st.comment).length;
      assert.ok(comments >= r.lines.filter((l) => l.instruction).length, 'about one comment per instruction');
    });
  }
});
