/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `insufficient-dma-buffer-with-room` (paging-lab run --driver samples/drivers/buggy/insufficient-dma-buffer-with-room.ts).
//
// The rule: STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER only when the rest of the operation does not fit
// the space left. The WDK: "Because DxgkDdiBuildPagingBuffer can fail only if it runs out of space
// in the paging buffer, the driver should always verify that the paging buffer has enough space
// remaining before it writes to the buffer."
//
// The bug: this driver wants every operation to start at the top of a paging buffer, so it asks
// for a new one whenever the buffer is not empty, room or not. Every paging buffer then carries one
// operation, and VidMm submits far more of them than it needs to.

import { STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER, type DRIVER_INITIALIZATION_DATA, type DRIVER_OBJECT, type DXGKARG_BUILDPAGINGBUFFER, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let reference: DRIVER_INITIALIZATION_DATA;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiBuildPagingBuffer };
  return status;
}

function DxgkDdiBuildPagingBuffer(hAdapter: HANDLE, args: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS {
  const fresh = args.MultipassOffset === 0;
  if (fresh && args.pDmaBuffer.Offset > 0) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER; // BUG: there may well be room
  return reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
}
