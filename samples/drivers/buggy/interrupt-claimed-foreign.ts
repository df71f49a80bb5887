/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `interrupt-claimed-foreign` (paging-lab run --driver samples/drivers/buggy/interrupt-claimed-foreign.ts --scenario samples/scenarios/shared-interrupt.json).
//
// The rule: on a line-based interrupt, which other devices may share, DxgkDdiInterruptRoutine
// returns FALSE when its adapter did not generate the interrupt. The WDK (DxgkDdiInterruptRoutine):
// "If the interrupt is line-based (MessageNumber = 0), DxgkDdiInterruptRoutine must determine whether
// the adapter represented by MiniportDeviceContext generated the interrupt and, if not, return FALSE
// immediately."
//
// The bug: this driver reports its adapter's fences as the reference driver does, but says TRUE to
// every interrupt, on the belief that the line is its own. On the shared-interrupt scenario another
// device raises interrupts on the same line; claiming them keeps them from that device's driver.

import { type DRIVER_INITIALIZATION_DATA, type DRIVER_OBJECT, type HANDLE, type NTSTATUS } from 'paging-lab/ddi';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

let reference: DRIVER_INITIALIZATION_DATA;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiInterruptRoutine };
  return status;
}

function DxgkDdiInterruptRoutine(MiniportDeviceContext: HANDLE, MessageNumber: number): boolean {
  reference.DxgkDdiInterruptRoutine(MiniportDeviceContext, MessageNumber);
  return true; // BUG: every interrupt on the line is taken as this adapter's
}
