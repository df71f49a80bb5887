// The memory a driver gets with DxgkCbAllocateContiguousMemory and gives back with
// DxgkCbFreeContiguousMemory: common buffers out of the same budget as VidMm's own, each with
// Dxgkrnl's tracking handle (hMemoryHandle). The kernel reads the list when the budget runs short
// (who holds it) and to find the driver line behind a write into memory an engine has queued.

import { STATUS_INVALID_PARAMETER, STATUS_NO_MEMORY, STATUS_SUCCESS, type DXGKARGCB_ALLOCATECONTIGUOUSMEMORY, type DXGKARGCB_FREECONTIGUOUSMEMORY, type NTSTATUS } from '../ddi/contract';
import { PAGE_SIZE } from '../hw/constants';
import type { CommonBuffer, Gpu } from '../hw/types';

export interface ContiguousBlock {
  /** Bytes of the budget it takes (whole pages). */
  bytes: number;
  /** Where the driver asked for it. */
  stack: string | undefined;
  buffer: CommonBuffer;
  handle: object;
}

export class ContiguousMemory {
  /** What the driver holds now, in the order it asked. */
  readonly blocks: ContiguousBlock[] = [];

  constructor(private readonly gpu: Gpu) {}

  allocate(args: DXGKARGCB_ALLOCATECONTIGUOUSMEMORY): NTSTATUS {
    const b = this.gpu.allocateCommonBuffer(args.NumberOfBytes);
    if (!b) return STATUS_NO_MEMORY;
    // The handle names the memory where the debugger shows it.
    const handle = Object.freeze({ ContiguousMemory: `0x${b.physical.toString(16)}`, NumberOfBytes: args.NumberOfBytes });
    this.blocks.push({ bytes: Math.ceil(b.size / PAGE_SIZE) * PAGE_SIZE, stack: new Error().stack, buffer: b, handle });
    args.pVirtualAddress = b.bytes;
    args.PhysicalAddress = b.physical;
    args.hMemoryHandle = handle;
    return STATUS_SUCCESS;
  }

  /** Gives back the block `args.hMemoryHandle` names; a handle not returned by `allocate`, or given back already, is refused. */
  free(args: DXGKARGCB_FREECONTIGUOUSMEMORY): NTSTATUS {
    const i = this.blocks.findIndex((m) => m.handle === args?.hMemoryHandle);
    if (i < 0) return STATUS_INVALID_PARAMETER;
    const [m] = this.blocks.splice(i, 1);
    this.gpu.freeCommonBuffer(m.buffer);
    return STATUS_SUCCESS;
  }
}
