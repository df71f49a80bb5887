// The machine a host drives: the simulated kernel (VidMm, VidSch), the driver it calls and the GPU
// engines, run as one steppable machine in virtual time. It knows nothing of its host (the command
// line, the debugger, a test): a host pulls events one at a time and may read every piece of state
// between two events.
//
//   const m = await createMachine({ driver: 'driver.ts', scenario });   // or driver: DriverEntry function
//   m.next()                       -> the next MachineEvent, or undefined once finished
//   m.runUntil(e => e.kind === 'ddi-entry' && e.call.ddi === 'DxgkDdiBuildPagingBuffer')
//   m.run(onEvent?)                -> runs to the end; returns the MachineResult
//   m.state()                      -> a plain-data snapshot (allocations, segments, engines, queues,
//                                     fences, paging buffers, the current DDI call, the scenario step)
//   m.stop()                       -> ends the run (the generator is closed; `finished` becomes true)
//   m.runEngineNow(engine)         -> runs one GPU instruction ahead of the kernel's schedule (a debugger's
//                                     GPU step while the kernel stands at a DDI call); `ranAhead` lists them
//
// Events (src/sim/kernel/events.ts): `scenario-step`; `ddi-entry` (before the driver runs, with the
// live arguments) and `ddi-return` (status and arguments after the call); `kernel` (eviction,
// page-in, paging-buffer-submitted, submission, fence-completed, interrupt, allocation-busy, wait,
// lock, render, ...); `instruction` (before a GPU instruction executes); `error` (the run failed:
// driver bug with file and line, bad or impossible scenario, GPU fault, lost content); `done`.
// After `error` or `done`, `next()` returns undefined. A verifier can hook DDI entry/return events.
// This API is stable: add to it, do not change what is here.

import { compileDriver, instantiateDriver, type CompiledDriver, type DriverEntryFunction, type LoadedDriver } from './driver/loader';
import { DriverError } from './driver/errors';
import { createGpu } from './hw';
import type { Gpu } from './hw/types';
import type { DdiCall, MachineError, MachineEvent } from './kernel/events';
import { bankAt } from './kernel/banks';
import { Kernel } from './kernel/kernel';
import { KernelError } from './kernel/kernelError';
import { MemoryPaths, type MemoryPathsState } from './kernel/memoryPaths';
import { VerifierViolation } from './verifier/violation';
import { emptyPagingStats, type Allocation, type PagingStats } from './kernel/vidmm';
import { scenarioGpuConfig } from './scenario/gpuConfig';
import type { Scenario, Step } from './scenario/types';

export type { MachineEvent, MachineError, DdiCall } from './kernel/events';

export interface MachineOptions {
  /** A driver .ts file (compiled by the loader), or a DriverEntry function (tests). */
  driver: string | DriverEntryFunction;
  scenario: Scenario;
  /** Keep copies of what the workload wrote and verify content (default true). */
  shadow?: boolean;
  /** Check the driver against the DDI rules (src/sim/verifier; default: `shadow`, else true). */
  verifier?: boolean;
}

export interface MachineStats extends PagingStats {
  ddiCalls: number;
  instructions: number;
  renders: number;
  allocations: number;
  /** Virtual time at the end, in nanoseconds. */
  time: number;
}

export interface MachineResult {
  ok: boolean;
  error?: MachineError;
  stats: MachineStats;
  /** Wall-clock milliseconds: in the driver, in the GPU engines, in the host's callback, and in all; the rest is the kernel. */
  timing: { driverMs: number; engineMs: number; hostMs: number; totalMs: number };
}

export interface AllocationView {
  handle: number;
  name: string;
  size: number;
  residency: 'system' | 'resident';
  segmentId?: number;
  offset?: number;
  locked: boolean;
  content: 'fresh' | 'valid';
  busy: boolean;
  lastPagingOperation?: string;
  /** Its priority level (DXGK_ALLOCATIONINFO.AllocationPriority, or the last set-priority): lower levels are evicted first. */
  priority: number;
  /** The swizzling range VidMm holds for it: in use by a CPU lock through the aperture, or cached since one. */
  swizzlingRange?: { id: number; data: number; privateData: number; inUse: boolean };
  /** Resident in a banked segment: the bank (1-based) it lies in. */
  bank?: number;
  /** HintedBank as VidMm reads it (banks of its most preferred segment, most preferred first), when it names any. */
  bankHints?: { bank: number; topDown: boolean }[];
  /** DXGK_ALLOCATIONINFO.EvictionSegmentSet, when it names aperture segments to evict through. */
  evictionSegmentSet?: number;
}

export interface MachineState {
  time: number;
  finished: boolean;
  error?: MachineError;
  step?: { index: number; op: Step['op']; path: string };
  /** What the kernel is doing, outermost first. */
  frames: string[];
  currentDdi?: DdiCall;
  segments: { id: number; name: string; kind: 'memory' | 'aperture'; size: number; used: number; cpuVisible: boolean; resident: number; banks?: { start: number; end: number }[] }[];
  allocations: AllocationView[];
  engines: {
    engine: number;
    state: string;
    pc: number;
    queued: number;
    busyUntil: number;
    pagingFence: number;
    lastSubmittedFence: number;
    lastCompletedFence: number;
    queue: { fenceId: number; kind: 'paging' | 'render'; label: string }[];
  }[];
  pagingBuffers: { physical: number; state: string; start: number; write: number; limit: number }[];
  /** CPU mappings, aperture mappings, the device paging fence, bus-master DMA and common buffers (src/sim/kernel/memoryPaths.ts). */
  paths?: MemoryPathsState;
}

/** See Machine.observer. */
export interface MachineObserver {
  /** Before an event is made (and before Machine.beforeEvent). */
  before(): void;
  /** After: the event made, or undefined when the run had finished or making it threw. */
  after(e: MachineEvent | undefined): void;
}

export class Machine {
  private readonly gen: Generator<MachineEvent, void, void>;
  private done = false;
  private failure: MachineError | undefined;
  private readonly started = performance.now();
  private endedMs: number | undefined;
  private emitted = 0;
  /** Wall-clock milliseconds spent in the host's `run` callback (printing a trace...), not the simulator's. */
  private hostMs = 0;

  constructor(
    readonly gpu: Gpu,
    readonly kernel: Kernel,
    /** The run to drive, when not the kernel's own (createMachine passes the WDK extension's, which wraps it). */
    run?: Generator<MachineEvent, void, void>,
  ) {
    this.gen = run ?? kernel.run();
  }

  get finished(): boolean {
    return this.done;
  }

  get error(): MachineError | undefined {
    return this.failure;
  }

  /** Events produced so far. */
  get eventCount(): number {
    return this.emitted;
  }

  /** Called before each event is made, the machine standing after `eventCount` events: a replay's edits go in here. */
  beforeEvent: (() => void) | undefined;

  /**
   * Told around each event the machine makes (the time-travel recorder); one at a time. A field
   * rather than `next` replaced on the instance, which would give recorded machines another shape
   * than the others and deoptimize the code they share each time it met the other kind.
   */
  observer: MachineObserver | undefined;

  /** Advances to the next event; undefined once the run has finished (after `done` or `error`). */
  next(): MachineEvent | undefined {
    const o = this.observer;
    if (!o) return this.produce();
    o.before();
    let e: MachineEvent | undefined;
    try {
      e = this.produce();
    } finally {
      o.after(e);
    }
    return e;
  }

  private produce(): MachineEvent | undefined {
    if (this.done) return undefined;
    let r: IteratorResult<MachineEvent, void>;
    try {
      this.beforeEvent?.();
      r = this.gen.next();
    } catch (e) {
      this.finish();
      this.failure = toMachineError(this.kernel.ddi.blame(e));
      this.emitted++;
      return { kind: 'error', time: this.gpu.now, error: this.failure };
    }
    if (r.done) {
      this.finish();
      this.emitted++;
      return { kind: 'done', time: this.gpu.now };
    }
    this.emitted++;
    return r.value;
  }

  /** Instructions run ahead of the kernel's schedule (runEngineNow): the engine, and how many events the run had produced then. */
  readonly ranAhead: { engine: number; afterEvents: number }[] = [];

  /**
   * Runs `engine`'s next instruction now, before the run goes on from the event it stands at (a
   * debugger stepping the GPU while the kernel is stopped at a DDI call: the GPU runs beside the
   * CPU). Not an event of the run's stream (what the instruction writes is the GPU's, as always);
   * returns the instruction it ran, undefined when the engine has nothing it can run (idle, or
   * stalled on a wait), or the run's `error` event when the instruction faulted (the run is over).
   */
  runEngineNow(engine: number): Extract<MachineEvent, { kind: 'instruction' | 'error' }> | undefined {
    if (this.done) return undefined;
    const time = this.gpu.now;
    let r: ReturnType<Kernel['stepEngineNow']>;
    try {
      r = this.kernel.stepEngineNow(engine);
    } catch (e) {
      this.stop();
      this.failure = toMachineError(this.kernel.ddi.blame(e));
      this.emitted++;
      return { kind: 'error', time: this.gpu.now, error: this.failure };
    }
    if (!r) return undefined;
    this.ranAhead.push({ engine, afterEvents: this.emitted });
    return r.outcome === 'executed' ? { kind: 'instruction', time, engine, ...r.at } : undefined;
  }

  /** Runs until an event satisfies `predicate` (returned) or the run finishes (undefined, or the error/done event). */
  runUntil(predicate: (e: MachineEvent) => boolean, maxEvents = Infinity): MachineEvent | undefined {
    for (let n = 0; n < maxEvents; n++) {
      const e = this.next();
      if (!e) return undefined;
      if (predicate(e) || e.kind === 'done' || e.kind === 'error') return e;
    }
    return undefined;
  }

  /** Runs to the end, passing every event to `onEvent`. */
  run(onEvent?: (e: MachineEvent) => void): MachineResult {
    for (let e = this.next(); e; e = this.next()) {
      if (!onEvent) continue;
      const t0 = performance.now();
      onEvent(e);
      this.hostMs += performance.now() - t0;
    }
    return this.result();
  }

  /** Ends the run now. */
  stop(): void {
    if (this.done) return;
    this.finish();
    try {
      this.gen.return(undefined);
    } catch {
      // A generator closed mid-way may throw from a finally block; the run is over either way.
    }
  }

  /**
   * Ends the run if it has not ended and hands the GPU's memory to the next machine made in this
   * thread (see SparseMemory.recycle). Take the result first: the memory reads as zeros afterwards.
   */
  releaseMemory(): void {
    this.stop();
    this.gpu.releaseMemory();
  }

  private finish(): void {
    this.done = true;
    this.endedMs ??= performance.now();
  }

  result(): MachineResult {
    const k = this.kernel;
    const totalMs = (this.endedMs ?? performance.now()) - this.started;
    return {
      ok: this.done && !this.failure,
      error: this.failure,
      stats: {
        ...(k.vidmm?.stats ?? emptyPagingStats()),
        ddiCalls: k.ddi.calls,
        instructions: k.instructions,
        renders: k.renders,
        allocations: k.vidmm?.allocations.size ?? 0,
        time: this.gpu.now,
      },
      timing: { driverMs: k.ddi.driverMs, engineMs: k.engineMs, hostMs: this.hostMs, totalMs },
    };
  }

  state(): MachineState {
    const k = this.kernel;
    const vm = k.vidmm;
    const paths = k.extension instanceof MemoryPaths ? k.extension : undefined;
    return {
      time: this.gpu.now,
      finished: this.done,
      error: this.failure,
      step: k.currentStep && { index: k.currentStep.index, op: k.currentStep.step.op, path: k.currentStep.step.path },
      frames: k.frames.slice(),
      currentDdi: k.ddi.current,
      segments: (vm?.segments ?? []).map((s) => ({
        id: s.id,
        name: s.name,
        kind: s.kind,
        size: s.size,
        used: s.ranges.used,
        cpuVisible: s.cpuVisible,
        resident: s.resident.size,
        ...(s.banks ? { banks: s.banks.map((b) => ({ ...b })) } : {}),
      })),
      allocations: [...(vm?.allocations.values() ?? [])].map((a) => this.allocationView(a, paths)),
      engines: k.vidsch.engines.map((q) => {
        const v = this.gpu.engineView(q.engine);
        return {
          engine: q.engine,
          state: v.state,
          pc: v.pc,
          queued: v.queued,
          busyUntil: v.busyUntil,
          pagingFence: Number(v.pagingFence),
          lastSubmittedFence: q.lastSubmitted,
          lastCompletedFence: q.lastCompleted,
          queue: q.queue.map((b) => ({ fenceId: b.fenceId, kind: b.kind, label: b.label })),
        };
      }),
      pagingBuffers: (vm?.pagingBuffers() ?? []).map((b) => ({
        physical: b.buffer.physical,
        state: b.state,
        start: b.start,
        write: b.write,
        limit: b.limit,
      })),
      paths: paths?.state(),
    };
  }

  private allocationView(a: Allocation, paths: MemoryPaths | undefined): AllocationView {
    const range = paths?.cpu.ranges.held(a);
    const seg = a.residency === 'resident' ? this.kernel.vidmm.segment(a.segmentId) : undefined;
    const bank = seg ? bankAt(seg, a.offset) : 0;
    return {
      handle: a.handle,
      name: a.name,
      size: a.size,
      residency: a.residency,
      segmentId: a.residency === 'resident' ? a.segmentId : undefined,
      offset: a.residency === 'resident' ? a.offset : undefined,
      locked: a.locked,
      content: a.content,
      busy: this.kernel.vidmm.isBusy(a),
      lastPagingOperation: a.lastPagingOperation,
      priority: a.priority,
      swizzlingRange: range && { id: range.id, data: range.data, privateData: range.privateData, inUse: paths!.cpu.ranges.inUse(a) },
      ...(bank ? { bank } : {}),
      ...(a.bankHints.length ? { bankHints: a.bankHints.map((h) => ({ ...h })) } : {}),
      ...(a.info.EvictionSegmentSet >>> 0 ? { evictionSegmentSet: a.info.EvictionSegmentSet >>> 0 } : {}),
    };
  }
}

export function toMachineError(e: unknown): MachineError {
  if (e instanceof DriverError) {
    return {
      category: 'driver',
      message: e.message,
      ddi: e.ddi,
      location: e.location && { file: e.location.file, line: e.location.line, column: e.location.column },
      ...(e instanceof VerifierViolation ? { rule: e.rule } : {}),
      ...(e instanceof VerifierViolation && e.ddiLocation ? { ddiLocation: { file: e.ddiLocation.file, line: e.ddiLocation.line, column: e.ddiLocation.column } } : {}),
    };
  }
  if (e instanceof KernelError) return { category: e.category, message: e.message, path: e.path };
  const err = e instanceof Error ? e : new Error(String(e));
  return { category: 'internal', message: `internal error: ${err.stack ?? err.message}` };
}

/**
 * Builds a machine: loads (compiles) the driver if given a file, creates the GPU from the scenario's
 * adapter profile, and the kernel. Throws DriverError when the driver does not compile or load.
 */
export async function createMachine(opts: MachineOptions): Promise<Machine> {
  const compiled = typeof opts.driver === 'string' ? await compileDriver(opts.driver) : undefined;
  return machineFrom(compiled ?? (opts.driver as DriverEntryFunction), opts);
}

/**
 * Builds a machine, synchronously, from a driver compiled once (or a DriverEntry function): what
 * a replay of the same run does (src/sim/timeline), since compiling is the only part that waits.
 */
export function machineFrom(driver: CompiledDriver | DriverEntryFunction, opts: Omit<MachineOptions, 'driver'>): Machine {
  const compiled = typeof driver === 'function' ? undefined : driver;
  let gpu: Gpu;
  try {
    gpu = createGpu(scenarioGpuConfig(opts.scenario));
  } catch (e) {
    throw new KernelError('scenario', `${opts.scenario.source}: the adapter profile is not usable: ${(e as Error).message}`, '/adapter');
  }
  // The driver's console goes into the run's trace, as DbgPrint does; what its module's top level
  // prints waits for the kernel.
  const started: { kernel?: Kernel } = {};
  const early: string[] = [];
  const print = (text: string): void => {
    const kernel = started.kernel;
    if (!kernel) {
      early.push(text);
      return;
    }
    kernel.driverPrints.push(text);
    kernel.ddi.pending.push(kernel.event('driver-print', `driver: ${text}`, { message: text }));
  };
  let loaded: LoadedDriver | undefined;
  if (compiled) {
    loaded = instantiateDriver(compiled, { seed: opts.scenario.seed, now: () => gpu.now, print: (_level, text) => print(text) });
  }
  const entry = loaded ? loaded.DriverEntry : (driver as DriverEntryFunction);
  const kernel = new Kernel(gpu, entry, loaded?.inputs ?? [], opts.scenario, { shadow: opts.shadow });
  started.kernel = kernel;
  const k = kernel;
  if (loaded) k.ddi.attachDriver(loaded);
  k.ddi.functionOf = (ddi) => (ddi === 'DriverEntry' ? entry : (k.init as Record<string, unknown> | undefined)?.[ddi]);
  for (const text of early.splice(0)) print(text);
  // Off when any of the host's option, its shadow setting or the scenario says so (content checks stay on: `shadow`).
  const wdk = new MemoryPaths(kernel, { verifier: (opts.verifier ?? opts.shadow ?? true) && opts.scenario.verifier !== false });
  return new Machine(gpu, kernel, wdk.run());
}
