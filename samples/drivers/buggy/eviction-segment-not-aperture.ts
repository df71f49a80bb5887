/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `eviction-segment-not-aperture` (paging-lab run --driver samples/drivers/buggy/eviction-segment-not-aperture.ts --scenario samples/scenarios/default.json).
//
// The rule: DXGK_ALLOCATIONINFO.EvictionSegmentSet names aperture segments only. The WDK
// (DXGK_ALLOCATIONINFO): "Only aperture segments can be specified by this member. If the driver
// specifies valid segments to be used for eviction, VidMm attempts to allocate resources in those
// aperture segments to accelerate the eviction process."
//
// The bug: this driver names the segments an allocation may live in as where it may be evicted to,
// as if VidMm would move an evicted allocation to the other VRAM segment. Eviction goes to system
// memory, through an aperture segment at most: 0 (evict straight to system memory) was right.

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
    info.EvictionSegmentSet = info.SupportedWriteSegmentSet; // BUG: memory segments, not aperture ones
  }
  return status;
}
