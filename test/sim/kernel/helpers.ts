// Shared by the kernel tests: the reference driver (compiled once through the loader) wrapped by
// small test drivers that change one behaviour, scenarios written inline, and runs that collect
// every event.

import { join } from 'node:path';
import type { DEVICE_REGISTERS, DRIVER_INITIALIZATION_DATA, DRIVER_OBJECT, HANDLE, NTSTATUS } from '../../../src/sim/ddi/contract';
import { segmentLocation, type Location } from '../../../src/sim/ddi/gpu';
import { loadDriver, type DriverEntryFunction } from '../../../src/sim/driver/loader';
import { createMachine, type Machine, type MachineEvent, type MachineResult } from '../../../src/sim/machine';
import { normalizeScenario } from '../../../src/sim/scenario';
import type { Scenario, ScenarioFile } from '../../../src/sim/scenario/types';

export const REFERENCE_DRIVER = join(__dirname, '..', '..', '..', 'samples', 'drivers', 'reference', 'driver.ts');
export const SAMPLES = join(__dirname, '..', '..', '..', 'samples', 'scenarios');

let reference: Promise<DriverEntryFunction> | undefined;

export function referenceDriver(): Promise<DriverEntryFunction> {
  reference ??= loadDriver(REFERENCE_DRIVER).then((d) => d.DriverEntry);
  return reference;
}

/** A test driver: the reference driver with some DDIs replaced (each override gets the original). */
export async function testDriver(
  change: (init: DRIVER_INITIALIZATION_DATA) => Partial<DRIVER_INITIALIZATION_DATA>,
): Promise<DriverEntryFunction> {
  const base = await referenceDriver();
  return (DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS => {
    const status = base(DriverObject, RegistryPath);
    const init = DriverObject.DriverInitializationData!;
    DriverObject.DriverInitializationData = { ...init, ...change(init) };
    return status;
  };
}

/**
 * The GPU operand `plus` bytes past a segment address VidMm gave an adapter `h` of the reference
 * driver: VidMm's address is the segment's BaseAddress plus the offset, and the reference driver
 * declares the hardware's base (DEVICE_REGISTERS), which comes off here as it does in the driver.
 */
export function segmentOperand(h: HANDLE, segmentId: number, segmentAddress: number, plus = 0): Location {
  const registers = (h as { registers: DEVICE_REGISTERS }).registers;
  return segmentLocation(segmentId, segmentAddress - (registers.Segments[segmentId - 1]?.GpuBaseAddress ?? 0) + plus);
}

/** A small adapter: 512 KiB CPU-visible VRAM, 512 KiB local VRAM, and the given workload. */
export function scenario(file: ScenarioFile): Scenario {
  return normalizeScenario(
    {
      adapter: {
        segments: [
          { name: 'vram', kind: 'memory', size: '512KiB', cpuVisible: true },
          { name: 'local', kind: 'memory', size: '512KiB' },
        ],
        systemMemory: '64MiB',
        commonBufferBudget: '8MiB',
      },
      ...file,
    },
    'test-scenario',
  );
}

export interface Run {
  machine: Machine;
  events: MachineEvent[];
  result: MachineResult;
}

export async function runScenario(driver: DriverEntryFunction | string, s: Scenario, opts: { keep?: (e: MachineEvent) => boolean; verifier?: boolean } = {}): Promise<Run> {
  const machine = await createMachine({ driver, scenario: s, verifier: opts.verifier });
  const events: MachineEvent[] = [];
  const keep = opts.keep ?? ((e: MachineEvent) => e.kind !== 'instruction');
  const result = machine.run((e) => {
    if (keep(e)) events.push(e);
  });
  return { machine, events, result };
}

export type DdiReturn = Extract<MachineEvent, { kind: 'ddi-return' }>;

export function ddiReturns(events: MachineEvent[], ddi: string): DdiReturn[] {
  return events.filter((e): e is DdiReturn => e.kind === 'ddi-return' && e.call.ddi === ddi);
}
