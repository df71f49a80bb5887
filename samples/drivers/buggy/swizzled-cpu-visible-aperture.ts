/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `swizzled-cpu-visible-aperture` (paging-lab run --driver samples/drivers/buggy/swizzled-cpu-visible-aperture.ts --scenario samples/scenarios/aperture-surfaces.json).
//
// The rule: a CPU-visible swizzled allocation may not be placed in an aperture segment. The WDK
// ("Mapping Virtual Addresses to a Memory Segment"): "For aperture-space segments, the underlying
// bits of the allocation are already in system memory, so no transfer (unswizzling) of data during
// the eviction process is required. Therefore, a CPU-accessible allocation located in an
// aperture-space segment cannot be swizzled if it is accessed directly by an application."
//
// The bug: this driver lets every CPU-visible allocation use the aperture segments as well, since
// the CPU reaches their pages anyway, swizzled surfaces included. Through an aperture segment the
// application would see the raw tiles. Such a surface must be two allocations instead.

import { type DRIVER_INITIALIZATION_DATA, type DRIVER_OBJECT, type DXGKARG_CREATEALLOCATION, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let reference: DRIVER_INITIALIZATION_DATA;
let apertureSegments = 0;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = {
    ...reference,
    DxgkDdiStartDevice(ctx, info, dxgk) {
      for (const s of dxgk.DxgkCbGetDeviceInformation(dxgk.DeviceHandle).Registers.Segments) if (s.Kind === 'aperture') apertureSegments |= 1 << (s.Id - 1);
      return reference.DxgkDdiStartDevice(ctx, info, dxgk);
    },
    DxgkDdiCreateAllocation,
  };
  return status;
}

function DxgkDdiCreateAllocation(hAdapter: HANDLE, args: DXGKARG_CREATEALLOCATION): NTSTATUS {
  const status = reference.DxgkDdiCreateAllocation(hAdapter, args);
  for (const info of args.pAllocationInfo) {
    if (info.Flags.CpuVisible) info.SupportedReadSegmentSet |= apertureSegments; // BUG: swizzled ones too
  }
  return status;
}
