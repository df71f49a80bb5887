/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// Buggy sample: rule `submitted-commands-changed` (paging-lab run --driver samples/drivers/buggy/submitted-commands-changed.ts).
//
// The rule: commands handed to an engine with SubmitDmaBuffer stay as they were until the engine
// has run them. The WDK ("Supplying Fence Identifiers"): "The driver uses the fence identifier
// passed to DxgkDdiSubmitCommand to write into the ring buffer, which is the buffer where DMA
// buffers are queued for execution by the graphics processing unit (GPU)."
//
// The bug: this driver keeps one small ring of fence commands for all engines and reuses its slots
// in turn. While engine 1 runs a long render, engine 0 goes through paging buffers enough to come
// round the ring and overwrite the fence command engine 1 has not reached: engine 1 then writes
// engine 0's fence id into its own fence register. The reference driver gives each engine a ring
// of its own and checks that a slot's last command has run before it writes it again.

import {
  type DEVICE_REGISTERS,
  type DRIVER_INITIALIZATION_DATA,
  type DRIVER_OBJECT,
  type DXGKARG_SUBMITCOMMAND,
  type DXGKRNL_INTERFACE,
  type DXGK_START_INFO,
  type HANDLE,
  type NTSTATUS,
  STATUS_NO_MEMORY,
  STATUS_SUCCESS,
} from 'paging-lab/ddi';
import { FenceFlags, instructionSize, physicalLocation, writeInstruction } from 'paging-lab/gpu';
import { DriverEntry as ReferenceDriverEntry } from '../reference/driver';

/** Four fence commands, for every engine together. */
const RING_SLOTS = 4;

let reference: DRIVER_INITIALIZATION_DATA;
let registers: DEVICE_REGISTERS | null = null;
let ring: { bytes: Uint8Array; physical: number; next: number } | null = null;

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  const status = ReferenceDriverEntry(DriverObject, RegistryPath);
  reference = DriverObject.DriverInitializationData!;
  DriverObject.DriverInitializationData = { ...reference, DxgkDdiStartDevice, DxgkDdiSubmitCommand };
  return status;
}

function DxgkDdiStartDevice(MiniportDeviceContext: HANDLE, DxgkStartInfo: DXGK_START_INFO, DxgkInterface: DXGKRNL_INTERFACE): NTSTATUS {
  const status = reference.DxgkDdiStartDevice(MiniportDeviceContext, DxgkStartInfo, DxgkInterface);
  if (status !== STATUS_SUCCESS) return status;
  registers = DxgkInterface.DxgkCbGetDeviceInformation(DxgkInterface.DeviceHandle).Registers;
  const memory = { NumberOfBytes: RING_SLOTS * instructionSize('fence'), pVirtualAddress: null as Uint8Array | null, PhysicalAddress: 0 };
  if (DxgkInterface.DxgkCbAllocateContiguousMemory(DxgkInterface.DeviceHandle, memory) !== STATUS_SUCCESS || !memory.pVirtualAddress) return STATUS_NO_MEMORY;
  ring = { bytes: memory.pVirtualAddress, physical: memory.PhysicalAddress, next: 0 };
  return STATUS_SUCCESS;
}

function DxgkDdiSubmitCommand(hAdapter: HANDLE, s: DXGKARG_SUBMITCOMMAND): NTSTATUS {
  void hAdapter;
  const engine = s.NodeOrdinal;
  registers!.SubmitDmaBuffer(engine, s.DmaBufferPhysicalAddress + s.DmaBufferSubmissionStartOffset, s.DmaBufferSubmissionEndOffset - s.DmaBufferSubmissionStartOffset, s.SubmissionFenceId);
  const size = instructionSize('fence');
  // The next slot in turn, whether or not the engine that last used it has run it.
  const at = ring!.next;
  ring!.next = (ring!.next + size) % ring!.bytes.length;
  writeInstruction(ring!.bytes, at, 'fence', [physicalLocation(0), BigInt(s.SubmissionFenceId)], FenceFlags.Irq); // BUG
  registers!.SubmitDmaBuffer(engine, ring!.physical + at, size, s.SubmissionFenceId);
  return STATUS_SUCCESS;
}
