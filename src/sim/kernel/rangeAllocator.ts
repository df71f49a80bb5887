// Free-space bookkeeping for one segment: a sorted list of free ranges, first fit with alignment,
// coalescing on free. Segments hold at most a few thousand allocations, so a flat array beats a
// tree here and keeps the state trivially inspectable.

export interface Range {
  start: number;
  end: number;
}

export class RangeAllocator {
  private free: Range[];
  private usedBytes = 0;

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
    for (let i = 0; i < this.free.length; i++) {
      const r = this.free[i];
      const start = Math.ceil(r.start / a) * a;
      if (start + size > r.end) continue;
      const pieces: Range[] = [];
      if (start > r.start) pieces.push({ start: r.start, end: start });
      if (start + size < r.end) pieces.push({ start: start + size, end: r.end });
      this.free.splice(i, 1, ...pieces);
      this.usedBytes += size;
      return start;
    }
    return -1;
  }

  release(start: number, size: number): void {
    const end = start + size;
    let i = 0;
    while (i < this.free.length && this.free[i].start < start) i++;
    const prev = this.free[i - 1];
    const next = this.free[i];
    if ((prev && prev.end > start) || (next && next.start < end)) {
      throw new Error(`release of [0x${start.toString(16)}, 0x${end.toString(16)}) overlaps free space`);
    }
    this.usedBytes -= size;
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
