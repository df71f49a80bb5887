/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `patch-changed-size` (paging-lab run --driver samples/drivers/buggy/patch-changed-size.ts).
//
// The rule: DxgkDdiPatch may update the bytes of a paging buffer, not its size. The WDK: "The
// driver's DxgkDdiPatch function can perform last-minute updates to the paging buffer; however, the
// driver's DxgkDdiPatch function cannot change the size of the paging buffer."
//
// The bug: this driver appends a `nop` marker after every paging buffer in DxgkDdiPatch and grows
// DmaBufferSubmissionEndOffset to cover it. The range VidMm submits is VidMm's: a marker belongs in
// DxgkDdiBuildPagingBuffer (which checks DmaSize) or in the driver's own ring in DxgkDdiSubmitCommand.

import {
  type DRIVER_INITIALIZATION_DATA,
  type DRIVER_OBJECT,
  type DXGKARG_PATCH,
  type HANDLE,
  type NTSTATUS,
} from 'paging-lab/ddi';
import { instructionSize, writeInstruction } from 'paging-lab/gpu';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let reference: DRIVER_INITIALIZATION_DATA;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiPatch };
  return status;
}

function DxgkDdiPatch(hAdapter: HANDLE, pPatch: DXGKARG_PATCH): NTSTATUS {
  const status = reference.DxgkDdiPatch(hAdapter, pPatch);
  const end = pPatch.DmaBufferSubmissionEndOffset;
  if (pPatch.Flags.Paging && end + instructionSize('nop') <= pPatch.DmaBufferSize) {
    writeInstruction(pPatch.pDmaBuffer, end, 'nop', []);
    pPatch.DmaBufferSubmissionEndOffset = end + instructionSize('nop'); // changes the paging buffer's size
  }
  return status; // BUG: returns with the submitted range grown
}
