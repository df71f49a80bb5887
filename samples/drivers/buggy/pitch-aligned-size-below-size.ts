/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `pitch-aligned-size-below-size` (paging-lab run --driver samples/drivers/buggy/pitch-aligned-size-below-size.ts --scenario samples/scenarios/default.json).
//
// The rule: a nonzero DXGK_ALLOCATIONINFO.PitchAlignedSize is at least Size. The WDK
// (DXGK_ALLOCATIONINFO): "If the driver specifies a nonzero value in PitchAlignedSize, the value
// must be greater than or equal to the value in the Size member."
//
// The bug: this driver reads the member's name as "the pitch, aligned" and stores the surface's row
// pitch rounded up to 256 bytes there. PitchAlignedSize is the whole allocation's size when it sits
// in a pitch-aligned segment; an allocation no such segment takes (this adapter has none) sets 0.

import { type DRIVER_INITIALIZATION_DATA, type DRIVER_OBJECT, type DXGKARG_CREATEALLOCATION, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let reference: DRIVER_INITIALIZATION_DATA;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiCreateAllocation };
  return status;
}

function DxgkDdiCreateAllocation(hAdapter: HANDLE, args: DXGKARG_CREATEALLOCATION): NTSTATUS {
  const status = reference.DxgkDdiCreateAllocation(hAdapter, args);
  for (const info of args.pAllocationInfo) {
    const pitch = Number((info.pPrivateDriverData as { pitch?: unknown }).pitch ?? 1024);
    info.PitchAlignedSize = Math.ceil(pitch / 256) * 256; // BUG: a row pitch, not the allocation's size
  }
  return status;
}
