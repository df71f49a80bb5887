// `paging-lab test`: a recording (src/sim/recording) of each failing pair, so a failure found in CI
// opens in the debugger as it happened (`"replay": FILE` in a wddm launch configuration) or runs
// again with `paging-lab run --replay FILE`. A recording names the run's inputs (the driver's
// sources by hash, the scenario, the seed, the settings), which are known without running the pair
// again, so every failure gets one, a TDR included; the run's digest is left out (the sweep does not
// compute one), and the replay checks the inputs, not the digest.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tdrDelayFor } from '../../host/watchdog';
import { compileDriver } from '../../sim/driver/loader';
import { makeRecording, writeRecording } from '../../sim/recording/recording';
import { parseScenario } from '../../sim/scenario';
import type { Pair } from './runPairs';
import { displayPath, isFailure, type PairResult, type SweepContext } from './result';

/** The file name of a pair's recording in the recordings folder. */
export function recordingName(r: Pick<PairResult, 'scenario' | 'seed'>): string {
  return `${r.scenario.replace(/\.json$/, '').replace(/[^\w.-]+/g, '_')}-seed-${r.seed}.recording.json`;
}

/** Writes a recording of each failing or flaky pair into `dir` and sets its `recording`; returns how many. */
export async function writeRecordings(dir: string, driverFile: string, ctx: SweepContext, results: PairResult[], files: ReadonlyMap<string, Pair>): Promise<number> {
  const failing = results.filter((r) => isFailure(r) || r.status === 'flaky' || r.flaky);
  if (!failing.length) return 0;
  const driver = await compileDriver(driverFile); // the sources the workers ran: the sweep started only once it compiled
  let written = 0;
  for (const r of failing) {
    const pair = files.get(r.scenario);
    if (!pair) continue;
    const scenario = parseScenario(readFileSync(pair.file, 'utf8'), pair.file, r.seed);
    const file = join(dir, recordingName(r));
    writeRecording(
      file,
      makeRecording({
        file,
        driverFiles: driver.inputs,
        driverEntry: driver.file,
        scenarioFile: pair.file,
        scenarioName: scenario.name,
        seed: r.seed,
        tdrDelayMs: tdrDelayFor(ctx.tdrDelayMs, scenario.tdrDelayMs),
        verifier: ctx.verifier && scenario.verifier !== false,
        outcome: { ok: false, ...(r.rule ? { error: r.rule } : {}) },
      }),
    );
    r.recording = displayPath(file);
    written++;
  }
  return written;
}
