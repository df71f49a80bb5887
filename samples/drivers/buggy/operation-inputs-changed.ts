/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `operation-inputs-changed` (paging-lab run --driver samples/drivers/buggy/operation-inputs-changed.ts --scenario samples/scenarios/multipass.json).
//
// The rule: the driver keeps its progress in MultipassOffset; the operation's inputs are VidMm's.
// The WDK: "The video memory manager initializes the information in MultipassOffset to zero before
// the first paging operation request and does not modify the information in MultipassOffset between
// iterations. Therefore, the driver can use MultipassOffset to save the progress between iterations."
//
// The bug: when a transfer does not fit, this driver remembers how far it got by moving the
// transfer's start (TransferOffset, TransferSize, MdlOffset) past what it wrote. VidMm hands the
// same inputs on every call, so the next call starts over from the beginning.

import { DXGK_OPERATION_TRANSFER, PAGE_SIZE, STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER, type DRIVER_INITIALIZATION_DATA, type DRIVER_OBJECT, type DXGKARG_BUILDPAGINGBUFFER, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let reference: DRIVER_INITIALIZATION_DATA;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiBuildPagingBuffer };
  return status;
}

function DxgkDdiBuildPagingBuffer(hAdapter: HANDLE, args: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS {
  const status = reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
  if (args.Operation === DXGK_OPERATION_TRANSFER && status === STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER) {
    // The mistake: the progress goes into the inputs, and MultipassOffset back to 0.
    const t = args.Transfer;
    t.TransferOffset += args.MultipassOffset; // BUG: an input of the operation changed
    t.TransferSize -= args.MultipassOffset;
    t.MdlOffset += args.MultipassOffset / PAGE_SIZE;
    args.MultipassOffset = 0;
  }
  return status;
}
