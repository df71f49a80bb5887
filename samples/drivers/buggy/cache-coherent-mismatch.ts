/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `cache-coherent-mismatch` (paging-lab run --driver samples/drivers/buggy/cache-coherent-mismatch.ts --scenario samples/scenarios/aperture.json).
//
// The rule: MapApertureSegment maps the pages cache coherent exactly when Flags.CacheCoherent says
// so. The WDK: "If the CacheCoherent bit-field flag is set [...] the driver must ensure that cache
// coherency is enforced on the pages that are mapped" and "The CacheCoherent bit-field flag is set
// only when cacheable memory is being mapped into a cache-coherent aperture segment and is never set
// on a non-cache-coherent aperture segment or on a write-combined allocation".
//
// The bug: "coherent is always safer", so this driver maps every page snooped, write-combined ones
// included. Snooping write-combined pages is not what VidMm asked for: the CPU's write-combining
// buffers are not kept coherent by snooping, and the mapping promises what it cannot keep.

import {
  DXGK_OPERATION_MAP_APERTURE_SEGMENT,
  PAGE_SIZE,
  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER,
  STATUS_SUCCESS,
  type DRIVER_INITIALIZATION_DATA,
  type DRIVER_OBJECT,
  type DXGKARG_BUILDPAGINGBUFFER,
  type HANDLE,
  type NTSTATUS,
} from 'paging-lab/ddi';
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
  const p = args.pDmaBuffer;
  const pages = mdlLocation(m.pMdl.PageListPhysicalAddress, m.MdlOffset * PAGE_SIZE);
  const n = writeInstruction(p.Bytes, p.Offset, 'apmap', [m.SegmentId, m.OffsetInPages, m.NumberOfPages, pages], MapApertureFlags.CacheCoherent); // BUG: ignores m.Flags.CacheCoherent
  p.Offset += n;
  args.DmaSize -= n;
  return STATUS_SUCCESS;
}
