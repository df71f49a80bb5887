// Fuzzing, seeded so a failure reproduces: random and mutated pgasm text never makes the assembler
// throw or fail internally, every range it reports lies inside the text, and whatever assembles
// without errors disassembles and reassembles to the same bytes. Random bytes never make the
// decoders throw, and decoding always advances.

import assert from 'node:assert/strict';
import { assemble } from '../../src/isa/assembler';
import type { Range } from '../../src/isa/asmTypes';
import { disassemble } from '../../src/isa/disassembler';
import { decode, decodeAll, decodeInto, DecodedSlots } from '../../src/isa/encoding';
import { int, mutate, randomStream, randomText, rng } from './generate';

const SEED_PROGRAM = [
  '.dmasize 64K',
  '.equ PAGE, 4K',
  '.segment big, 7, memory, 1G, cpuvisible',
  'start: copy vram:0x10000, mdl(pages)+0x0, 2 * PAGE ; page in',
  '  fill local:PAGE, PAGE, 0xDEADBEEF',
  '  swizzle big:0, mdl(phys:0x200000)+0, 64K, 1024',
  '  fence phys:0, 42, irq, monitored',
  '  apmap gart, 0, 2, mdl(pages)+0, coherent',
  '  pwrite phys:0x100000 + 8, 4, ~0 & 0xFFFF',
  '  .align 8',
  'pages: .pages 0x100000, 0x101000',
  '  .u32 1, 2, (3 << 4) | 1',
].join('\n');

function checkRange(r: Range, lines: string[], what: string): void {
  assert.ok(r.start.line >= 0 && r.start.line < lines.length, `${what}: line ${r.start.line}`);
  assert.equal(r.end.line, r.start.line, what);
  assert.ok(r.start.character >= 0 && r.start.character <= r.end.character, `${what}: ${r.start.character}..${r.end.character}`);
  assert.ok(r.end.character <= lines[r.start.line].replace(/\r$/, '').length, `${what}: past the end of the line`);
}

function check(text: string, roundTrip: boolean): void {
  const r = assemble(text);
  const lines = text.split('\n');
  for (const d of r.diagnostics) {
    assert.notEqual(d.code, 'PGA000', `${d.message}\n--- input ---\n${text}`);
    checkRange(d.range, lines, `${d.code} ${d.message}`);
  }
  let prev = -1;
  for (const t of r.tokens) {
    const key = t.line * 1e6 + t.start;
    assert.ok(key >= prev, 'tokens in document order');
    assert.ok(t.cls, 'every token has a class');
    prev = key;
    checkRange({ start: { line: t.line, character: t.start }, end: { line: t.line, character: t.start + t.length } }, lines, `token ${t.cls}`);
  }
  assert.equal(r.statements.length, lines.length);
  if (roundTrip && !r.diagnostics.some((d) => d.severity === 'error')) {
    const back = assemble(disassemble(r.bytes).text);
    assert.deepEqual(back.bytes, r.bytes, text);
  }
}

describe('isa: fuzz', function () {
  this.timeout(60000);

  it('assembler: 10,000 random texts and 10,000 mutations of a valid program', () => {
    const r = rng(31);
    let slowest = 0;
    for (let k = 0; k < 20000; k++) {
      const text = k % 2 ? randomText(r) : mutate(r, SEED_PROGRAM);
      const t = performance.now();
      check(text, k % 4 === 0);
      slowest = Math.max(slowest, performance.now() - t);
    }
    assert.ok(slowest < 1000, `slowest case took ${slowest.toFixed(0)} ms`);
  });

  it('decoders: 20,000 random and mutated buffers', () => {
    const r = rng(32);
    const out = new DecodedSlots();
    for (let k = 0; k < 20000; k++) {
      let bytes: Uint8Array;
      if (k % 2) {
        bytes = new Uint8Array(int(r, 0, 96));
        for (let i = 0; i < bytes.length; i++) bytes[i] = r() < 0.5 ? 0 : int(r, 0, 255);
      } else {
        bytes = randomStream(r, int(r, 1, 4)).bytes;
        for (let f = int(r, 1, 4); f > 0; f--) bytes[int(r, 0, bytes.length - 1)] = int(r, 0, 255);
      }
      const limit = int(r, 0, bytes.length);
      const view = new DataView(bytes.buffer);
      const all = decodeAll(bytes, 0, limit);
      assert.equal(all.reduce((a, d) => a + d.length, 0), limit);
      for (const d of all) {
        assert.ok(d.length > 0);
        const n = decodeInto(bytes, view, d.offset, limit, out);
        assert.equal(n, d.ok ? d.length : -d.length);
      }
      const start = int(r, 0, bytes.length + 2);
      assert.doesNotThrow(() => decode(bytes, start, limit));
    }
  });
});
