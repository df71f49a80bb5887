// The default adapter profile's segments. The assembler knows them (so `vram:0x1000` works in any
// .pgasm file without declarations), and the simulated GPU's default adapter is built from them,
// so a program assembled here runs there unchanged. A scenario or `.segment` directive can replace them.

import type { SegmentDecl } from './asmTypes';

const MiB = 1024 * 1024;

export const DEFAULT_SEGMENTS: readonly SegmentDecl[] = [
  // The CPU-visible part of VRAM, reached through the PCI BAR at the same offsets.
  { name: 'vram', id: 1, kind: 'memory', size: 256 * MiB, cpuVisible: true },
  // VRAM beyond the BAR: only the GPU sees it.
  { name: 'local', id: 2, kind: 'memory', size: 256 * MiB, cpuVisible: false },
  // A GART aperture over system pages; unmapped pages point at the dummy page.
  { name: 'gart', id: 3, kind: 'aperture', size: 64 * MiB, cpuVisible: false },
];

/** Default DMA (paging) buffer size for programs that do not declare `.dmasize`. */
export const DEFAULT_DMA_SIZE = 64 * 1024;
