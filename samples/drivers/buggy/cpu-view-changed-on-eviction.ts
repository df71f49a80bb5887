/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `cpu-view-changed-on-eviction` (paging-lab run --driver samples/drivers/buggy/cpu-view-changed-on-eviction.ts --scenario samples/scenarios/cpu-access.json).
//
// The rule: after a CPU-visible allocation is evicted, system memory holds exactly the bytes the
// application saw through the aperture. The WDK ("Mapping Virtual Addresses to a Memory Segment"):
// "when a CPU-accessible allocation is evicted from video memory, the display miniport driver must
// unswizzle the allocation so that the resultant system memory bits can be directly accessed by the
// application" and "the driver must ensure that the byte ordering of an allocation through the PCI
// aperture exactly matches the byte ordering of the allocation when the allocation is evicted."
//
// The bug: this driver moves swizzled surfaces like any other allocation, with plain `copy`
// instructions. Through the aperture the application saw the surface linearly (the unswizzling
// range did that); after an eviction under its lock it finds the tiles, in tile order, at the same
// address. The reference driver uses `unswizzle` on the way out and `swizzle` on the way back.

import {
  DXGK_OPERATION_TRANSFER,
  type DRIVER_INITIALIZATION_DATA,
  type DRIVER_OBJECT,
  type DXGKARG_BUILDPAGINGBUFFER,
  type HANDLE,
  type NTSTATUS,
} from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let reference: DRIVER_INITIALIZATION_DATA;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiBuildPagingBuffer };
  return status;
}

function DxgkDdiBuildPagingBuffer(hAdapter: HANDLE, args: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS {
  if (args.Operation === DXGK_OPERATION_TRANSFER) {
    // BUG: hides the swizzled layout from the reference code, so the transfer is a plain copy.
    const allocation = args.Transfer.hAllocation as { swizzled?: boolean } | null;
    if (allocation?.swizzled) {
      const swizzled = allocation.swizzled;
      allocation.swizzled = false;
      try {
        return reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
      } finally {
        allocation.swizzled = swizzled;
      }
    }
  }
  return reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
}
