/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `map-incomplete` (paging-lab run --driver samples/drivers/buggy/map-incomplete.ts --scenario samples/scenarios/aperture.json).
//
// The rule: MapApertureSegment maps every page of the range to its page of the MDL. The WDK: "The
// map-aperture-segment operation maps a specified memory descriptor list (MDL) into a specified
// aperture segment at a specified segment offset for a specified number of pages."
//
// The bug: an off-by-one. The driver computes the last page index and passes it as the count, so
// the last page of every mapping is left out: GPU accesses to it fault, or reach whatever it led to.

import { DXGK_OPERATION_MAP_APERTURE_SEGMENT, PAGE_SIZE, STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER, STATUS_SUCCESS, type DRIVER_INITIALIZATION_DATA, type DRIVER_OBJECT, type DXGKARG_BUILDPAGINGBUFFER, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { MapApertureFlags, instructionSize, mdlLocation, writeInstruction } from 'paging-lab/gpu';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let reference: DRIVER_INITIALIZATION_DATA;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiBuildPagingBuffer };
  return status;
}

function DxgkDdiBuildPagingBuffer(hAdapter: HANDLE, args: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS {
  if (args.Operation !== DXGK_OPERATION_MAP_APERTURE_SEGMENT) return reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
  const m = args.MapApertureSegment;
  if (args.DmaSize < instructionSize('apmap')) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
  const lastPage = m.NumberOfPages - 1;
  const flags = m.Flags.CacheCoherent ? MapApertureFlags.CacheCoherent : 0;
  const n = writeInstruction(args.pDmaBuffer.Bytes, args.pDmaBuffer.Offset, 'apmap', [m.SegmentId, m.OffsetInPages, lastPage, mdlLocation(m.pMdl.PageListPhysicalAddress, m.MdlOffset * PAGE_SIZE)], flags); // BUG: lastPage is not the count
  args.pDmaBuffer.Offset += n;
  args.DmaSize -= n;
  return STATUS_SUCCESS;
}
