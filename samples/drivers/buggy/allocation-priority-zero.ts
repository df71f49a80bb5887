/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `allocation-priority-zero` (paging-lab run --driver samples/drivers/buggy/allocation-priority-zero.ts --scenario samples/scenarios/default.json).
//
// The rule: DXGK_ALLOCATIONINFO.AllocationPriority is a priority level, not 0. The WDK
// (DXGK_ALLOCATIONINFO): "If priority level for allocations is not an issue to the driver, the
// driver should set all priority levels to D3DDDI_ALLOCATIONPRIORITY_NORMAL. Note that 0 is an
// invalid initial allocation priority."
//
// The bug: this driver takes the priority from the user-mode driver's private data, and when the
// user-mode driver gives none it falls back to 0, as if 0 meant "no preference". It means nothing
// valid: the fallback is D3DDDI_ALLOCATIONPRIORITY_NORMAL.

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
    const requested = info.pPrivateDriverData as { priority?: unknown };
    info.AllocationPriority = Number(requested.priority ?? 0); // BUG: 0 is not a priority level
  }
  return status;
}
