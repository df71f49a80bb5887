// Free-space bookkeeping for one segment: a sorted list of free ranges, first fit with alignment,
// coalescing on free. Segments hold at most a few thousand allocations, so a flat array beats a
// tree here and keeps the state trivially inspectable.
//
// Under pressure VidMm asks again and again for the same size, evicting one allocation between
// tries. So a failed search is remembered: until something is allocated, a request at least as
// large with the same alignment can only fit in a range that a release made or grew since, and
// only those are looked at (lowest first, so the answer is still the first fit).

export interface Range {
  start: number;
  end: number;
}

export class RangeAllocator {
  private free: Range[];
  private usedBytes = 0;
  /** The smallest size a full search failed to place (with `failedAlign`) since the last allocation, or Infinity. */
  private failedSize = Infinity;
  private failedAlign = 0;
  /** Offsets released since that failed search: the ranges holding them are the only ones that changed. */
  private releasedSince: number[] = [];

  constructor(readonly size: number) {
    this.free = size > 0 ? [{ start: 0, end: size }] : [];
  }

  get used(): number {
    return this.usedBytes;
  }

  get largestFree(): number {
    let m = 0;
    for (const r of this.free) m = Math.max(m, r.end - r.start);
    return m;
  }

  /** Offset of a new range of `size` bytes aligned to `align`, or -1 if no free range fits. */
  allocate(size: number, align: number): number {
    const a = Math.max(1, align);
    if (size >= this.failedSize && a === this.failedAlign) return this.allocateInReleased(size, a);
    for (let i = 0; i < this.free.length; i++) {
      const r = this.free[i];
      // Most ranges of a busy segment are too small whatever the alignment: no division for them.
      if (r.end - r.start < size) continue;
      const start = Math.ceil(r.start / a) * a;
      if (start + size > r.end) continue;
      this.take(i, start, size);
      return start;
    }
    this.failedSize = size;
    this.failedAlign = a;
    this.releasedSince = [];
    return -1;
  }

  /** First fit among the ranges released into since the remembered failure (no other range can fit). */
  private allocateInReleased(size: number, a: number): number {
    let best = -1;
    let bestStart = 0;
    for (const offset of this.releasedSince) {
      const i = this.indexContaining(offset);
      if (i < 0 || (best >= 0 && this.free[i].start >= this.free[best].start)) continue;
      const r = this.free[i];
      const start = Math.ceil(r.start / a) * a;
      if (start + size > r.end) continue;
      best = i;
      bestStart = start;
    }
    if (best < 0) return -1;
    this.take(best, bestStart, size);
    return bestStart;
  }

  private take(i: number, start: number, size: number): void {
    const r = this.free[i];
    const pieces: Range[] = [];
    if (start > r.start) pieces.push({ start: r.start, end: start });
    if (start + size < r.end) pieces.push({ start: start + size, end: r.end });
    this.free.splice(i, 1, ...pieces);
    this.usedBytes += size;
    this.failedSize = Infinity;
    this.releasedSince = [];
  }

  /** Index of the free range holding `offset`, or -1. */
  private indexContaining(offset: number): number {
    const i = this.firstStartingAfter(offset) - 1;
    return i >= 0 && this.free[i].end > offset ? i : -1;
  }

  /** Index of the first free range starting after `offset` (binary search). */
  private firstStartingAfter(offset: number): number {
    let lo = 0;
    let hi = this.free.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.free[mid].start <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  release(start: number, size: number): void {
    const end = start + size;
    // The first range starting at or after `start`.
    let i = this.firstStartingAfter(start - 1);
    while (i < this.free.length && this.free[i].start < start) i++;
    const prev = this.free[i - 1];
    const next = this.free[i];
    if ((prev && prev.end > start) || (next && next.start < end)) {
      throw new Error(`release of [0x${start.toString(16)}, 0x${end.toString(16)}) overlaps free space`);
    }
    this.usedBytes -= size;
    if (this.failedSize !== Infinity && size > 0) this.releasedSince.push(start);
    if (prev && prev.end === start && next && next.start === end) {
      prev.end = next.end;
      this.free.splice(i, 1);
    } else if (prev && prev.end === start) {
      prev.end = end;
    } else if (next && next.start === end) {
      next.start = start;
    } else {
      this.free.splice(i, 0, { start, end });
    }
  }

  freeRanges(): readonly Range[] {
    return this.free;
  }
}
