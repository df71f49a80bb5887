// Test drivers written on the fly: the reference driver with some of its DDIs replaced, or a whole
// module, in a temporary folder (each test file gets its own).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMachine, type MachineEvent, type MachineResult } from '../../../src/sim/machine';
import { parseScenario, type Scenario } from '../../../src/sim/scenario';

export const ROOT = join(__dirname, '..', '..', '..');
export const REFERENCE = join(ROOT, 'samples', 'drivers', 'reference', 'driver.ts');

export function sample(name: string): Scenario {
  const file = join(ROOT, 'samples', 'scenarios', `${name}.json`);
  return parseScenario(readFileSync(file, 'utf8'), file);
}

/** Writes `lines` as `dir/name` and returns its path. */
export function writeDriver(dir: string, name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/**
 * A driver that is the reference driver except for `overrides` (property lines of
 * DRIVER_INITIALIZATION_DATA, which may call `ref.X(...)`), with `prelude` lines at the module's top.
 * Returns its path; the first line of `prelude` is line 4 of the file.
 */
export function wrapReference(dir: string, name: string, prelude: string[], overrides: string[]): string {
  return writeDriver(dir, name, [
    `import { DriverEntry as ReferenceDriverEntry } from ${JSON.stringify(REFERENCE)};`,
    `import type { DRIVER_OBJECT, DRIVER_INITIALIZATION_DATA } from 'paging-lab/ddi';`,
    `let ref: DRIVER_INITIALIZATION_DATA;`,
    ...prelude,
    `export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): number {`,
    `  const status = ReferenceDriverEntry(DriverObject, RegistryPath);`,
    `  ref = DriverObject.DriverInitializationData!;`,
    `  DriverObject.DriverInitializationData = { ...ref,`,
    ...overrides.map((l) => '    ' + l),
    `  } as DRIVER_INITIALIZATION_DATA;`,
    `  return status;`,
    `}`,
  ]);
}

/** 1-based line of the first line of `file` containing `text`. */
export function lineOf(file: string, text: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`'${text}' is not in ${file}`);
  return i + 1;
}

export async function run(driver: string, scenario: Scenario = sample('default')): Promise<{ result: MachineResult; events: MachineEvent[]; prints: string[] }> {
  const machine = await createMachine({ driver, scenario });
  const events: MachineEvent[] = [];
  const result = machine.run((e) => {
    if (e.kind !== 'instruction') events.push(e);
  });
  const prints = events.flatMap((e) => (e.kind === 'kernel' && e.what === 'driver-print' ? [String(e.data.message)] : []));
  return { result, events, prints };
}
