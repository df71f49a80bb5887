/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `aperture-outside-range` (paging-lab run --driver samples/drivers/buggy/aperture-outside-range.ts --scenario samples/scenarios/aperture.json).
//
// The rule: MapApertureSegment and UnmapApertureSegment change no GART entry outside their range.
// The WDK: "this aperture configuration must not interfere with the execution of the GPU. The GPU
// will not be idle when DxgkDdiBuildPagingBuffer is called with the
// DXGK_OPERATION_UNMAP_APERTURE_SEGMENT operation type set, and the GPU might be busy accessing
// other portions of the aperture segment that is being reconfigured."
//
// The bug: this driver unmaps one page more than asked, "to be safe" about the end of the range.
// The page after the range may belong to another mapping the GPU is using right now.

import { DXGK_OPERATION_UNMAP_APERTURE_SEGMENT, STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER, STATUS_SUCCESS, type DRIVER_INITIALIZATION_DATA, type DRIVER_OBJECT, type DXGKARG_BUILDPAGINGBUFFER, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { instructionSize, writeInstruction } from 'paging-lab/gpu';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

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
  const n = writeInstruction(args.pDmaBuffer.Bytes, args.pDmaBuffer.Offset, 'apunmap', [u.SegmentId, u.OffsetInPages, u.NumberOfPages + 1, u.DummyPage]); // BUG: one page too many
  args.pDmaBuffer.Offset += n;
  args.DmaSize -= n;
  return STATUS_SUCCESS;
}
