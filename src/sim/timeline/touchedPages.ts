// The memory a run touched: one bit per 4 KiB page of VRAM and of system memory, set by every write
// anyone makes (an engine's copy or fill, the CPU, bus-master DMA, the kernel), whether or not the
// page store keeps bytes for it afterwards (a filled page is kept as its pattern). The timeline
// weighs its checkpoints against it; the benchmarks print it.

import type { Gpu } from '../hw/types';

const PAGE = 4096;

export class TouchedPages {
  private readonly vram: Uint8Array;
  private readonly sys: Uint8Array;
  /** Pages set in each map, kept as they are set (the timeline asks at every step). */
  private vramPages = 0;
  private sysPages = 0;

  constructor(gpu: Gpu) {
    this.vram = new Uint8Array(Math.ceil(gpu.config.vramBytes / PAGE / 8));
    this.sys = new Uint8Array(Math.ceil(gpu.config.systemMemoryBytes / PAGE / 8));
  }

  mark(vram: boolean, address: number, length: number): void {
    const bits = vram ? this.vram : this.sys;
    const end = Math.ceil((address + length) / PAGE);
    let added = 0;
    for (let p = Math.floor(address / PAGE); p < end; p++) {
      const bit = 1 << (p & 7);
      if (!(bits[p >>> 3] & bit)) {
        bits[p >>> 3] |= bit;
        added++;
      }
    }
    if (vram) this.vramPages += added;
    else this.sysPages += added;
  }

  /** Bytes of the pages written: VRAM, system memory, or both. */
  bytes(which: 'vram' | 'system' | 'both' = 'both'): number {
    const pages = which === 'vram' ? this.vramPages : which === 'system' ? this.sysPages : this.vramPages + this.sysPages;
    return pages * PAGE;
  }
}
