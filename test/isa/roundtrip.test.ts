// assemble(disassemble(bytes)) == bytes: for every opcode, for random valid streams, from every
// instruction boundary, with page lists, and for bytes that are not instructions at all.

import assert from 'node:assert/strict';
import { assemble } from '../../src/isa/assembler';
import type { SegmentDecl } from '../../src/isa/asmTypes';
import { disassemble } from '../../src/isa/disassembler';
import { encode } from '../../src/isa/encoding';
import { OPCODES } from '../../src/isa/opcodes';
import { int, randomInstruction, randomStream, rng } from './generate';

function reassemble(bytes: Uint8Array, options?: Parameters<typeof disassemble>[1]): { text: string; bytes: Uint8Array } {
  const { text } = disassemble(bytes, options);
  const r = assemble(text);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], text);
  return { text, bytes: r.bytes };
}

describe('isa: disassembler round trip', () => {
  it('every opcode, with random operands and flags', () => {
    const r = rng(21);
    for (const op of OPCODES) {
      for (let k = 0; k < 50; k++) {
        const bytes = encode(randomInstruction(r, op));
        const back = reassemble(bytes);
        assert.deepEqual(back.bytes, bytes, back.text);
        assert.ok(back.text.includes(op.mnemonic));
      }
    }
  });

  it('random valid streams, started at every instruction boundary', () => {
    const r = rng(22);
    for (let k = 0; k < 20; k++) {
      const { bytes, offsets } = randomStream(r, 40);
      for (const start of offsets) {
        const back = reassemble(bytes, { start });
        assert.deepEqual(back.bytes, bytes.subarray(start));
      }
    }
  });

  it('writes addresses, segment names and instructions one per line', () => {
    const src = 'copy vram:0x1000, local:0x2000, 4K\nfence phys:0, 42, irq, monitored\napmap gart, 2, 1, mdl(phys:0x5000)+0x1000, coherent';
    const { text, lines } = disassemble(assemble(src).bytes);
    assert.deepEqual(
      lines.map((l) => [l.offset, l.text]),
      [
        [0, 'copy vram:0x1000, local:0x2000, 0x1000'],
        [44, 'fence phys:0x0, 0x2A, irq, monitored'],
        [72, 'apmap gart, 2, 1, mdl(phys:0x5000)+0x1000, coherent'],
      ],
    );
    assert.match(text, /copy vram:0x1000, local:0x2000, 0x1000 +; \+0x0\n/);
    assert.match(text, /; \+0x48\n/);
  });

  it('page lists become labelled .pages, referenced by name', () => {
    const src = 'copy vram:0, mdl(list)+0x1000, 4K\nnop\nlist: .pages 0x100000, 0x200000';
    const a = assemble(src);
    const { text, lines } = disassemble(a.bytes);
    assert.match(text, /copy vram:0x0, mdl\(pl_0030\)\+0x1000, 0x1000/);
    assert.match(text, /pl_0030:\n {4}\.pages 0x100000, 0x200000/);
    assert.deepEqual(lines.map((l) => l.kind), ['instruction', 'instruction', 'pages']);
    assert.deepEqual(assemble(text).bytes, a.bytes);
    // Started past the first instruction, the reference stays numeric and still round-trips.
    const later = reassemble(a.bytes, { start: 44 });
    assert.deepEqual(later.bytes, a.bytes.subarray(44));
  });

  it('uses given labels and segments, and declares segments the defaults do not have', () => {
    const segments: SegmentDecl[] = [
      { name: 'vram', id: 1, kind: 'memory', size: 64 << 20, cpuVisible: true },
      { name: 'big', id: 5, kind: 'memory', size: 1 << 30, cpuVisible: false },
    ];
    const src = '.segment big, 5, memory, 1G\nstart: copy big:0x100000, vram:0, 64\nfence phys:0, 1';
    const a = assemble(src);
    assert.deepEqual(a.diagnostics, []);
    const { text } = disassemble(a.bytes, { segments, labels: new Map([[0, 'start'], [44, 'done']]) });
    assert.match(text, /\.segment big, 5, memory, 0x40000000\n/);
    assert.match(text, /\.segment vram, 1, memory, 0x4000000, cpuvisible\n/);
    assert.match(text, /start:\n {4}copy big:0x100000, vram:0x0, 0x40/);
    assert.match(text, /done:\n {4}fence/);
    assert.deepEqual(assemble(text).bytes, a.bytes);
  });

  it('bytes that are no instruction come back as commented data', () => {
    const r = rng(23);
    for (let k = 0; k < 300; k++) {
      const bytes = new Uint8Array(int(r, 1, 200));
      for (let i = 0; i < bytes.length; i++) bytes[i] = r() < 0.3 ? 0 : int(r, 0, 255);
      if (r() < 0.5) bytes.set(encode(randomInstruction(r)).subarray(0, Math.min(bytes.length, 48)));
      const back = reassemble(bytes);
      assert.deepEqual(back.bytes, bytes, back.text);
    }
    const { text } = disassemble(new Uint8Array([0x77, 0, 0, 0, 0x01, 0, 1]));
    assert.match(text, /\.u32 0x00000077 +; \+0x0 not an instruction: 0x77 is not an opcode\n/);
    assert.match(text, /\.u8 0x01, 0x00, 0x01 +; \+0x4 not an instruction: truncated instruction header\n/);
  });

  it('an instruction outside the segments is written as data, so the text still assembles', () => {
    const bytes = assemble('.segment vram, 1, memory, 1G\ncopy vram:0x20000000, vram:0, 64').bytes;
    const { text, lines } = disassemble(bytes);
    assert.equal(lines[0].kind, 'data');
    assert.match(lines[0].reason!, /runs past the end of segment vram \(256M\)/);
    assert.deepEqual(assemble(text).bytes, bytes);
  });

  it('writes a run of zero bytes as one .zero line, however long', () => {
    const zeros = new Uint8Array(16 << 20);
    const { text, lines } = disassemble(zeros);
    assert.equal(text, '; 16777216 bytes from offset 0x0\n.dmasize 0x1000000\n    .zero 0x1000000                                  ; +0x0 not an instruction: zero bytes (0x00 is not an opcode)\n');
    assert.deepEqual(lines, [{ offset: 0, length: 16 << 20, text: '.zero 0x1000000', kind: 'data', reason: 'zero bytes (0x00 is not an opcode)' }]);
    const back = assemble(text);
    assert.deepEqual(back.diagnostics, []);
    assert.equal(back.bytes.length, zeros.length);
    assert.ok(back.bytes.every((b) => b === 0));
  });

  it('a run of zeros ends where an instruction, a page list or a label starts, and at odd lengths', () => {
    const a = assemble('copy vram:0, mdl(list)+0, 4K\n.zero 12\nlist: .pages 0x100000\n.zero 3\nnop\n.zero 6');
    const { text, lines } = disassemble(a.bytes, { labels: new Map([[44, 'gap']]) });
    assert.deepEqual(lines.map((l) => [l.offset, l.length, l.text]), [
      [0, 44, 'copy vram:0x0, mdl(pl_0038)+0x0, 0x1000'],
      [44, 12, '.zero 0xC'],
      [56, 16, '.pages 0x100000'],
      // The nop after `.zero 3` is not at an instruction boundary of the decoder, so it reads as data.
      [72, 4, '.u32 0x01000000'],
      [76, 4, '.u32 0x00000100'],
      [80, 5, '.zero 5'],
    ]);
    assert.match(text, /^gap:\n {4}\.zero 0xC /m);
    assert.deepEqual(assemble(text).bytes, a.bytes);
  });

  it('a long buffer gets the .dmasize it needs', () => {
    const bytes = new Uint8Array(100000);
    for (let i = 0; i < bytes.length; i += 4) bytes.set([0x01, 0, 1, 0], i);
    const back = reassemble(bytes);
    assert.match(back.text, /^\.dmasize 0x186A0$/m);
    assert.deepEqual(back.bytes, bytes);
  });
});
