// System memory as the platform hands it out: 4 KiB pages placed deterministically (page 0 is never
// handed out, so physical address 0 is never a valid buffer), MDLs describing buffers made of such
// pages, and page lists in memory (the layout an `mdl(...)` location reads).

import { PAGE_LIST_HEADER_BYTES, PAGE_SIZE } from './constants';
import type { HostAccess } from './hostAccess';
import { PageAllocator } from './pageAllocator';
import type { GpuState } from './state';
import type { Mdl } from './types';

export class SystemMemory {
  /** Shared with the bus-master DMA adapter, which takes contiguous runs for common buffers. */
  readonly pages: PageAllocator;
  private readonly sysBytes: number;
  /** Where the next page list is built before it is written (grown as lists grow). */
  private listBytes = new Uint8Array(1024);
  private listView = new DataView(this.listBytes.buffer);

  constructor(
    private readonly state: GpuState,
    private readonly host: HostAccess,
  ) {
    this.sysBytes = state.sysBytes;
    this.pages = new PageAllocator(state.sysBytes / PAGE_SIZE, 1);
  }

  allocatePages(count: number): number[] {
    return this.pages.allocate(count);
  }

  freePages(pages: readonly number[]): void {
    for (const p of pages) {
      if (!Number.isSafeInteger(p) || p % PAGE_SIZE !== 0 || p >= this.sysBytes) throw new Error(`freePages: ${p} is not a page address`);
    }
    this.pages.release(pages);
  }

  createMdl(pages: readonly number[], byteOffset: number, byteCount: number): Mdl {
    if (!Array.isArray(pages) || pages.length === 0) throw new Error('createMdl: pages must be a non-empty array of page addresses');
    for (const p of pages) {
      if (!Number.isSafeInteger(p) || p % PAGE_SIZE !== 0 || p < 0 || p + PAGE_SIZE > this.sysBytes) {
        throw new Error(`createMdl: ${p} is not a 4 KiB page of system memory`);
      }
    }
    if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset >= PAGE_SIZE) throw new Error(`createMdl: byteOffset ${byteOffset} must be in 0..4095`);
    if (!Number.isInteger(byteCount) || byteCount < 0 || byteOffset + byteCount > pages.length * PAGE_SIZE) {
      throw new Error(`createMdl: byteOffset + byteCount (${byteOffset + byteCount}) exceeds the ${pages.length} pages`);
    }
    return { pages: pages.slice(), byteOffset, byteCount };
  }

  writePageList(physical: number, pages: readonly number[]): number {
    const size = PAGE_LIST_HEADER_BYTES + pages.length * 8;
    this.state.checkRange('writePageList', physical, size, this.sysBytes);
    // Built in a buffer kept for the next list: a fresh one per list (an ArrayBuffer outside the
    // heap each time) cost more than the writing, with one list per allocation created.
    if (this.listBytes.length < size) {
      this.listBytes = new Uint8Array(Math.max(size, this.listBytes.length * 2));
      this.listView = new DataView(this.listBytes.buffer);
    }
    const v = this.listView;
    v.setUint32(0, pages.length, true);
    v.setUint32(4, 0, true);
    for (let i = 0; i < pages.length; i++) {
      const p = pages[i];
      // `>>> 0` is the low 32 bits of an integer below 2^53 (a `%` of a double was a call per entry).
      const low = p >>> 0;
      v.setUint32(8 + i * 8, low, true);
      v.setUint32(12 + i * 8, (p - low) / 0x100000000, true);
    }
    this.host.writePhysical(physical, this.listBytes.subarray(0, size));
    return size;
  }
}
