// Driver mode: a TypeScript miniport driver running on the simulated kernel (src/sim/machine.ts)
// over a scenario. The machine is pulled one event at a time; the kernel thread stops at DDI calls
// and kernel events, each GPU engine's thread before an instruction executes. Every stop reads the
// machine's state, so what the Variables view shows is what the simulator holds at that moment.
// The machine is the live one of a timeline (src/sim/timeline): stepping back or continuing in
// reverse reaches an earlier moment again by replay (./reverse.ts finds where), and every view
// follows the machine standing at the moment reached.
//
// This file decides where a run, a step or a travel stops and why. Around it: the launch
// (./driverLaunch.ts); the DDI breakpoints, a stop's frames and scopes, the names expressions use,
// who wrote watched bytes and the session's recording (../kernel/); the shared GPU view (../gpu/).
//
// Over 600 lines: running forward, a step run ahead on one engine and travel back all end in the
// one makeStop, reading the one current event; what they need besides has its own files.

import { basename } from 'node:path';
import { NT_SUCCESS, statusName } from '../../sim/ddi/contract';
import type { DriverScript } from '../../sim/driver/sourceMap';
import { debugAddressOfSegment } from '../../sim/hw';
import type { Machine, MachineEvent, MachineState } from '../../sim/machine';
import type { RecordedEdit } from '../../sim/recording/recording';
import { DDI_NAMES } from '../../sim/runtime/driverCode';
import type { Position, Timeline } from '../../sim/timeline/timeline';
import { ConsoleCommand, complete, isCommand, runCommand } from '../console';
import type { AdapterStateResponse, WhoWroteResponse } from '../customRequests';
import { compile, ExpressionError, formatValue } from '../expression';
import { gpuCommands } from '../gpu/commands';
import type { DataHit } from '../gpu/dataBreakpoints';
import { GpuView } from '../gpu/view';
import { withDdiBuffer } from '../kernel/ddiBuffer';
import { DataWriters, type ReverseStop } from '../kernel/dataWriters';
import { readsBackwards } from '../kernel/dataReaders';
import { SearchPaused } from '../kernel/stretches';
import { type DriverLinesBackwards, driverLinesBackwards } from '../kernel/driverLines';
import { frameStarts } from './reverse';
import { DdiBreakpoints } from '../kernel/ddiBreakpoints';
import { StopFrames } from '../kernel/frames';
import { StopNames } from '../kernel/names';
import { SessionRecording } from '../kernel/sessionRecording';
import { KernelView } from '../kernel/state';
import { whoCommand, whoWrote } from '../kernel/who';
import type { ResolvedLaunch } from '../launch';
import type {
  BreakpointResult,
  DriverLinesSearch,
  ExceptionDetails,
  FrameInfo,
  FunctionBreakpointSpec,
  RunResult,
  SourceBreakpointSpec,
  StepKind,
  StopInfo,
  StopReason,
  ThreadInfo,
  VarNode,
  SetVariableResult,
  EvaluateResult,
  CompletionItem,
} from '../model';
import { GPU_THREAD_BASE, KERNEL_THREAD_ID } from '../model';
import type { CompiledTarget, DriverPause, RunControl, Target } from './target';
import { compileDriverTarget, type DriverRun, kernelThreadName, loadDriverRun } from './driverLaunch';
import { engineStepBack, kernelStepBack, reverseCandidates } from './reverse';
import { childrenOf, ObjectRegistry, toVar } from './values';
import { hex } from '../../isa/hex';

type Event = MachineEvent;

export class DriverTarget implements Target {
  readonly gpu: GpuView;
  private readonly kernel: KernelView;
  private filters = new Set<string>();
  /** The event the machine is stopped at. */
  private current: Event | undefined;
  private state: MachineState | undefined;
  private readonly reg = new ObjectRegistry();
  private finished = false;
  private readonly commands: ConsoleCommand[];
  private readonly driverName: string;
  private readonly breakpoints: DdiBreakpoints;
  private readonly frames: StopFrames;
  private readonly names: StopNames;
  private readonly recording: SessionRecording;
  private readonly writers: DataWriters;

  static compile(config: ResolvedLaunch): Promise<CompiledTarget> {
    return compileDriverTarget(config);
  }

  static async load(config: ResolvedLaunch, ctl: RunControl): Promise<DriverTarget> {
    return new DriverTarget(config, await loadDriverRun(config, ctl));
  }

  /** Kinds of breakpoint reverse continue stops at besides the DDI, instruction and exception ones (data breakpoints). */
  readonly reverseStops: ReverseStop[] = [];
  /** The machine the views were made to follow. */
  private followed: Machine;

  /** The machine standing at the moment the session is at. */
  private get machine(): Machine {
    return this.timeline.machine;
  }

  readonly timeline: Timeline;
  /** Reverse continue's search for pauses at the driver's line breakpoints (../kernel/driverLines.ts). */
  private readonly driverLines: DriverLinesBackwards;
  private readonly scenarioPath: string;

  private constructor(
    private readonly config: ResolvedLaunch,
    run: DriverRun,
  ) {
    const { timeline, driverPath, scenarioPath, scenarioText } = run;
    this.timeline = timeline;
    this.scenarioPath = scenarioPath;
    this.driverName = basename(driverPath);
    this.breakpoints = new DdiBreakpoints((ddi) => this.machine.kernel.ddi.definitionOf(ddi));
    this.reg.segmentOffset = (id, address) => this.machine.kernel.vidmm?.segmentOffset(id, address) ?? address;
    this.recording = new SessionRecording(config, driverPath, scenarioPath, run.replayEdits);
    const machine = timeline.machine;
    this.followed = machine;
    const sys = machine.gpu.config.systemMemoryBytes;
    const kernel = new KernelView(() => this.state ?? this.machine.state(), machine.gpu);
    this.kernel = kernel;
    this.gpu = new GpuView(machine.gpu, {
      // The engine picks up a queued buffer only when it executes its first instruction: ask the kernel's view.
      instructionPointer: (engine) => this.frames.instructionPointer(engine),
      codeRegions: () => withDdiBuffer(kernel.codeRegions(), this.current, this.state),
      instructionBreakpointProblem: (address) => (address < sys ? undefined : `${hex(address)} is not in system memory, where DMA buffers live (0x0..${hex(sys - 1)}).`),
      symbolAt: (address) => kernel.allocationAt(address),
      kernelRegisters: (engine) => kernel.kernelRegisters(engine),
      lookup: (name) => this.names.kernel(name),
      allocation: (handle) => this.machine.kernel.vidmm?.allocations.get(handle),
      operationAt: (address) => this.writers.operationAt(address),
      // An edit made while stopped is part of the run: every replay makes it again at this moment.
      debugWrote: (address, data) => this.noteEdit({ kind: 'writeMemory', address, data: Buffer.from(data).toString('hex') }),
    });
    const gpu = this.gpu;
    this.frames = new StopFrames({ machine: () => this.machine, state: () => this.state, gpu, reg: this.reg, began: frameStarts(timeline, () => this.pausedMidCall) }, scenarioPath, scenarioText);
    this.names = new StopNames(() => this.current, () => this.state, gpu);
    this.commands = this.makeCommands();
    this.writers = new DataWriters(timeline, gpu);
    // Reads first: at a moment that both reads and writes watched bytes (a copy), the stop names the
    // read as the forward stop does (the datapath reads before it writes).
    this.driverLines = driverLinesBackwards(timeline);
    this.reverseStops.push(readsBackwards(timeline, gpu.data, (e, hit) => this.writers.describe(e, hit)), this.writers.backwards(), this.driverLines);
  }

  /** The timeline's next event, into the run's digest (once: going forward again after a step back replays events the digest has). */
  private pull(): Event | undefined {
    const e = this.timeline.next();
    if (e) this.recording.noteEvent(e, this.machine.eventCount);
    return e;
  }

  /**
   * An edit the user made (memory written, an operand or a DDI argument changed), at the moment the
   * machine stands at: part of the run from now on (every replay of the timeline makes it again),
   * and of the session's recording, as the name and value a replay can set again.
   */
  private noteEdit(edit: Omit<RecordedEdit, 'moment'>): void {
    if (this.editsInCall >= 0) {
      this.editsInCall++;
      return;
    }
    this.timeline.addEdit(edit);
    this.recording.noteEdit(edit, this.machine.eventCount);
  }

  /** Writes the session's recording: its inputs, the edits made so far, and the outcome when the run has ended. */
  saveRecording(file: string): Promise<{ file: string; edits: number; finished: boolean }> {
    const change = this.timeline.unreplayableChange;
    if (change) {
      return Promise.reject(new Error(`The run has a change made while the driver was paused inside a DDI call (${change}), which a replay cannot make: go back before that DDI call (or restart), and save the recording from there.`));
    }
    return this.recording.save(file, this.machine, this.finished || this.machine.finished);
  }

  // ---- threads and breakpoints ----

  threads(): ThreadInfo[] {
    return [{ id: KERNEL_THREAD_ID, name: kernelThreadName(this.driverName) }, ...this.gpu.threads()];
  }

  functionNames(): string[] {
    return DDI_NAMES.slice();
  }

  setFunctionBreakpoints(bps: FunctionBreakpointSpec[]): BreakpointResult[] {
    return this.breakpoints.setFunction(bps);
  }

  setSourceBreakpoints(path: string, bps: SourceBreakpointSpec[]): BreakpointResult[] {
    return this.breakpoints.setSource(path, bps);
  }

  breakpointLines(path: string, line: number, endLine?: number): number[] {
    return this.breakpoints.lines(path, line, endLine);
  }

  setExceptionFilters(filters: string[]): void {
    this.filters = new Set(filters);
  }

  // ---- running ----

  start(ctl: RunControl, stopOnEntry = this.config.stopOnEntry): RunResult {
    if (stopOnEntry) {
      const e = this.pull();
      if (!e) return this.end();
      return this.settle(e, ctl) ?? { kind: 'stopped', stop: this.makeStop(e, 'entry') };
    }
    return this.run('continue', KERNEL_THREAD_ID, ctl);
  }

  searchDriverLines(search: DriverLinesSearch): void {
    this.driverLines.want(search);
  }

  run(step: StepKind, threadId: number, ctl: RunControl): RunResult {
    if (step === 'stepBack' || step === 'reverseContinue') return this.reverse(step, threadId, ctl);
    if (this.finished || this.machine.finished) return this.end();
    let engine = threadId === KERNEL_THREAD_ID ? -1 : (this.gpu.engineOf(threadId) ?? -2);
    if (engine === -2) throw new Error(`there is no thread ${threadId}`);
    this.gpu.resumed();
    // A step on an engine the machine does not stand at: the engine runs its instruction first.
    if (engine >= 0 && (step === 'next' || step === 'stepIn') && !this.standsAt(engine)) {
      const ran = this.stepAhead(engine, ctl);
      if (ran) return ran;
    }
    const from = this.current;
    let callId = from && (from.kind === 'ddi-entry' || from.kind === 'ddi-return') ? from.call.id : undefined;
    const stepIndex = this.machine.kernel.currentStep?.index;
    for (let n = 0; ; n++) {
      if ((n & 63) === 63 && ctl.pauseRequested() && this.current) return { kind: 'stopped', stop: this.makeStop(this.current, 'pause') };
      const e = this.pull();
      if (!e) return this.end();
      this.current = e;
      if (e.kind === 'kernel' && e.what === 'paging-buffer-submitted') this.writers.noteSubmitted(e.data);
      const watched = this.gpu.data.active ? this.gpu.data.afterStep() : undefined;
      if (watched) return this.dataStop(e, watched);
      // The driver was paused at a line of its source inside this call, and the user went on from there.
      const r = ctl.redirected();
      if (r) {
        step = r.step;
        engine = r.threadId === KERNEL_THREAD_ID ? -1 : (this.gpu.engineOf(r.threadId) ?? -1);
        callId = r.callId;
      }
      const bp = this.settle(e, ctl);
      if (bp) return bp;
      // A GPU step from a line of the driver's source: the DDI has now returned, the engine runs its instruction.
      if (r && engine >= 0 && (step === 'next' || step === 'stepIn') && !this.standsAt(engine)) {
        const ran = this.stepAhead(engine, ctl);
        if (ran) return ran;
      }
      if (step === 'continue') continue;
      // Stepping: where does this step end?
      if (engine >= 0) {
        if (step === 'stepOut' ? e.kind !== 'instruction' : e.kind === 'instruction' && e.engine === engine) return this.stopAt(e, 'step');
        continue;
      }
      if (step === 'stepOut') {
        if (callId !== undefined ? e.kind === 'ddi-return' && e.call.id === callId : e.kind === 'scenario-step' && e.index !== stepIndex) return this.stopAt(e, 'step');
        continue;
      }
      if (e.kind === 'ddi-entry' || e.kind === 'kernel' || e.kind === 'scenario-step' || (step === 'stepIn' && e.kind === 'ddi-return')) return this.stopAt(e, 'step');
    }
  }

  /** Whether the machine stands before an instruction of `engine` (a step from there runs it next anyway). */
  private standsAt(engine: number): boolean {
    return this.current?.kind === 'instruction' && this.current.engine === engine;
  }

  /**
   * A step on GPU engine `engine` while the machine stands elsewhere (the kernel at a DDI call, a
   * breakpoint of another thread): the engine executes its instruction now, before the kernel goes
   * on, and the step ends on the GPU thread at the engine's next instruction, the kernel still where
   * it was. Without that, a breakpoint the kernel reaches before it next waits for the GPU would
   * win every time and the GPU would never step. Undefined: the engine has nothing it can run now
   * (idle, or stalled on a wait), so the step waits for the engine like any run.
   */
  private stepAhead(engine: number, ctl: RunControl): RunResult | undefined {
    const at = this.current;
    if (!at) return undefined;
    const e = this.timeline.runEngineNow(engine);
    if (!e) return undefined;
    const watched = this.gpu.data.active ? this.gpu.data.afterStep() : undefined;
    if (watched && e.kind !== 'error') return this.dataStop(at, watched);
    if (e.kind === 'error') {
      this.current = e;
      return this.settle(e, ctl) ?? this.end();
    }
    return { kind: 'stopped', stop: this.makeStop(at, 'step', undefined, undefined, GPU_THREAD_BASE + engine) };
  }

  /** A stop for data breakpoints hit in the step that ended at `e`: on the thread that wrote, saying who wrote. */
  private dataStop(e: Event, hit: DataHit): RunResult {
    const { text, thread, lines } = this.writers.describe(e, hit);
    const stop = this.makeStop(e, 'data breakpoint', hit.error ? `${text}\n${hit.error}` : text, undefined, thread);
    // The driver's lines that wrote the bytes, innermost first, above its DDI: the stop shows the line.
    const kernelFrames = stop.snapshot.frames[KERNEL_THREAD_ID];
    if (lines.length && kernelFrames?.length) {
      const scopes = kernelFrames[0].scopes;
      kernelFrames.unshift(...lines.map((l, i) => ({ name: i === 0 ? `wrote the watched bytes: ${l.lineText?.trim() ?? ''}` : (l.lineText?.trim() ?? ''), source: { name: basename(l.file), path: l.file }, line: l.line, column: l.column, scopes })));
    }
    stop.description = `Data breakpoint: ${text}`;
    stop.hitBreakpointIds = hit.ids;
    return { kind: 'stopped', stop };
  }

  // ---- running backwards ----

  /**
   * Step back (the kernel thread: one DDI call, kernel event or scenario step; a GPU thread: one
   * instruction of its engine) or reverse continue (the latest earlier moment where a breakpoint of
   * any kind stops: conditions are checked there; hit counts count forward runs only, and log points
   * do not stop). Before the first moment the answer is that this is the beginning.
   */
  private reverse(step: 'stepBack' | 'reverseContinue', threadId: number, ctl: RunControl): RunResult {
    const engine = threadId === KERNEL_THREAD_ID ? -1 : (this.gpu.engineOf(threadId) ?? -2);
    if (engine === -2) throw new Error(`there is no thread ${threadId}`);
    if (!this.current) throw new Error('the run has not started: there is nothing to go back to');
    this.gpu.resumed();
    const from = this.timeline.position;
    const index = this.timeline.recording.index;
    if (step === 'stepBack') {
      const to = engine < 0 ? kernelStepBack(index, from.moment) : engineStepBack(index, this.timeline.edits, engine, from);
      if (!to) return this.beginning(threadId, engine < 0 ? 'the kernel made no call or event before this one' : `engine ${engine} executed no instruction before this one`);
      const e = this.travel(to);
      return { kind: 'stopped', stop: this.makeStop(e, 'step', undefined, undefined, threadId) };
    }
    const filter = {
      ddis: this.breakpoints.ddis(),
      instructions: this.gpu.instructionBreakpointAddresses(),
      failures: this.filters.has('driverFailure'),
      extra: this.reverseStops.map((r) => (m: number) => r.candidate(m)),
    };
    for (const r of this.reverseStops) r.begin?.(from.moment, () => ctl.pauseRequested());
    let n = 0;
    try {
      for (const m of reverseCandidates(index, from.moment, filter)) {
        const e = this.travel({ moment: m, acts: 0 });
        const hit = this.reverseHit(e);
        if (hit) return hit;
        if ((++n & 15) === 15 && ctl.pauseRequested()) return { kind: 'stopped', stop: this.makeStop(e, 'pause') };
      }
    } catch (e) {
      // Paused while a replay searched back (reads, the driver's pauses): the session stands where the search had come to.
      if (e instanceof SearchPaused) return { kind: 'stopped', stop: this.makeStop(this.current, 'pause') };
      throw e;
    }
    return this.beginning(threadId, 'no breakpoint stops before this moment');
  }

  /**
   * Travels to moment `moment` (Who wrote this?'s "Go to the moment it was written"): the session
   * stands where the run was once the event of that moment had happened, with every view following.
   * A moment past what the run has reached is refused; one dated just past it (an instruction a GPU
   * step ran ahead of the kernel, a debugger's write) is where the session stands now.
   */
  goToMoment(moment: number, as?: 'restart' | 'step'): RunResult {
    if (!Number.isSafeInteger(moment) || moment < 0) throw new Error(`'moment' must be a moment of the run (a whole number from 0), got ${moment}`);
    if (!this.current) throw new Error('the run has not started: there is no moment to go to');
    const frontier = this.timeline.recording.frontier;
    if (moment > frontier + 1) throw new Error(`moment ${moment} has not happened in this run: it has reached moment ${frontier}`);
    this.gpu.resumed();
    // Moment 0 is before the run's first event, where no stop stands: its beginning is moment 1.
    if (moment === 0) return { kind: 'stopped', stop: this.makeStop(this.travel({ moment: 1, acts: 0 }), 'goto', 'Went to moment 1, the beginning of the run (moment 0 is before its first event)') };
    const here = this.timeline.position;
    // Dated past the last moment reached: a write made since it (run ahead of the kernel), so here.
    const to = moment > frontier ? here : { moment, acts: moment === here.moment ? here.acts : 0 };
    const e = this.travel(to);
    if (as === 'restart') return { kind: 'stopped', stop: this.makeStop(e, 'restart', `Restarted the frame: back at moment ${to.moment}, where it began`) };
    if (as === 'step') return { kind: 'stopped', stop: this.makeStop(e, 'step') };
    return { kind: 'stopped', stop: this.makeStop(e, 'goto', `Went to moment ${to.moment} of the run`) };
  }

  /** The moment DDI call `callId` was entered, 0 when the run's index has not got it. */
  callEntryMoment(callId: number): number {
    return this.timeline.recording.index.callEntry(callId);
  }

  /** Makes position `to` the current one: the timeline replays to it, and the views follow its machine. */
  private travel(to: Position): Event {
    const e = this.timeline.goTo(to.moment, to.acts);
    this.finished = false;
    if (this.followed !== this.machine) {
      this.followed = this.machine;
      this.gpu.follow(this.machine.gpu);
      this.kernel.follow(this.machine.gpu);
    } else this.gpu.data.follow(this.machine.gpu);
    // What memory holds now is another moment's: every range the views show may have changed.
    const sys = this.machine.gpu.config.systemMemoryBytes;
    this.gpu.noteWrite(0, sys);
    for (const s of this.gpu.hw.segments) this.gpu.noteWrite(debugAddressOfSegment(s.id), s.size);
    // Give the next step back a checkpoint close behind (bounded: the answer waits for it).
    this.timeline.idle(performance.now() + 40);
    this.current = e;
    this.state = this.machine.state();
    return e!;
  }

  /** The first stop of the run, reached going back with nothing before it: says so. */
  private beginning(threadId: number, why: string): RunResult {
    const first = this.timeline.recording.index.last >= 1 ? 1 : 0;
    const e = first ? this.travel({ moment: 1, acts: 0 }) : this.current!;
    const stop = this.makeStop(e, 'step', `The beginning of the run: ${why}.`, undefined, threadId);
    stop.description = 'Paused at the beginning of the run';
    return { kind: 'stopped', stop };
  }

  /** Whether a breakpoint stops at `e` in reverse: its condition holds there (no counting, no logging). */
  private reverseHit(e: Event): RunResult | undefined {
    // A pause at a driver line breakpoint in the call whose code ran after this moment: later than
    // all else of the moment. The session runs the call again from its entry to the pause.
    // (Searched here too: a moment another kind of breakpoint names is found without asking the search.)
    const line = this.driverLines.candidate(this.machine.eventCount) ? this.driverLines.check(e)?.driverLine : undefined;
    const entry = line ? this.callEntryMoment(line.callId) : 0;
    if (line && entry) return { kind: 'stopped', stop: this.makeStop(this.travel({ moment: entry, acts: 0 }), 'step'), driverLine: line };
    switch (e.kind) {
      case 'ddi-entry': {
        const hits = this.breakpoints.wouldStop(e.call.ddi, this.names.ofCall(e));
        if (hits) {
          const stop = this.makeStop(e, hits.reason);
          stop.hitBreakpointIds = hits.ids;
          return { kind: 'stopped', stop };
        }
        break;
      }
      case 'instruction': {
        const ids = this.gpu.instructionWouldStop(e.address, e.engine);
        if (ids.length) {
          const stop = this.makeStop(e, 'instruction breakpoint');
          stop.hitBreakpointIds = ids;
          return { kind: 'stopped', stop };
        }
        break;
      }
      case 'ddi-return': {
        const failure = this.failureStop(e);
        if (failure) return failure;
        break;
      }
      default:
        break;
    }
    for (const r of this.reverseStops) {
      const hit = r.check(e);
      if (hit && !hit.driverLine) {
        const stop = this.makeStop(e, hit.reason, hit.text, undefined, hit.thread);
        if (hit.hitBreakpointIds) stop.hitBreakpointIds = hit.hitBreakpointIds;
        return { kind: 'stopped', stop };
      }
    }
    return undefined;
  }

  /** The "Driver failure statuses" stop at a DDI that returned a failure, when that filter is on; the same going forward and back. */
  private failureStop(e: Extract<Event, { kind: 'ddi-return' }>): RunResult | undefined {
    if (e.call.status === undefined || NT_SUCCESS(e.call.status) || !this.filters.has('driverFailure')) return undefined;
    const name = statusName(e.call.status);
    return this.stopAt(e, 'exception', `${e.call.ddi} returned ${name}`, {
      exceptionId: `driverFailure.${name}`,
      description: `${e.call.ddi} returned ${name} (${hex(e.call.status)})`,
      breakMode: 'always',
      details: { message: `${e.call.ddi} returned ${name}`, typeName: 'NTSTATUS' },
    });
  }

  private stopAt(e: Event, reason: StopReason, text?: string, exception?: ExceptionDetails): RunResult {
    return { kind: 'stopped', stop: this.makeStop(e, reason, text, exception) };
  }

  /** Breakpoints and exceptions at `e`; undefined: keep going. */
  private settle(e: Event, ctl: RunControl): RunResult | undefined {
    switch (e.kind) {
      case 'ddi-entry': {
        const hits = this.breakpoints.hits(e.call.ddi, () => this.names.ofCall(e), (text) => ctl.output('console', text));
        if (!hits) return undefined;
        const stop = this.makeStop(e, hits.reason, hits.error);
        stop.hitBreakpointIds = hits.ids;
        return { kind: 'stopped', stop };
      }
      case 'ddi-return': {
        const p = (e.call.args as { pDmaBuffer?: { PhysicalAddress?: unknown; Offset?: unknown } }).pDmaBuffer;
        try {
          if (p && typeof p.PhysicalAddress === 'number' && typeof p.Offset === 'number' && p.Offset > 0) this.gpu.noteWrite(p.PhysicalAddress, p.Offset);
        } catch {
          // The driver left a getter that throws there; the kernel reports it as the driver's fault.
        }
        return this.failureStop(e);
      }
      case 'instruction': {
        const hits = this.gpu.instructionHits(e.address, e.engine, (text) => ctl.output('console', text));
        if (!hits.ids.length) return undefined;
        const stop = this.makeStop(e, 'instruction breakpoint', hits.error);
        stop.hitBreakpointIds = hits.ids;
        return { kind: 'stopped', stop };
      }
      case 'kernel':
        if (e.what === 'driver-print') ctl.output('stdout', e.message);
        return undefined;
      case 'error': {
        const err = e.error;
        const filter =
          err.category === 'driver' ? (err.rule ? 'verifier' : 'driverException') : err.category === 'verify' ? 'verifier' : err.category === 'gpu' ? 'gpuFault' : undefined;
        const where = err.location ? `\n  at ${err.location.file}:${err.location.line}:${err.location.column}` : '';
        if (filter && this.filters.has(filter)) {
          return this.stopAt(e, 'exception', err.message.split('\n')[0], {
            exceptionId: `${filter}${err.rule ? '.' + err.rule : err.ddi ? '.' + err.ddi : ''}`,
            description: err.message,
            breakMode: 'always',
            details: { message: err.message, typeName: `${err.category} error`, stackTrace: `${err.ddi ?? ''}${where}` },
          });
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private end(): RunResult {
    this.finished = true;
    const r = this.machine.result();
    const s = r.stats;
    if (!r.ok && r.error) {
      const where = r.error.location ? ` (${r.error.location.file}:${r.error.location.line})` : '';
      return { kind: 'terminated', message: `The run failed [${r.error.category}]${where}: ${r.error.message}${this.recording.verdict()}`, exitCode: 1, category: 'important' };
    }
    return {
      kind: 'terminated',
      message:
        `${this.driverName} on ${basename(this.scenarioPath)} finished: ${s.ddiCalls} DDI calls, ${s.buildCalls} DxgkDdiBuildPagingBuffer, ` +
        `${s.transfers} transfers, ${s.evictions} evictions, ${s.instructions} GPU instructions, ${s.time} ns of virtual time.${this.recording.verdict()}`,
      exitCode: 0,
      category: 'console',
    };
  }

  // ---- the driver's source, for the inspector (debugging it line by line) ----

  driverScript(): DriverScript | undefined {
    return this.machine.kernel.ddi.sourceMap?.script;
  }

  /** The kernel's side of a stop while the inspector holds the driver paused inside the DDI call in progress. */
  driverPause(): DriverPause {
    const e = this.current;
    if (!e) return { stop: { reason: 'breakpoint', threadId: KERNEL_THREAD_ID, snapshot: { threads: this.threads(), frames: {} } } };
    this.pausedMidCall = true;
    try {
      return { stop: this.makeStop(e, 'breakpoint'), callId: this.machine.kernel.ddi.current?.id };
    } finally {
      this.pausedMidCall = false;
    }
  }

  /** A driver stop's frames are being made: the session stands inside a DDI call, after its moment. */
  private pausedMidCall = false;

  describeValue(name: string, value: unknown, path: string): VarNode {
    // Live: the driver is inside the call, so its arguments can still be changed.
    return toVar(name, value, undefined, this.reg, path, true);
  }

  /** Edits made by the `inDriverCall` in progress (-1: none in progress). */
  private editsInCall = -1;

  /**
   * An edit made while the driver is paused inside a DDI call: recorded at the moment, a replay
   * would make it before the call's code runs, not where the user made it; so it is none of the
   * run's edits, and the timeline treats it as a change no replay makes (Timeline.markUnreplayable).
   */
  inDriverCall<T>(what: string, edit: () => T): T {
    this.editsInCall = 0;
    try {
      return edit();
    } finally {
      if (this.editsInCall > 0) this.timeline.markUnreplayable(what);
      this.editsInCall = -1;
    }
  }

  /** The user changed the driver's own variables at a driver stop (`what`): the run goes on with it, which no replay can make (Timeline.markUnreplayable). */
  noteDriverEdit(what: string): void {
    this.timeline.markUnreplayable(what);
  }

  /** The session saw the driver pause at a line breakpoint while a reverse continue searched (../kernel/driverLines.ts). */
  noteLinePause(at: string, stops: boolean): boolean {
    return this.driverLines.notePause(at, stops);
  }

  currentCallId(): number {
    return this.machine.kernel.ddi.current?.id ?? 0;
  }

  pendingDdiFunction(): unknown {
    const e = this.current;
    return e?.kind === 'ddi-entry' ? this.machine.kernel.ddi.functionOf?.(e.call.ddi) : undefined;
  }

  // ---- stops, frames and scopes ----

  private makeStop(e: Event, reason: StopReason, text?: string, exception?: ExceptionDetails, thread?: number): StopInfo {
    this.current = e;
    this.reg.clear();
    this.state = this.machine.state();
    const threadId = thread ?? (e.kind === 'instruction' ? GPU_THREAD_BASE + e.engine : KERNEL_THREAD_ID);
    const frames: Record<number, FrameInfo[]> = { [KERNEL_THREAD_ID]: this.frames.kernel(e) };
    for (let i = 0; i < this.gpu.engines; i++) frames[GPU_THREAD_BASE + i] = this.frames.engine(i);
    const stop: StopInfo = { reason, threadId, snapshot: { threads: this.threads(), frames } };
    if (text) {
      stop.text = text;
      stop.description = reason === 'exception' ? `Paused on ${exception?.exceptionId.split('.')[0] ?? 'exception'}` : text;
    }
    if (exception) stop.exception = exception;
    const changed = this.gpu.takeWrites();
    if (changed) stop.memoryChanged = changed;
    return stop;
  }

  vars(key: string): VarNode[] {
    if (key === 'adapter') return this.kernel.adapterVars();
    if (key.startsWith('obj:')) {
      const o = this.reg.get(key);
      const live = this.current?.kind === 'ddi-entry';
      return childrenOf(o, this.reg, this.reg.pathOf(key), live);
    }
    if (key === 'allocations') {
      return (this.state?.allocations ?? []).map((a) => this.kernel.allocationVar(a));
    }
    throw new Error(`unknown variables key ${key}`);
  }

  setVariable(key: string, value: string): SetVariableResult {
    if (GpuView.isOperandKey(key)) return this.gpu.setOperand(key, value, (name) => this.gpu.lookup(name));
    const m = /^set:(obj:\d+):(.+)$/.exec(key);
    if (!m || this.current?.kind !== 'ddi-entry') throw new Error('only the arguments of a DDI the driver has not run yet can be changed');
    const o = this.reg.get(m[1]) as Record<string, unknown> | undefined;
    if (!o || !(m[2] in o)) throw new Error('this variable is no longer there');
    const old = o[m[2]];
    const v = compile(value).evaluate((name) => this.names.any(name));
    const path = [this.reg.pathOf(m[1]), m[2]].filter((x) => x).join('.');
    // Recorded as the value set, at this moment: a replay sets it again in the arguments of this call.
    const record = (set: number | boolean): void => this.noteEdit({ kind: 'setVariable', path, value: JSON.stringify(set) });
    if (typeof old === 'number') {
      const n = typeof v === 'bigint' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw new ExpressionError(`'${value}' is not a number`);
      o[m[2]] = n;
      record(n);
      return { value: Number.isInteger(n) ? hex(n) : String(n) };
    }
    if (typeof old === 'boolean') {
      if (typeof v !== 'boolean') throw new ExpressionError(`'${value}' is not true or false`);
      o[m[2]] = v;
      record(v);
      return { value: String(v) };
    }
    throw new Error('only numbers and booleans can be changed');
  }

  // ---- evaluate ----

  evaluate(expression: string, _context: string | undefined, threadId: number | undefined): EvaluateResult {
    if (isCommand(expression)) return { result: runCommand(this.commands, expression) };
    const engine = this.gpu.engineOf(threadId) ?? 0;
    const v = compile(expression).evaluate((name) => this.names.any(name, engine));
    const out: EvaluateResult = { result: formatValue(v), type: typeof v };
    // Structured results (DDI argument structures) expand like variables.
    const path = expression.trim();
    if (/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(path) && this.current && (this.current.kind === 'ddi-entry' || this.current.kind === 'ddi-return')) {
      let o: unknown = this.current.call.args;
      for (const p of path.split('.')) o = o && typeof o === 'object' ? (o as Record<string, unknown>)[p] : undefined;
      if (o && typeof o === 'object') {
        const node = toVar(path.split('.').pop()!, o, undefined, this.reg, path, false);
        out.node = node;
        out.result = node.value;
        if (node.memoryReference) out.memoryReference = node.memoryReference;
      }
    }
    return out;
  }

  completions(text: string, column: number): CompletionItem[] {
    return complete(this.commands, this.names.all(), text, column);
  }

  private makeCommands(): ConsoleCommand[] {
    const gpu = gpuCommands(this.gpu, (id) => (this.state ?? this.machine.state()).segments.find((s) => s.id === id));
    const kernel = this.kernel.commands();
    const who = whoCommand((text) => this.gpu.addressArg(text), (address, length, history) => this.whoWrote(address, length, history));
    return [gpu.segments, kernel.alloc, gpu.gart, gpu.fences, kernel.pagingqueue, kernel.swizzle, gpu.pgasm, gpu.db, gpu.regs, who];
  }

  /** Who wrote [address, address + length) last, as of the moment the session stands at. */
  whoWrote(address: number, length: number, history = false): WhoWroteResponse {
    // At the end of what is recorded, writes made since the current event (an instruction run ahead
    // of the kernel, the debugger's) are dated the next moment: they have happened, so they count.
    const rec = this.timeline.recording;
    const now = this.machine.eventCount;
    const moment = now >= rec.frontier ? now + 1 : now;
    return whoWrote(rec, this.machine.gpu, address, length, moment, history, (a) => this.gpu.instructionText(a));
  }

  adapterState(): AdapterStateResponse {
    return this.kernel.adapterState();
  }
}
