/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `dma-pointer-past-end` (paging-lab run --driver samples/drivers/buggy/dma-pointer-past-end.ts).
//
// The rule: pDmaBuffer stays inside the space VidMm gave, [pDmaBuffer, pDmaBuffer + DmaSize]. The
// WDK: the driver "should update pDmaBuffer to point past the last byte that is written to the
// paging buffer" (not further), and when space runs out it returns
// STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER rather than claiming space it was not given.
//
// The bug: this driver's command fetcher is said to want each operation to start on a 1 KiB
// boundary, so after every operation it rounds pDmaBuffer up to the next 1 KiB, without checking
// DmaSize. In a paging buffer smaller than that, the pointer lands past the end.

import {
  STATUS_SUCCESS,
  type DRIVER_INITIALIZATION_DATA,
  type DRIVER_OBJECT,
  type DXGKARG_BUILDPAGINGBUFFER,
  type HANDLE,
  type NTSTATUS,
} from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

const FETCH_GRANULE = 1024;
let reference: DRIVER_INITIALIZATION_DATA;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiBuildPagingBuffer };
  return status;
}

function DxgkDdiBuildPagingBuffer(hAdapter: HANDLE, args: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS {
  const status = reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
  if (status === STATUS_SUCCESS) {
    const p = args.pDmaBuffer;
    const padded = Math.ceil(p.Offset / FETCH_GRANULE) * FETCH_GRANULE;
    args.DmaSize -= padded - p.Offset;
    p.Offset = padded; // BUG: no check that `padded - p.Offset <= args.DmaSize`
  }
  return status;
}
