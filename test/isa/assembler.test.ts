// The pgasm language: literals, expressions, labels, constants, locations, flags, directives, and
// what the assembler hands to the editor (statements, tokens, symbols, line map).

import assert from 'node:assert/strict';
import { assemble, DIRECTIVES } from '../../src/isa/assembler';
import { decode, decodeAll, Instruction } from '../../src/isa/encoding';
import { LocationSpace, OPCODES, PageListBase } from '../../src/isa/opcodes';
import { DEFAULT_SEGMENTS } from '../../src/isa/profile';

function one(src: string): Instruction {
  const r = assemble(src);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), [], src);
  const d = decode(r.bytes, 0);
  assert.ok(d.ok, src);
  return d.instr;
}

function value(expr: string): bigint {
  return one(`pwrite phys:0, 8, ${expr}`).operands[2] as bigint;
}

describe('isa: assembler', () => {
  it('keeps each result intact when later files are assembled (no shared buffers leak between results)', () => {
    // The language server holds one result per open document while assembling others.
    const a = 'start: copy vram:0x1000, mdl(pages)+0, 4K ; first\n  fill local:0, 4K, 0x11223344\npages: .pages 0x100000\n';
    const b = 'x: nop\n  fence phys:0, 7, irq\n  wait phys:0x2000, 7\n  copyy vram:0, vram:4K, 16\n';
    const first = assemble(a);
    const expected = { bytes: Buffer.from(first.bytes).toString('hex'), diagnostics: JSON.stringify(first.diagnostics) };
    for (let i = 0; i < 5; i++) assemble(i % 2 ? b : b.repeat(200));
    assert.equal(Buffer.from(first.bytes).toString('hex'), expected.bytes);
    assert.equal(JSON.stringify(first.diagnostics), expected.diagnostics);
    // The lazy editor views, read only now, still describe the first file.
    const fresh = assemble(a);
    assert.deepEqual(first.tokens, fresh.tokens);
    assert.deepEqual(first.statements, fresh.statements);
    assert.deepEqual(first.lines, fresh.lines);
    assert.deepEqual([...first.symbols.keys()], [...fresh.symbols.keys()]);
    assert.equal(first.statements[0].head?.name, 'copy');
  });

  it('assembles the example of every opcode to an instruction of that opcode', () => {
    const pages = 'pages: .pages ' + Array.from({ length: 16 }, (_, i) => `0x${(0x100 + i).toString(16)}000`).join(', ');
    for (const op of OPCODES) {
      const r = assemble(`${op.example}\n${pages}`);
      assert.deepEqual(r.diagnostics, [], op.example);
      const d = decode(r.bytes, 0);
      assert.ok(d.ok && d.instr.op === op, op.example);
    }
  });

  it('reads decimal, hex and binary literals with separators and K/M/G suffixes', () => {
    assert.equal(value('1_000'), 1000n);
    assert.equal(value('0xFF_FF'), 0xffffn);
    assert.equal(value('0b1010'), 10n);
    assert.equal(value('4K'), 4096n);
    assert.equal(value('16m'), 16n << 20n);
    assert.equal(value('1G'), 1n << 30n);
    assert.equal(value('0x10K'), 16n * 1024n);
    assert.equal(value('0xFFFFFFFFFFFFFFFF'), (1n << 64n) - 1n);
  });

  it('evaluates expressions with C precedence in bigint', () => {
    assert.equal(value('1 + 2 * 3'), 7n);
    assert.equal(value('(1 + 2) * 3'), 9n);
    assert.equal(value('1 << 4 | 1'), 17n);
    assert.equal(value('0xF0 & 0x3C ^ 0x01'), 0x31n);
    assert.equal(value('7 / 2 + 7 % 2'), 4n);
    assert.equal(value('~0 & 0xFF'), 0xffn);
    assert.equal(value('-(-5)'), 5n);
    assert.equal(value('(1 << 64) - 1'), (1n << 64n) - 1n);
    assert.equal(value('1 << 63 >> 62'), 2n);
  });

  it('resolves labels and constants defined before or after use', () => {
    const r = assemble('.equ LEN, end - start\nstart: copy vram:0, mdl(list)+0, LEN\nend: nop\nlist: .pages 0x1000');
    assert.deepEqual(r.diagnostics, []);
    const copy = decode(r.bytes, 0);
    assert.ok(copy.ok);
    assert.deepEqual(copy.instr.operands, [
      { space: LocationSpace.Segment, sub: 1, aux: 0, address: 0 },
      { space: LocationSpace.Mdl, sub: PageListBase.DmaBuffer, aux: 0, address: 48 },
      44,
    ]);
    assert.equal(r.symbols.get('LEN')!.value, 44n);
    assert.equal(r.symbols.get('end')!.value, 44n);
  });

  it('writes every location form', () => {
    const loc = (text: string) => one(`pread ${text}, 1`).operands[0];
    assert.deepEqual(loc('vram:0x10'), { space: LocationSpace.Segment, sub: 1, aux: 0, address: 0x10 });
    assert.deepEqual(loc('local:4K + 2'), { space: LocationSpace.Segment, sub: 2, aux: 0, address: 4098 });
    assert.deepEqual(loc('seg7:0x20'), { space: LocationSpace.Segment, sub: 7, aux: 0, address: 0x20 });
    assert.deepEqual(loc('phys:0x100000'), { space: LocationSpace.Physical, sub: 0, aux: 0, address: 0x100000 });
    assert.deepEqual(loc('va:1G'), { space: LocationSpace.GpuVirtual, sub: 0, aux: 0, address: 1 << 30 });
    assert.deepEqual(loc('mdl(phys:0x8000)+12'), { space: LocationSpace.Mdl, sub: PageListBase.Physical, aux: 12, address: 0x8000 });
    assert.deepEqual(loc('MDL(PHYS:0x8000)'), { space: LocationSpace.Mdl, sub: PageListBase.Physical, aux: 0, address: 0x8000 });
  });

  it('sets flags from trailing keywords, in any order and case', () => {
    assert.equal(one('fence phys:0, 1, monitored, IRQ').flags, 3);
    assert.equal(one('ptupdate 0, 1, vram:0, readonly').flags, 2);
    assert.equal(one('apmap gart, 0, 1, mdl(phys:0)+0').flags, 0);
  });

  it('handles directives: .segment, .dmasize, .align, data', () => {
    const r = assemble('.dmasize 1K\n.segment big, 9, memory, 1G, cpuvisible\n.u8 1, -1\n.align 4\n.u16 0x1234\n.u32 -2\n.u64 1 << 40\nfill big:0, 4, 0');
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['PGA013']);
    assert.equal(r.dmaSize, 1024);
    assert.deepEqual([...r.bytes.subarray(0, 20)], [1, 0xff, 0, 0, 0x34, 0x12, 0xfe, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 0x11, 0]);
    assert.deepEqual(r.segments.find((s) => s.name === 'big'), { name: 'big', id: 9, kind: 'memory', size: 1 << 30, cpuVisible: true });
    assert.deepEqual(r.segments.map((s) => s.id), [1, 2, 3, 9]);
  });

  it('pads .align with nop where it can, so execution runs through it', () => {
    const r = assemble('.u8 1\n.align 16\nnop');
    assert.deepEqual([...r.bytes], [1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    const all = decodeAll(r.bytes, 4);
    assert.ok(all.every((d) => d.ok));
  });

  it('reports what it finds in the same order whatever order it found it in', () => {
    // Two problems at one place: listed by code, then message.
    const r = assemble('wait vra, 1\nfence zz + 1, 2');
    assert.deepEqual(r.diagnostics.map((d) => [d.range.start.line, d.range.start.character, d.range.end.character, d.code]), [
      [0, 5, 8, 'PGA005'],
      [0, 5, 8, 'PGA012'],
      [1, 6, 8, 'PGA012'],
      [1, 6, 12, 'PGA005'],
    ]);
    // References in the order of the text, though a forward one is resolved last.
    const refs = assemble('copy vram:0, mdl(pages)+0, N\n.equ N, 4\nfill vram:N, N, 0\npages: .pages 0x1000').symbols.get('N')!.references;
    assert.deepEqual(refs.map((x) => [x.start.line, x.start.character]), [[0, 27], [2, 10], [2, 13]]);
  });

  it('evaluates a constant once every name is known, whichever line needs it first', () => {
    const count = (src: string, code: string) => assemble(src).diagnostics.filter((d) => d.code === code).length;
    // A constant's own error is reported once, at the constant.
    assert.equal(count('.equ X, 1 / 0\n.align X', 'PGA016'), 1);
    assert.equal(count('.equ X, 1 / 0\n.align X', 'PGA019'), 0);
    assert.equal(count('.equ X, 1 / 0\nnop\ninterrupt X', 'PGA016'), 1);
    // A cycle is blamed on the same constant whatever uses it first.
    for (const src of ['.equ A, B\n.equ B, A\ninterrupt B', 'interrupt B\n.equ A, B\n.equ B, A', '.equ A, B\n.equ B, A\n.align B']) {
      assert.deepEqual(assemble(src).diagnostics.filter((d) => d.code === 'PGA017').map((d) => d.message), ["constant 'A' is defined in terms of itself"], src);
    }
    // Long chains: what is broken does not depend on an instruction having needed the constant early.
    const chain = Array.from({ length: 500 }, (_, i) => `.equ c${i}, c${i + 1} + 1`).join('\n') + '\n.equ c500, 1';
    const early = assemble(`${chain}\ninterrupt c100 & 0xFF`).diagnostics.filter((d) => d.code === 'PGA029');
    const late = assemble(`interrupt c100 & 0xFF\n${chain}`).diagnostics.filter((d) => d.code === 'PGA029');
    assert.deepEqual(early.map((d) => d.message), ["constant 'c400' is reached through more than 400 other constants"]);
    assert.deepEqual(late.map((d) => d.message), early.map((d) => d.message));
  });

  it('checks an instruction against the segments the file declares, even one that names a segment by number', () => {
    const r = assemble('.segment big, 3, memory, 1M\napmap 3, 0, 1, mdl(phys:0)+0');
    assert.deepEqual(r.diagnostics.map((d) => d.message), ['apmap needs an aperture segment, but big is a memory segment']);
  });

  it('places zero bytes with .zero, whose size is needed where the line is', () => {
    const r = assemble('.equ N, 6\nnop\n.zero N + 2\nend: .u8 7');
    assert.deepEqual(r.diagnostics.map((d) => d.code), []);
    assert.deepEqual([...r.bytes], [1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]);
    assert.equal(r.symbols.get('end')!.value, 12n);
    assert.deepEqual(r.lines[1], { line: 2, offset: 4, length: 8, instruction: false });
    assert.equal(assemble('.zero 0\nnop').bytes.length, 4);
    const later = assemble('.zero SIZE\n.equ SIZE, 4');
    assert.deepEqual(later.diagnostics.map((d) => [d.code, d.message]), [['PGA019', ".zero needs its value here, but 'SIZE' is defined after this line"]]);
    assert.equal(assemble('.zero -1').diagnostics[0].message, '.zero -1 is out of range 0..0x10000000');
    // Zero bytes stop the engine, so code after them is unreachable.
    assert.deepEqual(assemble('nop\n.zero 4\nnop').diagnostics.map((d) => d.code), ['PGA013']);
  });

  it('a .segment declaration replaces the default with the same name or id', () => {
    const r = assemble('.segment vram, 1, memory, 1M\n.segment fast, 2, memory, 2M\ncopy vram:0, fast:0, 64');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.segments.map((s) => [s.name, s.id, s.size]), [['vram', 1, 1 << 20], ['fast', 2, 2 << 20], ['gart', 3, 64 << 20]]);
    assert.equal(assemble('.segment fast, 2, memory, 2M\nfill local:0, 4, 0').diagnostics[0].code, 'PGA015');
    assert.equal(assemble('copy vram:0, vram:64, 64', { segments: [{ name: 'vram', id: 1, kind: 'memory', size: 32, cpuVisible: true }] }).diagnostics[0].code, 'PGA008');
  });

  it('fills the line map, statements and tokens for the editor', () => {
    const src = '; header\nstart:  copy vram:0x10, mdl(pages)+4, SIZE ; move\n.equ SIZE, 8\n\nfence phys:0, 1, irq\npages: .pages 0x1000';
    const r = assemble(src);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.lines, [
      { line: 1, offset: 0, length: 44, instruction: true },
      { line: 4, offset: 44, length: 28, instruction: true },
      { line: 5, offset: 72, length: 16, instruction: false },
    ]);
    assert.equal(r.statements.length, 6);
    const s = r.statements[1];
    assert.deepEqual(s.label, { name: 'start', range: { start: { line: 1, character: 0 }, end: { line: 1, character: 5 } } });
    assert.deepEqual(s.head, { name: 'copy', range: { start: { line: 1, character: 8 }, end: { line: 1, character: 12 } }, directive: false });
    assert.deepEqual(s.operands.map((o) => [o.text, o.range.start.character, o.range.end.character]), [
      ['vram:0x10', 13, 22],
      ['mdl(pages)+4', 24, 36],
      ['SIZE', 38, 42],
    ]);
    assert.deepEqual(s.comment, { text: '; move', range: { start: { line: 1, character: 43 }, end: { line: 1, character: 49 } } });
    assert.equal(s.offset, 0);
    assert.equal(s.size, 44);
    assert.deepEqual(r.statements[3], { line: 3, operands: [] });
    assert.deepEqual(
      r.tokens.filter((t) => t.line === 1).map((t) => [src.split('\n')[1].slice(t.start, t.start + t.length), t.cls]),
      [
        ['start', 'label'],
        ['copy', 'mnemonic'],
        ['vram', 'segment'],
        ['0x10', 'number'],
        ['mdl', 'space'],
        ['pages', 'label'],
        ['+', 'operator'],
        ['4', 'number'],
        ['SIZE', 'constant'],
        ['; move', 'comment'],
      ],
    );
    assert.deepEqual(
      r.tokens.filter((t) => t.line === 4).map((t) => t.cls),
      ['mnemonic', 'space', 'number', 'number', 'flag'],
    );
    assert.deepEqual(r.tokens[0], { line: 0, start: 0, length: 8, cls: 'comment' });
  });

  it('records symbol definitions and references for go-to-definition and rename', () => {
    const r = assemble('.equ N, 4\nfill vram:N, N, 0\nloop: nop\ncopy vram:0, mdl(loop)+0, 4');
    const n = r.symbols.get('N')!;
    assert.equal(n.kind, 'constant');
    assert.deepEqual(n.definition, { start: { line: 0, character: 5 }, end: { line: 0, character: 6 } });
    assert.deepEqual(n.references.map((x) => [x.start.line, x.start.character]), [[1, 10], [1, 13]]);
    const vram = r.symbols.get('vram')!;
    assert.equal(vram.kind, 'segment');
    assert.equal(vram.builtin, true);
    assert.equal(vram.references.length, 2);
    assert.deepEqual(r.symbols.get('loop')!.references.map((x) => [x.start.line, x.start.character]), [[3, 17]]);
  });

  it('knows the default segments without declarations', () => {
    for (const s of DEFAULT_SEGMENTS) assert.equal(assemble(`fill ${s.kind === 'memory' ? s.name : 'vram'}:0, 4, 0`).diagnostics.length, 0);
    assert.equal(assemble('').bytes.length, 0);
  });

  it('accepts CRLF line ends and tabs', () => {
    const r = assemble('nop\r\n\tfence phys:0,\t1\r\n');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.bytes.length, 32);
    assert.deepEqual(r.statements[1].head?.range.start.character, 1);
  });

  it('lists its directives in the order of the docs', () => {
    assert.deepEqual(DIRECTIVES.map((d) => d.name), ['.equ', '.dmasize', '.segment', '.pages', '.align', '.zero', '.u8', '.u16', '.u32', '.u64']);
    for (const d of DIRECTIVES) {
      const r = assemble(d.example.replace('pages:', 'list:'));
      assert.deepEqual(r.diagnostics.filter((x) => x.severity === 'error'), [], d.example);
    }
  });
});
