// The incremental analysis's byte buffer lays itself out again in place when the program fits: seeded
// random layouts (lines growing, shrinking, coming and going, so that moves go down and up in one
// relayout) give the same bytes as building the new layout in a fresh buffer.

import assert from 'node:assert/strict';
import { ByteBuffer, type ByteMove } from '../../src/isa/incremental/byteBuffer';
import { int, rng } from './generate';

/** What a relayout must give: the moved bytes where the moves say, zeros everywhere else. */
function expected(old: Uint8Array, total: number, moves: readonly ByteMove[]): Uint8Array {
  const b = new Uint8Array(total);
  for (const m of moves) b.set(old.subarray(m.from, m.from + m.length), m.to);
  return b;
}

describe('incremental byte buffer', () => {
  it('lays out in place as a fresh buffer would, over 2,000 seeded random relayouts', () => {
    const r = rng(7);
    for (let round = 0; round < 2000; round++) {
      // Lines of the old layout, in order; each one stays (maybe resized), goes, or has a new line
      // put before it, as an edit does.
      const lines = Array.from({ length: int(r, 1, 40) }, () => int(r, 0, 300));
      const oldTotal = lines.reduce((a, b) => a + b, 0);
      const buf = new ByteBuffer();
      buf.reserve(oldTotal + int(r, 0, 2000));
      for (let i = 0; i < oldTotal; i++) buf.bytes[i] = int(r, 1, 255);
      const before = buf.bytes.slice();
      const moves: ByteMove[] = [];
      let from = 0;
      let to = 0;
      for (const size of lines) {
        if (r() < 0.2) to += int(r, 0, 300); // a new line here, written after the relayout
        const fate = r();
        if (fate < 0.15) {
          // The line goes.
        } else if (fate < 0.3) {
          to += int(r, 0, 300); // Evaluated again at another size: written after the relayout.
        } else {
          const last = moves[moves.length - 1];
          if (last && last.from + last.length === from && last.to + last.length === to) last.length += size;
          else if (size > 0) moves.push({ from, to, length: size });
          to += size;
        }
        from += size;
      }
      const total = to;
      buf.relayout(total, moves, oldTotal);
      const want = expected(before, total, moves);
      assert.deepEqual(buf.bytes.subarray(0, total), want, `round ${round}: the laid out bytes`);
      const rest = buf.bytes.subarray(total, Math.max(total, oldTotal));
      assert.ok(rest.every((x) => x === 0), `round ${round}: bytes past the new end are zero`);
    }
  });
});
