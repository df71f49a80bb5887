// The debug address space: one flat space over everything a debugger may look at, so DAP
// readMemory, writeMemory, disassemble and instruction breakpoints take plain addresses.
//   [0, systemMemoryBytes)             system physical memory (DMA and paging buffers live here)
//   segmentId * 2^40 + segment offset  each segment, as the GPU sees it (aperture segments
//                                      translate through the GART; unmapped pages read the dummy page)
// It lives in the lowest layer because every layer addresses memory this way: the GPU's debug
// access (sim), the debug adapter, `paging-lab exec`'s listing, the extension's VRAM view and the
// webview's address box. Addresses stay below 2^53, so doubles hold them exactly.

export const DEBUG_SEGMENT_STRIDE = 2 ** 40;

export function debugAddressOfSegment(segmentId: number, offset = 0): number {
  return segmentId * DEBUG_SEGMENT_STRIDE + offset;
}
