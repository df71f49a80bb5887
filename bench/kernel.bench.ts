// The simulated kernel under stress: a seeded random workload of render submissions over thousands
// of allocations that do not all fit in VRAM, through the reference driver. Each round runs in its
// own process (kernelRound.ts, kernelWorkload.ts): the stress with its floor beside it, each of the
// engine's copies and fills followed by the same with Buffer.copy or Uint32Array.fill, so both see
// the same load; then, in a second process, the same stress alone, with nobody listening to the
// hardware, as a headless run (`npm start`, a sweep) has it: a listener of every hardware event
// makes the engine build an event for every instruction and every write. The stress alone runs
// twice in its process: the first run pays for V8 compiling the simulator (on the scaled stress,
// about as much CPU on V8's compiler threads as on the main thread) and for first touching its
// memory (the firstrun suite, firstRun.bench.ts, measures that compiling); the second, like every
// run after the first in a sweep's worker, does not. Prints wall and CPU time of each (split by
// thread where /proc has it), simulated paging operations per second (of wall time, of all threads'
// CPU time and of the main thread's), the share of time in the driver, the kernel and the GPU
// engine, the cost against the floor, the engine's copies and fills against the primitives of the
// same sizes, and the resident memory against the memory the run touched; the machine's load at
// start and end. Memory new to the process costs its first touch (on these machines about 0.2 ms a
// 64 KiB slab, fifty times writing it again), which the floor, writing buffers already written,
// never pays: the slabs each run took fresh are counted, and the first touch measured in the same
// process. An operation's engine time runs from the start of its effects (the instruction event) to
// the end of its step; the same operations are also timed as whole instructions, fetch, decode and
// operand checks included. The floor's buffers stay in the cache from one copy to the next, and the
// engine's memory (gigabytes, in 64 KiB slabs and scattered MDL pages) does not: the copies of
// written content are also done again after the run with Buffer.copy between two 256 MiB buffers,
// at places at random, in one piece and as 4 KiB pages. A copy of written content moves bytes only
// where it is not page to page: whole pages are shared with the source, copied on write (the bytes
// shared and moved are printed).
//
// The full shape asked for is 2 GiB of VRAM, 10,000 allocations and 100,000 submissions; it runs
// when PAGING_LAB_BENCH_FULL=1 (one round). By default the run is scaled to a tenth of the
// submissions (same VRAM and allocations), two rounds. PAGING_LAB_BENCH_ROUNDS sets the rounds.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { row, type Suite } from './suite';
import type { PlainRound, StressRound } from './kernelWorkload';
import { buildKernelRound, stressShape } from './kernelBundle';

const MiB = 1024 * 1024;

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

export const kernelSuite: Suite = {
  name: 'kernel',
  title: 'simulated kernel: VidMm/VidSch stress through the reference driver',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'paging-lab-kernel-bench-'));
    try {
      const out = await buildKernelRound(dir);
      const full = process.env.PAGING_LAB_BENCH_FULL === '1';
      const shape = stressShape(full);
      const rounds = Number(process.env.PAGING_LAB_BENCH_ROUNDS) || (full ? 1 : 2);
      console.log(
        `  stress scenario: 2 GiB VRAM, 10,000 allocations of 64-448 KiB (2.5 GiB), ${full ? '100,000 render submissions' : '10,000 render submissions (scaled: PAGING_LAB_BENCH_FULL=1 for 100,000)'}`,
      );
      console.log(
        `  ${rounds} round(s), each two processes one after the other: the stress watched, with the floor beside it, then the stress alone (nobody listening to the hardware, as a headless run) twice in one process, the second time with V8's compiled code and the first machine's memory there, as every run after the first in a sweep's worker; machine load at start ${load()}`,
      );
      const results: StressRound[] = [];
      const plains: PlainRound[] = [];
      const child = (mode: string[]): string => execFileSync(process.execPath, [out, JSON.stringify(shape), ...mode], { encoding: 'utf8', maxBuffer: 64 * MiB });
      for (let i = 0; i < rounds; i++) {
        const r = JSON.parse(child([])) as StressRound;
        const p = JSON.parse(child(['plain'])) as PlainRound;
        if (p.pagingOps !== r.pagingOps || p.instructions !== r.instructions || p.virtualNs !== r.virtualNs) {
          throw new Error(`the stress alone did not do what the watched one did: ${JSON.stringify(p)}`);
        }
        results.push(r);
        plains.push(p);
        report(r, p, `round ${i + 1}`);
      }
      if (results.length > 1) {
        const best = results.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
        const bestPlain = plains.reduce((a, b) => (b.runs[0].cpuMs < a.runs[0].cpuMs ? b : a));
        console.log(`  best round of each (least CPU time; the stress alone by its first run):`);
        summary(best, bestPlain);
      }
      console.log(`  machine load at end ${load()}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
const us = (x: number): string => `${(x * 1000).toFixed(0)} us`;
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

function report(r: StressRound, p: PlainRound, label: string): void {
  console.log(`  ${label}:`);
  row('render submissions / workload steps', `${r.renders} / ${r.steps}`);
  row('DDI calls / GPU instructions', `${r.ddiCalls} / ${r.instructions}`, `virtual time ${(r.virtualNs / 1e6).toFixed(1)} ms`);
  row('paging operations (sub-transfers + fills + discards)', String(r.pagingOps), `${r.evictions} evictions, ${r.pageIns} page-ins`);
  row('share of time: driver / kernel / GPU engine', `${pct(r.share.driver)} / ${pct(r.share.kernel)} / ${pct(r.share.engine)}`);
  summary(r, p);
}

/** Engine time against the primitive's for the same sizes, right after each other (wall time). */
function opRow(label: string, t: StressRound['copies']): void {
  row(label, `${ms(t.engineMs)} / ${ms(t.floorMs)}`, `ratio ${(t.floorMs / Math.max(t.engineMs, 0.001)).toFixed(2)} (target >= 0.7)`);
}

function summary(r: StressRound, p: PlainRound): void {
  const { floorMs, floorCpuMs } = r;
  const allCopies = r.copies.engineMs + r.filledCopies.engineMs;
  p.runs.forEach((run, i) => {
    const which = i === 0 ? 'stress alone, first run in its process' : `stress alone, run ${i + 1} in the same process`;
    const split = run.mainCpuMs !== undefined ? `; CPU: main thread ${ms(run.mainCpuMs)}, V8's other threads ${ms(run.otherCpuMs ?? 0)}` : '';
    const fresh = `; machine made before it in ${ms(run.machineMs)}; ${run.freshSlabs} fresh 64 KiB slabs (first touch about ${ms(run.freshSlabs * r.firstTouch.freshMs)}); collector pauses ${ms(run.gcMs)} (${run.gcPauses})`;
    row(`${which}: wall time (CPU time)`, `${ms(run.wallMs)} (${ms(run.cpuMs)})`, (split + fresh).slice(2));
    // Per second of the main thread's CPU too: the simulation is the main thread's work, while V8's
    // compiler and collector threads (and other tenants) compete for the same two cores.
    const main = run.mainCpuMs !== undefined ? `, ${Math.round(p.pagingOps / (run.mainCpuMs / 1000))} per second of the main thread's CPU` : '';
    row(
      `${which}: paging operations per second`,
      `${Math.round(p.pagingOps / (run.wallMs / 1000))}`,
      `${Math.round(p.pagingOps / (run.cpuMs / 1000))} per CPU second of all threads${main} (target >= 20,000 per second of wall time)`,
    );
  });
  row('stress watched: wall time (CPU time)', `${ms(r.wallMs)} (${ms(r.cpuMs)})`);
  row('stress watched: simulated paging operations per second', `${Math.round(r.pagingOps / (r.wallMs / 1000))}`, `${Math.round(r.pagingOps / (r.cpuMs / 1000))} per CPU second`);
  row(
    'bytes the engine moved: copies + fills',
    `${((r.copies.bytes + r.filledCopies.bytes) / MiB).toFixed(0)} + ${(r.fills.bytes / MiB).toFixed(0)} MiB`,
    `${r.copies.count + r.filledCopies.count} copies (${r.filledCopies.count} of filled content, ${(r.filledCopies.bytes / MiB).toFixed(0)} MiB: no byte moved), ${r.fills.count} fills`,
  );
  row(
    'floor: Buffer.copy + Uint32Array.fill of the same sizes, wall (CPU, done again after the run)',
    `${ms(floorMs)} (${ms(floorCpuMs)})`,
    `simulation (watched) costs ${(r.cpuMs / Math.max(floorCpuMs, 0.001)).toFixed(1)}x the floor in CPU time, ${(r.wallMs / Math.max(floorMs, 0.001)).toFixed(1)}x in wall time (target <= 30x)`,
  );
  opRow('engine copies of written content / Buffer.copy of each, right after', r.copies);
  row(
    '  ... of which pages shared / uniform content filled / bytes moved',
    `${(r.copies.sharedBytes / MiB).toFixed(1)} / ${(r.copies.patternBytes / MiB).toFixed(1)} / ${((r.copies.bytes - r.copies.sharedBytes - r.copies.patternBytes) / MiB).toFixed(1)} MiB`,
    'whole pages from page to page are shared with the source, copied on write: no byte moves until either side is written',
  );
  const cold = r.coldCopies;
  row(
    '  ... Buffer.copy of each between memory out of the caches: in one piece / as scattered 4 KiB pages',
    `${ms(cold.contiguousMs)} / ${ms(cold.pagesMs)}`,
    `ratio ${(cold.contiguousMs / Math.max(r.copies.engineMs, 0.001)).toFixed(2)} / ${(cold.pagesMs / Math.max(r.copies.engineMs, 0.001)).toFixed(2)} (the floor above copies between 1 MiB buffers the cache holds; the engine's memory is gigabytes)`,
  );
  const touch = r.firstTouch;
  row(
    '  ... of which fresh memory: 64 KiB slabs new to the process',
    `${r.copies.freshSlabs}`,
    `first touch of 64 KiB here ${us(touch.freshMs)}, writing it again ${us(touch.againMs)}: about ${ms(r.copies.freshSlabs * touch.freshMs)} of the engine's time (Buffer.copy writes memory already touched)`,
  );
  opRow('engine copies of filled content / Uint32Array.fill of each, right after', r.filledCopies);
  row(
    '  ... timed as whole instructions (fetch, decode, operand checks too)',
    `${ms(r.filledCopies.instructionMs)} / ${ms(r.filledCopies.floorMs)}`,
    `ratio ${(r.filledCopies.floorMs / Math.max(r.filledCopies.instructionMs, 0.001)).toFixed(2)}; fills ${(r.fills.floorMs / Math.max(r.fills.instructionMs, 0.001)).toFixed(2)}, copies of written content ${(r.copies.floorMs / Math.max(r.copies.instructionMs, 0.001)).toFixed(2)}`,
  );
  row(
    'all engine copies / Buffer.copy of each, right after',
    `${ms(allCopies)} / ${ms(r.copies.floorMs + r.filledCopiesAsCopyMs)}`,
    `ratio ${((r.copies.floorMs + r.filledCopiesAsCopyMs) / Math.max(allCopies, 0.001)).toFixed(2)}`,
  );
  opRow('engine fills / Uint32Array.fill of each, right after', r.fills);
  row(
    'RSS at end / memory touched (VRAM + system)',
    `${(r.rss / MiB).toFixed(0)} / ${(r.touchedBytes / MiB).toFixed(0)} MiB`,
    `ratio ${(r.rss / Math.max(r.touchedBytes, 1)).toFixed(2)} (target <= 1.5); ${(r.residentBytes / MiB).toFixed(0)} MiB of it has bytes behind it`,
  );
}
