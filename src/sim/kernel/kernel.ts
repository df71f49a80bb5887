// The simulated Dxgkrnl: starts the driver (DriverEntry, DxgkDdiAddDevice, DxgkDdiStartDevice,
// DxgkDdiQueryAdapterInfo), offers it the DXGKRNL_INTERFACE callbacks, runs a scenario's workload
// through VidMm and VidSch, and drives the GPU's engines whenever it has to wait, delivering
// DMA-completed interrupts to the driver's DxgkDdiInterruptRoutine and DxgkDdiDpcRoutine.
//
// Everything is a generator: each point a host may stop at is a `yield` of a MachineEvent, so the
// machine (../machine.ts) can run it event by event in virtual time.
//
// Over 600 lines: the start of the adapter, the run's loop and its waits on the GPU (instructions,
// interrupts, DPCs) are one generator over shared state (the pending fences and notifications);
// the workload's steps (workloadSteps.ts), VidMm, VidSch, the memory paths and what an allocation
// holds (allocationContent.ts) are their own files.

import {
  type DXGK_DRIVERCAPS,
  type DXGK_QUERYSEGMENTOUT,
  type DXGK_SEGMENTDESCRIPTOR,
  type DXGKARG_QUERYADAPTERINFO,
  type DXGKARGCB_NOTIFY_INTERRUPT_DATA,
  type DXGKRNL_INTERFACE,
  type DRIVER_INITIALIZATION_DATA,
  type DRIVER_OBJECT,
  type DdiName,
  type HANDLE,
  type OUT,
  DXGK_INTERRUPT_DMA_COMPLETED,
  DXGK_INTERRUPT_DMA_FAULTED,
  DXGKQAITYPE_DRIVERCAPS,
  DXGKQAITYPE_QUERYSEGMENT,
  DXGKDDI_INTERFACE_VERSION_WDDM1_3,
  NT_SUCCESS,
  PAGE_SIZE,
  STATUS_NO_MEMORY,
  STATUS_SUCCESS,
  statusName,
} from '../ddi/contract';
import { DriverError, type SourceLocation } from '../driver/errors';
import type { DriverEntryFunction } from '../driver/loader';
import type { CommonBuffer, Gpu, HwEvent } from '../hw/types';
import type { Scenario, Step } from '../scenario/types';
import type { RuleId } from '../verifier/rules';
import { VerifierViolation } from '../verifier/violation';
import { DdiCaller } from './ddiCaller';
import { describeValue } from './describe';
import type { Gen, KernelEvent, KernelEventKind, MachineEvent } from './events';
import { KernelError } from './kernelError';
import { asHostCallbacks } from '../runtime/driverCode';
import { PageListArena } from './pageLists';
import type { KernelExtension } from './extension';
import { InterruptLine, keptNotification, type RoutineRun } from './interruptLine';
import { DeviceRegisters } from './registers';
import { type Allocation, VidMm } from './vidmm';
import { VidSch } from './vidsch';
import type { ContentShadow } from './contentShadow';
import { AllocationContent } from './allocationContent';
import { WorkloadSteps } from './workloadSteps';

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
  /**
   * The frames as a DDI call's cause, kept while they do not change: the calls made under the same
   * frames (a multipass loop, the calls of one VidMm operation) share one copy. A recorded run keeps
   * every call's cause, and a copy per call was a third of what recording added to the collector's work.
   */
  private causeCopy: readonly string[] | undefined;
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
  /** Common buffers the driver got with DxgkCbAllocateContiguousMemory (there is no callback to give them back). */
  readonly contiguousMemory: { bytes: number; stack: string | undefined }[] = [];
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
  readonly renderEngine: number;
  readonly pagingEngine = 0;
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
    this.ddi = new DdiCaller(driverFiles, () => this.gpu.now, () => (this.causeCopy ??= this.frames.slice()));
    this.registers = new DeviceRegisters(gpu);
    this.vidsch = new VidSch(gpu.config.engines, this.ddi, () => this.driver(), () => this.gpu.now);
    this.pageLists = new PageListArena(gpu, (size, what) => this.commonBuffer(size, what));
    this.renderEngine = gpu.config.engines > 1 ? 1 : 0;
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
    const held = [...this.contiguousMemory.map((m) => ({ ...m, how: 'DxgkCbAllocateContiguousMemory' })), ...(this.extension?.driverCommonBuffers?.() ?? [])];
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
  *frame<R>(label: string, body: Gen<R>): Gen<R> {
    this.frames.push(label);
    this.causeCopy = undefined;
    try {
      return yield* body;
    } finally {
      this.frames.pop();
      this.causeCopy = undefined;
    }
  }

  // ------------------------------------------------------------------ the whole run

  *run(): Gen {
    yield* this.frame('start the adapter', this.start());
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

  private *start(): Gen {
    const DriverObject: DRIVER_OBJECT = { DriverName: '\\Driver\\PagingLabMiniport', DriverInitializationData: null };
    const RegistryPath = '\\Registry\\Machine\\System\\CurrentControlSet\\Services\\PagingLabMiniport';
    const entry = this.DriverEntry;
    const st = yield* this.ddi.call('DriverEntry', { DriverObject, RegistryPath }, () => entry(DriverObject, RegistryPath), 'status', { fn: entry });
    if (!NT_SUCCESS(st)) throw this.ddi.statusError('DriverEntry', {}, entry, `DriverEntry failed with ${statusName(st)}`);
    const init = DriverObject.DriverInitializationData;
    if (!init) {
      throw this.ddi.statusError('DriverEntry', {}, entry, 'DriverEntry returned success without calling DxgkInitialize(DriverObject, RegistryPath, InitializationData)');
    }
    const required: (keyof DRIVER_INITIALIZATION_DATA)[] = [
      'DxgkDdiAddDevice',
      'DxgkDdiStartDevice',
      'DxgkDdiQueryAdapterInfo',
      'DxgkDdiCreateAllocation',
      'DxgkDdiDestroyAllocation',
      'DxgkDdiBuildPagingBuffer',
      'DxgkDdiPatch',
      'DxgkDdiSubmitCommand',
      'DxgkDdiInterruptRoutine',
      'DxgkDdiDpcRoutine',
    ];
    const missing = required.filter((k) => typeof init[k] !== 'function');
    if (missing.length) {
      throw this.ddi.statusError('DriverEntry', {}, entry, `the DRIVER_INITIALIZATION_DATA given to DxgkInitialize lacks ${missing.join(', ')}`);
    }
    this.init = init;

    const out: OUT<HANDLE> = { value: undefined };
    const pdo = { name: 'PhysicalDeviceObject' };
    const s1 = yield* this.ddi.call('DxgkDdiAddDevice', { PhysicalDeviceObject: pdo, MiniportDeviceContext: out }, () => init.DxgkDdiAddDevice(pdo, out), 'status', {
      fn: init.DxgkDdiAddDevice,
    });
    if (!NT_SUCCESS(s1)) throw this.ddi.statusError('DxgkDdiAddDevice', out, init.DxgkDdiAddDevice, `DxgkDdiAddDevice failed with ${statusName(s1)}`);
    this.ctx = out.value;

    // The callbacks are the kernel's work, not the driver's time (a hang watcher does not count them).
    const iface = asHostCallbacks(this.callbacks());
    const startInfo = { RequiredDxgkInterfaceVersion: DXGKDDI_INTERFACE_VERSION_WDDM1_3, AdapterGuid: '{5041474c-4142-0000-0000-000000000001}' };
    const ctx = this.ctx;
    const s2 = yield* this.ddi.call(
      'DxgkDdiStartDevice',
      { MiniportDeviceContext: ctx, DxgkStartInfo: startInfo, DxgkInterface: iface },
      () => {
        // Every part of the kernel has added its callbacks by now (hooks run before the call).
        this.interruptLine.guard(iface);
        return init.DxgkDdiStartDevice(ctx, startInfo, iface);
      },
      'status',
      { fn: init.DxgkDdiStartDevice },
    );
    if (!NT_SUCCESS(s2)) throw this.ddi.statusError('DxgkDdiStartDevice', {}, init.DxgkDdiStartDevice, `DxgkDdiStartDevice failed with ${statusName(s2)}`);

    // DXGKQAITYPE_DRIVERCAPS
    const caps: DXGK_DRIVERCAPS = { HighestAcceptableAddress: 0, MaxAllocationListSlotId: 0, ApertureSegmentCommitLimit: 0, DmaBufferSize: 0, NodeCount: 0 };
    yield* this.query({ Type: DXGKQAITYPE_DRIVERCAPS, pOutputData: caps });
    if (!(caps.DmaBufferSize >= 256)) {
      throw this.ddi.statusError('DxgkDdiQueryAdapterInfo', caps, init.DxgkDdiQueryAdapterInfo, `DXGK_DRIVERCAPS.DmaBufferSize must be at least 256 bytes, got ${caps.DmaBufferSize}`);
    }
    // The GPU reaches system memory up to HighestAcceptableAddress: VidMm gives it no page above.
    const highest = caps.HighestAcceptableAddress;
    if (typeof highest !== 'number' || !(highest >= 16 * PAGE_SIZE - 1)) {
      throw this.ddi.statusError(
        'DxgkDdiQueryAdapterInfo',
        caps,
        init.DxgkDdiQueryAdapterInfo,
        `DXGK_DRIVERCAPS.HighestAcceptableAddress is ${typeof highest === 'number' ? highest : describeValue(highest)}: set it to the highest physical address the GPU can reach (at least 0x${(16 * PAGE_SIZE - 1).toString(16)}; Number.MAX_SAFE_INTEGER when it reaches all of system memory)`,
      );
    }
    if (highest < this.gpu.config.systemMemoryBytes - 1) {
      this.gpuReach = highest + 1;
      this.gpu.limitSystemPages(this.gpuReach);
    }
    this.caps = caps;

    // DXGKQAITYPE_QUERYSEGMENT, twice as in the WDK: first the count, then the descriptors.
    const q1: DXGK_QUERYSEGMENTOUT = { NbSegment: 0, pSegmentDescriptor: null, PagingBufferSegmentId: 0, PagingBufferSize: 0, PagingBufferPrivateDataSize: 0 };
    yield* this.query({ Type: DXGKQAITYPE_QUERYSEGMENT, pOutputData: q1 });
    const n = q1.NbSegment;
    if (!Number.isInteger(n) || n < 1 || n > this.gpu.segments.length) {
      throw this.ddi.statusError(
        'DxgkDdiQueryAdapterInfo',
        q1,
        init.DxgkDdiQueryAdapterInfo,
        `DXGK_QUERYSEGMENTOUT.NbSegment is ${n}; the hardware has ${this.gpu.segments.length} segments`,
      );
    }
    const blank = (): DXGK_SEGMENTDESCRIPTOR => ({
      BaseAddress: 0,
      CpuTranslatedAddress: 0,
      Size: 0,
      NbOfBanks: 0,
      CommitLimit: 0,
      Flags: { Aperture: false, Agp: false, CpuVisible: false, UseBanking: false, CacheCoherent: false, PopulatedFromSystemMemory: false },
    });
    const q2: DXGK_QUERYSEGMENTOUT = { ...q1, pSegmentDescriptor: Array.from({ length: n }, blank) };
    yield* this.query({ Type: DXGKQAITYPE_QUERYSEGMENT, pOutputData: q2 });
    if (!(q2.PagingBufferSize >= 64)) {
      throw this.ddi.statusError('DxgkDdiQueryAdapterInfo', q2, init.DxgkDdiQueryAdapterInfo, `DXGK_QUERYSEGMENTOUT.PagingBufferSize must be at least 64 bytes, got ${q2.PagingBufferSize}`);
    }
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
      },
      {
        pagingBufferSize: Math.min(q2.PagingBufferSize, policy.pagingBufferSize ?? Infinity),
        maxTransferSize: policy.maxTransferSize ?? Infinity,
        pagingBuffers: policy.pagingBuffers,
        pagingEngine: this.pagingEngine,
        renderEngine: this.renderEngine,
      },
    );
    q2.pSegmentDescriptor!.forEach((d, i) => {
      const hw = this.gpu.segments[i];
      const id = i + 1;
      if (!(d.Size > 0) || d.Size % PAGE_SIZE !== 0 || d.Size > hw.size) {
        throw this.ddi.statusError(
          'DxgkDdiQueryAdapterInfo',
          d,
          init.DxgkDdiQueryAdapterInfo,
          `segment ${id}: DXGK_SEGMENTDESCRIPTOR.Size ${d.Size} must be a multiple of 4 KiB and at most the hardware segment's ${hw.size} bytes`,
        );
      }
      if (d.Flags.Aperture !== (hw.kind === 'aperture')) {
        throw this.ddi.statusError(
          'DxgkDdiQueryAdapterInfo',
          d,
          init.DxgkDdiQueryAdapterInfo,
          `segment ${id}: Flags.Aperture is ${d.Flags.Aperture} but hardware segment ${id} (${hw.name}) is a ${hw.kind} segment`,
        );
      }
      // DXGK_SEGMENTDESCRIPTOR: a memory segment's commit limit is its size; an aperture segment's
      // may be lower (less system memory committed through it), never above its size.
      const commitOk = d.Flags.Aperture ? d.CommitLimit >= PAGE_SIZE && d.CommitLimit <= d.Size : d.CommitLimit === d.Size;
      if (!commitOk) {
        const limit = typeof d.CommitLimit === 'number' ? String(d.CommitLimit) : describeValue(d.CommitLimit);
        throw this.ddi.statusError(
          'DxgkDdiQueryAdapterInfo',
          d,
          init.DxgkDdiQueryAdapterInfo,
          d.Flags.Aperture
            ? `segment ${id}: CommitLimit is ${limit}; an aperture segment's commit limit is at most its Size (${d.Size}) and at least a page`
            : `segment ${id}: CommitLimit is ${limit}, but a memory segment's commit limit is always its Size (${d.Size})`,
        );
      }
      // VidMm maps CPU virtual addresses where the descriptor says the segment is in the PCI
      // aperture: a segment the hardware has not put there, or another address, would give the
      // application other memory. Saying a CPU-visible segment is not is allowed (locks then go
      // to system memory).
      if (d.Flags.CpuVisible && hw.barBase === undefined) {
        throw this.ddi.statusError(
          'DxgkDdiQueryAdapterInfo',
          d,
          init.DxgkDdiQueryAdapterInfo,
          `segment ${id}: Flags.CpuVisible is true but hardware segment ${id} (${hw.name}) is not in the PCI aperture (DEVICE_REGISTERS.Segments[${i}].CpuVisible is false): the CPU cannot reach it`,
        );
      }
      if (d.Flags.CpuVisible && d.CpuTranslatedAddress !== hw.barBase) {
        throw this.ddi.statusError(
          'DxgkDdiQueryAdapterInfo',
          d,
          init.DxgkDdiQueryAdapterInfo,
          `segment ${id}: CpuTranslatedAddress is 0x${d.CpuTranslatedAddress.toString(16)} but hardware segment ${id} (${hw.name}) is at 0x${hw.barBase!.toString(16)} in the PCI aperture (DEVICE_REGISTERS.Segments[${i}].BarBaseAddress): VidMm would map the CPU to other memory`,
        );
      }
      this.vidmm.addSegment(id, hw.name, d);
    });
    yield this.event(
      'adapter-started',
      `adapter started: ${this.vidmm.segments.map((s) => `${s.name} (${s.kind}, ${s.descriptor.Size >> 10} KiB${s.size < s.descriptor.Size ? `, ${s.size >> 10} KiB committable` : ''}${s.cpuVisible ? ', CPU-visible' : ''})`).join(', ')}; paging buffers of ${this.vidmm.policy.pagingBufferSize} bytes`,
      { segments: this.vidmm.segments.map((s) => ({ id: s.id, name: s.name, size: s.size })), pagingBufferSize: this.vidmm.policy.pagingBufferSize },
    );
  }

  private *query(q: DXGKARG_QUERYADAPTERINFO): Gen {
    const { init, ctx } = this.driver();
    const st = yield* this.ddi.call('DxgkDdiQueryAdapterInfo', q as unknown as Record<string, unknown>, () => init.DxgkDdiQueryAdapterInfo(ctx, q), 'status', {
      fn: init.DxgkDdiQueryAdapterInfo,
    });
    if (!NT_SUCCESS(st)) {
      throw this.ddi.statusError('DxgkDdiQueryAdapterInfo', q, init.DxgkDdiQueryAdapterInfo, `DxgkDdiQueryAdapterInfo(Type ${q.Type}) failed with ${statusName(st)}`);
    }
  }

  /** DXGKRNL_INTERFACE: what the driver may call back. */
  private callbacks(): DXGKRNL_INTERFACE {
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
        const b = this.gpu.allocateCommonBuffer(args.NumberOfBytes);
        if (!b) return STATUS_NO_MEMORY;
        this.contiguousMemory.push({ bytes: Math.ceil(b.size / PAGE_SIZE) * PAGE_SIZE, stack: new Error().stack });
        args.pVirtualAddress = b.bytes;
        args.PhysicalAddress = b.physical;
        return STATUS_SUCCESS;
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
        this.registers.completed(engine);
      } else i++;
    }
    return { at: next, outcome };
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
      if (e.kind === 'buffer-complete') this.registers.completed(e.engine);
      else if (e.kind === 'fault') throw this.faultError(e.fault);
      else if (e.kind === 'interrupt') {
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
      d.InterruptType !== DXGK_INTERRUPT_DMA_COMPLETED || d.DmaCompleted.SubmissionFenceId > (this.vidsch.engines[d.DmaCompleted.EngineOrdinal]?.lastCompleted ?? Infinity);
    this.interruptLine.judge(claimed, did!, !e, ownPending, isNew, () => this.verifier?.context.returned({ ddi: 'DxgkDdiInterruptRoutine' }, claimed, init.DxgkDdiInterruptRoutine));
    if (this.dpcQueued) {
      this.dpcQueued = false;
      yield* this.ddi.call('DxgkDdiDpcRoutine', { MiniportDeviceContext: ctx }, () => init.DxgkDdiDpcRoutine(ctx), 'void');
      this.interruptLine.judgeDpc(this.notified.length, () => this.verifier?.context.returned({ ddi: 'DxgkDdiDpcRoutine' }, undefined, init.DxgkDdiDpcRoutine));
    }
    while (this.deliverable.length) {
      const d = this.deliverable.shift()!;
      if (d.InterruptType === DXGK_INTERRUPT_DMA_FAULTED) {
        throw new KernelError('gpu', `the driver reported a DMA fault on engine ${d.DmaFaulted.EngineOrdinal} (fence ${d.DmaFaulted.FaultedFenceId}, ${statusName(d.DmaFaulted.Status)})`);
      }
      const { EngineOrdinal, SubmissionFenceId } = d.DmaCompleted;
      for (const b of this.vidsch.complete(EngineOrdinal, SubmissionFenceId)) {
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
