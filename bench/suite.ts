// What a benchmark suite is, and small helpers to time things and print figures consistently.

import { cpus, loadavg } from 'node:os';

export interface Suite {
  name: string;
  title: string;
  run(): Promise<void> | void;
}

/** Median of `runs` timings (ms) of `fn`, after one warm-up call. */
export function medianMs(runs: number, fn: () => void): number {
  fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}

/** Median of `runs` timings (ms) of an async `fn`, after one warm-up call. */
export async function medianMsAsync(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    await fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}

export function row(label: string, value: string, note = ''): void {
  console.log(`  ${label.padEnd(52)} ${value.padStart(16)}${note ? '   ' + note : ''}`);
}

/** Wall time and CPU time of a call, or medians of several, ms. */
export interface Timed {
  wall: number;
  cpu: number;
}

/**
 * One call of `fn`, timed: wall time by the monotonic clock, CPU time the process's (all its
 * threads, V8's compiler and collector helpers too; reading it adds about a microsecond).
 */
export function timeOnce(fn: () => void): Timed {
  const c = process.cpuUsage();
  const s = process.hrtime.bigint();
  fn();
  const wall = Number(process.hrtime.bigint() - s) / 1e6;
  const u = process.cpuUsage(c);
  return { wall, cpu: (u.user + u.system) / 1000 };
}

/** The median wall time and the median CPU time of `list`. */
export function medianTimed(list: readonly Timed[]): Timed {
  const median = (t: number[]): number => t.sort((a, b) => a - b)[t.length >> 1];
  return { wall: median(list.map((t) => t.wall)), cpu: median(list.map((t) => t.cpu)) };
}

/** Medians of `runs` calls of `fn` (timeOnce), after one warm-up call. */
export function measure(runs: number, fn: () => void): Timed {
  fn();
  return medianTimed(Array.from({ length: runs }, () => timeOnce(fn)));
}

/**
 * Medians of `runs` timings of `baseline` and of `measured`, taken in turn (A, B, A, B...) after one
 * warm-up call of each, so that a busy machine slows both alike; wall and CPU time as timeOnce's.
 * A call that returns a promise is awaited; one that does not is timed without an await.
 */
export async function interleaved(runs: number, baseline: () => unknown, measured: () => unknown): Promise<[Timed, Timed]> {
  const sides = [baseline, measured].map((fn) => ({ fn, times: [] as Timed[] }));
  for (const side of sides) await side.fn();
  for (let i = 0; i < runs; i++) {
    for (const side of sides) {
      const c = process.cpuUsage();
      const s = process.hrtime.bigint();
      const r = side.fn();
      if (r instanceof Promise) await r;
      const wall = Number(process.hrtime.bigint() - s) / 1e6;
      const u = process.cpuUsage(c);
      side.times.push({ wall, cpu: (u.user + u.system) / 1000 });
    }
  }
  return [medianTimed(sides[0].times), medianTimed(sides[1].times)];
}

/** A Timed as "1.234 ms (CPU 1.200)". */
export function timed(t: Timed, digits = 3): string {
  return `${t.wall.toFixed(digits)} ms (CPU ${t.cpu.toFixed(digits)})`;
}

/** The machine's load averages over 1, 5 and 15 minutes, and its cores. */
export function machineLoad(): string {
  return `${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (1, 5, 15 min) on ${cpus().length} cores`;
}
