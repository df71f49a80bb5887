// What a benchmark suite is, and small helpers to time things and print figures consistently. On a
// shared machine the work measured and its baseline run in turns (A, B, A, B...) so both see the
// same load, each timed in wall-clock and CPU time, and the machine's load is printed where a suite
// starts and ends (bench/index.ts). A figure is judged on the interleaved ratio (and on CPU time,
// which waiting for a core does not inflate).

import { cpus, loadavg } from 'node:os';

export interface Suite {
  name: string;
  title: string;
  run(): Promise<void> | void;
}

/** The middle value of `xs` (the upper one of the two middle values when their number is even). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/**
 * Rounds of a measure and of its baseline taken in turn: each round's ratio (measure / baseline,
 * both under that round's load, as text to print) and the round whose ratio is the median (the upper middle one of an
 * even number), which is the figure a target is judged on. The best round of each side, compared,
 * paired a baseline from a quiet moment with a measure from a busy one: a stop refresh read 3.04x
 * its floor so from rounds of 3.08x, 1.15x and 1.26x.
 */
export function medianRound(measured: readonly number[], baseline: readonly number[]): { round: number; ratio: number; rounds: string } {
  const ratios = measured.map((m, i) => m / baseline[i]);
  const order = ratios.map((_, i) => i).sort((x, y) => ratios[x] - ratios[y]);
  const round = order[order.length >> 1];
  return { round, ratio: ratios[round], rounds: `rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}` };
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
  return median(t);
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
  return median(t);
}

export function row(label: string, value: string, note = ''): void {
  console.log(`  ${label.padEnd(52)} ${value.padStart(16)}${note ? '   ' + note : ''}`);
}

export interface Timing {
  /** Median wall-clock milliseconds. */
  wall: number;
  /** Median CPU milliseconds of this process (user + system, all its threads). */
  cpu: number;
}

/** Wall and CPU samples of each of several functions timed in turns. */
class TurnSamples {
  private readonly wall: number[][];
  private readonly cpu: number[][];
  private t = 0n;
  private c: NodeJS.CpuUsage | undefined;

  constructor(n: number) {
    this.wall = Array.from({ length: n }, () => []);
    this.cpu = Array.from({ length: n }, () => []);
  }

  start(): void {
    this.c = process.cpuUsage();
    this.t = process.hrtime.bigint();
  }

  /** Ends the sample of function `k` started last. */
  end(k: number): void {
    this.wall[k].push(Number(process.hrtime.bigint() - this.t) / 1e6);
    const u = process.cpuUsage(this.c);
    this.cpu[k].push((u.user + u.system) / 1000);
  }

  medians(): Timing[] {
    return this.wall.map((w, k) => ({ wall: median(w), cpu: median(this.cpu[k]) }));
  }
}

/** Runs each of `fns` once to warm up, then `runs` times in turns; the median timings of each. */
export function interleaved(runs: number, fns: (() => void)[]): Timing[] {
  for (const f of fns) f();
  const samples = new TurnSamples(fns.length);
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < fns.length; k++) {
      samples.start();
      fns[k]();
      samples.end(k);
    }
  }
  return samples.medians();
}

/** The same for asynchronous work; its CPU time means something only when the work is in this process. */
export async function interleavedAsync(runs: number, fns: (() => Promise<unknown>)[]): Promise<Timing[]> {
  for (const f of fns) await f();
  const samples = new TurnSamples(fns.length);
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < fns.length; k++) {
      samples.start();
      await fns[k]();
      samples.end(k);
    }
  }
  return samples.medians();
}

/** A Timing as "1.234 ms (CPU 1.200)". */
export function timed(t: Timing, digits = 3): string {
  return `${t.wall.toFixed(digits)} ms (CPU ${t.cpu.toFixed(digits)})`;
}

/** Prints the machine's load (1-minute average) and its cores, `when` a suite starts or ends. */
export function loadRow(when: 'start' | 'end'): void {
  row(`machine load at ${when} (1-minute average / cores)`, `${loadavg()[0].toFixed(1)} / ${cpus().length}`);
}
