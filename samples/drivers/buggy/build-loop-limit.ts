/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `build-loop-limit` (paging-lab run --driver samples/drivers/buggy/build-loop-limit.ts --scenario samples/scenarios/multipass.json).
//
// The rule: a paging operation completes within a bounded number of DxgkDdiBuildPagingBuffer calls.
// The WDK: "Receiving the TransferStart flag multiple times does not indicate the start of multiple
// new transfers; it indicates that the sub-transfers for the allocation require multiple iterations
// (for example, if the driver ran out of DMA buffer space)."
//
// The bug: this driver takes TransferStart as "a new transfer begins" and starts over from the
// first byte each time. A sub-transfer that needs more than one paging buffer then never ends:
// every call fills a buffer with the same first part and asks for another. VidMm stops it with a
// verdict naming the operation and the number of calls, where the real system would reset the GPU.

import { DXGK_OPERATION_TRANSFER, type DRIVER_INITIALIZATION_DATA, type DRIVER_OBJECT, type DXGKARG_BUILDPAGINGBUFFER, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let reference: DRIVER_INITIALIZATION_DATA;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiBuildPagingBuffer };
  return status;
}

function DxgkDdiBuildPagingBuffer(hAdapter: HANDLE, args: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS {
  if (args.Operation === DXGK_OPERATION_TRANSFER && args.Transfer.Flags.TransferStart) {
    args.MultipassOffset = 0; // BUG: a repeated TransferStart is the same transfer, continued
  }
  return reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
}
