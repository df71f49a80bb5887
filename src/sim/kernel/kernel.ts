// The simulated Dxgkrnl: starts the driver (DriverEntry, DxgkDdiAddDevice, DxgkDdiStartDevice,
// DxgkDdiQueryAdapterInfo), offers it the DXGKRNL_INTERFACE callbacks, runs a scenario's workload
// through VidMm and VidSch, and drives the GPU's engines whenever it has to wait, delivering
// DMA-completed interrupts to the driver's DxgkDdiInterruptRoutine and DxgkDdiDpcRoutine.
//
// Everything is a generator: each point a host may stop at is a `yield` of a MachineEvent, so the
// machine (../machine.ts) can run it event by event in virtual time.
//
// The run's loop and its waits on the GPU (instructions, interrupts, DPCs) are one generator over
// shared state (the pending fences and notifications); starting the adapter (adapterStart.ts), the
// workload's steps (workloadSteps.ts), VidMm, VidSch, the memory paths and what an allocation holds
// (allocationContent.ts) are their own files.

import {
  type DXGK_DRIVERCAPS,
  type DXGKARGCB_NOTIFY_INTERRUPT_DATA,
  type DXGKRNL_INTERFACE,
  type DRIVER_INITIALIZATION_DATA,
  type DdiName,
  type HANDLE,
  DXGK_INTERRUPT_DMA_COMPLETED,
  DXGK_INTERRUPT_DMA_FAULTED,
  PAGE_SIZE,
  statusName,
} from '../ddi/contract';
import { DriverError, type SourceLocation } from '../driver/errors';
import type { DriverEntryFunction } from '../driver/loader';
import type { CommonBuffer, Gpu, HwEvent } from '../hw/types';
import { formatInstructionAt } from '../hw/format';
import { decode } from '../../isa/encoding';
import type { Scenario, Step } from '../scenario/types';
import type { RuleId } from '../verifier/rules';
import { VerifierViolation } from '../verifier/violation';
import { ContiguousMemory } from './contiguousMemory';
import { DdiCaller } from './ddiCaller';
import { Framed, KernelFrames } from './framed';
import type { Gen, KernelEvent, KernelEventKind, MachineEvent } from './events';
import { KernelError } from './kernelError';
import { PageListArena } from './pageLists';
import type { KernelExtension } from './extension';
import { InterruptLine, keptNotification, type RoutineRun } from './interruptLine';
import { DeviceRegisters } from './registers';
import { type Allocation, VidMm } from './vidmm';
import { VidSch } from './vidsch';
import type { ContentShadow } from './contentShadow';
import { AllocationContent } from './allocationContent';
import { WorkloadSteps } from './workloadSteps';
import { startAdapter } from './adapterStart';

type InstructionEvent = Extract<MachineEvent, { kind: 'instruction' }>;

export interface KernelOptions {
  /** Keep a copy of what the workload wrote and check it at `verify` steps and at the end (default true). */
  shadow?: boolean;
}

export interface RetiredInstruction {
  engine: number;
  address: number;
  submissionId: number;
  /** Virtual time (ns) the instruction started and completed. */
  start: number;
  end: number;
}

/** What the kernel asks of the verifier (src/sim/verifier/verifier.ts): where a DDI's implementation is, and which line wrote what DxgkDdiCreateAllocation returned. */
export interface AttachedVerifier {
  readonly context: {
    locate(ddi: string, fn?: unknown): SourceLocation | undefined;
    returned(call: { ddi: string }, result: unknown, fn?: unknown): SourceLocation | undefined;
    allocationInfoWrites: { writes: { lineOf(members: RegExp): SourceLocation | undefined } } | undefined;
  };
}

export class Kernel {
  readonly ddi: DdiCaller;
  readonly registers: DeviceRegisters;
  readonly vidsch: VidSch;
  vidmm!: VidMm;
  readonly pageLists: PageListArena;
  /** What the kernel is doing, outermost first (shown as stack frames by the debugger). */
  readonly frames: string[] = [];
  private readonly frameStack = new KernelFrames(this.frames);
  /** Allocations by scenario name. */
  readonly byName = new Map<string, Allocation>();
  readonly shadow = new Map<Allocation, ContentShadow>();
  /** What each allocation holds as the application sees it, and its checks against `shadow`. */
  readonly content: AllocationContent;
  /** The workload's steps (./workloadSteps.ts). */
  private readonly steps = new WorkloadSteps(this);
  currentStep: { index: number; step: Step } | undefined;
  init: DRIVER_INITIALIZATION_DATA | undefined;
  ctx: HANDLE;
  caps: DXGK_DRIVERCAPS | undefined;
  readonly driverPrints: string[] = [];
  /** Called after each GPU instruction with its engine, address and virtual start/end times (traces). */
  onRetired: ((r: RetiredInstruction) => void) | undefined;
  /** CPU access, aperture segments, paging queues and bus-master DMA (./memoryPaths.ts), when attached. */
  extension: KernelExtension | undefined;
  /** The verifier, when it is on (it attaches itself; it observes the kernel, so the kernel names only what it asks of it). */
  verifier: AttachedVerifier | undefined;
  /** Common buffers the driver holds from DxgkCbAllocateContiguousMemory (DxgkCbFreeContiguousMemory gives one back). */
  readonly contiguousMemory: ContiguousMemory;
  instructions = 0;
  engineMs = 0;
  renders = 0;
  private readonly hwEvents: HwEvent[] = [];
  private readonly notified: DXGKARGCB_NOTIFY_INTERRUPT_DATA[] = [];
  private readonly deliverable: DXGKARGCB_NOTIFY_INTERRUPT_DATA[] = [];
  private dpcQueued = false;
  /** Bytes of system memory the GPU reaches (below DXGK_DRIVERCAPS.HighestAcceptableAddress), when less than all. */
  gpuReach = Infinity;
  /** The interrupt line: what DxgkDdiInterruptRoutine may do, and whether another device shares it (./interruptLine.ts). */
  readonly interruptLine: InterruptLine;
  /** The node renders go to and the node paging buffers go to (DXGK_DRIVERCAPS: PagingNode, and another node when the driver exposes one). */
  renderEngine = 0;
  pagingEngine = 0;
  /** Whether the kernel keeps a copy of what the workload wrote and checks the content against it (KernelOptions.shadow). */
  readonly shadowOn: boolean;

  constructor(
    readonly gpu: Gpu,
    readonly DriverEntry: DriverEntryFunction,
    readonly driverFiles: readonly string[],
    readonly scenario: Scenario,
    options: KernelOptions = {},
  ) {
    this.shadowOn = options.shadow ?? true;
    this.content = new AllocationContent(gpu, this.shadow);
    this.ddi = new DdiCaller(driverFiles, () => this.gpu.now, () => this.frameStack.cause());
    this.registers = new DeviceRegisters(gpu);
    this.vidsch = new VidSch(gpu.config.engines, this.ddi, () => this.driver(), () => this.gpu.now, (cond, reason) => this.waitUntil(cond, reason));
    this.contiguousMemory = new ContiguousMemory(gpu);
    this.pageLists = new PageListArena(gpu, (size, what) => this.commonBuffer(size, what));
    this.interruptLine = new InterruptLine(scenario.adapter.sharedInterruptLine ?? false, this.ddi, (rule, message, location, ddi = 'DxgkDdiInterruptRoutine') =>
      this.driverFault(rule, ddi, this.init?.[ddi], message, undefined, location),
    );
    // Only what the kernel must react to: listening to every event would make the hardware build
    // an event for every instruction and every write, for nobody.
    gpu.onControlEvent((e) => this.hwEvents.push(e));
  }

  driver(): { init: DRIVER_INITIALIZATION_DATA; ctx: HANDLE } {
    if (!this.init) throw new KernelError('internal', 'the driver is not started');
    return { init: this.init, ctx: this.ctx };
  }

  /** A rule the kernel cannot go on past: the verifier's violation (with the rule's id) when it is on, else a driver error. */
  driverFault(rule: RuleId, ddi: DdiName, fn: unknown, message: string, args?: unknown, location?: SourceLocation): Error {
    if (this.verifier) {
      const implementation = this.verifier.context.locate(ddi, fn);
      const second = location && implementation && location.line !== implementation.line ? implementation : undefined;
      return new VerifierViolation(rule, message, { ddi, args, location: location ?? implementation, ddiLocation: second });
    }
    return this.ddi.statusError(ddi, args, fn, message);
  }

  /**
   * Common-buffer memory for the kernel's own use (paging buffers, page lists, DMA buffers...). When
   * the budget cannot hold it, the error says whose use is the problem: the driver's, when it holds
   * more than half of the budget and the kernel's own need would fit without it ("The common
   * buffer is a precious system resource"), else the scenario's budget.
   */
  commonBuffer(size: number, what: string): CommonBuffer {
    const b = this.gpu.allocateCommonBuffer(size);
    if (b) return b;
    const { used, budget } = this.gpu.commonBufferUsage();
    const held = [...this.contiguousMemory.blocks.map((m) => ({ ...m, how: 'DxgkCbAllocateContiguousMemory' })), ...(this.extension?.driverCommonBuffers?.() ?? [])];
    const driver = held.reduce((n, m) => n + m.bytes, 0);
    const charged = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
    const mine = used - driver;
    if (driver * 2 > budget && mine + charged <= budget) {
      // Where the driver took most of it: its holdings summed by the line that took them.
      const sites = new Map<string, { bytes: number; count: number; location: SourceLocation | undefined }>();
      for (const m of held) {
        const location = this.ddi.locateStack(m.stack);
        const key = location ? `${location.file}:${location.line}:${location.column}` : '?';
        const site = sites.get(key) ?? { bytes: 0, count: 0, location };
        site.bytes += m.bytes;
        site.count++;
        sites.set(key, site);
      }
      const top = [...sites.values()].reduce((x, m) => (m.bytes > x.bytes ? m : x));
      const location = top.location;
      const ways = [...new Set(held.map((m) => m.how))].join(' and ');
      const message = `VidMm cannot get ${what} (${size} bytes) from the common-buffer budget of ${budget} bytes: the driver holds ${driver} bytes of it (${held.length} common buffer${held.length === 1 ? '' : 's'} from ${ways}), more than half, and the kernel's own ${mine} bytes plus this one would fit without them; ${top.bytes} bytes in ${top.count} buffer${top.count === 1 ? ' was' : 's were'} taken${location ? ` at ${location.file}:${location.line}:${location.column}` : ' by the driver'}`;
      if (this.verifier) throw new VerifierViolation('common-buffer-budget', message, { location });
      throw new DriverError('contract', message, { location });
    }
    throw new KernelError('scenario', `the common-buffer budget of ${budget} bytes cannot hold ${what} (${size} bytes): ${mine} bytes are used by the kernel${driver ? ` and ${driver} by the driver` : ''}; raise adapter.commonBufferBudget`);
  }

  event(what: KernelEventKind, message: string, data: Record<string, unknown> = {}): KernelEvent {
    return { kind: 'kernel', time: this.gpu.now, what, message, data };
  }

  /** Runs `body` with `label` on the kernel's frame stack. */
  frame<R>(label: string, body: Gen<R>): Gen<R> {
    return new Framed(this.frameStack, label, body);
  }

  // ------------------------------------------------------------------ the whole run

  *run(): Gen {
    yield* this.frame('start the adapter', startAdapter(this));
    // Steps are streamed (repeat and generate expanded as they are pulled), never held as one list.
    let i = 0;
    for (const step of this.scenario.steps) {
      this.currentStep = { index: i, step };
      yield { kind: 'scenario-step', time: this.gpu.now, index: i, step };
      if (this.interruptLine.shared) yield* this.frame('interrupt from another device on the shared line', this.interrupt(undefined));
      try {
        yield* this.frame(`step ${i + 1}: ${step.op} (${this.scenario.source}#${step.path})`, this.steps.run(step));
      } catch (e) {
        if (e instanceof KernelError && e.category === 'scenario' && !e.path) throw new KernelError(e.category, e.message, step.path);
        throw e;
      }
      i++;
    }
    this.currentStep = undefined;
    yield* this.frame('finish: wait for the GPU', this.drain());
    if (this.shadowOn) yield* this.frame('finish: verify every allocation', this.verify(undefined, 'end of run: verified'));
  }

  /** Makes VidMm, with paging buffers of `pagingBufferSize` bytes at most (the driver's, capped by the scenario's policy), once the driver has said it. */
  createVidMm(pagingBufferSize: number, pagingBufferPrivateDataSize: number): VidMm {
    const policy = this.scenario.kernel;
    this.vidmm = new VidMm(
      {
        gpu: this.gpu,
        ddi: this.ddi,
        vidsch: this.vidsch,
        pageLists: this.pageLists,
        driver: () => this.driver(),
        waitUntil: (c, r) => this.waitUntil(c, r),
        event: (w, m, d) => this.event(w, m, d),
        frame: (l, b) => this.frame(l, b),
        commonBuffer: (size, what) => this.commonBuffer(size, what),
        driverFault: (rule, ddi, fn, message, args, location) => this.driverFault(rule, ddi, fn, message, args, location),
        driverLines: () => {
          const verifier = this.verifier;
          return verifier && { here: () => this.ddi.here(), returned: (ddi, status, fn) => verifier.context.returned({ ddi }, status, fn) };
        },
        evictionAperture: () => this.extension?.evictionAperture,
      },
      {
        pagingBufferSize: Math.min(pagingBufferSize, policy.pagingBufferSize ?? Infinity),
        pagingBufferPrivateDataSize,
        maxTransferSize: policy.maxTransferSize ?? Infinity,
        pagingBuffers: policy.pagingBuffers,
        pagingEngine: this.pagingEngine,
        renderEngine: this.renderEngine,
      },
    );
    return this.vidmm;
  }

  /** DXGKRNL_INTERFACE: what the driver may call back. */
  callbacks(): DXGKRNL_INTERFACE {
    const handle = { name: 'DxgkrnlDeviceHandle' };
    const check = (h: HANDLE, cb: string): void => {
      if (h !== handle) throw new DriverError('contract', `${cb} was called with a DeviceHandle that is not DxgkInterface.DeviceHandle`);
    };
    return {
      DeviceHandle: handle,
      DxgkCbGetDeviceInformation: (h) => {
        check(h, 'DxgkCbGetDeviceInformation');
        return { SystemMemorySize: this.gpu.config.systemMemoryBytes, Registers: this.registers };
      },
      DxgkCbNotifyInterrupt: (h, data) => {
        check(h, 'DxgkCbNotifyInterrupt');
        const kept = keptNotification(data);
        this.notified.push(kept);
        this.interruptLine.notified(kept);
      },
      DxgkCbQueueDpc: (h) => {
        check(h, 'DxgkCbQueueDpc');
        this.interruptLine.dpcQueued();
        // One DPC per device at a time: a second request while one is queued has no effect (FALSE).
        const queued = !this.dpcQueued;
        this.dpcQueued = true;
        return queued;
      },
      DxgkCbNotifyDpc: (h) => {
        check(h, 'DxgkCbNotifyDpc');
        this.deliverable.push(...this.notified.splice(0));
      },
      DxgkCbAllocateContiguousMemory: (h, args) => {
        check(h, 'DxgkCbAllocateContiguousMemory');
        return this.contiguousMemory.allocate(args);
      },
      DxgkCbFreeContiguousMemory: (h, args) => {
        check(h, 'DxgkCbFreeContiguousMemory');
        return this.contiguousMemory.free(args);
      },
      DbgPrint: (message) => {
        const text = String(message);
        this.driverPrints.push(text);
        this.ddi.pending.push(this.event('driver-print', `driver: ${text}`, { message: text }));
      },
    };
  }

  // ------------------------------------------------------------------ the GPU side

  /** Runs the GPU until `cond` holds; a GPU with nothing left to run before then is a hang. */
  *waitUntil(cond: () => boolean, reason: string): Gen {
    if (cond()) return;
    yield this.event('wait', `waiting for ${reason}`, { reason });
    while (!cond()) {
      const engine = this.pickEngine();
      if (engine < 0) throw this.hangError(reason);
      // stepEngine, written out: a generator per instruction was a tenth of what the kernel stress allocated.
      const at = this.instructionAt(engine);
      if (at) yield at;
      this.execute(engine, at);
      if (this.hwEvents.length) yield* this.processHardwareEvents();
    }
  }

  private hangError(reason: string): Error {
    // An engine that ran its work and stopped while its fence was never reported comes first: an
    // engine stalled on a wait may only be waiting for that work (a paging fence it signals).
    const unreported = this.unreportedFenceError(reason);
    if (unreported) return unreported;
    for (let i = 0; i < this.registers.EngineCount; i++) {
      const v = this.gpu.engineView(i);
      if (v.state === 'waiting') {
        return new KernelError(
          'gpu',
          `engine ${i} is stalled on a wait instruction that nothing will satisfy (at +${v.pc} of submission ${v.current?.submissionId}) while the kernel waited for ${reason}: on real hardware, a timeout detection and recovery`,
        );
      }
    }
    return this.unreportedFenceError(reason, true) ?? new KernelError('internal', `nothing left to run while waiting for ${reason}`);
  }

  /**
   * The driver's fault when the GPU finished work whose fence the driver never reported: an engine
   * with submissions outstanding and nothing left to run (or, with `anyState`, any engine with
   * submissions outstanding, for a GPU that has stopped as a whole).
   */
  unreportedFenceError(reason: string, anyState = false): Error | undefined {
    const pending = this.vidsch.engines.filter((q) => q.queue.length && (anyState || this.gpu.engineView(q.engine).state === 'idle'));
    if (pending.length) {
      const q = pending[0];
      return new DriverError(
        'contract',
        `the GPU is idle but engine ${q.engine} never reported fence ${q.queue[0].fenceId} complete (last reported: ${q.lastCompleted}) while the kernel waited for ${reason}. ` +
          `After each DMA buffer the driver must make the GPU signal SubmissionFenceId with an interrupt (DxgkDdiSubmitCommand), report it with DxgkCbNotifyInterrupt and DxgkCbQueueDpc (DxgkDdiInterruptRoutine), and call DxgkCbNotifyDpc (DxgkDdiDpcRoutine)`,
        { ddi: 'DxgkDdiSubmitCommand' },
      );
    }
    return undefined;
  }

  /** The engine whose next instruction starts first, or -1 if none can run. */
  private pickEngine(): number {
    let best = -1;
    let bestStart = Infinity;
    for (let i = 0; i < this.registers.EngineCount; i++) {
      if (this.gpu.engineState(i) !== 'ready') continue;
      const start = Math.max(this.gpu.now, this.gpu.engineBusyUntil(i));
      if (start < bestStart) {
        best = i;
        bestStart = start;
      }
    }
    return best;
  }

  *stepEngine(engine: number): Gen {
    const at = this.instructionAt(engine);
    if (at) yield at;
    this.execute(engine, at);
    // Most instructions raise nothing: no generator for them.
    if (this.hwEvents.length) yield* this.processHardwareEvents();
  }

  /** The event of the instruction `engine` runs next, or undefined when it has none. */
  private instructionAt(engine: number): InstructionEvent | undefined {
    const next = this.registers.nextInstruction(engine);
    return next && { kind: 'instruction', time: this.gpu.now, engine, address: next.address, offset: next.offset, submissionId: next.submissionId };
  }

  /** Runs `engine`'s next instruction on the hardware (`next` is where it is, for traces). */
  private execute(engine: number, next: ReturnType<DeviceRegisters['nextInstruction']>): 'executed' | 'waiting' | 'faulted' | 'idle' {
    const startAt = this.onRetired ? Math.max(this.gpu.now, this.gpu.engineBusyUntil(engine)) : 0;
    const t0 = performance.now();
    const outcome = this.gpu.step(engine);
    this.engineMs += performance.now() - t0;
    if (outcome === 'executed') {
      this.instructions++;
      if (this.onRetired && next) {
        this.onRetired({ engine, address: next.address, submissionId: next.submissionId, start: startAt, end: this.gpu.engineBusyUntil(engine) });
      }
    }
    return outcome;
  }

  /**
   * Runs `engine`'s next instruction now, ahead of the kernel's own schedule (the kernel otherwise
   * runs the GPU only while it waits for it): a debugger stepping a GPU engine while the kernel is
   * stopped elsewhere, as on hardware, where the GPU runs beside the CPU. A finished buffer leaves
   * the hardware queue mirror at once and a fault throws at once; an interrupt waits for the
   * kernel's next look at the hardware, as an interrupt waits while its CPU is busy. Returns the
   * instruction it ran (undefined: nothing to run) and the hardware's outcome.
   */
  stepEngineNow(engine: number): { at: NonNullable<ReturnType<DeviceRegisters['nextInstruction']>>; outcome: 'executed' | 'waiting' | 'faulted' | 'idle' } | undefined {
    const next = this.registers.nextInstruction(engine);
    if (!next) return undefined;
    const outcome = this.execute(engine, next);
    for (let i = 0; i < this.hwEvents.length; ) {
      const e = this.hwEvents[i];
      if (e.kind === 'fault') throw this.faultError(e.fault);
      if (e.kind === 'buffer-complete' && e.engine === engine) {
        this.hwEvents.splice(i, 1);
        this.checkSubmission(engine, true);
        this.registers.completed(engine);
      } else i++;
    }
    return { at: next, outcome };
  }

  /**
   * Notes the driver line behind a write (through `paging-lab/gpu`'s writers) into its contiguous
   * memory where an engine has commands queued: the verifier sets it as `driverWriteSites.queued`
   * for each DDI call, and submitted-commands-changed points there.
   */
  readonly noteQueuedWrite = (bytes: Uint8Array, offset: number, length: number): void => {
    const at = bytes.byteOffset + offset;
    for (const { buffer } of this.contiguousMemory.blocks) {
      const v = buffer.bytes;
      if (v.buffer !== bytes.buffer || at < v.byteOffset || at >= v.byteOffset + v.byteLength) continue;
      const s = this.registers.queuedAt(buffer.physical + at - v.byteOffset, length);
      if (s && !s.writtenAt) s.writtenAt = this.ddi.hereLater();
      return;
    }
  };

  /**
   * The verifier's submitted-commands-changed, judged when the engine raises an interrupt from a
   * submission and when it finishes one (before the interrupt routine reports what it read): the
   * engine reads commands only when it gets to them, so a driver that rewrites queued memory (a
   * ring slot reused too early) has the GPU run commands nobody submitted.
   */
  private checkSubmission(engine: number, done: boolean): void {
    const changed = this.registers.changedSubmission(engine, done);
    if (!changed) return;
    const { submission: s, offset, sent, now } = changed;
    // The instruction that holds the first changed byte, as queued and as run.
    let at = 0;
    for (let n = 0; at < s.length; at += n) {
      n = Math.max(1, decode(sent, at, s.length).length);
      if (offset < at + n) break;
    }
    const name = (id: number): string | undefined => this.gpu.segments.find((x) => x.id === id)?.name;
    throw this.driverFault(
      'submitted-commands-changed',
      'DxgkDdiSubmitCommand',
      this.init?.DxgkDdiSubmitCommand,
      `engine ${engine} ran commands that changed after they were queued: the ${s.length} bytes at 0x${s.physical.toString(16)} given to SubmitDmaBuffer with SubmissionFenceId ${s.submissionId} held \`${formatInstructionAt(sent, at, s.length, name)}\` at byte ${at} then, and \`${formatInstructionAt(now, at, s.length, name)}\` when the engine got there. The GPU reads queued commands only when it reaches them, so their memory must keep them until the engine is past them (a ring of fence commands shared by engines, or too small for what an engine has queued, overwrites one the engine has not run yet)`,
      undefined,
      s.writtenAt?.(),
    );
  }

  private faultError(f: Extract<HwEvent, { kind: 'fault' }>['fault']): Error {
    const buf = this.vidsch.engines[f.engine]?.queue.find((b) => f.address >= b.physical + b.start && f.address < b.physical + b.end);
    const explained = buf && this.extension?.gpuFault?.(buf, f);
    if (explained) return explained;
    return new KernelError(
      'gpu',
      `engine ${f.engine} faulted (${f.cause}) at 0x${f.address.toString(16)}: ${f.instruction}: ${f.message}` +
        (buf ? `\n  in the ${buf.kind} buffer with fence ${buf.fenceId}: ${buf.label}` : ''),
    );
  }

  private *processHardwareEvents(): Gen {
    while (this.hwEvents.length) {
      const e = this.hwEvents.shift()!;
      if (e.kind === 'buffer-complete') {
        this.checkSubmission(e.engine, true);
        this.registers.completed(e.engine);
      } else if (e.kind === 'fault') throw this.faultError(e.fault);
      else if (e.kind === 'interrupt') {
        this.checkSubmission(e.engine, false);
        yield* this.frame(`interrupt from engine ${e.engine}`, this.interrupt(e));
      }
    }
  }

  /** DxgkDdiInterruptRoutine for an interrupt of an engine, or (no `e`) of the other device on a shared line. */
  private *interrupt(e: Extract<HwEvent, { kind: 'interrupt' }> | undefined): Gen {
    if (e) {
      yield this.event('interrupt', `interrupt from engine ${e.engine}${e.fenceValue !== undefined ? ` (fence ${e.fenceValue})` : ''}`, {
        engine: e.engine,
        fenceValue: e.fenceValue === undefined ? undefined : Number(e.fenceValue),
      });
    } else {
      yield this.event('interrupt', 'interrupt from another device on the shared interrupt line', { sharedLine: true });
    }
    // Only the other device's interrupt is judged for a claim: whether one of the adapter's own was waiting.
    const ownPending = !e && this.hwEvents.some((h) => h.kind === 'interrupt');
    const { init, ctx } = this.driver();
    let did: RoutineRun | undefined;
    const claimed = yield* this.ddi.call(
      'DxgkDdiInterruptRoutine',
      { MiniportDeviceContext: ctx, MessageNumber: 0 },
      () => {
        const r = this.interruptLine.run(() => init.DxgkDdiInterruptRoutine(ctx, 0));
        did = r.did;
        return r.result;
      },
      'boolean',
    );
    const isNew = (d: DXGKARGCB_NOTIFY_INTERRUPT_DATA): boolean =>
      d.InterruptType !== DXGK_INTERRUPT_DMA_COMPLETED || d.DmaCompleted.SubmissionFenceId > (this.vidsch.engines[d.DmaCompleted.NodeOrdinal]?.lastCompleted ?? Infinity);
    this.interruptLine.judge(claimed, did!, !e, ownPending, isNew, () => this.verifier?.context.returned({ ddi: 'DxgkDdiInterruptRoutine' }, claimed, init.DxgkDdiInterruptRoutine));
    if (this.dpcQueued) {
      this.dpcQueued = false;
      yield* this.ddi.call('DxgkDdiDpcRoutine', { MiniportDeviceContext: ctx }, () => init.DxgkDdiDpcRoutine(ctx), 'void');
      this.interruptLine.judgeDpc(this.notified.length, () => this.verifier?.context.returned({ ddi: 'DxgkDdiDpcRoutine' }, undefined, init.DxgkDdiDpcRoutine));
    }
    while (this.deliverable.length) {
      const d = this.deliverable.shift()!;
      if (d.InterruptType === DXGK_INTERRUPT_DMA_FAULTED) {
        throw new KernelError('gpu', `the driver reported a DMA fault on engine ${d.DmaFaulted.NodeOrdinal} (fence ${d.DmaFaulted.FaultedFenceId}, ${statusName(d.DmaFaulted.Status)})`);
      }
      const { NodeOrdinal, SubmissionFenceId } = d.DmaCompleted;
      for (const b of this.vidsch.complete(NodeOrdinal, SubmissionFenceId)) {
        yield this.event('fence-completed', `fence ${b.fenceId} completed on engine ${b.engine} (${b.kind}: ${b.label})`, {
          engine: b.engine,
          fenceId: b.fenceId,
          kind: b.kind,
          submittedAt: b.submittedAt,
          label: b.label,
        });
      }
    }
  }

  /** Submits pending paging work and runs the GPU until every submitted buffer is complete. */
  *drain(): Gen {
    yield* this.vidmm.submitCurrent();
    yield* this.waitUntil(() => this.vidsch.idle, 'the GPU to finish all submitted work');
  }

  // ------------------------------------------------------------------ workload steps

  /** The allocation the scenario names `id`. */
  alloc(id: string): Allocation {
    const a = this.byName.get(id);
    if (!a) throw new KernelError('scenario', `allocation '${id}' does not exist`);
    return a;
  }

  /** Lets the GPU run `ns` of virtual time, through the kernel: each instruction an event, each interrupt handled as it comes. */
  *runFor(ns: number): Gen {
    const until = this.gpu.now + ns;
    for (;;) {
      const e = this.pickEngine();
      if (e < 0 || Math.max(this.gpu.now, this.gpu.engineBusyUntil(e)) >= until) break;
      yield* this.stepEngine(e);
    }
    if (this.gpu.now < until) this.gpu.advance(until);
    yield* this.processHardwareEvents();
  }

  /** Checks that each allocation holds what the workload last wrote. */
  *verify(ids: string[] | undefined, when = 'verified'): Gen {
    if (!this.shadowOn) return;
    yield* this.drain();
    const list = ids ? ids.map((id) => this.alloc(id)) : [...this.byName.values()];
    for (const a of list) {
      const wrong = this.content.firstWrongByte(a);
      if (!wrong) continue;
      throw new KernelError(
        'verify',
        `content of '${a.name}' is wrong at byte ${wrong.at} (expected 0x${wrong.expected.toString(16)}, found 0x${wrong.found.toString(16)}); it is ${a.residency === 'resident' ? `resident in segment ${a.segmentId} at 0x${a.offset.toString(16)}` : 'in system memory'}, last paging operation: ${a.lastPagingOperation ?? 'none'}`,
      );
    }
    if (this.extension?.verify) yield* this.extension.verify();
    yield this.event('verify', `${when} ${list.length} allocations: content matches what the workload last wrote`, { count: list.length });
  }
}

export type { MachineEvent };
