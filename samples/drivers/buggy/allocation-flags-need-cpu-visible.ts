/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `allocation-flags-need-cpu-visible` (paging-lab run --driver samples/drivers/buggy/allocation-flags-need-cpu-visible.ts --scenario samples/scenarios/default.json).
//
// The rule: DXGK_ALLOCATIONINFOFLAGS.Cached and PermanentSysMem are set only with CpuVisible. The
// WDK (DXGK_ALLOCATIONINFOFLAGS): "When the driver sets PermanentSysMem, the driver must also set
// the CpuVisible member." and of Cached: "When the driver sets this member, the driver must also
// set the CpuVisible member."
//
// The bug: this driver asks for a cached backing store for every allocation, to make the CPU's
// reads fast, and forgets that only CPU-visible allocations have anything for the CPU to read: on
// the others Cached comes without CpuVisible. It should set Cached only with CpuVisible.

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
    info.Flags.Cached = true; // BUG: Cached without CpuVisible on allocations the CPU cannot reach
  }
  return status;
}
