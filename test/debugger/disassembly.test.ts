// The Disassembly view's rows around a paging buffer: instructions inside it, one end marker where
// it ends, data (not invalid instructions) outside it, and a short bytes column.
import assert from 'node:assert/strict';
import { assemble } from '../../src/isa/assembler';
import { disassemble, SHOWN_INSTRUCTION_BYTES, type DisassemblyContext } from '../../src/debugger/gpu/disassembly';

function context(code: Uint8Array, at: number, size = 0x1000, extra: (mem: Uint8Array) => void = () => undefined): DisassemblyContext {
  const mem = new Uint8Array(size);
  mem.set(code, at);
  extra(mem);
  return {
    read: (address, length) => {
      const bytes = new Uint8Array(length);
      const n = Math.max(0, Math.min(length, size - address));
      if (n > 0) bytes.set(mem.subarray(address, address + n));
      return { bytes, readable: (i) => address + i < size, allReadable: address + length <= size };
    },
    regions: [{ start: at, length: code.length, name: 'paging buffer 0' }],
    segmentName: (id) => (id === 1 ? 'vram' : undefined),
    addressLimit: 2 ** 48,
  };
}

describe('disassembly around a paging buffer', () => {
  const program = assemble('fill vram:0x1000, 0x40, 0xDEADBEEF\nnop\nfence phys:0, 1\n');
  assert.equal(program.diagnostics.filter((d) => d.severity === 'error').length, 0);
  const code = program.bytes;

  it('marks the end of the buffer once, then shows zeros as one data row, never as invalid instructions', () => {
    const ctx = context(code, 0x100);
    const rows = disassemble(ctx, 0x100, 0, 8);
    assert.equal(rows.length, 8);
    assert.deepEqual(rows.slice(0, 3).map((r) => r.instruction.split(' ')[0]), ['fill', 'nop', 'fence']);
    const end = rows[3];
    assert.equal(Number(end.address), 0x100 + code.length);
    assert.match(end.instruction, /^\.(u8|zero) .*; \(end of paging buffer\)$/);
    assert.equal(rows.filter((r) => /end of paging buffer/.test(r.instruction)).length, 1);
    for (const r of rows.slice(3)) {
      assert.notEqual(r.presentationHint, 'invalid', r.instruction);
      assert.doesNotMatch(r.instruction, /invalid/, r.instruction);
      assert.match(r.instruction, /^\.(u8|zero) /);
    }
    assert.ok(rows.slice(4).some((r) => /^\.zero 0x[0-9a-f]+$/.test(r.instruction)), 'a run of zeros is one .zero row');
  });

  it('writes every row outside the buffer as pgasm that assembles back to its bytes', () => {
    const stale = new Uint8Array([1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]);
    const ctx = context(code, 0x100, 0x1000, (mem) => mem.set(stale, 0x100 + code.length + 3));
    const rows = disassemble(ctx, 0x100, 3, 12);
    const mem = ctx.read(0, 0x1000).bytes;
    for (let i = 0; i < rows.length - 1; i++) {
      const r = rows[i];
      const a = Number(r.address);
      const length = Number(rows[i + 1].address) - a;
      const asm = assemble(r.instruction + '\n');
      assert.deepEqual(asm.diagnostics.filter((d) => d.severity === 'error'), [], r.instruction);
      assert.deepEqual([...asm.bytes], [...mem.subarray(a, a + length)], `${r.instruction} at ${r.address}`);
    }
  });

  it('shows the bytes before the buffer as data, and an earlier buffer\'s instruction where one decodes', () => {
    const stale = assemble('nop\n').bytes;
    const ctx = context(code, 0x800, 0x1000, (mem) => mem.set(stale, 0x800 + code.length + 8));
    const before = disassemble(ctx, 0x800, -3, 4);
    assert.equal(before.length, 4);
    assert.deepEqual(before.map((r) => Number(r.address)), [0x500, 0x600, 0x700, 0x800], 'one row per span of zeros, then the buffer');
    for (const r of before.slice(0, 3)) assert.equal(r.instruction, '.zero 0x100');
    const after = disassemble(ctx, 0x800 + code.length, 0, 3);
    assert.match(after[0].instruction, /end of paging buffer/);
    assert.equal(Number(after[1].address), 0x800 + code.length + 8);
    assert.equal(after[1].instruction, 'nop', 'a leftover instruction decodes as one');
  });

  it('keeps the bytes column short: the first bytes and an ellipsis', () => {
    const rows = disassemble(context(code, 0x100), 0x100, 0, 1);
    const shown = rows[0].instructionBytes!.split(' ');
    assert.equal(shown.length, SHOWN_INSTRUCTION_BYTES + 1, rows[0].instructionBytes);
    assert.equal(shown[SHOWN_INSTRUCTION_BYTES], '\u2026');
  });

  it('still shows an invalid instruction inside the buffer as one', () => {
    const bad = new Uint8Array([...code, 0xff, 0xff, 0xff, 0xff]);
    const rows = disassemble(context(bad, 0x100), 0x100, 3, 1);
    assert.equal(rows[0].presentationHint, 'invalid');
    assert.match(rows[0].instruction, /^\(invalid: /);
  });
});
