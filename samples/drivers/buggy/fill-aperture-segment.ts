/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `fill-aperture-segment` (paging-lab run --driver samples/drivers/buggy/fill-aperture-segment.ts --scenario samples/scenarios/aperture.json).
//
// The rule: a paging buffer never fills an aperture segment. The WDK: "The fill operation can be
// performed only on a memory segment. The video memory manager never requests that the display
// miniport driver fill an aperture segment."
//
// The bug: when VidMm maps an allocation into the GART, this driver "helpfully" clears the new
// mapping with a `fill` through the aperture. The pages behind an aperture range are the
// allocation's own system pages, holding content the application wrote: the fill destroys it.

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
import { instructionSize, segmentLocation, writeInstruction } from 'paging-lab/gpu';
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
  if (args.DmaSize < instructionSize('apmap') + instructionSize('fill')) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
  const status = reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
  if (status !== STATUS_SUCCESS) return status;
  const p = args.pDmaBuffer;
  const n = writeInstruction(p.Bytes, p.Offset, 'fill', [segmentLocation(m.SegmentId, m.OffsetInPages * PAGE_SIZE), m.NumberOfPages * PAGE_SIZE, 0]); // BUG: a fill aimed at an aperture segment
  p.Offset += n;
  args.DmaSize -= n;
  return STATUS_SUCCESS;
}
