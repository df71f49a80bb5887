// Driver mode: a TypeScript miniport driver running on the simulated kernel (src/sim/machine.ts)
// over a scenario. The machine is pulled one event at a time; the kernel thread stops at DDI calls
// and kernel events, each GPU engine's thread before an instruction executes. Every stop reads the
// machine's state, so what the Variables view shows is what the simulator holds at that moment.
// The machine is the live one of a timeline (src/sim/timeline): stepping back or continuing in
// reverse reaches an earlier moment again by replay (./reverse.ts finds where), and every view
// follows the machine standing at the moment reached.
// The GPU (engine threads, registers, memory, disassembly, its console commands) is the shared
// GPU view; this file adds the kernel, the DDI calls and the scenario.
//
// Over 600 lines: the kernel thread's stops, its frames and scopes and the DDI call's variables share
// the machine's current state; the shared GPU parts have already moved to ../gpu.

import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { compileFunction } from 'node:vm';
import { DXGK_OPERATION_NAMES, NT_SUCCESS, statusName } from '../../sim/ddi/contract';
import { tdrDelayFor } from '../../host/watchdog';
import { DriverError } from '../../sim/driver/errors';
import type { SourceLocation } from '../../sim/driver/errors';
import { declarationIn } from '../../sim/kernel/ddiCaller';
import type { DriverScript } from '../../sim/driver/sourceMap';
import { DDI_NAMES } from '../../sim/runtime/driverCode';
import { debugAddressOfSegment } from '../../sim/hw';
import { KernelError } from '../../sim/kernel/kernelError';
import { machineFrom, Machine, MachineEvent, MachineState } from '../../sim/machine';
import { compileDriver } from '../../sim/driver/loader';
import { RunDigest } from '../../sim/recording/digest';
import { EditReplay, setArgument } from '../../sim/recording/edits';
import { makeRecording, notReproducedBecause, writeRecording, type RecordedEdit } from '../../sim/recording/recording';
import { Timeline, type Edit, type Position } from '../../sim/timeline/timeline';
import { engineStepBack, kernelStepBack, reverseCandidates } from './reverse';
import { wouldStop } from '../breakpoints';
import { formatWho, whoWrote } from '../kernel/who';
import { driverLines, lastWrite, writerText } from '../../sim/timeline/provenance';
import type { WriteRecord } from '../../sim/timeline/writeLog';
import type { WhoWroteResponse } from '../customRequests';
import { numberArg } from '../console';
import { parseScenario, Scenario, ScenarioError } from '../../sim/scenario';
import type { AdapterStateResponse } from '../customRequests';
import { BreakpointRule, check, makeRule } from '../breakpoints';
import { ConsoleCommand, complete, isCommand, runCommand } from '../console';
import { gpuCommands } from '../gpu/commands';
import { GpuView, type InstructionPointer } from '../gpu/view';
import type { DataHit } from '../gpu/dataBreakpoints';
import { KernelView } from '../kernel/state';
import { compile, ExpressionError, formatValue, UNKNOWN, Value } from '../expression';
import type { ResolvedLaunch } from '../launch';
import { formatAddress } from '../memoryReference';
import { ddiBufferReference, withDdiBuffer } from '../kernel/ddiBuffer';
import { ReturnSites } from '../../sim/driver/returnSite';
import type {
  BreakpointResult,
  ExceptionDetails,
  FrameInfo,
  FunctionBreakpointSpec,
  RunResult,
  ScopeInfo,
  SourceBreakpointSpec,
  SourceRef,
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
import { childrenOf, ObjectRegistry, operationValue, statusValue, toValue, toVar } from './values';
import { hex } from '../../isa/hex';

/** A file shipped with the adapter (samples/...), found next to the bundle or the sources. */
function bundled(relative: string): string {
  const candidates = [join(__dirname, '..', relative), join(__dirname, '..', '..', '..', relative), join(process.cwd(), relative)];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

function samePath(a: string, b: string): boolean {
  const na = resolve(a);
  const nb = resolve(b);
  return process.platform === 'win32' ? na.toLowerCase() === nb.toLowerCase() : na === nb;
}

interface DdiRule {
  rule: BreakpointRule;
  ddi: string;
  kind: 'function' | 'source';
}

type Event = MachineEvent;

/**
 * A kind of breakpoint reverse continue also stops at (data breakpoints): `candidate` says from the
 * timeline alone (its moment index and write log) whether moment `moment` may stop; `check` decides
 * with the machine standing at that moment, and says why.
 */
export interface ReverseStop {
  candidate(moment: number): boolean;
  check(e: MachineEvent): { reason: StopReason; text?: string; hitBreakpointIds?: number[] } | undefined;
}

/**
 * Function breakpoints checked against the DDI names and placed at the driver's implementation
 * (`definition`); those that hold go into `kept`. Also before the driver has loaded, from its files.
 */
export function checkFunctionBreakpoints(bps: FunctionBreakpointSpec[], definition: (ddi: string) => SourceLocation | undefined, kept: DdiRule[] = []): BreakpointResult[] {
  return bps.map((bp): BreakpointResult => {
    const ddi = DDI_NAMES.find((n) => n === bp.name.trim()) ?? DDI_NAMES.find((n) => n.toLowerCase() === bp.name.trim().toLowerCase());
    if (!ddi) {
      return { id: bp.id, verified: false, message: `'${bp.name}' is not a DDI. Function breakpoints take one of: ${DDI_NAMES.join(', ')}.` };
    }
    try {
      kept.push({ rule: makeRule(bp), ddi, kind: 'function' });
    } catch (e) {
      return { id: bp.id, verified: false, message: (e as Error).message };
    }
    const def = definition(ddi);
    return def ? { id: bp.id, verified: true, line: def.line, source: { name: basename(def.file), path: def.file } } : { id: bp.id, verified: true };
  });
}

const kernelThreadName = (driverName: string): string => `Kernel → ${driverName} (DDI calls)`;

export class DriverTarget implements Target {
  readonly gpu: GpuView;
  private readonly kernel: KernelView;
  private functionRules: DdiRule[] = [];
  private sourceRules = new Map<string, DdiRule[]>();
  private filters = new Set<string>();
  /** The event the machine is stopped at. */
  private current: Event | undefined;
  private state: MachineState | undefined;
  private readonly reg = new ObjectRegistry();
  private finished = false;
  private readonly commands: ConsoleCommand[];
  private readonly scenarioLines: string[];
  private readonly driverName: string;
  private returnSites: ReturnSites | undefined;
  /** The run's fingerprint so far (a replay compares it with its recording's). */
  private readonly digest = new RunDigest();
  /** The edits made while debugging (a replay's first), at their moments: what Save Recording writes. */
  private readonly edits: RecordedEdit[] = [];
  private readonly replayEdits: EditReplay | undefined;

  /**
   * Compiles the driver without running any of it: the debugger places line breakpoints from its
   * source map before the module's top level runs (load() then reuses the compilation).
   */
  static async compile(config: ResolvedLaunch): Promise<CompiledTarget> {
    const driver = config.driver ?? bundled('samples/drivers/reference/driver.ts');
    if (!existsSync(driver)) throw new Error(`'driver': the bundled reference driver is missing (${driver})`);
    let compiled;
    try {
      compiled = await compileDriver(driver);
    } catch (e) {
      throw new Error(`'driver': ${e instanceof Error ? e.message : String(e)}`);
    }
    // Parsed here once and never run, so V8 knows the script's breakable positions: a line breakpoint
    // placed before the module runs answers with the line it will stop at (a function's heading moves into its body).
    compileFunction(compiled.script.code, ['exports', 'require', 'module'], { filename: compiled.script.name });
    const files = compiled.inputs;
    return {
      threads: [{ id: KERNEL_THREAD_ID, name: kernelThreadName(basename(driver)) }],
      driverScript: compiled.script,
      functionBreakpoints: (bps) => checkFunctionBreakpoints(bps, (ddi) => declarationIn(files, ddi)),
    };
  }

  static async load(config: ResolvedLaunch, ctl: RunControl): Promise<DriverTarget> {
    const driver = config.driver ?? bundled('samples/drivers/reference/driver.ts');
    const scenarioPath = config.scenario ?? bundled('samples/scenarios/default.json');
    if (!existsSync(driver)) throw new Error(`'driver': the bundled reference driver is missing (${driver})`);
    if (!existsSync(scenarioPath)) throw new Error(`'scenario': the bundled default scenario is missing (${scenarioPath})`);
    let scenario: Scenario;
    const text = readFileSync(scenarioPath, 'utf8');
    try {
      scenario = parseScenario(text, scenarioPath, config.seed);
    } catch (e) {
      throw new Error(`'scenario': ${e instanceof ScenarioError || e instanceof Error ? e.message : String(e)}`);
    }
    ctl.useTdrDelay(tdrDelayFor(config.tdrDelayMs, scenario.tdrDelayMs));
    let timeline: Timeline;
    let firstReplay: EditReplay | undefined;
    try {
      // Compiled once: every machine of the timeline (replays) is built from it synchronously.
      const compiled = await compileDriver(driver);
      // As `paging-lab run` does: the verifier switch turns the DDI rules off, never the content checks.
      const plan = config.replay;
      timeline = new Timeline({
        make: () => {
          const m = machineFrom(compiled, { scenario, verifier: config.verifier });
          // A replay's memory edits go in at their moments, before the event that followed them, on every machine of the timeline.
          if (plan) {
            const replay = new EditReplay(plan.edits);
            firstReplay ??= replay;
            m.beforeEvent = () => replay.apply(m);
          }
          return m;
        },
        applyEdit: (m, edit, event) => applyEdit(m, edit, event),
        notice: (text) => ctl.output('console', text + '\n'),
      });
    } catch (e) {
      const attr = e instanceof KernelError && e.category === 'scenario' ? 'scenario' : 'driver';
      throw new Error(`'${attr}': ${e instanceof DriverError || e instanceof Error ? e.message : String(e)}`);
    }
    return new DriverTarget(config, timeline, driver, scenarioPath, text, firstReplay);
  }

  /** Kinds of breakpoint reverse continue stops at besides the DDI, instruction and exception ones (data breakpoints). */
  readonly reverseStops: ReverseStop[] = [];
  /** The machine the views were made to follow. */
  private followed: Machine;

  /** The machine standing at the moment the session is at. */
  private get machine(): Machine {
    return this.timeline.machine;
  }

  private constructor(
    private readonly config: ResolvedLaunch,
    readonly timeline: Timeline,
    private readonly driverPath: string,
    private readonly scenarioPath: string,
    scenarioText: string,
    /** A replay's edits as the first machine applied them (the verdict says which it could not). */
    replayEdits?: EditReplay,
  ) {
    this.scenarioLines = scenarioText.split('\n');
    this.driverName = basename(driverPath);
    const machine = timeline.machine;
    this.followed = machine;
    const sys = machine.gpu.config.systemMemoryBytes;
    const kernel = new KernelView(() => this.state ?? this.machine.state(), machine.gpu);
    this.kernel = kernel;
    this.gpu = new GpuView(machine.gpu, {
      // The engine picks up a queued buffer only when it executes its first instruction: ask the kernel's view.
      instructionPointer: (engine) => this.instructionPointer(engine),
      codeRegions: () => withDdiBuffer(kernel.codeRegions(), this.current, this.state),
      instructionBreakpointProblem: (address) => (address < sys ? undefined : `${hex(address)} is not in system memory, where DMA buffers live (0x0..${hex(sys - 1)}).`),
      symbolAt: (address) => kernel.allocationAt(address),
      kernelRegisters: (engine) => kernel.kernelRegisters(engine),
      lookup: (name) => this.lookup(name),
      allocation: (handle) => this.machine.kernel.vidmm?.allocations.get(handle),
      operationAt: (address) => this.operationAt(address),
      // An edit made while stopped is part of the run: every replay makes it again at this moment.
      debugWrote: (address, data) => this.noteEdit({ kind: 'writeMemory', address, data: Buffer.from(data).toString('hex') }),
    });
    this.commands = this.makeCommands();
    this.reverseStops.push(this.dataBreakpointsBackwards());
    const plan = config.replay;
    if (plan) {
      // The timeline's machines apply the replay's edits (load).
      this.replayEdits = replayEdits;
      this.edits.push(...plan.edits);
    }
  }

  /** The timeline's next event, into the run's digest (once: going forward again after a step back replays events the digest has). */
  private pull(): Event | undefined {
    const e = this.timeline.next();
    if (e && this.machine.eventCount > this.digest.events) this.digest.add(e);
    return e;
  }

  /**
   * An edit the user made (memory written, an operand or a DDI argument changed), at the moment the
   * machine stands at: part of the run from now on (every replay of the timeline makes it again),
   * and of the session's recording, as the name and value a replay can set again.
   */
  private noteEdit(edit: Omit<RecordedEdit, 'moment'>): void {
    this.timeline.addEdit(edit);
    this.edits.push({ moment: this.machine.eventCount, ...edit });
  }

  /** Writes the session's recording: its inputs, the edits made so far, and the outcome when the run has ended. */
  async saveRecording(file: string): Promise<{ file: string; edits: number; finished: boolean }> {
    const compiled = await compileDriver(this.driverPath); // the compilation this run used, from the cache
    const scenario = this.machine.kernel.scenario;
    const finished = this.finished || this.machine.finished;
    const r = this.machine.result();
    writeRecording(
      file,
      makeRecording({
        file,
        driverFiles: compiled.inputs,
        driverEntry: compiled.file,
        scenarioFile: this.scenarioPath,
        scenarioName: scenario.name,
        seed: scenario.seed,
        tdrDelayMs: tdrDelayFor(this.config.tdrDelayMs, scenario.tdrDelayMs),
        verifier: this.config.verifier && scenario.verifier !== false,
        edits: this.edits,
        outcome: finished ? { ok: r.ok, events: this.digest.events, digest: this.digest.hex(), ...(r.error ? { error: r.error.rule ?? r.error.category } : {}) } : undefined,
      }),
    );
    return { file, edits: this.edits.length, finished };
  }

  /** After a replay's run: whether it reproduced its recording, said in one line. */
  private replayVerdict(): string {
    const plan = this.config.replay;
    if (!plan) return '';
    const was = plan.recording.outcome;
    const notes: string[] = [];
    const skipped = this.replayEdits?.variables.length ?? 0;
    if (skipped) notes.push(` ${skipped} setVariable edit(s) of the recording could not be applied: at their moment the run stood at no DDI call with that argument.`);
    if (!was?.digest) return `\nReplay of ${plan.file}: the recording has no digest of its run to compare with.${notes.join('')}`;
    if (was.digest === this.digest.hex()) return `\nReplay of ${plan.file}: reproduced the recorded run (${this.digest.events} events, digest ${was.digest.slice(0, 16)}).${notes.join('')}`;
    return (
      `\nReplay of ${plan.file}: DID NOT reproduce the recorded run: ${was.events} events, digest ${was.digest.slice(0, 16)} then; ` +
      `${this.digest.events} events, digest ${this.digest.hex().slice(0, 16)} now. ${notReproducedBecause(plan.recording)}.${notes.join('')}`
    );
  }

  // ---- threads and breakpoints ----

  threads(): ThreadInfo[] {
    return [{ id: KERNEL_THREAD_ID, name: kernelThreadName(this.driverName) }, ...this.gpu.threads()];
  }

  functionNames(): string[] {
    return DDI_NAMES.slice();
  }

  setFunctionBreakpoints(bps: FunctionBreakpointSpec[]): BreakpointResult[] {
    const kept: DdiRule[] = [];
    const results = checkFunctionBreakpoints(bps, (ddi) => this.machine.kernel.ddi.definitionOf(ddi), kept);
    this.functionRules = kept;
    return results;
  }

  /** The DDI whose implementation starts at `line` of `path` (its declaration or first body line). */
  private ddiAtLine(path: string, line: number): { ddi: string; line: number } | undefined {
    for (const ddi of DDI_NAMES) {
      const def = this.machine.kernel.ddi.definitionOf(ddi);
      if (def && samePath(def.file, path) && (line === def.line || line === def.line + 1)) return { ddi, line: def.line };
    }
    return undefined;
  }

  setSourceBreakpoints(path: string, bps: SourceBreakpointSpec[]): BreakpointResult[] {
    const kept: DdiRule[] = [];
    const results = bps.map((bp): BreakpointResult => {
      const at = this.ddiAtLine(path, bp.line);
      if (!at) {
        return {
          id: bp.id,
          verified: false,
          line: bp.line,
          message: 'The driver runs compiled in the simulator: breakpoints stop at a DDI, so put this one on the first line of a DDI function (or use a function breakpoint).',
        };
      }
      try {
        kept.push({ rule: makeRule(bp), ddi: at.ddi, kind: 'source' });
      } catch (e) {
        return { id: bp.id, verified: false, line: bp.line, message: (e as Error).message };
      }
      return { id: bp.id, verified: true, line: at.line, source: { name: basename(path), path } };
    });
    this.sourceRules.set(resolve(path), kept);
    return results;
  }

  breakpointLines(path: string, line: number, endLine?: number): number[] {
    const out: number[] = [];
    for (const ddi of DDI_NAMES) {
      const def = this.machine.kernel.ddi.definitionOf(ddi);
      if (def && samePath(def.file, path) && def.line >= line && def.line <= (endLine ?? line)) out.push(def.line);
    }
    return out;
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
      if (e.kind === 'kernel' && e.what === 'paging-buffer-submitted') this.noteOperations(e.data);
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
    const gpuWrite = hit.writes.find((w) => w.engine >= 0);
    const what = hit.labels.join(', ');
    let text: string;
    let thread = KERNEL_THREAD_ID;
    let lines: SourceLocation[] = [];
    if (gpuWrite) {
      thread = GPU_THREAD_BASE + gpuWrite.engine;
      const at = gpuWrite.instruction;
      text = `${what} written by GPU engine ${gpuWrite.engine}: ${at === undefined ? 'an instruction' : `${this.gpu.instructionText(at)} at ${hex(at)}`} (${gpuWrite.length} bytes at ${hex(gpuWrite.debugAddress)})${gpuWrite.operation ? `, paging operation ${gpuWrite.operation}` : ''}`;
    } else if (hit.writes.length) {
      const w = hit.writes[0];
      text = `${what} written by the host (${this.kernelDoing()}): ${w.length} bytes at ${hex(w.debugAddress)}`;
    } else {
      const u = hit.unreported[0];
      const span = u ? `${u.length} byte${u.length === 1 ? '' : 's'} at ${hex(u.address)}` : 'memory';
      if (e.kind === 'ddi-return') {
        lines = u ? this.driverLinesOf(u.address) : [];
        const at = lines[0] ? ` at ${basename(lines[0].file)}:${lines[0].line}` : ' (directly into the bytes, not through writeInstruction: no line is known)';
        text = `${what} written by the driver in ${e.call.ddi} #${e.call.id}${this.operationOf(e.call.args)}${at}: ${span}`;
      } else text = `${what} written by the kernel (${this.kernelDoing()}): ${span}`;
    }
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

  /** The driver lines (innermost first) of the driver's last write to the byte at physical `address`, from the recording. */
  private driverLinesOf(address: number): SourceLocation[] {
    const rec = this.timeline.recording;
    const w = lastWrite(rec, 'system', address, this.machine.eventCount);
    return w && w.writer === 'driver' ? driverLines(rec, w) : [];
  }

  /** The operations of the paging buffers submitted lately, newest last: which paging operation a GPU instruction belongs to. */
  private readonly operations: { label: string; physical: number; length: number }[] = [];

  private noteOperations(data: Record<string, unknown> | undefined): void {
    const ops = data?.operations;
    if (!Array.isArray(ops)) return;
    for (const o of ops as { label: string; physical: number; length: number }[]) this.operations.push(o);
    if (this.operations.length > 256) this.operations.splice(0, this.operations.length - 256);
  }

  private operationAt(address: number): string | undefined {
    for (let i = this.operations.length - 1; i >= 0; i--) {
      const o = this.operations[i];
      if (address >= o.physical && address < o.physical + o.length) return o.label;
    }
    return undefined;
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
    const ddis = new Set<string>();
    for (const r of [...this.functionRules, ...[...this.sourceRules.values()].flat()]) ddis.add(r.ddi);
    const filter = {
      ddis,
      instructions: this.gpu.instructionBreakpointAddresses(),
      failures: this.filters.has('driverFailure'),
      extra: this.reverseStops.map((r) => (m: number) => r.candidate(m)),
    };
    let n = 0;
    for (const m of reverseCandidates(index, from.moment, filter)) {
      const e = this.travel({ moment: m, acts: 0 });
      const hit = this.reverseHit(e);
      if (hit) return hit;
      if ((++n & 15) === 15 && ctl.pauseRequested()) return { kind: 'stopped', stop: this.makeStop(e, 'pause') };
    }
    return this.beginning(threadId, 'no breakpoint stops before this moment');
  }

  /**
   * Data breakpoints going backwards: a moment whose logged writes touch watched memory, read from
   * the run's write log (conditions and hit counts count forward runs only, as for the other kinds).
   * The stop names the writer of the latest such write made at the moment.
   */
  private dataBreakpointsBackwards(): ReverseStop {
    const hitsAt = (moment: number): { ids: number[]; labels: string[]; write: WriteRecord } | undefined => {
      const data = this.gpu.data;
      if (!data.active) return undefined;
      const log = this.timeline.recording.log;
      for (let i = log.firstAtOrAfter(moment + 1) - 1; i >= 0 && log.momentOf(i) === moment; i--) {
        const hit = data.loggedWatches(log, i);
        if (hit.ids.length) return { ...hit, write: log.get(i) };
      }
      return undefined;
    };
    return {
      candidate: (moment) => hitsAt(moment) !== undefined,
      check: () => {
        const hit = hitsAt(this.machine.eventCount);
        if (!hit) return undefined;
        const w = hit.write;
        const span = `${w.length} byte${w.length === 1 ? '' : 's'} at ${hex(w.debugAddress)}`;
        return { reason: 'data breakpoint', text: `${hit.labels.join(', ')} written by ${writerText(this.timeline.recording, w)}: ${span}`, hitBreakpointIds: hit.ids };
      },
    };
  }

  /**
   * Travels to moment `moment` (Who wrote this?'s "Go to the moment it was written"): the session
   * stands where the run was once the event of that moment had happened, with every view following.
   * A moment past what the run has reached is refused; one dated just past it (an instruction a GPU
   * step ran ahead of the kernel, a debugger's write) is where the session stands now.
   */
  goToMoment(moment: number): RunResult {
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
    return { kind: 'stopped', stop: this.makeStop(e, 'goto', `Went to moment ${to.moment} of the run`) };
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
    switch (e.kind) {
      case 'ddi-entry': {
        const rules = [...this.functionRules, ...[...this.sourceRules.values()].flat()].filter((r) => r.ddi === e.call.ddi);
        const scope = this.callScope(e);
        const hits = rules.filter((r) => wouldStop(r.rule, scope));
        if (hits.length) {
          const stop = this.makeStop(e, hits.some((r) => r.kind === 'source') ? 'breakpoint' : 'function breakpoint');
          stop.hitBreakpointIds = hits.map((r) => r.rule.id);
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
      if (hit) {
        const stop = this.makeStop(e, hit.reason, hit.text);
        if (hit.hitBreakpointIds) stop.hitBreakpointIds = hit.hitBreakpointIds;
        return { kind: 'stopped', stop };
      }
    }
    return undefined;
  }

  /** What the kernel is doing now, innermost first, in its own words. */
  private kernelDoing(): string {
    const f = this.machine.kernel.frames;
    return f.length ? f[f.length - 1] : 'the kernel';
  }

  private operationOf(args: Record<string, unknown>): string {
    const op = args.Operation;
    return typeof op === 'number' ? ` (${DXGK_OPERATION_NAMES[op] ?? op})` : '';
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
        const rules = [...this.functionRules, ...[...this.sourceRules.values()].flat()].filter((r) => r.ddi === e.call.ddi);
        if (!rules.length) return undefined;
        const scope = this.callScope(e);
        const hits: number[] = [];
        let error: string | undefined;
        let reason: StopReason = 'function breakpoint';
        for (const r of rules) {
          const c = check(r.rule, scope);
          if (c.stop) {
            hits.push(r.rule.id);
            error ??= c.error;
            if (r.kind === 'source') reason = 'breakpoint';
          } else if (c.log !== undefined) ctl.output('console', c.log);
        }
        if (!hits.length) return undefined;
        const stop = this.makeStop(e, reason, error);
        stop.hitBreakpointIds = hits;
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
      return { kind: 'terminated', message: `The run failed [${r.error.category}]${where}: ${r.error.message}${this.replayVerdict()}`, exitCode: 1, category: 'important' };
    }
    return {
      kind: 'terminated',
      message:
        `${this.driverName} on ${basename(this.scenarioPath)} finished: ${s.ddiCalls} DDI calls, ${s.buildCalls} DxgkDdiBuildPagingBuffer, ` +
        `${s.transfers} transfers, ${s.evictions} evictions, ${s.instructions} GPU instructions, ${s.time} ns of virtual time.${this.replayVerdict()}`,
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
    return { stop: this.makeStop(e, 'breakpoint'), callId: this.machine.kernel.ddi.current?.id };
  }

  describeValue(name: string, value: unknown, path: string): VarNode {
    // Live: the driver is inside the call, so its arguments can still be changed.
    return toVar(name, value, undefined, this.reg, path, true);
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
    const frames: Record<number, FrameInfo[]> = { [KERNEL_THREAD_ID]: this.kernelFrames(e) };
    for (let i = 0; i < this.gpu.engines; i++) frames[GPU_THREAD_BASE + i] = this.gpuFrames(i);
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

  private scenarioSource(): SourceRef {
    return { name: basename(this.scenarioPath), path: this.scenarioPath };
  }

  /** The line of the scenario step with JSON path `/workload/N` (approximate: the Nth `"op"` after "workload"). */
  private stepLine(path: string): number {
    const m = /^\/workload\/(\d+)/.exec(path);
    const start = this.scenarioLines.findIndex((l) => l.includes('"workload"'));
    if (!m || start < 0) return 1;
    let n = Number(m[1]);
    for (let i = start + 1; i < this.scenarioLines.length; i++) {
      if (this.scenarioLines[i].includes('"op"')) {
        if (n === 0) return i + 1;
        n--;
      }
    }
    return 1;
  }

  /** Where the DDI frame points: its first line, or once it returned, its `return` (returnSite.ts). */
  private ddiLine(call: NonNullable<MachineState['currentDdi']>, returned: boolean): { file: string; line: number; column: number } | undefined {
    const ddi = this.machine.kernel.ddi;
    if (returned) {
      const map = ddi.sourceMap;
      if (map) this.returnSites ??= new ReturnSites(map);
      const at = this.returnSites?.of(ddi.functionOf?.(call.ddi));
      if (at) return at;
    }
    return ddi.definitionOf(call.ddi);
  }

  private kernelFrames(e: Event): FrameInfo[] {
    const frames: FrameInfo[] = [];
    const st = this.state!;
    const call = e.kind === 'ddi-entry' || e.kind === 'ddi-return' ? e.call : st.currentDdi;
    if (call) {
      const returned = e.kind === 'ddi-return' && e.call === call;
      const def = this.ddiLine(call, returned);
      const args = call.args as Record<string, unknown>;
      let detail = '';
      if (call.ddi === 'DxgkDdiBuildPagingBuffer' && typeof args.Operation === 'number') detail = DXGK_OPERATION_NAMES[args.Operation] ?? String(args.Operation);
      const phase = returned ? ` → ${call.status !== undefined ? statusName(call.status) : formatValue(call.result as Value)}` : '';
      const scopes = this.callScopes(call, e.kind === 'ddi-entry');
      // A rule broken or an exception raised at another line of the driver: that line on top, the DDI under it.
      const err = e.kind === 'error' ? e.error : undefined;
      const at = err?.location;
      const ddiAt = err?.ddiLocation ?? def;
      if (err && at && !(ddiAt && samePath(at.file, ddiAt.file) && at.line === ddiAt.line)) {
        frames.push({
          name: err.rule ? `verifier: ${err.rule}` : `${err.category} error: ${err.message.split('\n')[0]}`,
          source: { name: basename(at.file), path: at.file },
          line: at.line,
          column: at.column,
          scopes,
        });
      }
      frames.push({
        name: `${call.ddi}(${detail})${phase}`,
        source: ddiAt ? { name: basename(ddiAt.file), path: ddiAt.file } : undefined,
        line: ddiAt?.line ?? 0,
        column: ddiAt?.column ?? 0,
        instructionPointerReference: ddiBufferReference(call.ddi, args),
        scopes,
      });
    } else if (e.kind === 'kernel') {
      frames.push({ name: `kernel: ${e.message}`, line: 0, column: 0, scopes: this.adapterScopes([{ name: 'Event', presentationHint: 'locals', expensive: false, vars: this.eventVars(e) }]) });
    } else if (e.kind === 'error') {
      const loc = e.error.location;
      frames.push({
        name: `${e.error.category} error: ${e.error.message.split('\n')[0]}`,
        source: loc ? { name: basename(loc.file), path: loc.file } : undefined,
        line: loc?.line ?? 0,
        column: loc?.column ?? 0,
        scopes: this.adapterScopes([]),
      });
    }
    const causes = call ? call.cause : st.frames;
    for (let i = causes.length - 1; i >= 0; i--) {
      const label = causes[i];
      const stepMatch = /#(\/workload\/\d+[^)]*)\)/.exec(label);
      frames.push({
        name: label,
        source: stepMatch ? this.scenarioSource() : undefined,
        line: stepMatch ? this.stepLine(stepMatch[1]) : 0,
        column: stepMatch ? 1 : 0,
        presentationHint: stepMatch ? 'normal' : 'label',
        scopes: this.adapterScopes([]),
      });
    }
    if (!frames.length) {
      const what = e.kind === 'scenario-step' ? `scenario step ${e.index + 1}: ${e.step.op}` : e.kind === 'done' ? 'finished' : 'kernel';
      frames.push({
        name: what,
        source: e.kind === 'scenario-step' ? this.scenarioSource() : undefined,
        line: e.kind === 'scenario-step' ? this.stepLine(e.step.path) : 0,
        column: e.kind === 'scenario-step' ? 1 : 0,
        scopes: this.adapterScopes([]),
      });
    }
    return frames;
  }

  private eventVars(e: Extract<Event, { kind: 'kernel' }>): VarNode[] {
    return [{ name: 'what', value: e.what }, { name: 'message', value: e.message }, ...childrenOf(e.data, this.reg, '', false)];
  }

  private callScopes(call: NonNullable<MachineState['currentDdi']>, live: boolean): ScopeInfo[] {
    const args = call.args as Record<string, unknown>;
    const vars: VarNode[] = Object.keys(args).map((k) => toVar(k, args[k], args, this.reg, k, live));
    const scopes: ScopeInfo[] = [{ name: `Arguments (${call.ddi})`, presentationHint: 'arguments', expensive: false, vars }];
    if (call.status !== undefined || call.result !== undefined) {
      scopes.push({
        name: 'Return value',
        presentationHint: 'locals',
        expensive: false,
        vars: [
          call.status !== undefined
            ? { name: 'status', value: `${statusName(call.status)} (${hex(call.status)})`, type: 'NTSTATUS', evaluateName: 'status' }
            : { name: 'result', value: formatValue(call.result as Value), evaluateName: 'result' },
        ],
      });
    }
    return this.adapterScopes(scopes);
  }

  private adapterScopes(first: ScopeInfo[]): ScopeInfo[] {
    return [...first, { name: 'Adapter', expensive: false, lazy: 'adapter' }];
  }

  /** Where `engine` runs next, with the length of the buffer it is in (the kernel mirrors the hardware queue). */
  private instructionPointer(engine: number): InstructionPointer | undefined {
    const registers = this.machine.kernel.registers;
    const next = registers.nextInstruction(engine);
    if (!next) return undefined;
    const base = next.address - next.offset;
    const sub = registers.hwQueues[engine]?.find((s) => s.physical === base && s.submissionId === next.submissionId);
    return sub ? { ...next, length: sub.length } : next;
  }

  /** What an engine with nothing to run is doing, as its frame's name. */
  private idleName(engine: number): string {
    const v = this.gpu.hw.engineView(engine);
    const e = this.state?.engines.find((x) => x.engine === engine);
    if (v.state !== 'idle') return `engine ${engine} ${v.state}`;
    if (e && e.lastSubmittedFence > e.lastCompletedFence) return `engine ${engine} idle, fence ${e.lastSubmittedFence} not yet reported complete`;
    return `engine ${engine} idle, waiting for work (fence ${e?.lastCompletedFence ?? 0} done)`;
  }

  private gpuFrames(engine: number): FrameInfo[] {
    const scopes = this.adapterScopes(this.gpu.scopes(engine));
    const next = this.instructionPointer(engine);
    // No instruction: a named note as the source, so selecting the thread focuses it (and F10 then
    // steps this engine, not the kernel), drawn as a caption rather than as "Unknown Source".
    if (!next) {
      const name = this.idleName(engine);
      const at = this.gpu.idleLocation(engine, name.replace(/^engine \d+ /, ''));
      return [{ name, source: at.source, line: at.line, column: 1, presentationHint: 'label', scopes }];
    }
    const base = next.address - next.offset;
    const at = this.gpu.bufferLocation(next, engine);
    return [
      {
        name: `${this.gpu.instructionText(next.address)}  [buffer ${hex(base)}+${hex(next.offset)}]`,
        source: at?.source,
        line: at?.line ?? 0,
        column: at ? 1 : 0,
        instructionPointerReference: formatAddress(next.address),
        scopes,
      },
      { name: `paging buffer, submission ${next.submissionId} at ${hex(base)}`, line: 0, column: 0, presentationHint: 'label', scopes: [] },
    ];
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
    const v = compile(value).evaluate((name) => this.anyName(name));
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

  private callScope(e: Extract<Event, { kind: 'ddi-entry' | 'ddi-return' }>): (name: string) => Value | typeof UNKNOWN {
    const args = e.call.args as Record<string, unknown>;
    return (name) => {
      if (Object.prototype.hasOwnProperty.call(args, name)) return toValue(args[name], name);
      if (name === 'ddi') return e.call.ddi;
      if (name === 'callId') return e.call.id;
      if (name === 'status' && e.call.status !== undefined) return statusValue(e.call.status);
      return this.anyName(name);
    };
  }

  private lookup(name: string): Value | typeof UNKNOWN {
    const e = this.current;
    if (e && (e.kind === 'ddi-entry' || e.kind === 'ddi-return')) {
      const args = e.call.args as Record<string, unknown>;
      if (Object.prototype.hasOwnProperty.call(args, name)) return toValue(args[name], name);
      if (name === 'status' && e.call.status !== undefined) return statusValue(e.call.status);
      if (name === 'ddi') return e.call.ddi;
    }
    switch (name) {
      case 'allocations':
        return toValue(this.state?.allocations ?? []);
      case 'segments':
        return toValue(this.state?.segments ?? []);
    }
    if (name.startsWith('DXGK_OPERATION_')) {
      for (const v of Object.keys(DXGK_OPERATION_NAMES)) {
        const ov = operationValue(Number(v));
        if (ov.names.includes(name)) return ov;
      }
    }
    const seg = this.gpu.hw.segments.find((s) => s.name === name);
    if (seg) return debugAddressOfSegment(seg.id);
    return UNKNOWN;
  }

  /** A name in an expression: the DDI call's and the kernel's first, then the registers of `engine`. */
  private anyName(name: string, engine = 0): Value | typeof UNKNOWN {
    const own = this.lookup(name);
    return own !== UNKNOWN ? own : this.gpu.registerValue(engine, name);
  }

  private names(): string[] {
    const e = this.current;
    const args = e && (e.kind === 'ddi-entry' || e.kind === 'ddi-return') ? Object.keys(e.call.args) : [];
    return [...args, ...this.gpu.registerNames(), 'allocations', 'segments', 'status', 'ddi', ...this.gpu.hw.segments.map((s) => s.name)];
  }

  evaluate(expression: string, _context: string | undefined, threadId: number | undefined): EvaluateResult {
    if (isCommand(expression)) return { result: runCommand(this.commands, expression) };
    const engine = this.gpu.engineOf(threadId) ?? 0;
    const v = compile(expression).evaluate((name) => this.anyName(name, engine));
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
    return complete(this.commands, this.names(), text, column);
  }

  private makeCommands(): ConsoleCommand[] {
    const gpu = gpuCommands(this.gpu, (id) => (this.state ?? this.machine.state()).segments.find((s) => s.id === id));
    const kernel = this.kernel.commands();
    const who: ConsoleCommand = {
      name: 'who',
      args: 'ADDR [LENGTH] [history]',
      help: "Who wrote these bytes last: the GPU instruction, its paging buffer, the DxgkDdiBuildPagingBuffer call, the driver's line, the VidMm operation and the scenario step; 'history' lists every write to the range.",
      run: (argv) => {
        const rest = argv.filter((a) => a.toLowerCase() !== 'history');
        const address = this.gpu.addressArg(rest[0]);
        const length = numberArg(rest, 1, 'LENGTH', 1);
        return formatWho(this.whoWrote(address, length, rest.length < argv.length));
      },
    };
    return [gpu.segments, kernel.alloc, gpu.gart, gpu.fences, kernel.pagingqueue, gpu.pgasm, gpu.db, gpu.regs, who];
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

/** Makes an edit recorded at a moment again, on a replay standing at that moment (its event `event`). */
function applyEdit(m: Machine, edit: Edit, event: MachineEvent | undefined): void {
  if (edit.kind === 'writeMemory' && edit.address !== undefined && edit.data !== undefined) {
    m.gpu.debugWrite(edit.address, Buffer.from(edit.data, 'hex'));
    return;
  }
  if (edit.kind === 'setVariable' && event?.kind === 'ddi-entry') setArgument(event.call.args, edit.path, edit.value);
}
