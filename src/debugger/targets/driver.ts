// Driver mode: a TypeScript miniport driver running on the simulated kernel (src/sim/machine.ts)
// over a scenario. The machine is pulled one event at a time; the kernel thread stops at DDI calls
// and kernel events, each GPU engine's thread before an instruction executes. Every stop reads the
// machine's state, so what the Variables view shows is what the simulator holds at that moment.

import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DXGK_OPERATION_NAMES, NT_SUCCESS, statusName } from '../../sim/ddi/contract';
import { tdrDelayFor } from '../../host/watchdog';
import { DriverError } from '../../sim/driver/errors';
import { DDI_NAMES } from '../../sim/runtime/driverCode';
import { debugAddressOfSegment, formatInstructionAt, Gpu } from '../../sim/hw';
import { KernelError } from '../../sim/kernel/kernelError';
import { createMachine, Machine, MachineEvent, MachineState } from '../../sim/machine';
import { parseScenario, Scenario, ScenarioError } from '../../sim/scenario';
import type { AdapterStateResponse } from '../customRequests';
import { BreakpointRule, check, makeRule } from '../breakpoints';
import { ConsoleCommand, complete, gartCommand, hexDumpCommand, isCommand, numberArg, runCommand } from '../console';
import { disassemble as disassembleRange, DisassemblyContext, MAX_INSTRUCTION_BYTES } from '../disassembly';
import { compile, ExpressionError, formatValue, UNKNOWN, Value } from '../expression';
import type { ResolvedLaunch } from '../launch';
import { formatAddress } from '../memoryReference';
import type {
  BreakpointResult,
  DisassembledInstruction,
  ExceptionDetails,
  FrameInfo,
  FunctionBreakpointSpec,
  InstructionBreakpointSpec,
  RunResult,
  ScopeInfo,
  SourceBreakpointSpec,
  SourceRef,
  StepKind,
  StopInfo,
  StopReason,
  ThreadInfo,
  VarNode,
  WorkerResults,
} from '../runtime/protocol';
import { GPU_THREAD_BASE, KERNEL_THREAD_ID, RunControl, Target } from './target';
import { childrenOf, ObjectRegistry, operationValue, statusValue, toValue, toVar } from './values';

const hex = (n: number | bigint): string => '0x' + n.toString(16);

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

export class DriverTarget implements Target {
  private readonly gpu: Gpu;
  private functionRules: DdiRule[] = [];
  private sourceRules = new Map<string, DdiRule[]>();
  private instructionRules: { rule: BreakpointRule; address: number }[] = [];
  private filters = new Set<string>();
  /** The event the machine is stopped at. */
  private current: Event | undefined;
  private state: MachineState | undefined;
  private readonly reg = new ObjectRegistry();
  private finished = false;
  private readonly commands: ConsoleCommand[];
  private readonly scenarioLines: string[];
  private readonly driverName: string;
  /** Memory written since the last stop (GPU and host writes, and what a driver wrote into a DMA buffer). */
  private writes: { address: number; length: number }[] = [];

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
    let machine: Machine;
    try {
      machine = await createMachine({ driver, scenario, shadow: config.verifier, verifier: config.verifier });
    } catch (e) {
      const attr = e instanceof KernelError && e.category === 'scenario' ? 'scenario' : 'driver';
      throw new Error(`'${attr}': ${e instanceof DriverError || e instanceof Error ? e.message : String(e)}`);
    }
    return new DriverTarget(config, machine, driver, scenarioPath, text);
  }

  private constructor(
    private readonly config: ResolvedLaunch,
    private readonly machine: Machine,
    private readonly driverPath: string,
    private readonly scenarioPath: string,
    scenarioText: string,
  ) {
    this.gpu = machine.gpu;
    this.scenarioLines = scenarioText.split('\n');
    this.driverName = basename(driverPath);
    this.commands = this.makeCommands();
    this.gpu.onEvent((ev) => {
      if (ev.kind === 'write') this.noteWrite(ev.debugAddress, ev.length);
    });
  }

  private noteWrite(address: number, length: number): void {
    const last = this.writes[this.writes.length - 1];
    if (last && last.address + last.length === address) last.length += length;
    else if (this.writes.length < 64) this.writes.push({ address, length });
  }

  // ---- threads and breakpoints ----

  threads(): ThreadInfo[] {
    const out: ThreadInfo[] = [{ id: KERNEL_THREAD_ID, name: `Kernel → ${this.driverName} (DDI calls)` }];
    for (let i = 0; i < this.gpu.config.engines; i++) out.push({ id: GPU_THREAD_BASE + i, name: `GPU paging engine ${i}` });
    return out;
  }

  functionNames(): string[] {
    return DDI_NAMES.slice();
  }

  setFunctionBreakpoints(bps: FunctionBreakpointSpec[]): BreakpointResult[] {
    const kept: DdiRule[] = [];
    const results = bps.map((bp): BreakpointResult => {
      const ddi = DDI_NAMES.find((n) => n === bp.name.trim()) ?? DDI_NAMES.find((n) => n.toLowerCase() === bp.name.trim().toLowerCase());
      if (!ddi) {
        return { id: bp.id, verified: false, message: `'${bp.name}' is not a DDI. Function breakpoints take one of: ${DDI_NAMES.join(', ')}.` };
      }
      try {
        kept.push({ rule: makeRule(bp), ddi, kind: 'function' });
      } catch (e) {
        return { id: bp.id, verified: false, message: (e as Error).message };
      }
      const def = this.machine.kernel.ddi.definitionOf(ddi);
      return def ? { id: bp.id, verified: true, line: def.line, source: { name: basename(def.file), path: def.file } } : { id: bp.id, verified: true };
    });
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

  setInstructionBreakpoints(bps: InstructionBreakpointSpec[]): BreakpointResult[] {
    const kept: { rule: BreakpointRule; address: number }[] = [];
    const sys = this.gpu.config.systemMemoryBytes;
    const results = bps.map((bp): BreakpointResult => {
      if (bp.address >= sys) return { id: bp.id, verified: false, message: `${hex(bp.address)} is not in system memory, where DMA buffers live (0x0..${hex(sys - 1)}).` };
      try {
        kept.push({ rule: makeRule(bp), address: bp.address });
      } catch (e) {
        return { id: bp.id, verified: false, message: (e as Error).message };
      }
      return { id: bp.id, verified: true, instructionReference: formatAddress(bp.address) };
    });
    this.instructionRules = kept;
    return results;
  }

  setExceptionFilters(filters: string[]): void {
    this.filters = new Set(filters);
  }

  // ---- running ----

  start(ctl: RunControl): RunResult {
    if (this.config.stopOnEntry) {
      const e = this.machine.next();
      if (!e) return this.end();
      return this.settle(e, ctl) ?? { kind: 'stopped', stop: this.makeStop(e, 'entry') };
    }
    return this.run('continue', KERNEL_THREAD_ID, ctl);
  }

  run(step: StepKind, threadId: number, ctl: RunControl): RunResult {
    if (this.finished || this.machine.finished) return this.end();
    const engine = threadId >= GPU_THREAD_BASE ? threadId - GPU_THREAD_BASE : -1;
    if (engine >= this.gpu.config.engines || (engine < 0 && threadId !== KERNEL_THREAD_ID)) throw new Error(`there is no thread ${threadId}`);
    const from = this.current;
    const callId = from && (from.kind === 'ddi-entry' || from.kind === 'ddi-return') ? from.call.id : undefined;
    const stepIndex = this.machine.kernel.currentStep?.index;
    for (let n = 0; ; n++) {
      if ((n & 63) === 63 && ctl.pauseRequested() && this.current) return { kind: 'stopped', stop: this.makeStop(this.current, 'pause') };
      const e = this.machine.next();
      if (!e) return this.end();
      this.current = e;
      const bp = this.settle(e, ctl);
      if (bp) return bp;
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
        if (p && typeof p.PhysicalAddress === 'number' && typeof p.Offset === 'number' && p.Offset > 0) this.noteWrite(p.PhysicalAddress, p.Offset);
        if (e.call.status !== undefined && !NT_SUCCESS(e.call.status) && this.filters.has('driverFailure')) {
          const name = statusName(e.call.status);
          return this.stopAt(e, 'exception', `${e.call.ddi} returned ${name}`, {
            exceptionId: `driverFailure.${name}`,
            description: `${e.call.ddi} returned ${name} (${hex(e.call.status)})`,
            breakMode: 'always',
            details: { message: `${e.call.ddi} returned ${name}`, typeName: 'NTSTATUS' },
          });
        }
        return undefined;
      }
      case 'instruction': {
        const rules = this.instructionRules.filter((r) => r.address === e.address);
        if (!rules.length) return undefined;
        const hits: number[] = [];
        for (const r of rules) {
          const c = check(r.rule, (name) => this.lookup(name));
          if (c.stop) hits.push(r.rule.id);
          else if (c.log !== undefined) ctl.output('console', c.log);
        }
        if (!hits.length) return undefined;
        const stop = this.makeStop(e, 'instruction breakpoint');
        stop.hitBreakpointIds = hits;
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
      return { kind: 'terminated', message: `The run failed [${r.error.category}]${where}: ${r.error.message}`, exitCode: 1, category: 'important' };
    }
    return {
      kind: 'terminated',
      message:
        `${this.driverName} on ${basename(this.scenarioPath)} finished: ${s.ddiCalls} DDI calls, ${s.buildCalls} DxgkDdiBuildPagingBuffer, ` +
        `${s.transfers} transfers, ${s.evictions} evictions, ${s.instructions} GPU instructions, ${s.time} ns of virtual time.`,
      exitCode: 0,
      category: 'console',
    };
  }

  // ---- stops, frames and scopes ----

  private makeStop(e: Event, reason: StopReason, text?: string, exception?: ExceptionDetails): StopInfo {
    this.current = e;
    this.reg.clear();
    this.state = this.machine.state();
    const threadId = e.kind === 'instruction' ? GPU_THREAD_BASE + e.engine : KERNEL_THREAD_ID;
    const frames: Record<number, FrameInfo[]> = { [KERNEL_THREAD_ID]: this.kernelFrames(e) };
    for (let i = 0; i < this.gpu.config.engines; i++) frames[GPU_THREAD_BASE + i] = this.gpuFrames(i);
    const stop: StopInfo = { reason, threadId, snapshot: { threads: this.threads(), frames } };
    if (text) {
      stop.text = text;
      stop.description = reason === 'exception' ? `Paused on ${exception?.exceptionId.split('.')[0] ?? 'exception'}` : text;
    }
    if (exception) stop.exception = exception;
    if (this.writes.length) stop.memoryChanged = this.writes.map((w) => ({ memoryReference: formatAddress(w.address), offset: 0, count: w.length }));
    this.writes = [];
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

  private kernelFrames(e: Event): FrameInfo[] {
    const frames: FrameInfo[] = [];
    const st = this.state!;
    const call = e.kind === 'ddi-entry' || e.kind === 'ddi-return' ? e.call : st.currentDdi;
    if (call) {
      const def = this.machine.kernel.ddi.definitionOf(call.ddi);
      const args = call.args as Record<string, unknown>;
      let detail = '';
      if (call.ddi === 'DxgkDdiBuildPagingBuffer' && typeof args.Operation === 'number') detail = DXGK_OPERATION_NAMES[args.Operation] ?? String(args.Operation);
      const phase = e.kind === 'ddi-return' && e.call === call ? ` → ${call.status !== undefined ? statusName(call.status) : formatValue(call.result as Value)}` : '';
      frames.push({
        name: `${call.ddi}(${detail})${phase}`,
        source: def ? { name: basename(def.file), path: def.file } : undefined,
        line: def?.line ?? 0,
        column: def?.column ?? 0,
        scopes: this.callScopes(call, e.kind === 'ddi-entry'),
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

  private gpuFrames(engine: number): FrameInfo[] {
    const v = this.gpu.engineView(engine);
    const regs: ScopeInfo = { name: 'Registers', presentationHint: 'registers', expensive: false, vars: this.registers(engine) };
    // The engine picks up a queued buffer only when it executes its first instruction: ask the kernel's view.
    const next = this.machine.kernel.registers.nextInstruction(engine);
    if (!next) {
      return [{ name: `engine ${engine} ${v.state}${v.queued ? `, ${v.queued} queued` : ''}`, line: 0, column: 0, scopes: this.adapterScopes([regs]) }];
    }
    const base = next.address - next.offset;
    return [
      {
        name: `${this.instructionText(next.address)}  [buffer ${hex(base)}+${hex(next.offset)}]`,
        line: 0,
        column: 0,
        instructionPointerReference: formatAddress(next.address),
        scopes: this.adapterScopes([regs]),
      },
      { name: `paging buffer, submission ${next.submissionId} at ${hex(base)}`, line: 0, column: 0, presentationHint: 'label', scopes: [] },
    ];
  }

  private instructionText(address: number): string {
    const bytes = this.gpu.readPhysical(address, MAX_INSTRUCTION_BYTES);
    return formatInstructionAt(bytes, 0, bytes.length, (id) => this.gpu.segments.find((s) => s.id === id)?.name);
  }

  private registers(engine: number): VarNode[] {
    const v = this.gpu.engineView(engine);
    const e = this.state?.engines.find((x) => x.engine === engine);
    const next = this.machine.kernel.registers.nextInstruction(engine);
    const vars: VarNode[] = [
      { name: 'state', value: v.state },
      { name: 'pc', value: hex(next ? next.offset : v.pc), memoryReference: next ? formatAddress(next.address) : undefined },
      { name: 'pagingFence', value: hex(v.pagingFence) },
      { name: 'busyUntil', value: `${v.busyUntil} ns` },
      { name: 'queued', value: String(v.queued) },
      { name: 'submission', value: v.current ? `#${v.current.submissionId}: ${v.current.length} bytes at ${hex(v.current.physical)}` : 'none', memoryReference: v.current ? formatAddress(v.current.physical) : undefined },
    ];
    if (e) {
      vars.push({ name: 'lastSubmittedFence', value: String(e.lastSubmittedFence) }, { name: 'lastCompletedFence', value: String(e.lastCompletedFence) });
    }
    if (v.fault) vars.push({ name: 'fault', value: `${v.fault.cause}: ${v.fault.message}` });
    return vars;
  }

  vars(key: string): VarNode[] {
    if (key === 'adapter') return this.adapterVars();
    if (key.startsWith('obj:')) {
      const o = this.reg.get(key);
      const live = this.current?.kind === 'ddi-entry';
      return childrenOf(o, this.reg, '', live);
    }
    if (key === 'allocations') {
      return (this.state?.allocations ?? []).map((a) => this.allocationVar(a));
    }
    throw new Error(`unknown variables key ${key}`);
  }

  private allocationVar(a: MachineState['allocations'][number]): VarNode {
    const seg = a.segmentId !== undefined ? this.gpu.segments.find((s) => s.id === a.segmentId) : undefined;
    const where = a.residency === 'resident' && seg ? `${seg.name}+${hex(a.offset ?? 0)}` : 'system memory';
    const ref = a.residency === 'resident' && a.segmentId !== undefined ? formatAddress(debugAddressOfSegment(a.segmentId, a.offset ?? 0)) : undefined;
    return {
      name: `#${a.handle} ${a.name}`,
      value: `${hex(a.size)} bytes, ${a.residency} in ${where}${a.locked ? ', locked' : ''}${a.busy ? ', busy' : ''}`,
      memoryReference: ref,
      children: [
        { name: 'handle', value: String(a.handle) },
        { name: 'size', value: hex(a.size) },
        { name: 'residency', value: a.residency },
        { name: 'location', value: where, memoryReference: ref },
        { name: 'locked', value: String(a.locked) },
        { name: 'content', value: a.content },
        { name: 'busy', value: String(a.busy) },
        { name: 'lastPagingOperation', value: a.lastPagingOperation ?? 'none' },
      ],
    };
  }

  private adapterVars(): VarNode[] {
    const st = this.state ?? this.machine.state();
    return [
      { name: 'time', value: `${st.time} ns` },
      {
        name: 'segments',
        value: `${st.segments.length} segments`,
        children: st.segments.map((s) => ({
          name: `${s.id} ${s.name}`,
          value: `${s.kind}, ${hex(s.used)} of ${hex(s.size)} used, ${s.resident} resident${s.cpuVisible ? ', CPU-visible' : ''}`,
          memoryReference: formatAddress(debugAddressOfSegment(s.id)),
        })),
      },
      { name: 'allocations', value: `${st.allocations.length} allocations`, lazy: 'allocations', count: st.allocations.length },
      {
        name: 'fences',
        value: st.engines.map((e) => `engine ${e.engine}: ${e.lastCompletedFence}/${e.lastSubmittedFence}`).join(', '),
        children: st.engines.map((e) => ({ name: `engine ${e.engine}`, value: `completed ${e.lastCompletedFence}, submitted ${e.lastSubmittedFence}, paging fence ${e.pagingFence}` })),
      },
      {
        name: 'pagingQueue',
        value: `${st.engines.reduce((a, e) => a + e.queue.length, 0)} in flight`,
        children: st.engines.flatMap((e) => e.queue.map((q) => ({ name: `fence ${q.fenceId}`, value: `${q.kind} on engine ${e.engine}: ${q.label}` }))),
      },
      {
        name: 'pagingBuffers',
        value: `${st.pagingBuffers.length} buffers`,
        children: st.pagingBuffers.map((b, i) => ({
          name: `[${i}] ${hex(b.physical)}`,
          value: `${b.state}, written ${hex(b.start)}..${hex(b.write)} of ${hex(b.limit)}`,
          memoryReference: formatAddress(b.physical),
        })),
      },
    ];
  }

  setVariable(key: string, value: string): WorkerResults['setVariable'] {
    const m = /^set:(obj:\d+):(.+)$/.exec(key);
    if (!m || this.current?.kind !== 'ddi-entry') throw new Error('only the arguments of a DDI the driver has not run yet can be changed');
    const o = this.reg.get(m[1]) as Record<string, unknown> | undefined;
    if (!o || !(m[2] in o)) throw new Error('this variable is no longer there');
    const old = o[m[2]];
    const v = compile(value).evaluate((name) => this.lookup(name));
    if (typeof old === 'number') {
      const n = typeof v === 'bigint' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw new ExpressionError(`'${value}' is not a number`);
      o[m[2]] = n;
      return { value: Number.isInteger(n) ? hex(n) : String(n) };
    }
    if (typeof old === 'boolean') {
      if (typeof v !== 'boolean') throw new ExpressionError(`'${value}' is not true or false`);
      o[m[2]] = v;
      return { value: String(v) };
    }
    throw new Error('only numbers and booleans can be changed');
  }

  // ---- memory ----

  readMemory(address: number, count: number): { bytes: Uint8Array; unreadable: number } {
    const r = this.gpu.debugRead(address, count);
    const firstBad = r.unreadable.length ? r.unreadable[0].address - address : count;
    if (firstBad >= count) return { bytes: r.bytes, unreadable: 0 };
    return { bytes: r.bytes.slice(0, firstBad), unreadable: count - firstBad };
  }

  writeMemory(address: number, data: Uint8Array): number {
    const r = this.gpu.debugWrite(address, data);
    if (r.written === 0 && data.length) throw new Error(`${hex(address)} is not writable memory in the debug address space`);
    return r.written;
  }

  private disassemblyContext(): DisassemblyContext {
    const st = this.state ?? this.machine.state();
    const regions = st.pagingBuffers.map((b, i) => ({ start: b.physical, length: b.write, name: `paging buffer ${i}` }));
    for (let i = 0; i < this.gpu.config.engines; i++) {
      const v = this.gpu.engineView(i);
      if (v.current && !regions.some((r) => r.start === v.current!.physical)) regions.push({ start: v.current.physical, length: v.current.length, name: `submission ${v.current.submissionId}` });
    }
    const maxSeg = Math.max(...this.gpu.segments.map((s) => s.id));
    return {
      read: (address, length) => {
        const r = this.gpu.debugRead(address, length);
        const bad = r.unreadable.map((u) => [u.address - address, u.address - address + u.length]);
        return { bytes: r.bytes, readable: (i) => !bad.some(([a, b]) => i >= a && i < b), allReadable: bad.length === 0 };
      },
      regions,
      segmentName: (id) => this.gpu.segments.find((s) => s.id === id)?.name,
      symbolAt: (address) => {
        const r = regions.find((x) => address >= x.start && address < x.start + Math.max(x.length, 1));
        if (r) return r.name;
        for (const a of st.allocations) {
          if (a.residency !== 'resident' || a.segmentId === undefined) continue;
          const base = debugAddressOfSegment(a.segmentId, a.offset ?? 0);
          if (address >= base && address < base + a.size) return `${a.name} (#${a.handle})`;
        }
        return undefined;
      },
      addressLimit: debugAddressOfSegment(maxSeg + 1),
    };
  }

  disassemble(address: number, instructionOffset: number, count: number, resolveSymbols: boolean): DisassembledInstruction[] {
    return disassembleRange(this.disassemblyContext(), address, instructionOffset, count, resolveSymbols);
  }

  // ---- evaluate ----

  private callScope(e: Extract<Event, { kind: 'ddi-entry' | 'ddi-return' }>): (name: string) => Value | typeof UNKNOWN {
    const args = e.call.args as Record<string, unknown>;
    return (name) => {
      if (Object.prototype.hasOwnProperty.call(args, name)) return toValue(args[name], name);
      if (name === 'ddi') return e.call.ddi;
      if (name === 'callId') return e.call.id;
      if (name === 'status' && e.call.status !== undefined) return statusValue(e.call.status);
      return this.lookup(name);
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
      case 'time':
        return this.gpu.now;
      case 'pc':
        return this.gpu.engineView(0).pc;
      case 'pagingFence':
        return this.gpu.engineView(0).pagingFence;
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
    const seg = this.gpu.segments.find((s) => s.name === name);
    if (seg) return debugAddressOfSegment(seg.id);
    return UNKNOWN;
  }

  private names(): string[] {
    const e = this.current;
    const args = e && (e.kind === 'ddi-entry' || e.kind === 'ddi-return') ? Object.keys(e.call.args) : [];
    return [...args, 'time', 'pc', 'pagingFence', 'allocations', 'segments', 'status', 'ddi', ...this.gpu.segments.map((s) => s.name)];
  }

  evaluate(expression: string, _context: string | undefined, _threadId: number | undefined): WorkerResults['evaluate'] {
    if (isCommand(expression)) return { result: runCommand(this.commands, expression) };
    const v = compile(expression).evaluate((name) => this.lookup(name));
    const out: WorkerResults['evaluate'] = { result: formatValue(v), type: typeof v };
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

  completions(text: string, column: number): WorkerResults['completions'] {
    return complete(this.commands, this.names(), text, column);
  }

  private makeCommands(): ConsoleCommand[] {
    const st = (): MachineState => this.state ?? this.machine.state();
    return [
      {
        name: 'segments',
        args: '',
        help: 'Segments: size, use, resident allocations, where they are in the debug address space.',
        run: () =>
          st()
            .segments.map((s) => `${String(s.id).padStart(2)} ${s.name.padEnd(8)} ${s.kind.padEnd(8)} ${hex(s.used).padStart(10)} of ${hex(s.size).padStart(10)} used, ${String(s.resident).padStart(3)} resident${s.cpuVisible ? ', cpu-visible' : ''}  at ${formatAddress(debugAddressOfSegment(s.id))}`)
            .join('\n'),
      },
      {
        name: 'alloc',
        args: '[N]',
        help: 'One allocation by handle, or all of them.',
        run: (argv) => {
          const all = st().allocations;
          const list = argv[0] ? all.filter((a) => a.handle === numberArg(argv, 0, 'N')) : all;
          if (!list.length) throw new ExpressionError(`no allocation ${argv[0]}; handles: ${all.map((a) => a.handle).join(', ') || 'none'}`);
          return list.map((a) => {
            const v = this.allocationVar(a);
            return `${v.name}: ${v.value}${a.lastPagingOperation ? `; last paging operation: ${a.lastPagingOperation}` : ''}${v.memoryReference ? `; at ${v.memoryReference}` : ''}`;
          }).join('\n');
        },
      },
      gartCommand(this.gpu),
      {
        name: 'fences',
        args: '',
        help: 'Per engine: last submitted and completed fence, paging fence register.',
        run: () => st().engines.map((e) => `engine ${e.engine}: submitted ${e.lastSubmittedFence}, completed ${e.lastCompletedFence}, paging fence ${e.pagingFence}`).join('\n'),
      },
      {
        name: 'pagingqueue',
        args: '',
        help: 'What each engine has in flight, by fence id.',
        run: () =>
          st()
            .engines.map((e) => `engine ${e.engine} (${e.state}): ${e.queue.length ? e.queue.map((q) => `\n  fence ${q.fenceId} ${q.kind}: ${q.label}`).join('') : 'nothing in flight'}`)
            .join('\n'),
      },
      {
        name: 'pgasm',
        args: 'ADDR [COUNT]',
        help: 'Disassembles COUNT (default 16) paging instructions at ADDR.',
        run: (argv) => {
          const addr = this.addressArg(argv[0]);
          const count = Math.min(numberArg(argv, 1, 'COUNT', 16), 1000);
          return this.disassemble(addr, 0, count, true)
            .map((i) => `${i.symbol ? i.symbol + ':\n' : ''}  ${i.address}  ${i.instruction}`)
            .join('\n');
        },
      },
      hexDumpCommand(
        (text) => this.addressArg(text),
        (address, count) => this.readMemory(address, count),
      ),
    ];
  }

  private addressArg(text: string | undefined): number {
    if (!text) throw new ExpressionError('missing ADDR');
    const v = compile(text).evaluate((name) => this.lookup(name));
    const n = typeof v === 'bigint' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new ExpressionError(`ADDR '${text}' is not an address`);
    return n;
  }

  adapterState(): AdapterStateResponse {
    const st = this.state ?? this.machine.state();
    return {
      time: st.time,
      segments: st.segments.map((s) => ({
        id: s.id,
        name: s.name,
        kind: s.kind,
        size: s.size,
        used: s.used,
        cpuVisible: s.cpuVisible,
        allocations: st.allocations.filter((a) => a.segmentId === s.id).length,
        resident: s.resident,
        memoryReference: formatAddress(debugAddressOfSegment(s.id)),
      })),
      allocations: st.allocations.map((a) => ({
        handle: a.handle,
        name: a.name,
        size: a.size,
        state: a.residency === 'resident' ? 'resident' : 'evicted',
        segmentId: a.segmentId,
        offset: a.offset,
        locked: a.locked,
        lastPagingOperation: a.lastPagingOperation,
        memoryReference: a.residency === 'resident' && a.segmentId !== undefined ? formatAddress(debugAddressOfSegment(a.segmentId, a.offset ?? 0)) : undefined,
      })),
      fences: st.engines.map((e) => ({ name: `engine ${e.engine}`, value: `${e.lastCompletedFence}/${e.lastSubmittedFence}` })),
      pagingQueue: st.engines.flatMap((e) =>
        e.queue.map((q, i) => ({ fenceValue: String(q.fenceId), operation: q.label, state: (i === 0 && e.state !== 'idle' ? 'running' : 'queued') as 'running' | 'queued' })),
      ),
    };
  }
}
