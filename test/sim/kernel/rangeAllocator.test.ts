// The segment free-space allocator: the remembered failed search and the chunked free list must
// give exactly the first fit a plain search of one sorted list gives, whatever mix of allocations,
// releases, sizes and alignments comes (hundreds of free ranges, so they move between chunks); and
// a placement inside a bank, from its bottom or from its top, exactly the plain search's.

import assert from 'node:assert/strict';
import { createRandom } from '../../../src/sim/hw';
import { RangeAllocator } from '../../../src/sim/kernel/rangeAllocator';

/** First fit over a sorted list of free ranges, the plain way. */
class PlainFirstFit {
  free: { start: number; end: number }[];
  constructor(size: number) {
    this.free = [{ start: 0, end: size }];
  }
  allocate(size: number, align: number): number {
    for (let i = 0; i < this.free.length; i++) {
      const r = this.free[i];
      const start = Math.ceil(r.start / align) * align;
      if (start + size > r.end) continue;
      const pieces = [];
      if (start > r.start) pieces.push({ start: r.start, end: start });
      if (start + size < r.end) pieces.push({ start: start + size, end: r.end });
      this.free.splice(i, 1, ...pieces);
      return start;
    }
    return -1;
  }
  /** The lowest (or with fromTop the highest) aligned place for `size` bytes inside [lo, hi), or -1. */
  allocateIn(lo: number, hi: number, size: number, align: number, fromTop: boolean): number {
    let best = -1;
    let at = -1;
    for (let i = 0; i < this.free.length; i++) {
      const from = Math.max(this.free[i].start, lo);
      const to = Math.min(this.free[i].end, hi);
      const start = fromTop ? Math.floor((to - size) / align) * align : Math.ceil(from / align) * align;
      if (start < from || start + size > to) continue;
      if (!fromTop) {
        best = start;
        at = i;
        break;
      }
      if (start > best) {
        best = start;
        at = i;
      }
    }
    if (at < 0) return -1;
    const r = this.free[at];
    const pieces = [];
    if (best > r.start) pieces.push({ start: r.start, end: best });
    if (best + size < r.end) pieces.push({ start: best + size, end: r.end });
    this.free.splice(at, 1, ...pieces);
    return best;
  }
  release(start: number, size: number): void {
    this.free.push({ start, end: start + size });
    this.free.sort((a, b) => a.start - b.start);
    const merged: { start: number; end: number }[] = [];
    for (const r of this.free) {
      const last = merged[merged.length - 1];
      if (last && last.end === r.start) last.end = r.end;
      else merged.push({ ...r });
    }
    this.free = merged;
  }
}

describe('sim/kernel range allocator', () => {
  it('places exactly where a plain first fit does, under pressure with evictions between tries', () => {
    let retries = 0;
    for (const seed of [1, 2, 3]) {
      const rnd = createRandom(seed);
      const size = 64 * 1024 * 1024;
      const fast = new RangeAllocator(size);
      const plain = new PlainFirstFit(size);
      const live: { start: number; size: number }[] = [];
      for (let step = 0; step < 20000; step++) {
        const op = rnd.int(10);
        if (op < 6 || live.length === 0) {
          const n = (1 + rnd.int(112)) * 4096 - (rnd.int(8) === 0 ? rnd.int(4096) : 0);
          const align = [4096, 4096, 4096, 65536, 8][rnd.int(5)];
          // VidMm's loop: try, and on failure evict the oldest live range and try again.
          for (;;) {
            const at = fast.allocate(n, align);
            assert.equal(at, plain.allocate(n, align), `seed ${seed} step ${step}: allocate ${n} aligned ${align}`);
            if (at >= 0) {
              live.push({ start: at, size: n });
              break;
            }
            retries++;
            if (live.length === 0) break;
            const victim = live.splice(rnd.int(Math.min(live.length, 4)), 1)[0];
            fast.release(victim.start, victim.size);
            plain.release(victim.start, victim.size);
          }
        } else {
          const victim = live.splice(rnd.int(live.length), 1)[0];
          fast.release(victim.start, victim.size);
          plain.release(victim.start, victim.size);
        }
        assert.equal(fast.used, live.reduce((s, r) => s + r.size, 0));
        if (step % 97 === 0) {
          assert.deepEqual(fast.freeRanges(), plain.free, `seed ${seed} step ${step}: free ranges`);
          assert.equal(fast.largestFree, Math.max(0, ...plain.free.map((r) => r.end - r.start)));
        }
      }
      assert.deepEqual(fast.freeRanges(), plain.free);
    }
    assert.ok(retries > 1000, `only ${retries} failed tries: the workload did not press`);
  });

  it('places inside a bank, from its bottom or its top, exactly where a plain search does, among first fits and releases', () => {
    let inBank = 0;
    let full = 0;
    for (const seed of [4, 5]) {
      const rnd = createRandom(seed);
      const size = 16 * 1024 * 1024;
      const ends = [4, 9, 16].map((m) => m * 1024 * 1024);
      const fast = new RangeAllocator(size);
      const plain = new PlainFirstFit(size);
      const live: { start: number; size: number }[] = [];
      for (let step = 0; step < 20000; step++) {
        const op = rnd.int(10);
        if (op < 6 || live.length === 0) {
          const n = (1 + rnd.int(64)) * 4096;
          const align = [4096, 4096, 65536][rnd.int(3)];
          let at: number;
          if (rnd.int(3) > 0) {
            const b = rnd.int(ends.length);
            const lo = b === 0 ? 0 : ends[b - 1];
            const top = rnd.int(2) === 0;
            at = fast.allocateIn(lo, ends[b], n, align, top);
            assert.equal(at, plain.allocateIn(lo, ends[b], n, align, top), `seed ${seed} step ${step}: ${n} bytes in [${lo}, ${ends[b]}) ${top ? 'from the top' : 'from the bottom'}`);
            if (at >= 0) {
              assert.ok(at >= lo && at + n <= ends[b] && at % align === 0);
              inBank++;
            } else full++;
          } else {
            at = fast.allocate(n, align);
            assert.equal(at, plain.allocate(n, align), `seed ${seed} step ${step}: allocate ${n}`);
          }
          if (at >= 0) live.push({ start: at, size: n });
          else if (live.length) {
            const victim = live.splice(rnd.int(live.length), 1)[0];
            fast.release(victim.start, victim.size);
            plain.release(victim.start, victim.size);
          }
        } else {
          const victim = live.splice(rnd.int(live.length), 1)[0];
          fast.release(victim.start, victim.size);
          plain.release(victim.start, victim.size);
        }
        if (step % 97 === 0) assert.deepEqual(fast.freeRanges(), plain.free, `seed ${seed} step ${step}: free ranges`);
      }
    }
    assert.ok(inBank > 10000 && full > 100, `placed in a bank ${inBank} times, a bank full ${full} times`);
  });
});
