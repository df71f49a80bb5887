/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `cpu-view-changed-on-eviction` (paging-lab run --driver samples/drivers/buggy/cpu-view-changed-on-eviction.ts --scenario samples/scenarios/cpu-access.json).
//
// The rule: after a CPU-visible allocation is evicted, system memory holds exactly the bytes the
// application saw through the aperture. The WDK ("Mapping Virtual Addresses to a Memory Segment"):
// "when a CPU-accessible allocation is evicted from video memory, the display miniport driver must
// unswizzle the allocation so that the resultant system memory bits can be directly accessed by the
// application" and "the driver must ensure that the byte ordering of an allocation through the PCI
// aperture exactly matches the byte ordering of the allocation when the allocation is evicted."
//
// The bug: this driver moves swizzled surfaces between their segment and system memory like any
// other allocation, with plain `copy` instructions. Through the aperture the application saw the
// surface linearly (the unswizzling range did that); after an eviction under its lock it finds the
// tiles, in tile order, at the same address. The reference driver uses `unswizzle` on the way out
// and `swizzle` on the way back (reference/swizzling.ts).

import {
  DXGK_OPERATION_TRANSFER,
  PAGE_SIZE,
  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER,
  STATUS_SUCCESS,
  type DRIVER_INITIALIZATION_DATA,
  type DRIVER_OBJECT,
  type DXGKARG_BUILDPAGINGBUFFER,
  type DXGK_TRANSFER_LOCATION,
  type HANDLE,
  type NTSTATUS,
} from 'paging-lab/ddi';
import { instructionSize, mdlLocation, writeInstruction } from 'paging-lab/gpu';
import { DriverEntry as ReferenceDriverEntry, registersOf } from '../reference/driver';
import { segmentAt } from '../reference/segments';

let reference: DRIVER_INITIALIZATION_DATA;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiBuildPagingBuffer };
  return status;
}

function DxgkDdiBuildPagingBuffer(hAdapter: HANDLE, args: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS {
  if (args.Operation !== DXGK_OPERATION_TRANSFER) return reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
  const t = args.Transfer;
  const swizzled = (t.hAllocation as { swizzled?: boolean } | null)?.swizzled === true;
  if (!swizzled || (t.Source.SegmentId === 0) === (t.Destination.SegmentId === 0)) return reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
  // A page at a time, resuming from MultipassOffset.
  const at = (side: DXGK_TRANSFER_LOCATION, offset: number) =>
    side.SegmentId === 0 ? mdlLocation(side.pMdl!.PageListPhysicalAddress, t.MdlOffset * PAGE_SIZE + offset) : segmentAt(registersOf(hAdapter), side.SegmentId, side.SegmentAddress, t.TransferOffset + offset);
  const p = args.pDmaBuffer;
  for (let done = args.MultipassOffset; done < t.TransferSize; done += PAGE_SIZE) {
    if (args.DmaSize < instructionSize('copy')) {
      args.MultipassOffset = done;
      return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
    }
    const n = writeInstruction(p.Bytes, p.Offset, 'copy', [at(t.Destination, done), at(t.Source, done), Math.min(PAGE_SIZE, t.TransferSize - done)]); // BUG: the tiles as they lie
    p.Offset += n;
    args.DmaSize -= n;
  }
  args.MultipassOffset = t.TransferSize;
  return STATUS_SUCCESS;
}
