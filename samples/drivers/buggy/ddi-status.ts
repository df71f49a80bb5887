/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `ddi-status` (paging-lab run --driver samples/drivers/buggy/ddi-status.ts).
//
// The rule: a DDI returns only the statuses its reference page lists. DxgkDdiBuildPagingBuffer may
// return STATUS_SUCCESS, STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER or (for an allocation the GPU may be
// using) STATUS_GRAPHICS_ALLOCATION_BUSY. The WDK: "Because DxgkDdiBuildPagingBuffer can fail only if
// it runs out of space in the paging buffer, the driver should always verify that the paging buffer
// has enough space remaining before it writes to the buffer." VidMm treats anything else as a
// critical failure ("bugcheck the system").
//
// The bug: when the paging buffer is full, this driver reports "no memory", which reads naturally
// but is not a status VidMm can act on. It must return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER, so
// VidMm submits the partial buffer and calls again with a fresh one.

import {
  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER,
  STATUS_NO_MEMORY,
  type DRIVER_INITIALIZATION_DATA,
  type DRIVER_OBJECT,
  type DXGKARG_BUILDPAGINGBUFFER,
  type HANDLE,
  type NTSTATUS,
} from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let reference: DRIVER_INITIALIZATION_DATA;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiBuildPagingBuffer };
  return status;
}

function DxgkDdiBuildPagingBuffer(hAdapter: HANDLE, pBuildPagingBuffer: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS {
  const status = reference.DxgkDdiBuildPagingBuffer(hAdapter, pBuildPagingBuffer);
  if (status === STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER) return STATUS_NO_MEMORY; // BUG: not a status this DDI may return
  return status;
}
