/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `common-buffer-budget` (paging-lab run --driver samples/drivers/buggy/common-buffer-budget.ts --scenario samples/scenarios/bus-master-dma.json).
//
// The rule: the driver leaves the common buffer to those who need it. The WDK ("Bus-Master DMA in
// Video Miniport Drivers"): "The common buffer is a precious system resource. For better overall
// driver and system performance, drivers should use common-buffer DMA as economically as possible."
//
// The bug: so that it never runs short later, this driver fills a pool of DMA descriptors from the
// DMA adapter when the device starts, until AllocateCommonBuffer says no. The kernel then has
// nothing left for its own paging buffers and page lists.

import { type DRIVER_OBJECT, type NTSTATUS, type VP_COMMON_BUFFER } from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

const pool: VP_COMMON_BUFFER[] = [];

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  const reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = {
    ...reference,
    DxgkDdiStartDevice(ctx, info, dxgk) {
      const started = reference.DxgkDdiStartDevice(ctx, info, dxgk);
      const adapter = dxgk.DxgkCbGetDmaAdapter?.(dxgk.DeviceHandle, { ScatterGather: true, Dma32BitAddresses: false, Dma64BitAddresses: true, MaximumLength: 1 << 24 });
      for (let b = adapter?.AllocateCommonBuffer(64 * 1024); b; b = adapter!.AllocateCommonBuffer(64 * 1024)) pool.push(b); // BUG: all of it
      return started;
    },
  };
  return status;
}
