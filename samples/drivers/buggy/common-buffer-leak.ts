/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `common-buffer-leak` (paging-lab run --driver samples/drivers/buggy/common-buffer-leak.ts --scenario samples/scenarios/bus-master-dma.json).
//
// The rule: when DMA is no longer needed, the driver frees its common buffers and puts the DMA
// adapter back. The WDK ("Bus-Master DMA in Video Miniport Drivers"): "The common buffer is a
// precious system resource. For better overall driver and system performance, drivers should use
// common-buffer DMA as economically as possible." and "When there is no longer any need for
// continued DMA operations, the miniport driver should call VideoPortPutDmaAdapter to discard the
// adapter object."
//
// The bug: this driver's DxgkDdiStopDevice forgets the bus-master DMA resources it took in
// DxgkDdiStartDevice: the descriptor common buffer stays allocated and the adapter is never put back.

import { STATUS_SUCCESS, type DRIVER_INITIALIZATION_DATA, type DRIVER_OBJECT, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let reference: DRIVER_INITIALIZATION_DATA;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiStopDevice };
  return status;
}

function DxgkDdiStopDevice(MiniportDeviceContext: HANDLE): NTSTATUS {
  void MiniportDeviceContext; // no FreeCommonBuffer, no DxgkCbPutDmaAdapter
  return STATUS_SUCCESS; // BUG: returns holding the common buffer and the DMA adapter
}
