// Free-space bookkeeping for one segment: the free ranges in address order, first fit with
// alignment, coalescing on free. The ranges are kept in chunks of a few dozen, each knowing its
// longest range, so a first-fit search skips whole chunks of ranges too short for the request
// (a busy segment has thousands of small holes) and a release or a split moves only its chunk.
//
// Under pressure VidMm asks again and again for the same size, evicting one allocation between
// tries. So a failed search is remembered: until something is allocated, a request at least as
// large with the same alignment can only fit in a range that a release made or grew since, and
// only those are looked at (lowest first, so the answer is still the first fit).

export interface Range {
  start: number;
  end: number;
}

/** Ranges per chunk: a chunk twice as long is split in two. */
const CHUNK = 32;

export class RangeAllocator {
  /** The free ranges in address order, in non-empty chunks. */
  private chunks: Range[][];
  /** The length of the longest range of each chunk. */
  private longest: number[];
  private usedBytes = 0;
  /** The smallest size a full search failed to place (with `failedAlign`) since the last allocation, or Infinity. */
  private failedSize = Infinity;
  private failedAlign = 0;
  /** Offsets released since that failed search: the ranges holding them are the only ones that changed. */
  private releasedSince: number[] = [];

  constructor(readonly size: number) {
    this.chunks = size > 0 ? [[{ start: 0, end: size }]] : [];
    this.longest = size > 0 ? [size] : [];
  }

  get used(): number {
    return this.usedBytes;
  }

  get largestFree(): number {
    let m = 0;
    for (const l of this.longest) m = Math.max(m, l);
    return m;
  }

  /** Offset of a new range of `size` bytes aligned to `align`, or -1 if no free range fits. */
  allocate(size: number, align: number): number {
    const a = Math.max(1, align);
    if (size >= this.failedSize && a === this.failedAlign) return this.allocateInReleased(size, a);
    for (let c = 0; c < this.chunks.length; c++) {
      if (this.longest[c] < size) continue;
      const chunk = this.chunks[c];
      for (let i = 0; i < chunk.length; i++) {
        const r = chunk[i];
        if (r.end - r.start < size) continue;
        const start = Math.ceil(r.start / a) * a;
        if (start + size > r.end) continue;
        this.take(c, i, start, size);
        return start;
      }
    }
    this.failedSize = size;
    this.failedAlign = a;
    this.releasedSince = [];
    return -1;
  }

  /**
   * Offset of a new range of `size` bytes aligned to `align` inside [lo, hi) (a bank of the
   * segment), the lowest that fits or with `fromTop` the highest; -1 if none fits there. A scan of
   * the ranges overlapping [lo, hi): banks are few, and placements by bank hint are rare.
   */
  allocateIn(lo: number, hi: number, size: number, align: number, fromTop: boolean): number {
    const a = Math.max(1, align);
    let best = -1;
    let bestAt = { c: -1, i: -1 };
    for (let c = 0; c < this.chunks.length; c++) {
      if (this.longest[c] < size) continue;
      const chunk = this.chunks[c];
      for (let i = 0; i < chunk.length; i++) {
        const r = chunk[i];
        const from = Math.max(r.start, lo);
        const to = Math.min(r.end, hi);
        if (to - from < size) continue;
        const start = fromTop ? Math.floor((to - size) / a) * a : Math.ceil(from / a) * a;
        if (start < from || start + size > to) continue;
        if (!fromTop) {
          this.take(c, i, start, size);
          return start;
        }
        if (start > best) {
          best = start;
          bestAt = { c, i };
        }
      }
    }
    if (best >= 0) this.take(bestAt.c, bestAt.i, best, size);
    return best;
  }

  /** First fit among the ranges released into since the remembered failure (no other range can fit). */
  private allocateInReleased(size: number, a: number): number {
    let best: Range | undefined;
    let bestAt = { c: -1, i: -1 };
    let bestStart = 0;
    for (const offset of this.releasedSince) {
      const at = this.containing(offset);
      if (!at) continue;
      const r = this.chunks[at.c][at.i];
      if (best && r.start >= best.start) continue;
      const start = Math.ceil(r.start / a) * a;
      if (start + size > r.end) continue;
      best = r;
      bestAt = at;
      bestStart = start;
    }
    if (!best) return -1;
    this.take(bestAt.c, bestAt.i, bestStart, size);
    return bestStart;
  }

  private take(c: number, i: number, start: number, size: number): void {
    const chunk = this.chunks[c];
    const r = chunk[i];
    const pieces: Range[] = [];
    if (start > r.start) pieces.push({ start: r.start, end: start });
    if (start + size < r.end) pieces.push({ start: start + size, end: r.end });
    chunk.splice(i, 1, ...pieces);
    this.changed(c);
    this.usedBytes += size;
    this.failedSize = Infinity;
    this.releasedSince = [];
  }

  /** Chunk `c` changed: drop it if empty, split it if long, and recount its longest range. */
  private changed(c: number): void {
    const chunk = this.chunks[c];
    if (chunk.length === 0) {
      this.chunks.splice(c, 1);
      this.longest.splice(c, 1);
      return;
    }
    if (chunk.length >= 2 * CHUNK) {
      const tail = chunk.splice(CHUNK);
      this.chunks.splice(c + 1, 0, tail);
      this.longest.splice(c + 1, 0, longestOf(tail));
    }
    this.longest[c] = longestOf(chunk);
  }

  /** The chunk of the last range starting at or before `offset` (binary search over the chunks' first ranges), or -1. */
  private chunkAtOrBefore(offset: number): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.chunks[mid][0].start <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Where the free range holding `offset` is, or undefined. */
  private containing(offset: number): { c: number; i: number } | undefined {
    const c = this.chunkAtOrBefore(offset);
    if (c < 0) return undefined;
    const i = firstStartingAfter(this.chunks[c], offset) - 1;
    return this.chunks[c][i].end > offset ? { c, i } : undefined;
  }

  release(start: number, size: number): void {
    const end = start + size;
    // The free ranges just before and just after [start, end), wherever their chunks are.
    let c = this.chunkAtOrBefore(start - 1);
    let i: number;
    if (c < 0) {
      c = 0;
      i = 0;
    } else {
      i = firstStartingAfter(this.chunks[c], start - 1);
      const chunk = this.chunks[c];
      while (i < chunk.length && chunk[i].start < start) i++;
    }
    const here = this.chunks[c];
    const prevAt = here && i > 0 ? { c, i: i - 1 } : c > 0 ? { c: c - 1, i: this.chunks[c - 1].length - 1 } : undefined;
    const nextAt = here && i < here.length ? { c, i } : c + 1 < this.chunks.length ? { c: c + 1, i: 0 } : undefined;
    const prev = prevAt && this.chunks[prevAt.c][prevAt.i];
    const next = nextAt && this.chunks[nextAt.c][nextAt.i];
    if ((prev && prev.end > start) || (next && next.start < end)) {
      throw new Error(`release of [0x${start.toString(16)}, 0x${end.toString(16)}) overlaps free space`);
    }
    this.usedBytes -= size;
    if (this.failedSize !== Infinity && size > 0) this.releasedSince.push(start);
    if (prev && prev.end === start && next && next.start === end) {
      prev.end = next.end;
      this.chunks[nextAt!.c].splice(nextAt!.i, 1);
      // Recount the later chunk first: dropping it when empty does not move the earlier one.
      if (nextAt!.c !== prevAt!.c) this.changed(nextAt!.c);
      this.changed(prevAt!.c);
    } else if (prev && prev.end === start) {
      prev.end = end;
      this.longest[prevAt!.c] = Math.max(this.longest[prevAt!.c], prev.end - prev.start);
    } else if (next && next.start === end) {
      next.start = start;
      this.longest[nextAt!.c] = Math.max(this.longest[nextAt!.c], next.end - next.start);
    } else if (!here) {
      this.chunks.push([{ start, end }]);
      this.longest.push(size);
    } else {
      here.splice(i, 0, { start, end });
      this.changed(c);
    }
  }

  /** The free ranges in address order (a copy). */
  freeRanges(): readonly Range[] {
    return this.chunks.flat();
  }
}

function longestOf(chunk: readonly Range[]): number {
  let m = 0;
  for (const r of chunk) m = Math.max(m, r.end - r.start);
  return m;
}

/** Index of the first range of `chunk` starting after `offset` (binary search). */
function firstStartingAfter(chunk: readonly Range[], offset: number): number {
  let lo = 0;
  let hi = chunk.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (chunk[mid].start <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
