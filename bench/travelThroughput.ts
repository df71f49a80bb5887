// Simulator throughput on random-pressure in a process of its own, with the time-travel recorder
// attached to every machine or to none: the way the product runs them (a debug session's worker
// records every machine it makes; `paging-lab run` and `paging-lab test` record none), or to every
// other one (off, on, off, on...: both modes see the same load). Run by travel.bench.ts, bundled as
// the simulator ships (tsx's per-module CommonJS makes every imported constant a getter call), in a
// plain Node process: `node travelThroughput.js on|off|both ROUNDS ROOT [WARM_UP]`. Prints the
// events per second of each round after the warm-up ones (wall and CPU time), by mode, as JSON;
// each round starts from a collected heap.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileDriver, type CompiledDriver } from '../src/sim/driver/loader';
import { machineFrom } from '../src/sim/machine';
import { fullCollection } from '../src/sim/runtime/fullCollection';
import { parseScenario, type Scenario } from '../src/sim/scenario';
import { attachRecorder, Recording } from '../src/sim/timeline/recorder';

/** Events per second of a run: of wall time, and of the process's CPU time. */
export interface Rate {
  wall: number;
  cpu: number;
}

/**
 * Events per second of one run of `scenario`, with the recorder attached or not: per second of wall
 * time, and per second of the process's CPU time (all its threads, so the collector's work that
 * recording causes counts; the time spent waiting for a core on a loaded machine does not).
 */
export function eventsPerSecond(compiled: CompiledDriver, scenario: Scenario, record: boolean): Rate {
  const m = machineFrom(compiled, { scenario });
  if (record) attachRecorder(m, new Recording());
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  while (m.next()) n++;
  const t = performance.now() - t0;
  const c = process.cpuUsage(c0);
  m.stop();
  return { wall: n / (t / 1000), cpu: n / ((c.user + c.system) / 1e6) };
}

async function main(): Promise<void> {
  const [mode, roundsArg, root, warmUpArg] = process.argv.slice(2);
  if (mode !== 'on' && mode !== 'off' && mode !== 'both') throw new Error(`usage: travelThroughput on|off|both ROUNDS ROOT [WARM_UP] (got ${mode})`);
  const warmUp = Number(warmUpArg ?? 0);
  const path = join(root, 'samples', 'scenarios', 'random-pressure.json');
  const scenario = parseScenario(readFileSync(path, 'utf8'), path);
  const compiled = await compileDriver(join(root, 'samples', 'drivers', 'reference', 'driver.ts'));
  const rates: { off: Rate[]; on: Rate[] } = { off: [], on: [] };
  const modes: readonly ('off' | 'on')[] = mode === 'both' ? ['off', 'on'] : [mode];
  for (let round = 0; round < warmUp + Number(roundsArg); round++) {
    for (const m of modes) {
      fullCollection();
      fullCollection();
      const r = eventsPerSecond(compiled, scenario, m === 'on');
      if (round >= warmUp) rates[m].push(r);
    }
  }
  process.stdout.write(JSON.stringify(rates));
}

// Run as a script (bundled); imported by travel.bench.ts for eventsPerSecond.
if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
