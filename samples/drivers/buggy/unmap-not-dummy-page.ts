/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `unmap-not-dummy-page` (paging-lab run --driver samples/drivers/buggy/unmap-not-dummy-page.ts --scenario samples/scenarios/aperture.json).
//
// The rule: UnmapApertureSegment points every page of the range at the dummy page VidMm names. The
// WDK: "The driver must map the range that is unmapped to the dummy page that the DummyPage member of
// the UnmapApertureSegment member of the DXGKARG_BUILDPAGINGBUFFER structure specifies. [...] the
// driver must enable GPU accesses through the specified aperture range so the DirectX graphics
// kernel subsystem can detect corruption issues."
//
// The bug: this driver parks unmapped pages on physical page 0, a page of its own choosing, instead
// of DummyPage. A stray GPU access through the stale range then scribbles over page 0, and the
// kernel, which watches its dummy page, never sees it.

import {
  DXGK_OPERATION_UNMAP_APERTURE_SEGMENT,
  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER,
  STATUS_SUCCESS,
  type DRIVER_INITIALIZATION_DATA,
  type DRIVER_OBJECT,
  type DXGKARG_BUILDPAGINGBUFFER,
  type HANDLE,
  type NTSTATUS,
} from 'paging-lab/ddi';
import { instructionSize, writeInstruction } from 'paging-lab/gpu';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

const PARKING_PAGE = 0;
let reference: DRIVER_INITIALIZATION_DATA;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiBuildPagingBuffer };
  return status;
}

function DxgkDdiBuildPagingBuffer(hAdapter: HANDLE, args: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS {
  if (args.Operation !== DXGK_OPERATION_UNMAP_APERTURE_SEGMENT) return reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
  const u = args.UnmapApertureSegment;
  if (args.DmaSize < instructionSize('apunmap')) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
  const p = args.pDmaBuffer;
  const n = writeInstruction(p.Bytes, p.Offset, 'apunmap', [u.SegmentId, u.OffsetInPages, u.NumberOfPages, PARKING_PAGE]); // BUG: not u.DummyPage
  p.Offset += n;
  args.DmaSize -= n;
  return STATUS_SUCCESS;
}
