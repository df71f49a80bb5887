/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `interrupt-dpc-not-queued` (paging-lab run --driver samples/drivers/buggy/interrupt-dpc-not-queued.ts).
//
// The rule: a DxgkDdiInterruptRoutine that reported something with DxgkCbNotifyInterrupt queues its
// DPC with DxgkCbQueueDpc before it returns. The WDK (DXGKCB_NOTIFY_INTERRUPT): "After the display
// miniport driver calls DXGKCB_NOTIFY_INTERRUPT but before the driver exits its ISR, the driver
// must queue a deferred procedure call (DPC) by using the DxgkCbQueueDpc function."
//
// The bug: this routine reports each engine's new fence and returns TRUE, and its DxgkDdiDpcRoutine
// calls DxgkCbNotifyDpc as it should; but nothing ever queues that DPC, so the GPU scheduler never
// acts on the fences and the paging buffers never complete.

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
      DmaCompleted: { SubmissionFenceId: fence, NodeOrdinal: engine, EngineOrdinal: 0 },
    });
    ours = true;
  }
  return ours; // BUG: returns without DxgkCbQueueDpc, so DxgkDdiDpcRoutine never runs
}
