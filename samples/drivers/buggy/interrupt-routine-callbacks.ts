/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `interrupt-routine-callbacks` (paging-lab run --driver samples/drivers/buggy/interrupt-routine-callbacks.ts).
//
// The rule: DxgkDdiInterruptRoutine runs at the interrupt's IRQL, where the only kernel callbacks it
// may make are DxgkCbNotifyInterrupt and DxgkCbQueueDpc. The WDK (DxgkDdiInterruptRoutine): "The
// DxgkDdiInterruptRoutine function can call DxgkCbQueueDpc and DxgkCbNotifyInterrupt but must not
// call any other DxgkCbXxx functions."
//
// The bug: to have the fences complete sooner, this routine calls DxgkCbNotifyDpc itself right after
// reporting them, instead of leaving that to its DxgkDdiDpcRoutine.

import { type DRIVER_INITIALIZATION_DATA, type DRIVER_OBJECT, type DXGKRNL_INTERFACE, type DXGK_START_INFO, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let reference: DRIVER_INITIALIZATION_DATA;
let dxgk: DXGKRNL_INTERFACE | null = null;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiStartDevice, DxgkDdiInterruptRoutine };
  return status;
}

function DxgkDdiStartDevice(MiniportDeviceContext: HANDLE, DxgkStartInfo: DXGK_START_INFO, DxgkInterface: DXGKRNL_INTERFACE): NTSTATUS {
  dxgk = DxgkInterface;
  return reference.DxgkDdiStartDevice(MiniportDeviceContext, DxgkStartInfo, DxgkInterface);
}

function DxgkDdiInterruptRoutine(MiniportDeviceContext: HANDLE, MessageNumber: number): boolean {
  // Reports the new fences and queues the DPC, as the reference driver does...
  const ours = reference.DxgkDdiInterruptRoutine(MiniportDeviceContext, MessageNumber);
  if (ours) dxgk!.DxgkCbNotifyDpc(dxgk!.DeviceHandle); // BUG: a DPC-level callback, called at the interrupt's IRQL
  return ours;
}
