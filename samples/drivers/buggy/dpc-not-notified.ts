/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `dpc-not-notified` (paging-lab run --driver samples/drivers/buggy/dpc-not-notified.ts).
//
// The rule: the DPC that DxgkDdiInterruptRoutine queued after reporting something calls
// DxgkCbNotifyDpc. The WDK (DXGKCB_NOTIFY_INTERRUPT): "This DPC must be queued because the GPU
// scheduler also must be notified when the driver's DPC callback routine calls the DXGKCB_NOTIFY_DPC
// function about the same event at DPC time."
//
// The bug: this driver's DPC was written for display interrupts (a vertical blank it tracks itself)
// and tells the scheduler only about those; the DMA completions its interrupt routine reported never
// reach the GPU scheduler, and the paging buffers never complete.

import { type DRIVER_INITIALIZATION_DATA, type DRIVER_OBJECT, type DXGKRNL_INTERFACE, type DXGK_START_INFO, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let reference: DRIVER_INITIALIZATION_DATA;
let dxgk: DXGKRNL_INTERFACE | null = null;
const vsyncPending = false; // this adapter drives no display

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiStartDevice, DxgkDdiDpcRoutine };
  return status;
}

function DxgkDdiStartDevice(MiniportDeviceContext: HANDLE, DxgkStartInfo: DXGK_START_INFO, DxgkInterface: DXGKRNL_INTERFACE): NTSTATUS {
  dxgk = DxgkInterface;
  return reference.DxgkDdiStartDevice(MiniportDeviceContext, DxgkStartInfo, DxgkInterface);
}

function DxgkDdiDpcRoutine(MiniportDeviceContext: HANDLE): void {
  void MiniportDeviceContext;
  if (!vsyncPending) return; // BUG: DMA completions need DxgkCbNotifyDpc too
  dxgk!.DxgkCbNotifyDpc(dxgk!.DeviceHandle);
}
