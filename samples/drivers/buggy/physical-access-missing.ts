/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `physical-access-missing` (paging-lab run --driver samples/drivers/buggy/physical-access-missing.ts --scenario samples/scenarios/aperture.json).
//
// The rule: ReadPhysical and WritePhysical program a GPU access of the given physical address. The
// WDK: "The read-physical operation reads from a specified physical memory address. The driver is
// requested to program the GPU for the operation. [...] the read-physical operation is critical to
// ensure memory coherency."
//
// The bug: the WDK also says the data read is irrelevant, and this driver concluded the read is
// too: it writes a `nop` to satisfy VidMm. The GPU's earlier writes are then not known to have
// landed when the CPU reads the memory.

import { DXGK_OPERATION_READ_PHYSICAL, STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER, STATUS_SUCCESS, type DRIVER_INITIALIZATION_DATA, type DRIVER_OBJECT, type DXGKARG_BUILDPAGINGBUFFER, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { instructionSize, writeInstruction } from 'paging-lab/gpu';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let reference: DRIVER_INITIALIZATION_DATA;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiBuildPagingBuffer };
  return status;
}

function DxgkDdiBuildPagingBuffer(hAdapter: HANDLE, args: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS {
  if (args.Operation !== DXGK_OPERATION_READ_PHYSICAL) return reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
  if (args.DmaSize < instructionSize('nop')) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
  args.pDmaBuffer.Offset += writeInstruction(args.pDmaBuffer.Bytes, args.pDmaBuffer.Offset, 'nop', []); // not a `pread` of ReadPhysical.PhysicalAddress
  return STATUS_SUCCESS; // BUG: nothing written reads the physical address
}
