// `paging-lab test --traces DIR`: a Chrome trace-event file (the one `paging-lab run --trace`
// writes, which https://ui.perfetto.dev opens) of each failing pair, for CI to keep as an artifact
// beside the JUnit file. Each is a `paging-lab run` of the pair in a watched worker thread, so a
// driver that hangs cannot hang the sweep; a pair whose run cannot finish gets no trace.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWatched } from '../../host/watchedJob';
import { tdrDelayFor } from '../../host/watchdog';
import { parseScenario } from '../../sim/scenario';
import type { Pair } from './runPairs';
import type { PairResult, SweepContext } from './result';

/** At most this many traces: a sweep with hundreds of failures needs the first few, not all. */
export const MAX_TRACES = 20;

/** Writes the traces; returns the files written, by `scenario\0seed`. */
export async function writeTraces(
  script: string,
  dir: string,
  ctx: SweepContext & { driverFile: string },
  failures: readonly PairResult[],
  files: ReadonlyMap<string, Pair>,
): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const r of failures.slice(0, MAX_TRACES)) {
    const pair = files.get(r.scenario);
    if (!pair) continue;
    const file = join(dir, `${r.scenario.replace(/\.json$/, '').replace(/[^\w.-]+/g, '_')}-seed-${r.seed}.trace.json`);
    const argv = ['run', '--driver', ctx.driverFile, '--scenario', pair.file, '--seed', String(r.seed), '--quiet', '--in-process', '--trace', file];
    if (!ctx.verifier) argv.push('--no-verifier');
    if (ctx.tdrDelayMs !== undefined) argv.push('--tdr-delay-ms', String(ctx.tdrDelayMs));
    const scenarioDelay = parseScenario(readFileSync(pair.file, 'utf8'), pair.file, r.seed).tdrDelayMs;
    const done = await runWatched({ script, data: { argv }, tdrDelayMs: tdrDelayFor(ctx.tdrDelayMs, scenarioDelay) });
    if (done.kind === 'done') written.push(file);
  }
  return written;
}
