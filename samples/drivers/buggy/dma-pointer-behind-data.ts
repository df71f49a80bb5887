/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `dma-pointer-behind-data` (paging-lab run --driver samples/drivers/buggy/dma-pointer-behind-data.ts).
//
// The rule: pDmaBuffer is not left behind bytes the driver wrote. The WDK: "When the driver
// successfully builds the paging buffer, the driver's DxgkDdiBuildPagingBuffer should update
// pDmaBuffer to point past the last byte that is written to the paging buffer and then return
// STATUS_SUCCESS."
//
// The bug: a DiscardContent needs no GPU work, and VidMm accepts one that writes nothing. This
// driver writes a `discard` hint anyway (so the GPU may drop the range from its caches) but, since
// nothing is required, leaves pDmaBuffer where it was: the hint never reaches the GPU, and the next
// operation writes over it.

import { DXGK_OPERATION_DISCARD_CONTENT, STATUS_SUCCESS, type DRIVER_INITIALIZATION_DATA, type DRIVER_OBJECT, type DXGKARG_BUILDPAGINGBUFFER, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { instructionSize, writeInstruction } from 'paging-lab/gpu';
import { DriverEntry as ReferenceDriverEntry, registersOf } from '../reference/driver';
import { segmentAt } from '../reference/segments';

let reference: DRIVER_INITIALIZATION_DATA;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiBuildPagingBuffer };
  return status;
}

function DxgkDdiBuildPagingBuffer(hAdapter: HANDLE, args: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS {
  if (args.Operation !== DXGK_OPERATION_DISCARD_CONTENT) return reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
  const d = args.DiscardContent;
  if (args.DmaSize >= instructionSize('discard')) {
    writeInstruction(args.pDmaBuffer.Bytes, args.pDmaBuffer.Offset, 'discard', [segmentAt(registersOf(hAdapter), d.SegmentId, d.SegmentAddress), 4096]);
    // no `args.pDmaBuffer.Offset += ...`: "a discard needs nothing"
  }
  return STATUS_SUCCESS; // BUG: pDmaBuffer is left behind the discard written
}
