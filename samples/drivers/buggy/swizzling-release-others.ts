/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `swizzling-release-others` (paging-lab run --driver samples/drivers/buggy/swizzling-release-others.ts --scenario samples/scenarios/cpu-access.json).
//
// The rule: DxgkDdiReleaseSwizzlingRange releases only the range RangeId names. The WDK
// (DxgkDdiReleaseSwizzlingRange): "the display miniport driver should release only the swizzling
// range that the RangeId member of DXGKARG_RELEASESWIZZLINGRANGE specifies. If the display miniport
// driver releases all of the swizzling ranges that are associated with the allocation, random
// corruption in the allocation might result because an application might currently be using one
// or more of the swizzling ranges."
//
// The bug: the driver keeps the unswizzling ranges it programmed in one list and, to be sure none
// is left behind, clears the whole list at every release. The other ranges belong to allocations
// other applications still have locked through the aperture.

import { STATUS_SUCCESS, type DEVICE_REGISTERS, type DRIVER_OBJECT, type DXGKARG_ACQUIRESWIZZLINGRANGE, type DXGKARG_RELEASESWIZZLINGRANGE, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let registers: DEVICE_REGISTERS | undefined;
/** Every unswizzling range this driver has programmed and not cleared. */
const programmed: number[] = [];

let reference: { DxgkDdiAcquireSwizzlingRange?: (hAdapter: HANDLE, args: DXGKARG_ACQUIRESWIZZLINGRANGE) => NTSTATUS } = {};

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  const init = DriverObject.DriverInitializationData!;
  reference = init;
  DriverObject.DriverInitializationData = {
    ...init,
    DxgkDdiStartDevice(ctx, info, dxgk) {
      registers = dxgk.DxgkCbGetDeviceInformation(dxgk.DeviceHandle).Registers;
      return init.DxgkDdiStartDevice(ctx, info, dxgk);
    },
    DxgkDdiAcquireSwizzlingRange,
    DxgkDdiReleaseSwizzlingRange,
  };
  return status;
}

function DxgkDdiAcquireSwizzlingRange(hAdapter: HANDLE, args: DXGKARG_ACQUIRESWIZZLINGRANGE): NTSTATUS {
  const st = reference.DxgkDdiAcquireSwizzlingRange!(hAdapter, args);
  const surface = args.hAllocation as { swizzleHandle: number };
  if (st === STATUS_SUCCESS && surface.swizzleHandle >= 0) programmed.push(surface.swizzleHandle);
  return st;
}

function DxgkDdiReleaseSwizzlingRange(hAdapter: HANDLE, args: DXGKARG_RELEASESWIZZLINGRANGE): NTSTATUS {
  void hAdapter;
  for (const handle of programmed.splice(0)) registers!.ClearSwizzlingRange!(handle); // BUG: clears the ranges of other RangeIds too
  (args.hAllocation as { swizzleHandle: number }).swizzleHandle = -1;
  return STATUS_SUCCESS;
}
