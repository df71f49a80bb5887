// The worker thread of `paging-lab test` (./serve.ts has the protocol): it loads the driver once
// (compiled code is cached per thread; every run evaluates it afresh in its own context, so runs
// share no driver state), then runs each pair on a fresh machine with the verifier, with the TDR
// delay in force for the pair's scenario, as `paging-lab run` does. A finished machine's memory is
// handed to the next pair's (Machine.releaseMemory): fresh slabs per run cost page faults and a full
// collection after almost every run.

import { readFileSync } from 'node:fs';
import { setTdrDelay, tdrDelayFor } from '../../host/watchdog';
import { adoptCompilation, loadDriver } from '../../sim/driver/loader';
import type { MemoryPaths } from '../../sim/kernel/memoryPaths';
import { createMachine, toMachineError } from '../../sim/machine';
import { parseScenario, ScenarioError } from '../../sim/scenario';
import { serveSweep, type PairJob, type RunReport } from './serve';

const scenarioTexts = new Map<string, string>();

async function runPair(job: PairJob, control: Int32Array): Promise<RunReport> {
  const t0 = performance.now();
  let pagingOps = 0;
  try {
    let text = scenarioTexts.get(job.scenarioFile);
    if (text === undefined) scenarioTexts.set(job.scenarioFile, (text = readFileSync(job.scenarioFile, 'utf8')));
    const scenario = parseScenario(text, job.scenarioFile, job.seed);
    // Set before the driver's module is evaluated: its top level is watched like a DDI.
    setTdrDelay(control, tdrDelayFor(job.tdrDelayMs, scenario.tdrDelayMs));
    const machine = await createMachine({ driver: job.driver, scenario, verifier: job.verifier ?? scenario.verifier });
    const result = machine.run();
    const s = result.stats;
    const aperture = (machine.kernel.extension as MemoryPaths | undefined)?.aperture.stats;
    pagingOps = s.transfers + s.fills + s.discards + (aperture ? aperture.maps + aperture.unmaps : 0);
    // The report holds only numbers and text, so the memory can go to the next pair now.
    machine.releaseMemory();
    return { ok: result.ok, error: result.error, pagingOps, ms: performance.now() - t0 };
  } catch (e) {
    if (e instanceof ScenarioError) return { ok: false, error: { category: 'scenario', message: e.message }, pagingOps, ms: performance.now() - t0, invalidScenario: true };
    return { ok: false, error: toMachineError(e), pagingOps, ms: performance.now() - t0 };
  }
}

/** In the worker thread: serve the sweep with the simulator. */
export function serveSweepWorker(): void {
  serveSweep({
    load: (driver, compiled) => {
      if (compiled) adoptCompilation(compiled);
      return loadDriver(driver);
    },
    run: runPair,
  });
}
