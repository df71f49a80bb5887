/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `tdr` (paging-lab run --driver samples/drivers/buggy/tdr.ts).
//
// The rule: every DDI returns within the timeout detection and recovery (TDR) delay, 2 seconds by
// default. A DDI runs on a kernel thread that the GPU scheduler and VidMm are waiting on; one that
// never returns stalls the whole display stack until Windows resets the adapter.
//
// The bug: before filling an allocation, this driver waits for the GPU to finish everything queued
// so far by polling the paging fence register in DxgkDdiBuildPagingBuffer. But the GPU only gets to
// run, and the fence only moves, after VidMm submits the paging buffer, which happens after this
// call returns: the loop never ends. When an operation has to wait for the GPU, the driver returns
// STATUS_GRAPHICS_ALLOCATION_BUSY (Transfer, DiscardContent) and VidMm does the waiting.

import {
  DXGK_OPERATION_FILL,
  type DEVICE_REGISTERS,
  type DRIVER_INITIALIZATION_DATA,
  type DRIVER_OBJECT,
  type DXGKARG_BUILDPAGINGBUFFER,
  type DXGKRNL_INTERFACE,
  type DXGK_START_INFO,
  type HANDLE,
  type NTSTATUS,
} from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let reference: DRIVER_INITIALIZATION_DATA;
let registers: DEVICE_REGISTERS | null = null;
let submitted = 0;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiStartDevice, DxgkDdiBuildPagingBuffer };
  return status;
}

function DxgkDdiStartDevice(MiniportDeviceContext: HANDLE, DxgkStartInfo: DXGK_START_INFO, DxgkInterface: DXGKRNL_INTERFACE): NTSTATUS {
  registers = DxgkInterface.DxgkCbGetDeviceInformation(DxgkInterface.DeviceHandle).Registers;
  return reference.DxgkDdiStartDevice(MiniportDeviceContext, DxgkStartInfo, DxgkInterface);
}

function DxgkDdiBuildPagingBuffer(hAdapter: HANDLE, args: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS {
  if (args.Operation === DXGK_OPERATION_FILL) {
    submitted++;
    // BUG: waits for work that cannot start until this call returns
    while (registers!.ReadPagingFence(0) < submitted) {
      /* spin */
    }
  }
  return reference.DxgkDdiBuildPagingBuffer(hAdapter, args);
}
