// The encoder and both decoders: decode∘encode is the identity on valid instructions, the two
// decoders agree on every input, and a byte sequence either is the encoding of exactly one
// instruction or decodes as invalid with a length.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { decode, DECODER_KIND, decodeInto, DecodedSlots, encode, SLOT_LAYOUT, slotIndex } from '../../src/isa/encoding';
import { LocationSpace, OPCODES, Op } from '../../src/isa/opcodes';
import { int, randomInstruction, randomStream, rng } from './generate';

describe('isa: encoding', () => {
  it('decode(encode(i)) is i for random instructions of every opcode', () => {
    const r = rng(7);
    for (const op of OPCODES) {
      for (let k = 0; k < 200; k++) {
        const instr = randomInstruction(r, op);
        const bytes = encode(instr);
        assert.equal(bytes.length, op.size);
        const d = decode(bytes, 0);
        assert.ok(d.ok, `${op.mnemonic}: ${!d.ok && d.reason}`);
        assert.deepEqual(d.instr, instr);
      }
    }
  });

  it('decodeInto fills the slots the SLOT_LAYOUT says', () => {
    const r = rng(8);
    const out = new DecodedSlots();
    for (const op of OPCODES) {
      const instr = randomInstruction(r, op);
      const bytes = encode(instr);
      const n = decodeInto(bytes, new DataView(bytes.buffer), 0, bytes.length, out);
      assert.equal(n, op.size);
      assert.equal(out.code, op.code);
      assert.equal(out.flags, instr.flags);
      op.operands.forEach((o, i) => {
        const at = SLOT_LAYOUT[op.code]![i];
        assert.equal(at, slotIndex(op, o.name));
        const v = instr.operands[i];
        if (o.kind === 'loc' && typeof v === 'object') assert.deepEqual([...out.slot.subarray(at, at + 4)], [v.space, v.sub, v.aux, v.address]);
        else if (o.kind === 'u64') assert.equal(BigInt(out.slot[at]) + (BigInt(out.slot[at + 1]) << 32n), v);
        else assert.equal(out.slot[at], v);
      });
    }
  });

  it('mutated bytes: both decoders agree, and what decodes re-encodes to the same bytes', () => {
    const r = rng(9);
    const out = new DecodedSlots();
    let valid = 0;
    for (let k = 0; k < 20000; k++) {
      const bytes = encode(randomInstruction(r));
      const flips = int(r, 1, 3);
      for (let f = 0; f < flips; f++) {
        const at = int(r, 0, bytes.length - 1);
        bytes[at] = r() < 0.5 ? bytes[at] ^ (1 << int(r, 0, 7)) : int(r, 0, 255);
      }
      const d = decode(bytes, 0);
      const n = decodeInto(bytes, new DataView(bytes.buffer), 0, bytes.length, out);
      assert.equal(d.ok, n > 0, `decode says ${d.ok ? 'ok' : (d as { reason: string }).reason}, decodeInto ${n}`);
      assert.equal(Math.abs(n), d.length);
      if (d.ok) {
        valid++;
        assert.deepEqual(encode(d.instr), bytes.subarray(0, d.length));
      }
    }
    assert.ok(valid > 1000 && valid < 19000, `${valid} of 20000 mutated instructions stayed valid`);
  });

  it('rejects non-zero reserved bytes, undefined flags, bad spaces and out-of-range fields with a reason', () => {
    const base = () => encode({ op: OPCODES.find((o) => o.code === Op.ReadPhysical)!, flags: 0, operands: [{ space: LocationSpace.Physical, sub: 0, aux: 0, address: 0x1000 }, 4] });
    const cases: [string, (b: Uint8Array) => void, string][] = [
      ['reserved header byte', (b) => (b[3] = 1), 'reserved header byte is not zero'],
      ['size field', (b) => (b[2] = 9), 'size field 9 does not match 6 dwords'],
      ['flag', (b) => (b[1] = 1), 'flags 0x01 set a bit pread does not define'],
      ['padding', (b) => (b[22] = 5), 'byte 22 of pread is reserved and must be zero (it is 0x05)'],
      ['location reserved byte', (b) => (b[5] = 1), 'byte 5 of pread is reserved and must be zero (it is 0x01)'],
      ['space', (b) => (b[4] = 9), 'pread src has location space 9, which does not exist'],
      ['sub of phys', (b) => (b[6] = 1), 'pread src has non-zero sub/aux fields for a phys location'],
      ['count', (b) => (b[20] = 0), 'pread count is 0, outside 1..8'],
      ['segment 0', (b) => (b[4] = LocationSpace.Segment), 'pread src names segment 0, which does not exist'],
    ];
    for (const [what, mutate, reason] of cases) {
      const b = base();
      mutate(b);
      const d = decode(b, 0);
      assert.equal(d.ok, false, what);
      assert.equal((d as { reason: string }).reason, reason, what);
    }
    assert.equal(decode(new Uint8Array([0x01, 0, 1]), 0).ok, false);
    assert.deepEqual(decode(new Uint8Array(8), 0), { ok: false, offset: 0, length: 4, reason: '0x00 is not an opcode' });
  });

  it('decodes a random stream from every instruction boundary', () => {
    const { bytes, offsets } = randomStream(rng(10), 500);
    const view = new DataView(bytes.buffer);
    const out = new DecodedSlots();
    for (let i = 0; i < offsets.length; i++) {
      const n = decodeInto(bytes, view, offsets[i], bytes.length, out);
      assert.equal(offsets[i] + n, i + 1 < offsets.length ? offsets[i + 1] : bytes.length);
    }
  });
});

describe('isa: decodeInto without code generation', () => {
  it('falls back to the generic decoder, which agrees with decode', () => {
    const root = join(__dirname, '..', '..');
    const script = `
      const { decode, decodeInto, DecodedSlots, encode, DECODER_KIND } = require('./src/isa/encoding');
      const { OPCODES } = require('./src/isa/opcodes');
      const { randomInstruction, rng } = require('./test/isa/generate');
      const r = rng(5); const out = new DecodedSlots(); let checked = 0;
      for (let k = 0; k < 3000; k++) {
        const b = encode(randomInstruction(r));
        if (k % 2) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
        const d = decode(b, 0);
        const n = decodeInto(b, new DataView(b.buffer), 0, b.length, out);
        if (d.ok !== n > 0) throw new Error('disagree at ' + k);
        checked++;
      }
      console.log(DECODER_KIND, checked);`;
    const out = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '-r', 'tsx/cjs', '-e', script], { cwd: root, encoding: 'utf8' });
    assert.equal(out.trim(), 'generic 3000');
    assert.equal(DECODER_KIND, 'compiled');
  });
});
