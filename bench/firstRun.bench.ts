// The scaled stress's first run in a fresh process, and where its wall time goes. The kernel suite
// judges that run (target: 20,000 paging operations per second of wall time), and it pays for V8
// compiling the simulator on V8's own threads while the run uses it, on the same cores. The same
// bundle runs here in four configurations of the same Node, one process each, in turns over three
// rounds, the first run only: as shipped; with one V8 worker thread (--v8-pool-size=1); with the
// main thread alone on one core and every other thread on another (taskset; Linux with two cores or
// more); and with V8 compiling on the main thread (--no-concurrent-recompilation), whose main-thread
// time less the shipped one's is the compiling this run asks for. Prints each configuration's
// medians (wall time, paging operations per second, CPU time of the main thread and of the others)
// and the least wall time any of them reached against the 943 ms or so the target allows.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildKernelRound, stressShape } from './kernelBundle';
import type { PlainRound, PlainRun } from './kernelWorkload';
import { median, row, type Suite } from './suite';

const ROUNDS = 3;

interface Config {
  label: string;
  flags: string[];
  /** The main thread on CPU 0, every other thread of the process on CPU 1. */
  pinned?: boolean;
}

const CONFIGS: Config[] = [
  { label: 'as shipped (node)', flags: [] },
  { label: 'one V8 worker thread (--v8-pool-size=1)', flags: ['--v8-pool-size=1'] },
  { label: 'main thread alone on a core, the rest on another', flags: [], pinned: true },
  { label: 'V8 compiling on the main thread', flags: ['--no-concurrent-recompilation'] },
];

/** Why the pinned configuration cannot run here, or undefined when it can. */
function cannotPin(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux (/proc and taskset)';
  if (availableParallelism() < 2) return 'needs two cores';
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'taskset (util-linux) is not installed';
  }
  return undefined;
}

/**
 * Puts process `pid`'s main thread on CPU 0 and its other threads on CPU 1. V8's worker threads are
 * made as Node starts, before any script runs; the stress starts only once the bundle has loaded and
 * its machine is made, a hundred milliseconds or more later.
 */
function pin(pid: number): void {
  const sleep = new Int32Array(new SharedArrayBuffer(4));
  let tids: string[] = [];
  for (let waited = 0; waited < 500; waited += 2) {
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      return; // Gone already: its error is reported by whoever waits for it.
    }
    if (tids.length >= 5) break;
    Atomics.wait(sleep, 0, 0, 2);
  }
  const place = (tid: string, cpu: string): void => {
    try {
      execFileSync('taskset', ['-p', '-c', cpu, tid], { stdio: 'ignore' });
    } catch {
      // A thread that has ended since it was listed.
    }
  };
  for (const tid of tids) if (tid !== String(pid)) place(tid, '1');
  place(String(pid), '0');
}

/** One process of `config`: the stress once, its figures. */
function firstRun(script: string, shape: string, config: Config): Promise<{ run: PlainRun; pagingOps: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...config.flags, script, shape, 'plain', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`the stress (${config.label}) exited with ${code}: ${err.trim()}`));
      const r = JSON.parse(out) as PlainRound;
      resolve({ run: r.runs[0], pagingOps: r.pagingOps });
    });
    if (config.pinned && child.pid !== undefined) pin(child.pid);
  });
}

const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);

export const firstRunSuite: Suite = {
  name: 'firstrun',
  title: "the scaled stress's first run in a fresh process: V8 compiling on the same cores",
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'paging-lab-first-run-'));
    try {
      const script = await buildKernelRound(dir);
      const shape = JSON.stringify(stressShape(false));
      const noPin = cannotPin();
      const configs = CONFIGS.filter((c) => !c.pinned || !noPin);
      console.log(`  ${availableParallelism()} cores; ${ROUNDS} rounds, each a process of every configuration in turn; medians of the first run`);
      const runs = new Map<Config, PlainRun[]>(configs.map((c) => [c, []]));
      let pagingOps = 0;
      for (let round = 0; round < ROUNDS; round++) {
        for (const c of configs) {
          const r = await firstRun(script, shape, c);
          runs.get(c)!.push(r.run);
          pagingOps = r.pagingOps;
        }
      }
      const figures = new Map<Config, { wall: number; main?: number; other?: number }>();
      for (const c of configs) {
        const rs = runs.get(c)!;
        const split = rs.every((r) => r.mainCpuMs !== undefined);
        const f = { wall: median(rs.map((r) => r.wallMs)), ...(split ? { main: median(rs.map((r) => r.mainCpuMs!)), other: median(rs.map((r) => r.otherCpuMs ?? 0)) } : {}) };
        figures.set(c, f);
        const threads = f.main !== undefined ? `; main thread ${ms(f.main)}, other threads ${ms(f.other!)}` : '';
        row(c.label, ms(f.wall), `${Math.round(pagingOps / (f.wall / 1000))} /s${threads}; rounds ${rs.map((r) => ms(r.wallMs)).join(', ')}`);
      }
      if (noPin) row(CONFIGS.find((c) => c.pinned)!.label, 'not measured', noPin);
      const shipped = figures.get(CONFIGS[0])!;
      const onMain = figures.get(CONFIGS[3])!;
      if (shipped.main !== undefined && onMain.main !== undefined) {
        row("V8's compiling for this run", ms(onMain.main - shipped.main), "main thread's CPU with it there, less as shipped");
      }
      const least = Math.min(...[...figures.values()].map((f) => f.wall));
      row('least wall time of the configurations', ms(least), `${Math.round(pagingOps / (least / 1000))} /s; 20,000 /s needs ${ms((pagingOps / 20000) * 1000)} (${pagingOps} paging operations)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
