// The memory a run touched: one bit per 4 KiB page of VRAM and of system memory, set by every write
// anyone makes (an engine's copy or fill, the CPU, bus-master DMA, the kernel), whether or not the
// page store keeps bytes for it afterwards (a filled page is kept as its pattern).

import type { Gpu } from '../src/sim/hw';

const PAGE = 4096;

export class TouchedPages {
  private readonly vram: Uint8Array;
  private readonly sys: Uint8Array;

  constructor(gpu: Gpu) {
    this.vram = new Uint8Array(Math.ceil(gpu.config.vramBytes / PAGE / 8));
    this.sys = new Uint8Array(Math.ceil(gpu.config.systemMemoryBytes / PAGE / 8));
  }

  mark(vram: boolean, address: number, length: number): void {
    const bits = vram ? this.vram : this.sys;
    const end = Math.ceil((address + length) / PAGE);
    for (let p = Math.floor(address / PAGE); p < end; p++) bits[p >>> 3] |= 1 << (p & 7);
  }

  /** Bytes of the pages written: VRAM, system memory, or both. */
  bytes(which: 'vram' | 'system' | 'both' = 'both'): number {
    let n = 0;
    const maps = which === 'vram' ? [this.vram] : which === 'system' ? [this.sys] : [this.vram, this.sys];
    for (const bits of maps) for (const b of bits) for (let x = b; x; x &= x - 1) n++;
    return n * PAGE;
  }
}
