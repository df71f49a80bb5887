// The kernel's page-by-page copy of what an allocation should hold must read exactly as a dense copy
// given the same writes, fills (any offset, length and phase), 32-bit stores and whole copies, and
// must find the same first difference; a page only ever filled holds no bytes.

import assert from 'node:assert/strict';
import { createRandom } from '../../../src/sim/hw';
import { ContentShadow } from '../../../src/sim/kernel/contentShadow';

/** The dense copy the kernel kept before: the pattern laid from index `phase` of the fill. */
function denseFill(out: Uint8Array, offset: number, length: number, pattern: number, phase: number): void {
  for (let i = 0; i < length; i++) out[offset + i] = (pattern >>> (((i + phase) & 3) * 8)) & 0xff;
}

describe('ContentShadow (the kernel copy of allocation content)', () => {
  for (const size of [4096, 3 * 4096 + 100, 16 * 4096]) {
    it(`reads as a dense copy after 2,000 seeded random operations (${size} bytes)`, () => {
      const r = createRandom(size);
      const pattern0 = r.nextU32();
      const shadow = new ContentShadow(size, pattern0);
      const dense = new Uint8Array(size);
      denseFill(dense, 0, size, pattern0, 0);
      const other = new ContentShadow(size, 0);
      const otherDense = new Uint8Array(size);
      for (let step = 0; step < 2000; step++) {
        const offset = r.int(size);
        const length = r.int(size - offset) + 1;
        const kind = r.int(5);
        if (kind === 0) {
          const bytes = new Uint8Array(Math.min(length, 9000)).map(() => r.int(256));
          shadow.write(bytes, offset);
          dense.set(bytes, offset);
        } else if (kind === 1) {
          const pattern = r.int(3) === 0 ? 0 : r.nextU32();
          const phase = r.int(8);
          shadow.fill(offset, length, pattern, phase);
          denseFill(dense, offset, length, pattern, phase);
        } else if (kind === 2 && offset + 4 <= size) {
          const value = r.nextU32();
          shadow.setUint32(offset, value);
          new DataView(dense.buffer).setUint32(offset, value, true);
        } else if (kind === 3) {
          // Another allocation takes this one's content (the unswizzle for a lock), then diverges.
          other.copyFrom(shadow);
          otherDense.set(dense);
          other.fill(offset, length, 0x01020304);
          denseFill(otherDense, offset, length, 0x01020304, 0);
        } else {
          assert.deepEqual(shadow.bytes(offset, length), dense.subarray(offset, offset + length));
          assert.equal(shadow.byteAt(offset), dense[offset]);
        }
      }
      assert.deepEqual(shadow.bytes(), dense);
      assert.deepEqual(other.bytes(), otherDense);
      assert.equal(shadow.firstDifference(dense), -1);
      for (let k = 0; k < 50; k++) {
        const at = r.int(size);
        const wrong = dense.slice();
        wrong[at] ^= 0x40;
        assert.equal(shadow.firstDifference(wrong), at);
      }
      assert.equal(shadow.firstDifference(dense.subarray(0, size - 1)), size - 1, 'a shorter content differs where it ends');
    });
  }

  it('holds no bytes for pages only filled, whatever their patterns and phases', () => {
    const shadow = new ContentShadow(256 * 4096, 0xdeadbeef);
    for (let k = 0; k < 256; k += 3) shadow.fill(k * 4096, 4096, k * 0x01010101, k);
    assert.equal(shadow.residentBytes(), 0);
    shadow.setUint32(5 * 4096 + 8, 7);
    assert.equal(shadow.residentBytes(), 4096);
    assert.equal(shadow.byteAt(3 * 4096), (0x03030303 >>> 24) & 0xff);
  });

  it('refuses writes outside the allocation', () => {
    const shadow = new ContentShadow(8192, 0);
    assert.throws(() => shadow.write(new Uint8Array(8), 8190), RangeError);
    assert.throws(() => shadow.fill(8000, 200, 1), RangeError);
  });
});
