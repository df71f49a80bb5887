// `paging-lab test` throughput: the shipped dist/cli.js on the 13 sample scenarios x 50 seeds with
// the reference driver, --jobs 1 against --jobs 2 (interleaved A, B, A, B, so a busy machine slows
// both alike), in runs per second and the speed-up; and the cost a sweep adds to each run against
// the same pairs run in this process the way `paging-lab run --in-process` runs one (compiled
// driver, fresh machine, verifier on), and the fixed cost of starting a sweep. The load average is
// printed before and after: on a shared machine the figures move with it.
// PAGING_LAB_BENCH_SWEEP_SEEDS=N runs N seeds instead of 50.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { loadDriver } from '../src/sim/driver/loader';
import { createMachine } from '../src/sim/machine';
import { parseScenario } from '../src/sim/scenario';
import { row, type Suite } from './suite';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const SCENARIOS = join(ROOT, 'samples', 'scenarios');
const REFERENCE = join(ROOT, 'samples', 'drivers', 'reference', 'driver.ts');

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

/** Wall-clock ms of one `paging-lab test` (its exit status must be 0). */
function sweep(args: string[]): number {
  const t0 = process.hrtime.bigint();
  execFileSync(process.execPath, [CLI, 'test', '--quiet', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 26 });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Wall-clock ms of running every pair in this process, one after another. */
async function inProcess(seeds: number): Promise<number> {
  await loadDriver(REFERENCE); // compiled once, as each sweep worker does before its first pair
  const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.json')).map((f) => join(SCENARIOS, f));
  const texts = files.map((f) => [f, readFileSync(f, 'utf8')] as const);
  const t0 = process.hrtime.bigint();
  for (const [file, text] of texts) {
    for (let seed = 1; seed <= seeds; seed++) {
      const m = await createMachine({ driver: REFERENCE, scenario: parseScenario(text, file, seed) });
      m.run();
    }
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export const sweepSuite: Suite = {
  name: 'sweep',
  title: 'paging-lab test: 13 sample scenarios x 50 seeds, --jobs 1 vs --jobs 2, and the cost per run against in-process runs',
  async run() {
    // As the command line does (src/cli/main.ts): the one driver compile needs no optimized wasm.
    setFlagsFromString('--liftoff-only');
    const seeds = Number(process.env.PAGING_LAB_BENCH_SWEEP_SEEDS ?? 50);
    const scenarios = readdirSync(SCENARIOS).filter((f) => f.endsWith('.json')).length;
    const pairs = scenarios * seeds;
    row('cores (availableParallelism)', String(availableParallelism()));
    row('load average before (1, 5, 15 min)', load());
    const args = ['--seeds', `1..${seeds}`];
    const one: number[] = [];
    const two: number[] = [];
    const here: number[] = [];
    const starts: number[] = [];
    for (let round = 0; round < 2; round++) {
      one.push(sweep([...args, '--jobs', '1']));
      two.push(sweep([...args, '--jobs', '2']));
      here.push(await inProcess(seeds));
      // The fixed cost of a sweep: start, worker thread, driver compiled in it, on one short pair.
      starts.push(sweep(['samples/scenarios/special-lock.json', '--seeds', '1', '--jobs', '1']));
    }
    const j1 = Math.min(...one);
    const j2 = Math.min(...two);
    const own = Math.min(...here);
    const startup = Math.min(...starts);
    row(`pairs`, `${pairs}`, `${scenarios} scenarios x ${seeds} seeds`);
    row('--jobs 1: wall time (best of 2)', `${(j1 / 1000).toFixed(1)} s`, `${((pairs * 1000) / j1).toFixed(1)} runs/s; rounds ${one.map((t) => (t / 1000).toFixed(1)).join(', ')} s`);
    row('--jobs 2: wall time (best of 2)', `${(j2 / 1000).toFixed(1)} s`, `${((pairs * 1000) / j2).toFixed(1)} runs/s; rounds ${two.map((t) => (t / 1000).toFixed(1)).join(', ')} s`);
    row('speed-up --jobs 2 over --jobs 1', `${(j1 / j2).toFixed(2)}x`, 'target >= 1.7x on 2 cores');
    row('in this process, one after another (best of 2)', `${(own / 1000).toFixed(1)} s`, `${(own / pairs).toFixed(1)} ms per run; rounds ${here.map((t) => (t / 1000).toFixed(1)).join(', ')} s`);
    row('sweep start-up (one short pair, best of 2)', `${startup.toFixed(0)} ms`, 'process, worker thread, driver compile');
    row('cost per run of --jobs 1 over in-process', `${((j1 - startup - own) / pairs).toFixed(2)} ms`, `(${(((j1 - startup) / own - 1) * 100).toFixed(1)}% of an in-process run)`);
    row('load average after (1, 5, 15 min)', load());
  },
};
