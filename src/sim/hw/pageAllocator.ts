// Deterministic placement of system pages: a sorted list of free page runs, first fit. Ordinary
// allocations may come back non-contiguous (as an MDL describes them); common buffers ask for one
// aligned contiguous run.

import { PAGE_SIZE } from './types';

interface Run {
  start: number; // page number
  count: number;
}

export class PageAllocator {
  private free: Run[];
  private freeCount: number;
  /** No page at or above this one is handed out (the driver's HighestAcceptableAddress). */
  private endPage = Infinity;

  constructor(totalPages: number, firstPage: number) {
    this.free = [{ start: firstPage, count: totalPages - firstPage }];
    this.freeCount = totalPages - firstPage;
  }

  freePages(): number {
    return this.freeCount;
  }

  /** From now on, hands out only pages below `endPage`. */
  limit(endPage: number): void {
    this.endPage = endPage;
  }

  /** Free pages below the limit. */
  private freeBelowLimit(): number {
    if (this.endPage === Infinity) return this.freeCount;
    let n = 0;
    for (const r of this.free) n += Math.max(0, Math.min(r.start + r.count, this.endPage) - r.start);
    return n;
  }

  /** `count` pages, lowest addresses first, possibly from several runs; throws if there are not enough. */
  allocate(count: number): number[] {
    if (!Number.isInteger(count) || count <= 0) throw new Error(`allocatePages: count must be a positive integer, got ${count}`);
    if (count > this.freeCount) {
      throw new Error(`allocatePages: ${count} pages requested, only ${this.freeCount} free in system memory`);
    }
    // Lowest addresses first: the pages taken are below the limit when enough free ones are.
    const below = this.freeBelowLimit();
    if (count > below) {
      throw new Error(`allocatePages: ${count} pages requested, only ${below} free below the GPU's highest acceptable address 0x${(this.endPage * PAGE_SIZE - 1).toString(16)} (DXGK_DRIVERCAPS.HighestAcceptableAddress)`);
    }
    const out: number[] = [];
    while (out.length < count) {
      const run = this.free[0];
      const take = Math.min(run.count, count - out.length);
      for (let i = 0; i < take; i++) out.push((run.start + i) * PAGE_SIZE);
      run.start += take;
      run.count -= take;
      if (run.count === 0) this.free.shift();
    }
    this.freeCount -= count;
    return out;
  }

  /** One contiguous run of `count` pages starting at a multiple of `alignPages`, or undefined. */
  allocateContiguous(count: number, alignPages: number): number | undefined {
    for (let i = 0; i < this.free.length; i++) {
      const run = this.free[i];
      const start = Math.ceil(run.start / alignPages) * alignPages;
      if (start + count > run.start + run.count || start + count > this.endPage) continue;
      const before: Run = { start: run.start, count: start - run.start };
      const after: Run = { start: start + count, count: run.start + run.count - (start + count) };
      const repl = [before, after].filter((r) => r.count > 0);
      this.free.splice(i, 1, ...repl);
      this.freeCount -= count;
      return start * PAGE_SIZE;
    }
    return undefined;
  }

  release(pages: readonly number[]): void {
    for (const p of pages) this.releaseRun(p / PAGE_SIZE, 1);
  }

  releaseRun(startPage: number, count: number): void {
    let i = 0;
    while (i < this.free.length && this.free[i].start < startPage) i++;
    const prev = this.free[i - 1];
    const next = this.free[i];
    if ((prev && prev.start + prev.count > startPage) || (next && startPage + count > next.start)) {
      throw new Error(`freePages: page 0x${(startPage * PAGE_SIZE).toString(16)} is already free`);
    }
    this.freeCount += count;
    if (prev && prev.start + prev.count === startPage) {
      prev.count += count;
      if (next && prev.start + prev.count === next.start) {
        prev.count += next.count;
        this.free.splice(i, 1);
      }
      return;
    }
    if (next && startPage + count === next.start) {
      next.start = startPage;
      next.count += count;
      return;
    }
    this.free.splice(i, 0, { start: startPage, count });
  }
}
