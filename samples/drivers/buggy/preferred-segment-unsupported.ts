/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `preferred-segment-unsupported` (paging-lab run --driver samples/drivers/buggy/preferred-segment-unsupported.ts --scenario samples/scenarios/default.json).
//
// The rule: every segment DXGK_ALLOCATIONINFO.PreferredSegment names is one the allocation's
// SupportedReadSegmentSet or SupportedWriteSegmentSet includes. The WDK (DXGK_ALLOCATIONINFO): "The
// KMD can set preferences only for segments that are supported for read operations. VidMm asserts
// if the driver attempts to set preferences for unsupported segments in the PreferredSegment member."
//
// The bug: this driver puts the fastest segment, the VRAM the CPU cannot see, first in every
// allocation's preferences, CPU-visible ones included, whose supported sets rightly name only the
// VRAM the CPU can reach. A simulator that skipped the preference would run it; VidMm asserts.

import { type DRIVER_INITIALIZATION_DATA, type DRIVER_OBJECT, type DXGKARG_CREATEALLOCATION, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let reference: DRIVER_INITIALIZATION_DATA;
let fastest = 0;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = {
    ...reference,
    DxgkDdiStartDevice(ctx, info, dxgk) {
      const hidden = dxgk.DxgkCbGetDeviceInformation(dxgk.DeviceHandle).Registers.Segments.find((s) => s.Kind === 'memory' && !s.CpuVisible);
      fastest = hidden?.Id ?? 0;
      return reference.DxgkDdiStartDevice(ctx, info, dxgk);
    },
    DxgkDdiCreateAllocation,
  };
  return status;
}

function DxgkDdiCreateAllocation(hAdapter: HANDLE, args: DXGKARG_CREATEALLOCATION): NTSTATUS {
  const status = reference.DxgkDdiCreateAllocation(hAdapter, args);
  for (const info of args.pAllocationInfo) {
    if (fastest) info.PreferredSegment.SegmentId0 = fastest; // BUG: CPU-visible ones do not support it
  }
  return status;
}
