// CPU access to swizzled allocations ("Mapping Virtual Addresses to a Memory Segment").
//
// A swizzled (tiled) allocation lies in its segment tile by tile. For the CPU to see it linearly
// through the PCI aperture, DxgkDdiAcquireSwizzlingRange programs one of the aperture's unswizzling
// ranges over it; DxgkDdiReleaseSwizzlingRange frees the range (VidMm keeps a range with its
// allocation between locks, and releases it when the allocation moves or goes). The driver may not
// move the allocation in the aperture nor change its size there; if every hardware range is
// programmed it answers UNAVAILABLE, and VidMm releases a range in use and asks again (or, with
// none left to release, evicts the allocation so the application reaches it in system memory).
//
// Because system memory has no unswizzling range, the bits there must be linear: an eviction
// unswizzles (segment -> MDL) and a page-in swizzles (MDL -> segment). Then an application that had
// the allocation locked sees the same bytes at the same address after an eviction.
//
// A surface the GPU wants swizzled in an aperture-space segment cannot be CPU-accessible there, so it
// is two allocations (samples/scenarios/two-allocation-lock.json): the user-mode driver asks for one
// with private data {swizzled: true} (for the GPU) and one linear and CPU-visible (for the
// application). describeAllocation reads that private data; a Lock of the surface submits an
// `unswizzle` from the first into the second, which DxgkDdiPatch gives its segment addresses, then
// maps the linear allocation.

import {
  PAGE_SIZE,
  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER,
  STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE,
  STATUS_SUCCESS,
  type DEVICE_REGISTERS,
  type DXGKARG_ACQUIRESWIZZLINGRANGE,
  type DXGKARG_BUILDPAGINGBUFFER,
  type DXGKARG_RELEASESWIZZLINGRANGE,
  type DXGK_BUILDPAGINGBUFFER_TRANSFER,
  type NTSTATUS,
} from 'paging-lab/ddi';
import { TILE_ROWS, TILE_WIDTH_BYTES, instructionSize, mdlLocation, writeInstruction } from 'paging-lab/gpu';
import { segmentAt, segmentOffset } from './segments';

/** What the driver keeps about a swizzled allocation. */
export interface SwizzledSurface {
  swizzled: boolean;
  /** Bytes per row of the surface (a multiple of 64). */
  pitch: number;
  /** The hardware unswizzling range held while the CPU maps it, or -1. */
  swizzleHandle: number;
}

export function acquireSwizzlingRange(registers: DEVICE_REGISTERS, surface: SwizzledSurface, args: DXGKARG_ACQUIRESWIZZLINGRANGE): NTSTATUS {
  // A linear allocation needs no range: the aperture already shows its bits as they are.
  if (!surface.swizzled) return STATUS_SUCCESS;
  const handle = registers.ProgramSwizzlingRange!(args.SegmentId, segmentOffset(registers, args.SegmentId, args.SegmentAddress), args.RangeSize, surface.pitch);
  // Every hardware range is programmed for another surface: another range holds what this one needs.
  if (handle < 0) return STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE;
  surface.swizzleHandle = handle;
  args.SwizzlingRangeData = handle;
  return STATUS_SUCCESS;
}

export function releaseSwizzlingRange(registers: DEVICE_REGISTERS, surface: SwizzledSurface, args: DXGKARG_RELEASESWIZZLINGRANGE): NTSTATUS {
  void args;
  if (surface.swizzleHandle >= 0) registers.ClearSwizzlingRange!(surface.swizzleHandle);
  surface.swizzleHandle = -1;
  return STATUS_SUCCESS;
}

/** True when a transfer of this surface crosses between a segment and system memory (so it must (un)swizzle). */
export function crossesToSystem(surface: SwizzledSurface | null, t: DXGK_BUILDPAGINGBUFFER_TRANSFER): boolean {
  return !!surface?.swizzled && (t.Source.SegmentId === 0) !== (t.Destination.SegmentId === 0);
}

/**
 * A (sub-)transfer of a swizzled surface between its segment and system memory, resuming from
 * MultipassOffset. The sub-transfer is the bytes [TransferOffset, TransferOffset + TransferSize) of
 * the allocation as it lies in the segment (tiled); in system memory the same bytes lie linearly.
 * Whole bands of 64 rows are the same bytes in both layouts, so one `swizzle` (page-in) or
 * `unswizzle` (eviction) rearranges them all. A sub-transfer that starts or ends inside a band
 * (VidMm's maximum transfer size is below pitch * 64) moves tile row by tile row: 64 bytes that are
 * contiguous in both layouts, one `copy` each.
 */
export function writeSwizzledTransfer(registers: DEVICE_REGISTERS, args: DXGKARG_BUILDPAGINGBUFFER, surface: SwizzledSurface, t: DXGK_BUILDPAGINGBUFFER_TRANSFER): NTSTATUS {
  const toSystem = t.Destination.SegmentId === 0;
  const band = surface.pitch * TILE_ROWS;
  const segmentSide = toSystem ? t.Source : t.Destination;
  const mdlSide = toSystem ? t.Destination : t.Source;
  // MdlOffset pages into the MDL is byte TransferOffset of the allocation: where the allocation starts in the MDL.
  const mdlBase = t.MdlOffset * PAGE_SIZE - t.TransferOffset;
  const pageList = mdlSide.pMdl!.PageListPhysicalAddress;
  let done = args.MultipassOffset;
  while (done < t.TransferSize) {
    const at = t.TransferOffset + done;
    const bands = Math.floor((t.TransferSize - done) / band) * band;
    if (at % band === 0 && bands > 0) {
      const mnemonic = toSystem ? 'unswizzle' : 'swizzle';
      if (args.DmaSize < instructionSize(mnemonic)) break;
      const segment = segmentAt(registers, segmentSide.SegmentId, segmentSide.SegmentAddress, at);
      const mdl = mdlLocation(pageList, mdlBase + at);
      emit(args, mnemonic, toSystem ? [mdl, segment, bands, surface.pitch] : [segment, mdl, bands, surface.pitch]);
      done += bands;
    } else {
      if (args.DmaSize < instructionSize('copy')) break;
      const segment = segmentAt(registers, segmentSide.SegmentId, segmentSide.SegmentAddress, at);
      const mdl = mdlLocation(pageList, mdlBase + linearOffset(at, surface.pitch));
      emit(args, 'copy', toSystem ? [mdl, segment, TILE_WIDTH_BYTES] : [segment, mdl, TILE_WIDTH_BYTES]);
      done += TILE_WIDTH_BYTES;
    }
  }
  args.MultipassOffset = done;
  return done < t.TransferSize ? STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER : STATUS_SUCCESS;
}

/** Where the byte at `tiled` in the tiled layout lies in the linear layout (the inverse of the hardware's tiling). */
function linearOffset(tiled: number, pitch: number): number {
  const tileBytes = TILE_WIDTH_BYTES * TILE_ROWS;
  const tile = Math.floor(tiled / tileBytes);
  const within = tiled - tile * tileBytes;
  const tilesPerRow = pitch / TILE_WIDTH_BYTES;
  const row = Math.floor(tile / tilesPerRow) * TILE_ROWS + Math.floor(within / TILE_WIDTH_BYTES);
  return row * pitch + (tile % tilesPerRow) * TILE_WIDTH_BYTES + (within % TILE_WIDTH_BYTES);
}

function emit(args: DXGKARG_BUILDPAGINGBUFFER, mnemonic: string, operands: Parameters<typeof writeInstruction>[3]): void {
  const p = args.pDmaBuffer;
  const n = writeInstruction(p.Bytes, p.Offset, mnemonic, operands);
  p.Offset += n;
  args.DmaSize -= n;
}
