// The kernel benchmark's workload, run in a child process (kernelRound.ts) from an esbuild bundle (like the GPU's, so
// the engine's hot path is measured as it ships, and so the process's CPU time and resident memory
// are the stress's own). The reference driver is bundled in with `paging-lab/ddi` and
// `paging-lab/gpu` resolved to their sources: the same code the run-time loader produces.
//
// One round: the stress through the machine, watched from the outside (the GPU's write events give
// every byte the engine moves and every page anyone writes; a wrapper around `step` times the
// engine's copies and fills), with its floor beside it: after each copy or fill, the same size
// with Buffer.copy or Uint32Array.fill (a copy of filled content, which moves no byte, with both).
// The stress's wall and CPU time are given without the floor's: its wall time is taken out of the
// wall time, and its CPU time, measured by doing every floor operation again after the run in one
// batch with the process's CPU time read around it, out of the CPU time. On a loaded machine the
// floor's wall time is mostly time spent waiting for a core (taking it out of the CPU time left
// 96 ms of CPU for a round that took 2.5 s of it, at load 25), and reading the CPU time around
// each floor operation cost more than the operation (4 us a time: 0.4 s of a 2 s scaled round).
// The engine's copies and fills are compared with the floor in wall time only.

import { readdirSync, readFileSync } from 'node:fs';
import { Op } from '../src/isa/opcodes';
import type { Gpu } from '../src/sim/hw';
import { freshSlabsTaken } from '../src/sim/hw/memory';
import { createMachine } from '../src/sim/machine';
import { stressScenario, type StressShape } from './stressScenario';
import { TouchedPages } from '../src/sim/timeline/touchedPages';

export type { StressShape };
import type { DriverEntryFunction } from '../src/sim/driver/loader';
import { DriverEntry } from '../samples/drivers/reference/driver';

const MiB = 1024 * 1024;


export interface OpTimes {
  count: number;
  bytes: number;
  engineMs: number;
  floorMs: number;
  floorCpuMs: number;
  /** 64 KiB slabs of fresh memory the engine's memories took from the process during these operations. */
  freshSlabs: number;
  /** Bytes carried by sharing whole pages with the source (copied on write), and as a fill of uniform content: no byte moved. */
  sharedBytes: number;
  patternBytes: number;
  /**
   * The same operations timed as whole instructions: from the engine's step, so with fetching,
   * decoding and checking the operands (`engineMs` starts when the instruction's effects begin).
   */
  instructionMs: number;
}

const opTimes = (): OpTimes => ({ count: 0, bytes: 0, engineMs: 0, floorMs: 0, floorCpuMs: 0, freshSlabs: 0, sharedBytes: 0, patternBytes: 0, instructionMs: 0 });

/** What touching fresh memory costs on this machine, against writing the same memory again: wall time of a 64 KiB slab, in ms. */
export interface FirstTouch {
  freshMs: number;
  againMs: number;
}

/**
 * The first touch of 64 KiB of memory new to the process (the kernel maps and zeroes its pages on
 * the first write) and a second fill of the same bytes, over `n` slabs. The engine pays the first
 * when a copy gives bytes to pages that had none and no slab is free; Buffer.copy into a buffer
 * already written never does.
 */
export function firstTouch(n = 64): FirstTouch {
  const slabs: Uint8Array[] = [];
  let t = performance.now();
  for (let i = 0; i < n; i++) {
    const b = new Uint8Array(64 * 1024);
    b.fill(1);
    slabs.push(b);
  }
  const freshMs = (performance.now() - t) / n;
  t = performance.now();
  for (const b of slabs) b.fill(2);
  return { freshMs, againMs: (performance.now() - t) / n };
}

/** Buffer.copy of the engine's copies of written content, between memory out of the caches (coldCopies): wall time, ms. */
export interface ColdCopy {
  /** Each copy in one piece, from and to page-aligned places at random. */
  contiguousMs: number;
  /** Each copy as 4 KiB pages, each from and to a page at random: as scattered as MDL pages are. */
  pagesMs: number;
}

/** The two buffers coldCopies copies between: each far larger than the caches. */
const COLD_BYTES = 256 * MiB;
const PAGE = 4096;

/**
 * What Buffer.copy of the same sizes costs when its memory is not in the caches, as the engine's is
 * (a stress touches gigabytes; the floor's 1 MiB buffers stay in the cache from one copy to the
 * next): between two buffers of COLD_BYTES, written first so that no page is new to the process.
 * The places come from a fixed-seed xorshift, the same every run.
 */
export function coldCopies(sizes: readonly number[]): ColdCopy {
  const from = Buffer.alloc(COLD_BYTES, 1);
  const to = Buffer.alloc(COLD_BYTES, 2);
  let x = 0x9e3779b9;
  const place = (n: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) % Math.floor((COLD_BYTES - n) / PAGE)) * PAGE;
  };
  let t = performance.now();
  for (const n of sizes) {
    const at = place(n);
    from.copy(to, place(n), at, at + n);
  }
  const contiguousMs = performance.now() - t;
  t = performance.now();
  for (const n of sizes) {
    for (let o = 0; o < n; o += PAGE) {
      const k = Math.min(PAGE, n - o);
      const at = place(k);
      from.copy(to, place(k), at, at + k);
    }
  }
  return { contiguousMs, pagesMs: performance.now() - t };
}

export interface StressRound {
  /** Of the stress alone (the floor's wall time taken out of wall time, its CPU time out of CPU time). */
  wallMs: number;
  cpuMs: number;
  renders: number;
  steps: number;
  pagingOps: number;
  evictions: number;
  pageIns: number;
  ddiCalls: number;
  instructions: number;
  virtualNs: number;
  share: { driver: number; kernel: number; engine: number };
  /** Every floor operation together, wall and CPU time: what `wallMs` and `cpuMs` are given without. */
  floorMs: number;
  floorCpuMs: number;
  /**
   * Bytes and engine time of the copies and fills the engine executed, and of the same with the
   * primitives (wall time; the floor's CPU time too): copies of written content (pages shared with
   * the source, bytes moved where not page to page) against Buffer.copy,
   * copies of filled content (no byte moved) against Uint32Array.fill and, in
   * filledCopiesAsCopyMs, against Buffer.copy.
   */
  copies: OpTimes;
  filledCopies: OpTimes;
  filledCopiesAsCopyMs: number;
  fills: OpTimes;
  /** Measured after the run, in the same process. */
  firstTouch: FirstTouch;
  /** The copies of written content, with Buffer.copy between memory out of the caches; after the run (and its RSS). */
  coldCopies: ColdCopy;
  /** Distinct VRAM and system memory written by anyone (4 KiB pages), what has bytes behind it now, and the process's RSS. */
  touchedBytes: number;
  residentBytes: number;
  rss: number;
}

/** One run of the stress with nobody watching the hardware (no listener, no floor): what a headless run costs. */
export interface PlainRun {
  wallMs: number;
  cpuMs: number;
  /** Wall time of making the machine before the run (not in wallMs): its memories' page tables are touched then. */
  machineMs: number;
  /** CPU time of the main thread and of the process's other threads (V8's compiler and garbage collector helpers), where /proc tells them apart. */
  mainCpuMs?: number;
  otherCpuMs?: number;
  /** 64 KiB slabs of fresh memory the run's memories took from the process (a later run in the process reuses the first's). */
  freshSlabs: number;
  /** The garbage collector's pauses of the main thread during the run (PerformanceObserver 'gc' entries): their sum and count. */
  gcMs: number;
  gcPauses: number;
}

/**
 * The stress alone, run `runs` times in the same process, each machine's memory handed to the next
 * as a sweep does: the first run pays for V8 compiling the simulator and for the pages its memory
 * first touches, the later ones find both done, as every run after the first in a sweep's worker.
 */
export interface PlainRound {
  runs: PlainRun[];
  pagingOps: number;
  instructions: number;
  virtualNs: number;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** CPU time (ms) of this process's main thread and of its other threads, from /proc; undefined without /proc. */
function threadCpu(): { main: number; other: number } | undefined {
  try {
    let main = 0;
    let other = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = ((Number(f[11]) + Number(f[12])) * 1000) / TICKS;
      if (tid === String(process.pid)) main += ms;
      else other += ms;
    }
    return { main, other };
  } catch {
    return undefined;
  }
}

export async function runPlainRound(shape: StressShape, runs = 2): Promise<PlainRound> {
  const round: PlainRound = { runs: [], pagingOps: 0, instructions: 0, virtualNs: 0 };
  // The collector's pauses, told after the run (the observer hears of them between turns of the event loop).
  const pauses: PerformanceEntry[] = [];
  const gc = new PerformanceObserver((list) => pauses.push(...list.getEntries()));
  gc.observe({ entryTypes: ['gc'] });
  for (let i = 0; i < runs; i++) {
    const scenario = stressScenario(shape);
    const m0 = performance.now();
    const machine = await createMachine({ driver: DriverEntry as unknown as DriverEntryFunction, scenario, shadow: false });
    const machineMs = performance.now() - m0;
    const t0 = threadCpu();
    const slabs = freshSlabsTaken();
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const result = machine.run();
    const wallMs = performance.now() - w0;
    const cu = process.cpuUsage(c0);
    const t1 = threadCpu();
    if (!result.ok) throw new Error(`stress run failed: ${result.error?.message}`);
    const s = result.stats;
    const did = { pagingOps: s.subTransfers + s.fills + s.discards, instructions: s.instructions, virtualNs: s.time };
    if (i > 0 && (did.pagingOps !== round.pagingOps || did.instructions !== round.instructions || did.virtualNs !== round.virtualNs)) {
      throw new Error(`run ${i + 1} of the stress did not do what the first did: ${JSON.stringify(did)}`);
    }
    Object.assign(round, did);
    // Entries reach the observer on a later task than setImmediate's: a short timer lets them in.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const during = pauses.filter((e) => e.startTime >= w0 && e.startTime < w0 + wallMs);
    round.runs.push({
      wallMs,
      cpuMs: (cu.user + cu.system) / 1000,
      machineMs,
      freshSlabs: freshSlabsTaken() - slabs,
      gcMs: during.reduce((n, e) => n + e.duration, 0),
      gcPauses: during.length,
      ...(t0 && t1 ? { mainCpuMs: t1.main - t0.main, otherCpuMs: t1.other - t0.other } : {}),
    });
    machine.releaseMemory();
  }
  gc.disconnect();
  return round;
}

export async function runStressRound(shape: StressShape): Promise<StressRound> {
  const scenario = stressScenario(shape);
  const machine = await createMachine({ driver: DriverEntry as unknown as DriverEntryFunction, scenario, shadow: false });
  const gpu = machine.gpu;

  // Watching the engine: which instruction runs, the bytes it writes, the pages anyone writes.
  const touched = new TouchedPages(gpu);
  const pending: number[] = [];
  let code = -1;
  let opBytes = 0;
  let t0 = 0;
  gpu.onEvent((e) => {
    if (e.kind === 'instruction') {
      code = e.code;
      opBytes = 0;
      t0 = performance.now();
    } else if (e.kind === 'write') {
      if (e.engine >= 0) opBytes += e.length;
      pending.push(e.target === 'vram' ? 1 : 0, e.address, e.length);
    }
  });
  // The floor runs beside the engine: right after each copy or fill, the same size with the
  // primitive (Buffer.copy, Uint32Array.fill into buffers already in memory), so both see the same
  // load; its wall time is taken out of the stress's. A copy whose source was filled content moves
  // no byte (the engine fills the destination with the pattern), so such a copy is compared with
  // Uint32Array.fill of its size, like with like, and also, as before, with Buffer.copy.
  const copies = opTimes();
  const filledCopies = opTimes();
  const fills = opTimes();
  // Each floor operation, to be done again after the run with the process's CPU time read around
  // the whole batch (reading it around each one cost 4 us a time, 0.4 s a scaled round, counted in
  // the stress's own time): its CPU time is what the run's CPU time is given without.
  const replay: { kind: OpTimes; fill: boolean; n: number }[] = [];
  let from = Buffer.alloc(MiB, 1);
  let to = Buffer.alloc(MiB);
  let words = new Uint32Array(MiB / 4);
  const floor = (fill: boolean, n: number, salt: number): number => {
    if (n > to.length) {
      from = Buffer.alloc(n, 1);
      to = Buffer.alloc(n);
      words = new Uint32Array(Math.ceil(n / 4));
    }
    const t = performance.now();
    if (fill) words.fill(0x9e3779b9 + salt, 0, n >>> 2);
    else from.copy(to, 0, 0, n);
    return performance.now() - t;
  };
  const step = gpu.step.bind(gpu);
  const flushPending = (): void => {
    for (let i = 0; i < pending.length; i += 3) touched.mark(pending[i] === 1, pending[i + 1], pending[i + 2]);
    pending.length = 0;
  };
  let asCopyMs = 0;
  (gpu as { step: Gpu['step'] }).step = (engine) => {
    const patterned = gpu.patternCopiedBytes();
    const shared = gpu.sharedCopiedBytes();
    const slabs = freshSlabsTaken();
    const s0 = performance.now();
    const r = step(engine);
    if (code === Op.Copy || code === Op.Fill) {
      const t1 = performance.now();
      const n = opBytes;
      const filled = code === Op.Copy && n > 0 && gpu.patternCopiedBytes() - patterned === n;
      const kind = code === Op.Fill ? fills : filled ? filledCopies : copies;
      kind.count++;
      kind.bytes += n;
      kind.engineMs += t1 - t0;
      kind.instructionMs += t1 - s0;
      kind.freshSlabs += freshSlabsTaken() - slabs;
      kind.sharedBytes += gpu.sharedCopiedBytes() - shared;
      if (code === Op.Copy) kind.patternBytes += gpu.patternCopiedBytes() - patterned;
      kind.floorMs += floor(kind !== copies, n, kind.count);
      replay.push({ kind, fill: kind !== copies, n });
      if (filled) asCopyMs += floor(false, n, 0);
    }
    code = -1;
    flushPending();
    return r;
  };

  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const result = machine.run();
  const floorMs = copies.floorMs + filledCopies.floorMs + fills.floorMs + asCopyMs;
  const wallMs = performance.now() - w0 - floorMs;
  const cu = process.cpuUsage(c0);
  if (!result.ok) throw new Error(`stress run failed: ${result.error?.message}`);
  // The floor again, each kind in one batch: its CPU time, and the wall time of the extra
  // Buffer.copy of the filled content's copies, in CPU time too.
  for (const kind of [copies, filledCopies, fills]) {
    const c = process.cpuUsage();
    for (const op of replay) if (op.kind === kind) floor(op.fill, op.n, 1);
    const u = process.cpuUsage(c);
    kind.floorCpuMs = (u.user + u.system) / 1000;
  }
  const c = process.cpuUsage();
  for (const op of replay) if (op.kind === filledCopies) floor(false, op.n, 0);
  const u = process.cpuUsage(c);
  const asCopyCpuMs = (u.user + u.system) / 1000;
  const floorCpuMs = copies.floorCpuMs + filledCopies.floorCpuMs + fills.floorCpuMs + asCopyCpuMs;
  flushPending();
  const rss = process.memoryUsage().rss;
  const resident = gpu.residentBytes();

  const s = result.stats;
  const t = result.timing;
  return {
    wallMs,
    cpuMs: (cu.user + cu.system) / 1000 - floorCpuMs,
    floorMs,
    floorCpuMs,
    renders: s.renders,
    steps: scenario.steps.length,
    pagingOps: s.subTransfers + s.fills + s.discards,
    evictions: s.evictions,
    pageIns: s.pageIns,
    ddiCalls: s.ddiCalls,
    instructions: s.instructions,
    virtualNs: s.time,
    // The machine times the engine around `step`, which here includes the floor.
    share: {
      driver: t.driverMs / (t.totalMs - floorMs),
      kernel: Math.max(0, t.totalMs - t.driverMs - t.engineMs) / (t.totalMs - floorMs),
      engine: (t.engineMs - floorMs) / (t.totalMs - floorMs),
    },
    copies,
    filledCopies,
    filledCopiesAsCopyMs: asCopyMs,
    fills,
    firstTouch: firstTouch(),
    coldCopies: coldCopies(replay.filter((op) => op.kind === copies).map((op) => op.n)),
    touchedBytes: touched.bytes(),
    residentBytes: resident.vram + resident.system,
    rss,
  };
}
