/// <reference path="../../../../types/paging-lab-ddi.d.ts" />
// Buggy sample, no verifier rule: the end-of-run content check (`verify`) catches it
// (paging-lab run --driver samples/drivers/buggy/content/sub-transfer-wrong-byte.ts).
//
// The expectation: every byte the workload wrote comes back. The WDK (DXGKARG_BUILDPAGINGBUFFER,
// Transfer): the driver transfers TransferSize bytes from Source to Destination; split across calls
// with MultipassOffset, the sub-transfers together move the whole range, each byte once.
//
// The bug: the last copy of a sub-transfer that resumes a split transfer (MultipassOffset > 0) is
// written as two instructions, all but its last byte and then that byte alone, and the lone byte's
// source is the byte before it (an index off by one). Nothing breaks a rule: the DMA buffer is well
// formed, the pointer advanced. One byte of the allocation is wrong, and only the content check at the end sees it.
// The corruption drill: from that failure, `!who ADDRESS` on the bad byte in the debugger leads
// to the copy instruction, the DxgkDdiBuildPagingBuffer call and the line below marked GUILTY.

import {
  DXGK_OPERATION_TRANSFER,
  PAGE_SIZE,
  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER,
  STATUS_SUCCESS,
  type DRIVER_INITIALIZATION_DATA,
  type DEVICE_REGISTERS,
  type DRIVER_OBJECT,
  type DXGKARG_BUILDPAGINGBUFFER,
  type DXGK_TRANSFER_LOCATION,
  type HANDLE,
  type NTSTATUS,
} from 'paging-lab/ddi';
import { instructionSize, mdlLocation, writeInstruction, type Location } from 'paging-lab/gpu';
import { DriverEntry as ReferenceDriverEntry, registersOf } from '../../reference/driver';
import { segmentAt } from '../../reference/segments';

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
  // Only plain copies between a segment and an MDL (no tiled or swizzled surface), of a split transfer's later parts.
  const surface = t.hAllocation as { tiled?: boolean; swizzled?: boolean } | null;
  if (t.Flags.TransferStart || surface?.tiled || surface?.swizzled || (t.Source.SegmentId !== 0) === (t.Destination.SegmentId !== 0)) {
    return reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
  }
  const registers = registersOf(hAdapter);
  const copySize = instructionSize('copy');
  let done = args.MultipassOffset;
  while (done < t.TransferSize) {
    const n = Math.min(MAX_COPY_BYTES, t.TransferSize - done);
    const last = done + n === t.TransferSize;
    if (args.DmaSize < (last ? 2 : 1) * copySize) {
      args.MultipassOffset = done;
      return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
    }
    const at = (k: number): [Location, Location] => [locate(registers, t.Destination, t.TransferOffset + k, t.MdlOffset * PAGE_SIZE + k), locate(registers, t.Source, t.TransferOffset + k, t.MdlOffset * PAGE_SIZE + k)];
    if (!last) {
      emit(args, at(done), n);
    } else {
      emit(args, at(done), n - 1);
      const [dst] = at(done + n - 1);
      const [, src] = at(done + n - 2);
      emit(args, [dst, src], 1); // GUILTY: the tail byte's source is the byte before it
    }
    done += n;
  }
  args.MultipassOffset = done;
  return STATUS_SUCCESS;
}

function locate(registers: DEVICE_REGISTERS, side: DXGK_TRANSFER_LOCATION, allocationOffset: number, mdlByteOffset: number): Location {
  if (side.SegmentId === 0) return mdlLocation(side.pMdl!.PageListPhysicalAddress, mdlByteOffset);
  return segmentAt(registers, side.SegmentId, side.SegmentAddress, allocationOffset);
}

function emit(args: DXGKARG_BUILDPAGINGBUFFER, [dst, src]: [Location, Location], bytes: number): void {
  const p = args.pDmaBuffer;
  const n = writeInstruction(p.Bytes, p.Offset, 'copy', [dst, src, bytes]);
  p.Offset += n;
  args.DmaSize -= n;
}
