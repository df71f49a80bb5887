// Where the kernel keeps MDL page lists the GPU can read (u32 count, u32 0, u64 page addresses):
// in common-buffer memory, which is physically contiguous, carved up by a range allocator. A page
// list of an MDL has to be contiguous, and ordinary system pages are not.

import type { CommonBuffer, Gpu } from '../hw/types';
import { RangeAllocator } from './rangeAllocator';

const ARENA_BYTES = 256 * 1024;

interface Arena {
  buffer: CommonBuffer;
  ranges: RangeAllocator;
}

export class PageListArena {
  private arenas: Arena[] = [];

  constructor(
    private readonly gpu: Gpu,
    /** Gets common-buffer memory, throwing the kernel's budget error when it cannot. */
    private readonly commonBuffer: (size: number, what: string) => CommonBuffer,
  ) {}

  /** Writes the page list of `pages` and returns its physical address and size (throws when the common-buffer budget is spent). */
  store(pages: readonly number[], what: string): { physical: number; size: number } {
    const size = 8 + pages.length * 8;
    let arena = this.arenas.find((a) => a.ranges.largestFree >= size);
    if (!arena) {
      const buffer = this.commonBuffer(Math.max(ARENA_BYTES, size), `the page list of ${what}`);
      arena = { buffer, ranges: new RangeAllocator(buffer.size) };
      this.arenas.push(arena);
    }
    const at = arena.ranges.allocate(size, 8);
    const physical = arena.buffer.physical + at;
    this.gpu.writePageList(physical, pages);
    return { physical, size };
  }

  release(physical: number, size: number): void {
    const arena = this.arenas.find((a) => physical >= a.buffer.physical && physical < a.buffer.physical + a.buffer.size);
    arena?.ranges.release(physical - arena.buffer.physical, size);
  }
}
