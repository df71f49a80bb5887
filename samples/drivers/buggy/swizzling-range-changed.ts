/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `swizzling-range-changed` (paging-lab run --driver samples/drivers/buggy/swizzling-range-changed.ts --scenario samples/scenarios/cpu-access.json).
//
// The rule: DxgkDdiAcquireSwizzlingRange keeps the allocation's offset in the aperture and its size
// there. The WDK ("Mapping Virtual Addresses to a Memory Segment"): "The driver can change neither
// the offset into the PCI aperture where the allocation is accessed nor the amount of space that
// the allocation takes up in the aperture."
//
// The bug: this hardware's unswizzling ranges come in 128 KiB units, so the driver rounds the
// allocation's size up to whole units and hands the rounded size back in args.RangeSize. The
// allocation's size in the aperture is VidMm's, not the driver's: the range would cover the bytes
// of whatever lies after the allocation in the segment.

import { STATUS_INSUFFICIENT_RESOURCES, STATUS_SUCCESS, type DEVICE_REGISTERS, type DRIVER_OBJECT, type DXGKARG_ACQUIRESWIZZLINGRANGE, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';
import { segmentOffset } from '../reference/segments';

/** The granularity of this hardware's unswizzling ranges. */
const UNIT = 128 * 1024;
let registers: DEVICE_REGISTERS | undefined;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  const reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = {
    ...reference,
    DxgkDdiStartDevice(ctx, info, dxgk) {
      registers = dxgk.DxgkCbGetDeviceInformation(dxgk.DeviceHandle).Registers;
      return reference.DxgkDdiStartDevice(ctx, info, dxgk);
    },
    DxgkDdiAcquireSwizzlingRange,
  };
  return status;
}

function DxgkDdiAcquireSwizzlingRange(hAdapter: HANDLE, args: DXGKARG_ACQUIRESWIZZLINGRANGE): NTSTATUS {
  const surface = args.hAllocation as { swizzled: boolean; pitch: number; swizzleHandle: number };
  if (!surface.swizzled) return STATUS_SUCCESS;
  args.RangeSize = Math.ceil(args.RangeSize / UNIT) * UNIT; // BUG: the allocation's size in the aperture is not the driver's to change
  const handle = registers!.ProgramSwizzlingRange!(args.SegmentId, segmentOffset(registers!, args.SegmentId, args.SegmentAddress), args.RangeSize, surface.pitch);
  if (handle < 0) return STATUS_INSUFFICIENT_RESOURCES;
  surface.swizzleHandle = handle;
  args.SwizzlingRangeData = handle;
  return STATUS_SUCCESS;
}
