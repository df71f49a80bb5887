// Shared by the verifier and WDK tests: the buggy sample drivers with the sample scenario that
// exposes each one's mistake, and runs of a driver file on a sample scenario (the loader caches each
// compiled driver, so every file is compiled once per test process).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMachine, type MachineEvent, type MachineResult } from '../../../src/sim/machine';
import type { Machine } from '../../../src/sim/machine';
import { parseScenario } from '../../../src/sim/scenario';
import type { RuleId } from '../../../src/sim/verifier/rules';

export const ROOT = join(__dirname, '..', '..', '..');
export const REFERENCE = join(ROOT, 'samples', 'drivers', 'reference', 'driver.ts');
export const BUGGY_DIR = join(ROOT, 'samples', 'drivers', 'buggy');
export const SCENARIOS = join(ROOT, 'samples', 'scenarios');

/** Each buggy sample driver and the sample scenario on which its bug shows. */
export const BUGGY: Record<RuleId, string> = {
  'ddi-status': 'default',
  'dma-buffer-overrun': 'default',
  'dma-pointer-not-advanced': 'default',
  'dma-pointer-past-end': 'default',
  'patch-changed-size': 'default',
  'fill-aperture-segment': 'aperture',
  'unmap-not-dummy-page': 'aperture',
  'cache-coherent-mismatch': 'aperture',
  'cpu-view-changed-on-eviction': 'cpu-access',
  'common-buffer-leak': 'bus-master-dma',
  tdr: 'default',
  'insufficient-dma-buffer-with-room': 'default',
  'operation-inputs-changed': 'multipass',
  'build-loop-limit': 'multipass',
  'dma-pointer-behind-data': 'default',
  'physical-access-missing': 'aperture',
  'map-incomplete': 'aperture',
  'aperture-outside-range': 'aperture',
  'swizzling-range-changed': 'cpu-access',
  'swizzling-release-others': 'cpu-access',
  'swizzled-cpu-visible-aperture': 'aperture-surfaces',
  'preferred-segment-unsupported': 'default',
  'eviction-segment-not-aperture': 'default',
  'pitch-aligned-size-below-size': 'default',
  'allocation-priority-zero': 'default',
  'allocation-flags-need-cpu-visible': 'default',
  'common-buffer-budget': 'bus-master-dma',
  'interrupt-routine-callbacks': 'default',
  'interrupt-dpc-not-queued': 'default',
  'interrupt-claimed-foreign': 'shared-interrupt',
  'dpc-not-notified': 'default',
  'submitted-commands-changed': 'two-engines',
};

/**
 * Buggy sample drivers no rule catches (samples/drivers/buggy/content/): only the end-of-run
 * content check sees their mistake. Each with the sample scenario it shows on and the allocation
 * whose content comes back wrong.
 */
export const CONTENT_BUGS: Record<string, { scenario: string; allocation: string }> = {
  'sub-transfer-wrong-byte': { scenario: 'default', allocation: 'texture' },
};

export function contentBugDriver(name: string): string {
  return join(BUGGY_DIR, 'content', `${name}.ts`);
}

export function buggyDriver(rule: RuleId): string {
  return join(BUGGY_DIR, `${rule}.ts`);
}

export function sampleScenario(name: string) {
  const file = join(SCENARIOS, `${name}.json`);
  return parseScenario(readFileSync(file, 'utf8'), file);
}

export interface SampleRun {
  machine: Machine;
  events: MachineEvent[];
  result: MachineResult;
}

export async function runSample(driver: string, scenario: string, opts: { verifier?: boolean } = {}): Promise<SampleRun> {
  const machine = await createMachine({ driver, scenario: sampleScenario(scenario), verifier: opts.verifier });
  const events: MachineEvent[] = [];
  const result = machine.run((e) => {
    if (e.kind !== 'instruction') events.push(e);
  });
  return { machine, events, result };
}

export function kernelEvents(events: MachineEvent[], what: string): Extract<MachineEvent, { kind: 'kernel' }>[] {
  return events.filter((e): e is Extract<MachineEvent, { kind: 'kernel' }> => e.kind === 'kernel' && e.what === what);
}
