import assert from 'node:assert/strict';
import { parseAddress, parseNumber, formatAddress, formatOffset, describeAddress, SEGMENT_STRIDE } from '../../media/src/address';

const ctx = {
  segments: [
    { name: 'vram', address: SEGMENT_STRIDE, size: 256 * 2 ** 20 },
    { name: 'local', address: 2 * SEGMENT_STRIDE, size: 256 * 2 ** 20 },
  ],
  allocations: [{ name: 'Texture', address: SEGMENT_STRIDE + 0x4000, size: 0x1000 }],
  current: 0x1000,
};

describe('VRAM view address parsing', () => {
  it('parses hex by default, #decimal and binary', () => {
    assert.equal(parseNumber('0x10'), 16);
    assert.equal(parseNumber('ff'), 255);
    assert.equal(parseNumber('#100'), 100);
    assert.equal(parseNumber('0b101'), 5);
    assert.equal(parseNumber('1_0000'), 0x10000);
    assert.equal(parseNumber('xyz'), undefined);
  });

  it('parses segment:offset, names and relative offsets', () => {
    assert.deepEqual(parseAddress('vram:0x1000', ctx), { ok: true, address: SEGMENT_STRIDE + 0x1000 });
    assert.deepEqual(parseAddress('LOCAL+10', ctx), { ok: true, address: 2 * SEGMENT_STRIDE + 0x10 });
    assert.deepEqual(parseAddress('Texture', ctx), { ok: true, address: SEGMENT_STRIDE + 0x4000 });
    assert.deepEqual(parseAddress('texture:0x10', ctx), { ok: true, address: SEGMENT_STRIDE + 0x4010 });
    assert.deepEqual(parseAddress('+0x20', ctx), { ok: true, address: 0x1020 });
    assert.deepEqual(parseAddress('-#16', ctx), { ok: true, address: 0x1000 - 16 });
    assert.deepEqual(parseAddress('0x10000000000', ctx), { ok: true, address: SEGMENT_STRIDE });
  });

  it('reads a bare number as an offset in the view\'s segment, a larger one as a debug address', () => {
    const local = { ...ctx, view: { address: 2 * SEGMENT_STRIDE, size: 256 * 2 ** 20 } };
    assert.deepEqual(parseAddress('0x20000', local), { ok: true, address: 2 * SEGMENT_STRIDE + 0x20000 });
    assert.deepEqual(parseAddress('#16', local), { ok: true, address: 2 * SEGMENT_STRIDE + 16 });
    assert.deepEqual(parseAddress('0x10000001000', local), { ok: true, address: SEGMENT_STRIDE + 0x1000 });
    assert.deepEqual(parseAddress('vram:0x10', local), { ok: true, address: SEGMENT_STRIDE + 0x10 }, 'a named segment still wins');
    assert.deepEqual(parseAddress('0x20000', ctx), { ok: true, address: 0x20000 }, 'without a view (the picker) a number is a debug address');
  });

  it('says what is wrong with bad input', () => {
    const bad = (s: string, re: RegExp) => {
      const r = parseAddress(s, ctx);
      assert.equal(r.ok, false, s);
      if (!r.ok) assert.match(r.error, re);
    };
    bad('', /Enter an address/);
    bad('nope:0x10', /No segment or allocation is named "nope".*vram, local/);
    bad('vram:0x20000000', /past the end of vram/);
    bad('vram:zz', /not an offset/);
    bad('-0x2000', /below address 0/);
    bad('what?', /neither a number nor a known name/);
    const r = parseAddress('+1', { segments: [], allocations: [] });
    assert.equal(r.ok, false);
  });

  it('formats row addresses and describes them by segment', () => {
    assert.equal(formatAddress(SEGMENT_STRIDE + 0x10), '10000000010');
    assert.equal(formatOffset(0x20, 256 * 2 ** 20), '0x0000020');
    assert.equal(formatOffset(0x20, 0x100), '0x0020');
    assert.equal(describeAddress(2 * SEGMENT_STRIDE + 0x40, ctx.segments), 'local:0x40');
    assert.equal(describeAddress(0x40, ctx.segments), '0x40');
  });
});
