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

import {
  DXGK_INTERRUPT_DMA_COMPLETED,
  type DEVICE_REGISTERS,
  type DRIVER_INITIALIZATION_DATA,
  type DRIVER_OBJECT,
  type DXGKRNL_INTERFACE,
  type DXGK_START_INFO,
  type HANDLE,
  type NTSTATUS,
} from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let reference: DRIVER_INITIALIZATION_DATA;
let dxgk: DXGKRNL_INTERFACE | null = null;
let registers: DEVICE_REGISTERS | null = null;
const lastFence: number[] = [];

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiStartDevice, DxgkDdiInterruptRoutine };
  return status;
}

function DxgkDdiStartDevice(MiniportDeviceContext: HANDLE, DxgkStartInfo: DXGK_START_INFO, DxgkInterface: DXGKRNL_INTERFACE): NTSTATUS {
  dxgk = DxgkInterface;
  registers = DxgkInterface.DxgkCbGetDeviceInformation(DxgkInterface.DeviceHandle).Registers;
  return reference.DxgkDdiStartDevice(MiniportDeviceContext, DxgkStartInfo, DxgkInterface);
}

function DxgkDdiInterruptRoutine(MiniportDeviceContext: HANDLE, MessageNumber: number): boolean {
  void MiniportDeviceContext;
  void MessageNumber;
  let ours = false;
  for (let engine = 0; engine < registers!.EngineCount; engine++) {
    const fence = registers!.ReadPagingFence(engine);
    if (fence === (lastFence[engine] ?? 0)) continue;
    lastFence[engine] = fence;
    dxgk!.DxgkCbNotifyInterrupt(dxgk!.DeviceHandle, {
      InterruptType: DXGK_INTERRUPT_DMA_COMPLETED,
      DmaCompleted: { SubmissionFenceId: fence, NodeOrdinal: engine, EngineOrdinal: engine },
    });
    ours = true;
  }
  if (ours) {
    dxgk!.DxgkCbQueueDpc(dxgk!.DeviceHandle);
    dxgk!.DxgkCbNotifyDpc(dxgk!.DeviceHandle); // BUG: a DPC-level callback, called at the interrupt's IRQL
  }
  return ours;
}
