// Timing for the isa and language suites on a shared machine: the work measured and its baseline
// run in turns (A, B, A, B...) so both see the same load, each timed in wall-clock and CPU time,
// and the machine's load printed where a suite starts and ends. A figure is judged on the
// interleaved ratio (and on CPU time, which waiting for a core does not inflate).

import { cpus, loadavg } from 'node:os';
import { row } from './suite';

export interface Timing {
  /** Median wall-clock milliseconds. */
  wall: number;
  /** Median CPU milliseconds of this process (user + system). */
  cpu: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Runs each of `fns` once to warm up, then `runs` times in turns; the median timings of each. */
export function interleaved(runs: number, fns: (() => void)[]): Timing[] {
  for (const f of fns) f();
  const wall = fns.map(() => [] as number[]);
  const cpu = fns.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    fns.forEach((f, k) => {
      const c = process.cpuUsage();
      const t = process.hrtime.bigint();
      f();
      wall[k].push(Number(process.hrtime.bigint() - t) / 1e6);
      const u = process.cpuUsage(c);
      cpu[k].push((u.user + u.system) / 1000);
    });
  }
  return fns.map((_, k) => ({ wall: median(wall[k]), cpu: median(cpu[k]) }));
}

/** The same for asynchronous work (round trips to a server); CPU time is this process's, so only wall time is kept. */
export async function interleavedAsync(runs: number, fns: (() => Promise<unknown>)[]): Promise<number[]> {
  for (const f of fns) await f();
  const wall = fns.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < fns.length; k++) {
      const t = process.hrtime.bigint();
      await fns[k]();
      wall[k].push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  return wall.map(median);
}

/** Prints the machine's load (1-minute average) and its cores, `when` the suite starts or ends. */
export function loadRow(when: 'start' | 'end'): void {
  row(`machine load at ${when} (1-minute average / cores)`, `${loadavg()[0].toFixed(1)} / ${cpus().length}`);
}
