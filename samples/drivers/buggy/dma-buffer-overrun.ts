/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `dma-buffer-overrun` (paging-lab run --driver samples/drivers/buggy/dma-buffer-overrun.ts).
//
// The rule: DxgkDdiBuildPagingBuffer writes at most DmaSize bytes from pDmaBuffer. The WDK: "the
// driver should always verify that the paging buffer has enough space remaining before it writes to
// the buffer. If not enough space remains in the paging buffer, the driver should return
// STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER."
//
// The bug: this driver writes every `copy` of a transfer in one go, assuming a paging buffer is
// always big enough for a whole transfer. When VidMm hands it the tail of a buffer, the copies run
// past DmaSize into memory that is not the paging buffer's. The reference driver checks DmaSize
// before each instruction and keeps its progress in MultipassOffset.

import {
  DXGK_OPERATION_TRANSFER,
  STATUS_SUCCESS,
  type DRIVER_INITIALIZATION_DATA,
  type DEVICE_REGISTERS,
  type DRIVER_OBJECT,
  type DXGK_TRANSFER_LOCATION,
  type DXGKARG_BUILDPAGINGBUFFER,
  type HANDLE,
  type NTSTATUS,
} from 'paging-lab/ddi';
import { type Location, mdlLocation, writeInstruction } from 'paging-lab/gpu';
import { DriverEntry as ReferenceDriverEntry, registersOf } from '../reference/driver';
import { segmentAt } from '../reference/segments';

const MAX_COPY_BYTES = 64 * 1024;
let reference: DRIVER_INITIALIZATION_DATA;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiBuildPagingBuffer };
  return status;
}

function DxgkDdiBuildPagingBuffer(hAdapter: HANDLE, args: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS {
  if (args.Operation !== DXGK_OPERATION_TRANSFER) return reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
  const t = args.Transfer;
  const p = args.pDmaBuffer;
  for (let done = 0; done < t.TransferSize; done += MAX_COPY_BYTES) {
    const n = Math.min(MAX_COPY_BYTES, t.TransferSize - done);
    // The mistake: no `if (args.DmaSize < instructionSize('copy')) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;`
    const src = locate(registersOf(hAdapter), t.Source, t.TransferOffset + done, t.MdlOffset * 4096 + done);
    const dst = locate(registersOf(hAdapter), t.Destination, t.TransferOffset + done, t.MdlOffset * 4096 + done);
    p.Offset += writeInstruction(p.Bytes, p.Offset, 'copy', [dst, src, n]); // BUG: written whether it fits or not
  }
  return STATUS_SUCCESS;
}

function locate(registers: DEVICE_REGISTERS, side: DXGK_TRANSFER_LOCATION, allocationOffset: number, mdlByteOffset: number): Location {
  if (side.SegmentId === 0) return mdlLocation(side.pMdl!.PageListPhysicalAddress, mdlByteOffset);
  return segmentAt(registers, side.SegmentId, side.SegmentAddress, allocationOffset);
}
