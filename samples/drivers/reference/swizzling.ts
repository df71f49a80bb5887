// CPU access to swizzled allocations ("Mapping Virtual Addresses to a Memory Segment").
//
// A swizzled (tiled) allocation lies in its segment tile by tile. For the CPU to see it linearly
// through the PCI aperture, DxgkDdiAcquireSwizzlingRange programs one of the aperture's unswizzling
// ranges over it; DxgkDdiReleaseSwizzlingRange frees the range. The driver may not move the
// allocation in the aperture nor change its size there; if no range is free it fails, and VidMm
// evicts the allocation so the application reaches it in system memory instead.
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
  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_SUCCESS,
  type DEVICE_REGISTERS,
  type DXGKARG_ACQUIRESWIZZLINGRANGE,
  type DXGKARG_BUILDPAGINGBUFFER,
  type DXGKARG_RELEASESWIZZLINGRANGE,
  type DXGK_BUILDPAGINGBUFFER_TRANSFER,
  type NTSTATUS,
} from 'paging-lab/ddi';
import { instructionSize, mdlLocation, segmentLocation, writeInstruction } from 'paging-lab/gpu';

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
  const handle = registers.ProgramSwizzlingRange!(args.SegmentId, args.SegmentAddress, args.Size, surface.pitch);
  if (handle < 0) return STATUS_INSUFFICIENT_RESOURCES; // out of unswizzling aperture
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

/** One `swizzle` (page-in) or `unswizzle` (eviction) instruction for the whole (sub-)transfer. */
export function writeSwizzledTransfer(args: DXGKARG_BUILDPAGINGBUFFER, surface: SwizzledSurface, t: DXGK_BUILDPAGINGBUFFER_TRANSFER): NTSTATUS {
  const toSystem = t.Destination.SegmentId === 0;
  const mnemonic = toSystem ? 'unswizzle' : 'swizzle';
  const size = instructionSize(mnemonic);
  if (args.MultipassOffset >= t.TransferSize) return STATUS_SUCCESS;
  if (args.DmaSize < size) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
  const segmentSide = toSystem ? t.Source : t.Destination;
  const mdlSide = toSystem ? t.Destination : t.Source;
  const segment = segmentLocation(segmentSide.SegmentId, segmentSide.SegmentAddress + t.TransferOffset);
  const mdl = mdlLocation(mdlSide.pMdl!.PageListPhysicalAddress, t.MdlOffset * 4096);
  const p = args.pDmaBuffer;
  const n = writeInstruction(p.Bytes, p.Offset, mnemonic, toSystem ? [mdl, segment, t.TransferSize, surface.pitch] : [segment, mdl, t.TransferSize, surface.pitch]);
  p.Offset += n;
  args.DmaSize -= n;
  args.MultipassOffset = t.TransferSize;
  return STATUS_SUCCESS;
}
