/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `dma-pointer-not-advanced` (paging-lab run --driver samples/drivers/buggy/dma-pointer-not-advanced.ts).
//
// The rule: on STATUS_SUCCESS, pDmaBuffer points past the last byte written. The WDK: "When the
// driver successfully builds the paging buffer, the driver's DxgkDdiBuildPagingBuffer should update
// pDmaBuffer to point past the last byte that is written to the paging buffer and then return
// STATUS_SUCCESS."
//
// The bug: the Fill case writes its `fill` instruction and counts the space as used (DmaSize), but
// never moves pDmaBuffer. VidMm submits what lies before pDmaBuffer, so the fill never reaches the
// GPU and the next operation overwrites it: the allocation keeps whatever was in VRAM.

import {
  DXGK_OPERATION_FILL,
  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER,
  STATUS_SUCCESS,
  type DRIVER_INITIALIZATION_DATA,
  type DRIVER_OBJECT,
  type DXGKARG_BUILDPAGINGBUFFER,
  type HANDLE,
  type NTSTATUS,
} from 'paging-lab/ddi';
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
  if (args.Operation !== DXGK_OPERATION_FILL) return reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
  const f = args.Fill;
  if (args.DmaSize < instructionSize('fill')) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
  const n = writeInstruction(args.pDmaBuffer.Bytes, args.pDmaBuffer.Offset, 'fill', [
    segmentAt(registersOf(hAdapter), f.Destination.SegmentId, f.Destination.SegmentAddress),
    f.FillSize,
    f.FillPattern,
  ]);
  args.DmaSize -= n; // and no `args.pDmaBuffer.Offset += n;`
  return STATUS_SUCCESS; // BUG: pDmaBuffer was not advanced past what was written
}
