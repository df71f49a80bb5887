// The DAP session: speaks the protocol, validates every request's arguments, and maps requests to
// calls on the runtime worker (runtime/host.ts). Nothing here simulates anything. What a stop
// needs arrives with the stop and is cached until the next resume, so a client's refresh after a
// step is answered from memory.
//
// Over 600 lines: one handler per DAP request, each short, all reading the one cached stop; the
// launch, the runtime, the targets, the checks of a request's arguments (requestArgs.ts) and the
// stop's frames, scopes and variables references (stopReferences.ts) are their own files.

import { DebugSession, Event, OutputEvent, Response } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { isAbsolute } from 'node:path';
import { LaunchError, ResolvedLaunch, resolveLaunch } from './launch';
import { RuntimeGone, RuntimeHost } from './runtime/host';
import { DriverDebugger } from './driverSource/driverDebugger';
import { LineTravel } from './driverSource/lineTravel';
import type {
  BreakpointResult,
  EvaluateResult,
  FunctionBreakpointSpec,
  InstructionBreakpointSpec,
  DataBreakpointInfo,
  DataBreakpointSpec,
  RunResult,
  SourceBreakpointSpec,
  StepKind,
  StopInfo,
  ThreadInfo,
} from './model';
import { KERNEL_THREAD_ID } from './model';
import { EXCEPTION_FILTERS } from './targets/target';
import { ADAPTER_STATE_REQUEST, GO_TO_MOMENT_REQUEST, SAVE_RECORDING_REQUEST, WHO_WROTE_REQUEST } from './customRequests';
import { formatAddress, parseAddress } from './memoryReference';
import type { ProtocolLog } from './protocolLog';
import { indexOfFrame, StopReferences, threadOfFrame } from './stopReferences';
import { argArray, argInt, Args, argString, asObject, E_ARGS, E_GONE, E_LAUNCH, E_RUNTIME, E_STATE, E_UNKNOWN, optString, RequestError } from './requestArgs';

const MAX_READ = 16 * 1024 * 1024;
const MAX_DISASSEMBLE = 100000;

type Handler = (response: DebugProtocol.Response, args: Args) => Promise<void> | void;

/** A launch that failed in the worker, as the error its response carries (naming the attribute to fix). */
function launchFailure(config: ResolvedLaunch, e: unknown): Error {
  if (e instanceof RequestError || e instanceof LaunchError) return e;
  const attr = config.mode === 'program' ? 'program' : config.driver ? 'driver' : 'scenario';
  const msg = e instanceof Error ? e.message : String(e);
  return /^'\w+':/.test(msg) ? new RequestError(E_LAUNCH, msg) : new LaunchError(attr, msg);
}

export interface SessionOptions {
  /** The script the runtime worker runs: the adapter bundle itself. */
  workerScript: string;
  /** Where every message in and out is recorded, when asked for (protocolLog.ts). */
  log?: ProtocolLog;
}

/** Going back from a stop in a DDI call that hung: the call would have to finish first. */
const HUNG_GOING_BACK =
  "The driver is paused in a DDI call that has not returned (a TDR), and going back from a line of the driver lets its call finish first: continue or terminate; to see the call again, restart and step back from its DDI's entry before it hangs.";

export class PagingLabSession extends DebugSession {
  private host: RuntimeHost | undefined;
  /** Every worker started and not yet disposed: none is left behind, whatever order requests race in. */
  private readonly hosts = new Set<RuntimeHost>();
  /** Launch, restart and disconnect change which worker is the session's one at a time, in arrival order. */
  private lifecycle: Promise<void> = Promise.resolve();
  private disconnected = false;
  /** The driver's own source under the worker's inspector (driver sessions). */
  private driver: DriverDebugger | undefined;
  private config: ResolvedLaunch | undefined;
  private launchArgs: unknown;
  private threadList: ThreadInfo[] = [];
  private functionNames: string[] = [];
  private running = false;
  private terminated = false;
  private stopInfo: StopInfo | undefined;
  /** The target has loaded (a driver's top level has run); until then only the driver's line breakpoints can be placed. */
  private loaded = false;
  /** The worker whose target is loading (its driver's module top level runs, and may be paused at a line). */
  private loading: RuntimeHost | undefined;
  /** Workers a restart replaced while they loaded: their load's failure is no failure of the session. */
  private readonly replaced = new WeakSet<RuntimeHost>();
  /** Breakpoints answered before the target loaded: sent again as changed once it has. */
  private answeredEarly = new Set<number>();
  /** The user stepped off the end of the driver's module top level: the run starts with a stop at the first DDI call. */
  private stepOffLoad = false;
  /** The client asked to terminate or disconnect. */
  private endRequested = false;
  private configurationDone: Promise<void> = Promise.resolve();
  private resolveConfigurationDone: () => void = () => undefined;
  private linesStartAt1 = true;
  private supportsMemoryEvent = false;
  private supportsVariableType = false;

  // Breakpoints as the client last set them, re-applied on restart.
  private sourceBps = new Map<string, SourceBreakpointSpec[]>();
  private functionBps: FunctionBreakpointSpec[] = [];
  private instructionBps: InstructionBreakpointSpec[] = [];
  private dataBps: DataBreakpointSpec[] = [];
  private exceptionFilters: string[] = EXCEPTION_FILTERS.filter((f) => f.default).map((f) => f.filter);
  private nextBreakpointId = 1;

  /** The stop's frames, scopes and variables as the client addresses them, dropped on resume. */
  private readonly refs = new StopReferences();
  private threadsBody: { threads: DebugProtocol.Thread[] } = { threads: [] };

  private readonly handlers: Record<string, Handler>;

  constructor(private readonly options: SessionOptions) {
    super();
    // The library shuts the process down on any 'error', and it raises one for a message that is not
    // JSON. Bad input must not end the session: report it and keep serving. Closing the input still ends it.
    this.removeAllListeners('error');
    this.on('error', (e: unknown) => {
      const text = e && typeof e === 'object' && 'body' in e ? String((e as { body: unknown }).body) : String(e);
      this.sendEvent(new OutputEvent(`Ignored a message that could not be read: ${text}\n`, 'stderr'));
    });
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.handlers = {
      initialize: (r, a) => this.onInitialize(r as DebugProtocol.InitializeResponse, a),
      launch: (r, a) => this.onLaunch(r, a),
      attach: () => {
        throw new RequestError(E_ARGS, "the wddm debugger only launches; use \"request\": \"launch\"");
      },
      configurationDone: (r) => {
        this.resolveConfigurationDone();
        this.sendResponse(r);
      },
      setBreakpoints: (r, a) => this.onSetBreakpoints(r as DebugProtocol.SetBreakpointsResponse, a),
      breakpointLocations: (r, a) => this.onBreakpointLocations(r as DebugProtocol.BreakpointLocationsResponse, a),
      setFunctionBreakpoints: (r, a) => this.onSetFunctionBreakpoints(r as DebugProtocol.SetFunctionBreakpointsResponse, a),
      setExceptionBreakpoints: (r, a) => this.onSetExceptionBreakpoints(r as DebugProtocol.SetExceptionBreakpointsResponse, a),
      setInstructionBreakpoints: (r, a) => this.onSetInstructionBreakpoints(r as DebugProtocol.SetInstructionBreakpointsResponse, a),
      dataBreakpointInfo: (r, a) => this.onDataBreakpointInfo(r as DebugProtocol.DataBreakpointInfoResponse, a),
      setDataBreakpoints: (r, a) => this.onSetDataBreakpoints(r as DebugProtocol.SetDataBreakpointsResponse, a),
      threads: (r) => {
        (r as DebugProtocol.ThreadsResponse).body = this.threadsBody;
        this.sendResponse(r);
      },
      stackTrace: (r, a) => this.onStackTrace(r as DebugProtocol.StackTraceResponse, a),
      scopes: (r, a) => this.onScopes(r as DebugProtocol.ScopesResponse, a),
      variables: (r, a) => this.onVariables(r as DebugProtocol.VariablesResponse, a),
      setVariable: (r, a) => this.onSetVariable(r as DebugProtocol.SetVariableResponse, a),
      continue: (r, a) => this.onResume(r, a, 'continue'),
      next: (r, a) => this.onResume(r, a, 'next'),
      stepIn: (r, a) => this.onResume(r, a, 'stepIn'),
      stepOut: (r, a) => this.onResume(r, a, 'stepOut'),
      stepBack: (r, a) => this.onResume(r, a, 'stepBack'),
      reverseContinue: (r, a) => this.onResume(r, a, 'reverseContinue'),
      pause: (r, a) => this.onPause(r, a),
      restart: (r, a) => this.onRestart(r, a),
      terminate: (r) => this.onTerminate(r),
      disconnect: (r) => this.onDisconnect(r),
      exceptionInfo: (r, a) => this.onExceptionInfo(r as DebugProtocol.ExceptionInfoResponse, a),
      readMemory: (r, a) => this.onReadMemory(r as DebugProtocol.ReadMemoryResponse, a),
      writeMemory: (r, a) => this.onWriteMemory(r as DebugProtocol.WriteMemoryResponse, a),
      disassemble: (r, a) => this.onDisassemble(r as DebugProtocol.DisassembleResponse, a),
      source: (r, a) => this.onSource(r as DebugProtocol.SourceResponse, a),
      evaluate: (r, a) => this.onEvaluate(r as DebugProtocol.EvaluateResponse, a),
      completions: (r, a) => this.onCompletions(r as DebugProtocol.CompletionsResponse, a),
      [WHO_WROTE_REQUEST]: async (r, a) => {
        const ref = argString(a, 'memoryReference');
        const address = parseAddress(ref);
        if (address === undefined) throw new RequestError(E_ARGS, `'memoryReference' must be an address such as 0x1000, got ${JSON.stringify(ref)}`);
        const length = a.length === undefined ? 1 : argInt(a, 'length', { min: 1, max: 1 << 20 });
        if (a.history !== undefined && typeof a.history !== 'boolean') throw new RequestError(E_ARGS, "'history' must be true or false");
        this.needStopped();
        r.body = await this.need().call({ op: 'whoWrote', address, length, history: a.history === true });
        this.sendResponse(r);
      },
      [GO_TO_MOMENT_REQUEST]: (r, a) => this.onGoToMoment(r, a),
      restartFrame: (r, a) => this.onRestartFrame(r, a),
      [ADAPTER_STATE_REQUEST]: async (r) => {
        r.body = await this.need().call({ op: 'adapterState' });
        this.sendResponse(r);
      },
      [SAVE_RECORDING_REQUEST]: async (r, a) => {
        const host = this.need();
        if (this.running) throw new RequestError(E_STATE, 'the target is running; pause it before saving its recording');
        const file = argString(a, 'file');
        if (!isAbsolute(file)) throw new RequestError(E_ARGS, `'file' must be an absolute path, got ${JSON.stringify(file)}`);
        r.body = await host.call({ op: 'saveRecording', file });
        this.sendResponse(r);
      },
    };
  }

  // ---- dispatch: every request gets exactly one response, whatever it contains ----

  override sendEvent(event: DebugProtocol.Event): void {
    this.options.log?.('out', event);
    super.sendEvent(event);
  }

  override sendResponse(response: DebugProtocol.Response): void {
    this.options.log?.('out', response);
    super.sendResponse(response);
  }

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    this.options.log?.('in', request);
    const req = request as unknown as Args;
    if (typeof req.seq !== 'number' || !Number.isInteger(req.seq) || req.seq < 1) {
      // A response must name its request by a seq of 1 or more: without one there is nothing a
      // response could answer, so the client hears about it as output instead.
      const what = typeof req.command === 'string' ? `'${req.command.slice(0, 100)}'` : 'without a command';
      this.sendEvent(new OutputEvent(`Ignored a request ${what}: a request needs a 'seq' that is an integer from 1, got ${JSON.stringify(req.seq) ?? 'nothing'}.\n`, 'stderr'));
      return;
    }
    if (typeof req.command !== 'string') {
      const response = new Response({ seq: req.seq, command: 'unknown', type: 'request' } as DebugProtocol.Request);
      this.fail(response, new RequestError(E_ARGS, "a request needs a string 'command'"));
      return;
    }
    const response = new Response(request);
    let args: Args;
    try {
      args = request.arguments === undefined ? {} : asObject(request.arguments, `the arguments of '${request.command}'`);
    } catch (e) {
      this.fail(response, e);
      return;
    }
    const handler = Object.prototype.hasOwnProperty.call(this.handlers, request.command) ? this.handlers[request.command] : undefined;
    if (!handler) {
      this.fail(response, new RequestError(E_UNKNOWN, `unrecognized request '${request.command}'`));
      return;
    }
    try {
      const p = handler(response, args);
      if (p) p.catch((e: unknown) => this.fail(response, e));
    } catch (e) {
      this.fail(response, e);
    }
  }

  private fail(response: DebugProtocol.Response, e: unknown): void {
    const code = e instanceof RequestError ? e.code : e instanceof LaunchError ? E_LAUNCH : e instanceof RuntimeGone ? E_GONE : E_RUNTIME;
    const message = e instanceof Error ? e.message : String(e);
    response.success = false;
    response.body = undefined;
    this.sendErrorResponse(response, { id: code, format: message.replace(/[{}]/g, (c) => (c === '{' ? '(' : ')')), showUser: code === E_LAUNCH || code === E_GONE });
  }

  private need(): RuntimeHost {
    if (this.terminated) throw new RequestError(E_STATE, 'the debug session has ended');
    if (!this.host) throw new RequestError(E_STATE, 'nothing is running yet: send launch first');
    return this.host;
  }

  private needStopped(): StopInfo {
    this.need();
    if (this.running || !this.stopInfo) throw new RequestError(E_STATE, 'the target is running; pause it first');
    return this.stopInfo;
  }

  private clientLine(line: number): number {
    return this.linesStartAt1 ? line : line - 1;
  }

  private debuggerLine(line: number): number {
    return this.linesStartAt1 ? line : line + 1;
  }

  // ---- initialize and launch ----

  private onInitialize(response: DebugProtocol.InitializeResponse, args: Args): void {
    if (typeof args.linesStartAt1 === 'boolean') this.linesStartAt1 = args.linesStartAt1;
    this.supportsMemoryEvent = args.supportsMemoryEvent === true;
    this.supportsVariableType = args.supportsVariableType === true;
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsSetVariable: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsExceptionInfoRequest: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsInstructionBreakpoints: true,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      supportsSteppingGranularity: true,
      supportsStepBack: true,
      // Time travel to where a frame began (a DDI call's entry, a scenario step, a paging buffer's start).
      supportsRestartFrame: true,
      supportsCompletionsRequest: true,
      supportsBreakpointLocationsRequest: true,
      completionTriggerCharacters: ['!', '.'],
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({ filter: f.filter, label: f.label, description: f.description, default: f.default })),
    };
    this.sendResponse(response);
  }

  /** Runs `op` after the lifecycle changes requested before it have finished. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.lifecycle.then(op, op);
    this.lifecycle = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Stops a worker for good and forgets it. */
  private retire(host: RuntimeHost): Promise<void> {
    this.hosts.delete(host);
    if (this.host === host) this.host = undefined;
    return host.dispose();
  }

  private async onLaunch(response: DebugProtocol.Response, args: Args): Promise<void> {
    if (this.host || this.terminated || this.launchArgs !== undefined) throw new RequestError(E_STATE, 'this session has already launched; start a new session to launch again');
    const config = resolveLaunch(args);
    this.launchArgs = args;
    this.configurationDone = new Promise((resolve) => (this.resolveConfigurationDone = resolve));
    let host: RuntimeHost | undefined;
    try {
      // A driver is compiled first and runs no code until the client's breakpoints are in, so they
      // bind before its first line, the module's top level included.
      host = await this.serial(() => this.prepare(config));
      if (!this.driver?.ready) await this.serial(() => this.loadTarget(host!));
    } catch (e) {
      this.launchArgs = undefined;
      throw e;
    }
    this.sendEvent(new Event('initialized'));
    // Clients send configurationDone after the breakpoints; do not wait forever on one that does not.
    await Promise.race([this.configurationDone, new Promise((r) => setTimeout(r, 5000).unref())]);
    try {
      if (!this.loaded) await this.serial(() => this.loadTarget(host!));
    } catch (e) {
      // The client terminated or disconnected while the driver loaded (paused at a top-level line, say),
      // or restarted: the session has ended or gone on with another worker, not failed.
      if (this.endRequested || this.replaced.has(host!)) {
        this.sendResponse(response);
        return;
      }
      throw e;
    }
    this.sendResponse(response);
    await this.begin();
  }

  /**
   * Starts a worker; for a driver debugged at source level, compiles it without running any of it,
   * so its line breakpoints can be placed before its module's top level runs.
   */
  private async prepare(config: ResolvedLaunch): Promise<RuntimeHost> {
    if (this.disconnected) throw new RequestError(E_STATE, 'the client has disconnected');
    this.config = config;
    const driver = config.mode === 'program' ? undefined : this.newDriverDebugger();
    this.driver = driver;
    this.loaded = false;
    this.stepOffLoad = false;
    const host = new RuntimeHost({
      script: this.options.workerScript,
      tdrDelayMs: config.tdrDelayMs,
      onOutput: (category, text) => this.sendEvent(new OutputEvent(text.endsWith('\n') ? text : text + '\n', category)),
      onDeath: (message) => {
        if (this.host !== host) return;
        this.endWith(message, 1);
      },
      ...(driver ? { inspector: { attach: (link, h) => driver.attach(link, h), onHang: (t) => driver.pauseForHang(t) } } : {}),
    });
    this.host = host;
    this.hosts.add(host);
    this.terminated = false;
    try {
      const early = await host.call({ op: 'compile', config });
      if (early.threads) this.useThreads(early.threads);
      if (driver && early.driverScript && host.link) driver.setScript(early.driverScript);
    } catch (e) {
      await this.retire(host);
      throw launchFailure(config, e);
    }
    await driver?.setExceptionFilters(this.exceptionFilters);
    return host;
  }

  /**
   * Loads the target: a driver's module top level runs here (a run of its own, so a breakpoint or a
   * hang there stops on its line). Then the breakpoints that need the loaded target are applied, and
   * those answered before it was loaded are sent again as changed.
   */
  private async loadTarget(host: RuntimeHost): Promise<void> {
    const config = this.config!;
    const driver = this.driver;
    let info;
    this.resumed();
    driver?.runStarting();
    this.loading = host;
    try {
      info = await host.call({ op: 'launch', config });
    } catch (e) {
      this.running = false;
      await this.retire(host);
      throw launchFailure(config, e);
    } finally {
      if (this.loading === host) this.loading = undefined;
      this.stepOffLoad = !!driver?.stepping;
      driver?.runEnded();
    }
    this.running = false;
    this.loaded = true;
    this.useThreads(info.threads);
    this.functionNames = info.functionNames;
    if (driver && !driver.ready && info.driverScript && host.link) driver.setScript(info.driverScript);
    const changed: BreakpointResult[] = [];
    if (!driver?.ready) for (const [path, bps] of this.sourceBps) changed.push(...(await this.setSourceBreakpoints(path, bps)));
    changed.push(...(await host.call({ op: 'setFunctionBreakpoints', breakpoints: this.functionBps })));
    changed.push(...(await host.call({ op: 'setInstructionBreakpoints', breakpoints: this.instructionBps })));
    if (this.dataBps.length) changed.push(...(await host.call({ op: 'setDataBreakpoints', breakpoints: this.dataBps })));
    await host.call({ op: 'setExceptionFilters', filters: this.exceptionFilters });
    for (const r of changed) {
      if (this.answeredEarly.delete(r.id)) this.sendEvent(new Event('breakpoint', { reason: 'changed', breakpoint: this.toDapBreakpoint(r) }));
    }
    this.answeredEarly.clear();
  }

  private useThreads(threads: ThreadInfo[]): void {
    this.threadList = threads;
    this.threadsBody = { threads: threads.map((t) => ({ id: t.id, name: t.name })) };
  }

  private async begin(): Promise<void> {
    const host = this.host;
    if (!host || this.terminated) return;
    this.resumed();
    this.driver?.runStarting();
    try {
      // A step off the end of the module's top level stops where the driver is called next.
      this.onRunResult(await host.call({ op: 'start', ...(this.stepOffLoad ? { stopOnEntry: true } : {}) }), host);
    } catch (e) {
      if (!(e instanceof RuntimeGone)) this.endWith(`The simulation failed to start: ${(e as Error).message}`, 1);
    }
  }

  private newDriverDebugger(): DriverDebugger {
    const driver: DriverDebugger = new DriverDebugger({
      stopped: (stop) => {
        if (this.driver !== driver || this.terminated) return;
        const quiet = this.quietDriverStop;
        this.quietDriverStop = undefined;
        if (quiet) quiet();
        else this.showStop(stop);
      },
      output: (category, text) => this.sendEvent(new OutputEvent(text, category)),
      unpausableHang: (t) => {
        if (this.driver === driver) this.host?.hang(t);
      },
    });
    return driver;
  }

  /** Breakpoints of one file: the driver's files (and any other, to say it is not the driver's) bind through the inspector. */
  private setSourceBreakpoints(path: string, bps: SourceBreakpointSpec[]): Promise<BreakpointResult[]> {
    if (this.driver?.ready) return this.driver.setBreakpoints(path, bps);
    return this.need().call({ op: 'setSourceBreakpoints', path, breakpoints: bps });
  }

  // ---- running and stopping ----

  private resumed(): void {
    this.host?.clearPause();
    this.running = true;
    this.stopInfo = undefined;
    this.refs.clear();
  }

  private onRunResult(result: RunResult, host: RuntimeHost): void {
    if (this.host !== host) return;
    // A run going back from a driver line ends on its way, not shown (driverSource/lineTravel.ts).
    const intercept = this.interceptRun;
    if (intercept) {
      this.interceptRun = undefined;
      intercept(result);
      return;
    }
    this.driver?.runEnded();
    if (result.kind === 'terminated') {
      this.endWith(result.message, result.exitCode, result.category);
      return;
    }
    this.showStop(result.stop);
  }

  /** Set while going back from a driver line waits for the call it left to finish: that run's end is not a stop. */
  private interceptRun: ((r: RunResult) => void) | undefined;
  /** Set while going back from a driver line runs a call again to where it stood: that driver stop is not shown. */
  private quietDriverStop: (() => void) | undefined;

  /** Going back where the driver's code runs (driverSource/lineTravel.ts), with this session's worker and driver debugger. */
  private lineTravel(host: RuntimeHost, driver: DriverDebugger): LineTravel {
    return new LineTravel({
      host,
      driver,
      endOfRun: () =>
        new Promise<RunResult>((resolve) => {
          this.interceptRun = resolve;
        }),
      quietDriverStop: () => ({
        reached: new Promise<void>((resolve) => {
          this.quietDriverStop = resolve;
        }),
        cancel: () => {
          this.quietDriverStop = undefined;
        },
      }),
      show: (r) => this.onRunResult(r, host),
    });
  }

  private showStop(stop: StopInfo): void {
    this.running = false;
    this.stopInfo = stop;
    if (stop.snapshot.threads.length) {
      this.threadList = stop.snapshot.threads;
      this.threadsBody = { threads: stop.snapshot.threads.map((t) => ({ id: t.id, name: t.name })) };
    }
    const body: DebugProtocol.StoppedEvent['body'] = { reason: stop.reason, threadId: stop.threadId, allThreadsStopped: true };
    if (stop.description) body.description = stop.description;
    if (stop.text) body.text = stop.text;
    if (stop.hitBreakpointIds?.length) body.hitBreakpointIds = stop.hitBreakpointIds;
    const ev = new Event('stopped', body);
    this.sendEvent(ev);
    if (this.supportsMemoryEvent && stop.memoryChanged) {
      for (const m of stop.memoryChanged) this.sendEvent(new Event('memory', m));
    }
  }

  private endWith(message: string | undefined, exitCode: number, category: OutputEvent['body']['category'] = 'important'): void {
    if (this.terminated) return;
    this.terminated = true;
    this.running = false;
    this.stopInfo = undefined;
    if (message) this.sendEvent(new OutputEvent(message.endsWith('\n') ? message : message + '\n', category));
    this.sendEvent(new Event('exited', { exitCode }));
    this.sendEvent(new Event('terminated'));
    this.driver?.ended();
    const host = this.host;
    if (host) void this.retire(host);
  }

  private onResume(response: DebugProtocol.Response, args: Args, step: StepKind): void {
    const host = this.need();
    const threadId = argInt(args, 'threadId');
    if (!this.threadList.some((t) => t.id === threadId)) throw new RequestError(E_ARGS, `there is no thread ${threadId}`);
    if (this.running) throw new RequestError(E_STATE, 'the target is already running');
    if (args.granularity !== undefined && !['statement', 'line', 'instruction'].includes(args.granularity as string)) {
      throw new RequestError(E_ARGS, `'granularity' must be statement, line or instruction`);
    }
    const driver = this.driver;
    const atDriverLine = !!driver?.paused;
    const reverse = step === 'stepBack' || step === 'reverseContinue';
    if (reverse && this.config?.mode === 'program') {
      throw new RequestError(E_STATE, 'Step back and reverse continue work in driver sessions: a .pgasm program run on its own keeps no timeline. Restart the program to see it again from the start.');
    }
    const failed = (what: string) => (e: unknown) => {
      if (e instanceof RuntimeGone || this.host !== host) return;
      this.endWith(`${what}: ${(e as Error).message}`, 1);
    };
    if (reverse && atDriverLine) {
      // Going back from a line of the driver runs its call again (driverSource/lineTravel.ts).
      if (driver!.hung) throw new RequestError(E_STATE, HUNG_GOING_BACK);
      const back = driver!.goingBack();
      const plan = step === 'stepBack' && threadId === KERNEL_THREAD_ID ? back.stepBack : undefined;
      if (step === 'stepBack' && !plan) {
        throw new RequestError(
          E_STATE,
          threadId === KERNEL_THREAD_ID
            ? "The driver is paused at a line of its source outside any DDI call (its module's top level), and its JavaScript cannot run backwards: continue to a stop of the kernel or the GPU, then step back from there."
            : "The driver is paused at a line of its source: step the GPU's threads back from a stop of the kernel or the GPU (step out to the DDI call's return first).",
        );
      }
      this.resumed();
      this.sendResponse(response);
      const travel = this.lineTravel(host, driver!);
      (plan ? travel.stepBack(plan) : travel.reverseContinue(threadId, back.within, back.countAgain)).catch(failed(plan ? "Step Back could not run the driver's call again" : "Reverse Continue could not run the driver's call again"));
      return;
    }
    const enterDdi = !atDriverLine && driver?.ready && step === 'stepIn' && threadId === KERNEL_THREAD_ID;
    this.resumed();
    if (step === 'continue') (response as DebugProtocol.ContinueResponse).body = { allThreadsContinued: true };
    this.sendResponse(response);
    if (atDriverLine) {
      // The run this driver stop is part of goes on; its end arrives where it was started.
      driver!.resumeFrom(step, threadId).catch((e: unknown) => this.endWith(`The driver could not be resumed: ${(e as Error).message}`, 1));
      return;
    }
    if (reverse && driver?.ready) {
      this.lineTravel(host, driver).backwards(step, threadId).catch(failed('The simulation failed'));
      return;
    }
    driver?.runStarting();
    (enterDdi ? driver!.prepareStepIn() : Promise.resolve()).then(() => host.call({ op: 'run', step, threadId })).then((r) => this.onRunResult(r, host), failed('The simulation failed'));
  }

  /** pagingLab.goToMoment: the timeline travels there (refused with a reason before anything moves), then a `goto` stop. */
  private onGoToMoment(response: DebugProtocol.Response, args: Args): Promise<void> {
    const moment = argInt(args, 'moment', { min: 0 });
    if (this.running) throw new RequestError(E_STATE, 'the target is running; pause it before going to another moment');
    if (this.config?.mode === 'program') throw new RequestError(E_STATE, 'Going to a moment works in driver sessions: a .pgasm program run on its own keeps no timeline.');
    return this.travelTo(response, moment, false);
  }

  /** Restart Frame: time travel to the moment the frame began (its `restart`), a stop with reason `restart`. */
  private onRestartFrame(response: DebugProtocol.Response, args: Args): Promise<void> {
    const frameId = argInt(args, 'frameId');
    if (this.config?.mode === 'program') throw new RequestError(E_STATE, 'Restart Frame works in driver sessions, which keep a timeline: a .pgasm program run on its own keeps none. Restart the program to run it again from the start.');
    const frame = this.refs.frameOf(this.needStopped(), frameId);
    if (frame.restart === undefined) {
      throw new RequestError(E_ARGS, `'${frame.name}' cannot be restarted: Restart Frame goes back to where a DDI call, a scenario step or a paging buffer began, and this frame is none of those (or began where it stands)`);
    }
    const driver = this.driver;
    if (driver?.hung) throw new RequestError(E_STATE, HUNG_GOING_BACK);
    if (driver?.paused) {
      // From a line of the driver: its call finishes first, not shown (driverSource/lineTravel.ts).
      const host = this.need();
      this.resumed();
      this.sendResponse(response);
      return this.lineTravel(host, driver).travel(frame.restart, 'restart').catch((e: unknown) => {
        if (!(e instanceof RuntimeGone) && this.host === host) this.endWith(`Restart Frame could not let the driver's call finish: ${(e as Error).message}`, 1);
      });
    }
    return this.travelTo(response, frame.restart, true);
  }

  /** Travels to `moment` (Go to moment, or Restart Frame with `restart`), answering, then stopping there. */
  private async travelTo(response: DebugProtocol.Response, moment: number, restart: boolean): Promise<void> {
    const host = this.need();
    const driver = this.driver;
    if (driver?.hung) throw new RequestError(E_STATE, HUNG_GOING_BACK);
    if (driver?.paused) {
      throw new RequestError(E_STATE, "The driver is paused at a line of its source, and its JavaScript cannot be moved to another moment: step out to the DDI call's return (or continue to a stop of the kernel or the GPU), then go there.");
    }
    // The replay runs driver code the user has already seen run: its line breakpoints must not stop it.
    const quiet = !!driver?.ready;
    this.running = true;
    let result: RunResult;
    try {
      if (quiet) await driver!.skipPauses(true);
      result = await host.call({ op: 'goToMoment', moment, as: restart ? 'restart' : undefined });
    } catch (e) {
      this.running = false;
      throw new RequestError(E_ARGS, (e as Error).message);
    } finally {
      if (quiet) await driver!.skipPauses(false);
    }
    this.resumed();
    this.sendResponse(response);
    this.onRunResult(result, host);
  }

  private onPause(response: DebugProtocol.Response, args: Args): void {
    const host = this.need();
    argInt(args, 'threadId');
    if (this.running) {
      host.requestPause();
      this.driver?.requestPause();
    }
    this.sendResponse(response);
  }

  private async onRestart(response: DebugProtocol.Response, args: Args): Promise<void> {
    if (this.launchArgs === undefined) throw new RequestError(E_STATE, 'nothing to restart: send launch first');
    const newArgs = args.arguments !== undefined ? args.arguments : this.launchArgs;
    const config = resolveLaunch(newArgs);
    this.endRequested = false;
    // A load still in progress (the driver paused at a line of its module's top level) holds the
    // lifecycle below until it ends: its worker goes first, so the load ends.
    if (this.loading) {
      this.replaced.add(this.loading);
      await this.retire(this.loading);
    }
    // One restart at a time: each replaces the worker the previous one started, so none is orphaned.
    // The driver's line breakpoints go in before its module runs.
    const host = await this.serial(async () => {
      for (const h of [...this.hosts]) await this.retire(h);
      this.driver?.ended();
      this.driver = undefined;
      this.launchArgs = newArgs;
      const h = await this.prepare(config);
      for (const [path, bps] of this.sourceBps) await this.setSourceBreakpoints(path, bps);
      return h;
    });
    // Answered before the driver loads: its top level may stop at a breakpoint, and the client must be able to go on from there.
    this.sendResponse(response);
    if (this.host !== host) return;
    try {
      await this.serial(() => this.loadTarget(host));
    } catch (e) {
      if (this.terminated || this.replaced.has(host)) return; // Ended, or another restart replaced this worker.
      this.endWith(`The restarted session could not load: ${(e as Error).message}`, 1);
      return;
    }
    if (this.host === host) await this.begin();
  }

  private async onTerminate(response: DebugProtocol.Response): Promise<void> {
    this.endRequested = true;
    const host = this.host;
    this.sendResponse(response);
    if (host && !this.terminated) this.endWith('The debug session was terminated.', 0, 'console');
  }

  private async onDisconnect(response: DebugProtocol.Response): Promise<void> {
    this.endRequested = true;
    this.disconnected = true;
    this.terminated = true;
    this.driver?.ended();
    // Every worker, including one a launch or restart still in progress has started.
    await Promise.all([...this.hosts].map((h) => this.retire(h)));
    await this.serial(async () => {
      await Promise.all([...this.hosts].map((h) => this.retire(h)));
    });
    this.sendResponse(response);
  }

  // ---- breakpoints ----

  private breakpointFields(o: Args): { condition?: string; hitCondition?: string; logMessage?: string } {
    return { condition: optString(o, 'condition'), hitCondition: optString(o, 'hitCondition'), logMessage: optString(o, 'logMessage') };
  }

  private toDapBreakpoint(r: BreakpointResult): DebugProtocol.Breakpoint {
    const bp: DebugProtocol.Breakpoint = { id: r.id, verified: r.verified };
    if (r.message) bp.message = r.message;
    if (r.line !== undefined) bp.line = this.clientLine(r.line);
    if (r.source) bp.source = { ...r.source };
    if (r.instructionReference) bp.instructionReference = r.instructionReference;
    return bp;
  }

  /**
   * Breakpoints set before the target can check them: unverified for now. Before launch they are
   * checked when it comes; during it (the driver compiled, not yet loaded) they are sent again as
   * changed once it has loaded.
   */
  private notYet(specs: { id: number; line?: number }[]): BreakpointResult[] {
    const launching = !!this.host && !this.terminated;
    if (launching) for (const s of specs) this.answeredEarly.add(s.id);
    const message = launching ? 'The breakpoint is checked once the driver has loaded.' : 'The breakpoint is checked when the session launches.';
    return specs.map((s) => ({ id: s.id, verified: false, ...(s.line !== undefined ? { line: s.line } : {}), message }));
  }

  private async onSetBreakpoints(response: DebugProtocol.SetBreakpointsResponse, args: Args): Promise<void> {
    const source = asObject(args.source, "'source'");
    const path = optString(source, 'path');
    if (!path) throw new RequestError(E_ARGS, "'source.path' is required: breakpoints go in files (.pgasm, the driver's .ts)");
    const list = args.breakpoints !== undefined ? argArray(args, 'breakpoints') : argArray(args, 'lines', true).map((l) => ({ line: l }));
    const specs: SourceBreakpointSpec[] = list.map((b, i) => {
      const o = asObject(b, `breakpoints[${i}]`);
      const line = argInt(o, 'line', { min: this.linesStartAt1 ? 1 : 0 });
      return { id: this.nextBreakpointId++, line: this.debuggerLine(line), ...this.breakpointFields(o) };
    });
    this.sourceBps.set(path, specs);
    let results: BreakpointResult[];
    if (this.host && !this.terminated && (this.loaded || this.driver?.ready)) results = await this.setSourceBreakpoints(path, specs);
    else results = this.notYet(specs);
    response.body = { breakpoints: results.map((r) => this.toDapBreakpoint(r)) };
    this.sendResponse(response);
  }

  private async onBreakpointLocations(response: DebugProtocol.BreakpointLocationsResponse, args: Args): Promise<void> {
    const source = asObject(args.source, "'source'");
    const path = optString(source, 'path');
    const line = this.debuggerLine(argInt(args, 'line', { min: 0 }));
    const endLine = args.endLine === undefined ? undefined : this.debuggerLine(argInt(args, 'endLine', { min: 0 }));
    let lines: number[] = [];
    if (path && this.driver?.ready) lines = this.driver.breakpointLines(path, line, endLine ?? line);
    else if (path && this.host && !this.terminated && this.loaded) lines = await this.host.call({ op: 'breakpointLines', path, line, endLine });
    response.body = { breakpoints: lines.map((l) => ({ line: this.clientLine(l) })) };
    this.sendResponse(response);
  }

  private async onSetFunctionBreakpoints(response: DebugProtocol.SetFunctionBreakpointsResponse, args: Args): Promise<void> {
    const list = argArray(args, 'breakpoints');
    this.functionBps = list.map((b, i) => {
      const o = asObject(b, `breakpoints[${i}]`);
      return { id: this.nextBreakpointId++, name: argString(o, 'name'), ...this.breakpointFields(o) };
    });
    let results: BreakpointResult[];
    // Also while a driver is compiled and not yet loaded: the worker checks them against its files.
    if (this.host && !this.terminated && (this.loaded || this.driver?.ready)) results = await this.host.call({ op: 'setFunctionBreakpoints', breakpoints: this.functionBps });
    else results = this.notYet(this.functionBps);
    response.body = { breakpoints: results.map((r) => this.toDapBreakpoint(r)) };
    this.sendResponse(response);
  }

  private async onSetInstructionBreakpoints(response: DebugProtocol.SetInstructionBreakpointsResponse, args: Args): Promise<void> {
    const list = argArray(args, 'breakpoints');
    this.instructionBps = list.map((b, i) => {
      const o = asObject(b, `breakpoints[${i}]`);
      const ref = argString(o, 'instructionReference');
      const base = parseAddress(ref);
      if (base === undefined) throw new RequestError(E_ARGS, `breakpoints[${i}].instructionReference must be an address such as 0x1000, got ${JSON.stringify(ref)}`);
      const offset = o.offset === undefined ? 0 : argInt(o, 'offset');
      return { id: this.nextBreakpointId++, address: base + offset, condition: optString(o, 'condition'), hitCondition: optString(o, 'hitCondition') };
    });
    let results: BreakpointResult[];
    if (this.host && !this.terminated && this.loaded) results = await this.host.call({ op: 'setInstructionBreakpoints', breakpoints: this.instructionBps });
    else results = this.notYet(this.instructionBps);
    response.body = { breakpoints: results.map((r) => this.toDapBreakpoint(r)) };
    this.sendResponse(response);
  }

  /**
   * What a data breakpoint would watch: a variable (its `dataId`: an allocation, a DMA buffer, an
   * MDL), an expression, or an address and a length ("Add Data Breakpoint at Address").
   */
  private async onDataBreakpointInfo(response: DebugProtocol.DataBreakpointInfoResponse, args: Args): Promise<void> {
    const name = argString(args, 'name');
    const host = this.need();
    const bytes = args.bytes === undefined ? undefined : argInt(args, 'bytes');
    let info: DataBreakpointInfo;
    if (args.asAddress === true) {
      const address = parseAddress(name.trim());
      info = address === undefined ? { dataId: null, description: `'${name}' is not an address such as 0x1000` } : await host.call({ op: 'dataBreakpointInfo', name, address, bytes: bytes ?? 1 });
    } else if (args.variablesReference !== undefined) {
      const ref = argInt(args, 'variablesReference');
      const node = this.refs.entry(ref).nodes?.find((n) => n.name === name);
      if (!node) throw new RequestError(E_ARGS, `there is no variable '${name}' here`);
      const address = node.memoryReference ? parseAddress(node.memoryReference) : undefined;
      if (node.dataId) info = await host.call({ op: 'dataBreakpointInfo', name, dataId: node.dataId });
      else if (address !== undefined && bytes !== undefined) info = await host.call({ op: 'dataBreakpointInfo', name, address, bytes });
      else info = { dataId: null, description: `'${name}' is not memory a data breakpoint can watch (an allocation, a DMA buffer, an MDL, or an address with "Add Data Breakpoint at Address")` };
    } else {
      const frameThread = args.frameId === undefined ? undefined : threadOfFrame(argInt(args, 'frameId'));
      info = await host.call({ op: 'dataBreakpointInfo', name, frameThread });
    }
    response.body = { dataId: info.dataId, description: info.description };
    if (info.accessTypes) response.body.accessTypes = info.accessTypes;
    this.sendResponse(response);
  }

  private async onSetDataBreakpoints(response: DebugProtocol.SetDataBreakpointsResponse, args: Args): Promise<void> {
    const list = argArray(args, 'breakpoints');
    this.dataBps = list.map((b, i) => {
      const o = asObject(b, `breakpoints[${i}]`);
      const accessType = optString(o, 'accessType');
      if (accessType !== undefined && accessType !== 'read' && accessType !== 'write' && accessType !== 'readWrite') {
        throw new RequestError(E_ARGS, `breakpoints[${i}].accessType must be read, write or readWrite, got ${JSON.stringify(accessType)}`);
      }
      return { id: this.nextBreakpointId++, dataId: argString(o, 'dataId'), accessType, condition: optString(o, 'condition'), hitCondition: optString(o, 'hitCondition') };
    });
    let results: BreakpointResult[];
    if (this.host && !this.terminated && this.loaded) results = await this.host.call({ op: 'setDataBreakpoints', breakpoints: this.dataBps });
    else results = this.notYet(this.dataBps);
    response.body = { breakpoints: results.map((r) => this.toDapBreakpoint(r)) };
    this.sendResponse(response);
  }

  private async onSetExceptionBreakpoints(response: DebugProtocol.SetExceptionBreakpointsResponse, args: Args): Promise<void> {
    const filters = argArray(args, 'filters').map((f, i) => {
      if (typeof f !== 'string') throw new RequestError(E_ARGS, `filters[${i}] must be a string`);
      return f;
    });
    const options = argArray(args, 'filterOptions', true).map((f, i) => argString(asObject(f, `filterOptions[${i}]`), 'filterId'));
    const all = [...filters, ...options];
    const known = new Set<string>(EXCEPTION_FILTERS.map((f) => f.filter));
    this.exceptionFilters = all.filter((f) => known.has(f));
    if (this.host && !this.terminated && this.loaded) await this.host.call({ op: 'setExceptionFilters', filters: this.exceptionFilters });
    await this.driver?.setExceptionFilters(this.exceptionFilters);
    response.body = {
      breakpoints: all.map((f) =>
        known.has(f) ? { verified: true } : { verified: false, message: `unknown filter '${f}'; the filters are ${[...known].join(', ')}` },
      ),
    };
    this.sendResponse(response);
  }

  // ---- stack, scopes, variables ----

  private onStackTrace(response: DebugProtocol.StackTraceResponse, args: Args): void {
    const stop = this.needStopped();
    const threadId = argInt(args, 'threadId');
    if (!this.threadList.some((t) => t.id === threadId)) throw new RequestError(E_ARGS, `there is no thread ${threadId}`);
    const frames = this.refs.stackFrames(stop, threadId, (line) => this.clientLine(line));
    const start = args.startFrame === undefined ? 0 : argInt(args, 'startFrame', { min: 0 });
    const levels = args.levels === undefined ? 0 : argInt(args, 'levels', { min: 0 });
    const slice = start === 0 && (levels === 0 || levels >= frames.length) ? frames : frames.slice(start, levels ? start + levels : undefined);
    response.body = { stackFrames: slice, totalFrames: frames.length };
    this.sendResponse(response);
  }

  private onScopes(response: DebugProtocol.ScopesResponse, args: Args): void {
    const frameId = argInt(args, 'frameId');
    response.body = { scopes: this.refs.scopes(this.needStopped(), frameId) };
    this.sendResponse(response);
  }

  private async onVariables(response: DebugProtocol.VariablesResponse, args: Args): Promise<void> {
    this.needStopped();
    const ref = argInt(args, 'variablesReference');
    const entry = this.refs.entry(ref);
    if (!entry.dap) {
      if (!entry.nodes && entry.lazy) {
        const host = this.need();
        const stopAtCall = this.stopInfo;
        const nodes = this.driver?.owns(entry.lazy) ? await this.driver.vars(entry.lazy) : await host.call({ op: 'vars', key: entry.lazy });
        if (this.stopInfo !== stopAtCall) throw new RequestError(E_STATE, 'the target resumed while the variables were read');
        entry.nodes = nodes;
      }
    }
    let vars = this.refs.variables(entry, this.supportsVariableType);
    if (args.start !== undefined || args.count !== undefined) {
      const start = args.start === undefined ? 0 : argInt(args, 'start', { min: 0 });
      const count = args.count === undefined ? 0 : argInt(args, 'count', { min: 0 });
      vars = vars.slice(start, count ? start + count : undefined);
    }
    response.body = { variables: vars };
    this.sendResponse(response);
  }

  private async onSetVariable(response: DebugProtocol.SetVariableResponse, args: Args): Promise<void> {
    this.needStopped();
    const ref = argInt(args, 'variablesReference');
    const name = argString(args, 'name');
    const value = argString(args, 'value');
    const entry = this.refs.entry(ref);
    const node = entry.nodes?.find((n) => n.name === name);
    if (!node) throw new RequestError(E_ARGS, `there is no variable '${name}' here`);
    if (!node.settable || node.readOnly) throw new RequestError(E_ARGS, `'${name}' cannot be changed`);
    const what = `${name} = ${value}`;
    const inDriver = !!this.driver?.owns(node.settable);
    const inCall = this.driver?.paused ? { inDriverCall: what } : {};
    const r = inDriver ? await this.driver!.setVariable(node.settable, value) : await this.need().call({ op: 'setVariable', key: node.settable, value, ...inCall });
    // The driver's JavaScript heap is not the timeline's: no replay makes this change again.
    if (inDriver) await this.need().call({ op: 'driverEdit', what });
    if (this.driver?.paused) this.saidUnreplayable(`Changed ${name} to ${r.value}`);
    node.value = r.value;
    const dv = entry.dap?.find((v) => v.name === name);
    if (dv) dv.value = r.value;
    response.body = { value: r.value };
    this.sendResponse(response);
    if (r.memoryChanged && this.supportsMemoryEvent && node.memoryReference) {
      this.sendEvent(new Event('memory', { memoryReference: node.memoryReference, offset: 0, count: 8 }));
    }
  }

  /** An edit made while the driver is paused inside a DDI call (Timeline.markUnreplayable): what it means for going back. */
  private saidUnreplayable(done: string): void {
    this.sendEvent(new OutputEvent(`${done} while the driver is paused inside a DDI call. The run goes on with it, but no replay can make it there again: going back before this call drops it (and saving a recording of the run waits until then).\n`, 'console'));
  }

  private onExceptionInfo(response: DebugProtocol.ExceptionInfoResponse, args: Args): void {
    const stop = this.needStopped();
    const threadId = argInt(args, 'threadId');
    if (!stop.exception || stop.threadId !== threadId) throw new RequestError(E_STATE, `thread ${threadId} did not stop on an exception`);
    response.body = { ...stop.exception };
    this.sendResponse(response);
  }

  // ---- memory ----

  private async onReadMemory(response: DebugProtocol.ReadMemoryResponse, args: Args): Promise<void> {
    const host = this.need();
    const base = parseAddress(argString(args, 'memoryReference'));
    if (base === undefined) throw new RequestError(E_ARGS, `'memoryReference' must be an address such as 0x1000, got ${JSON.stringify(args.memoryReference)}`);
    const offset = args.offset === undefined ? 0 : argInt(args, 'offset');
    const count = argInt(args, 'count', { min: 0, max: MAX_READ });
    const address = base + offset;
    if (address < 0 || !Number.isSafeInteger(address)) throw new RequestError(E_ARGS, `address ${address} is outside the debug address space`);
    const r = await host.call({ op: 'readMemory', address, count });
    response.body = { address: formatAddress(address) };
    if (r.bytes.length) response.body.data = Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength).toString('base64');
    if (r.unreadable) response.body.unreadableBytes = r.unreadable;
    this.sendResponse(response);
  }

  private async onWriteMemory(response: DebugProtocol.WriteMemoryResponse, args: Args): Promise<void> {
    const host = this.need();
    if (this.running) throw new RequestError(E_STATE, 'the target is running; pause it before writing memory');
    const base = parseAddress(argString(args, 'memoryReference'));
    if (base === undefined) throw new RequestError(E_ARGS, `'memoryReference' must be an address such as 0x1000`);
    const offset = args.offset === undefined ? 0 : argInt(args, 'offset');
    const text = argString(args, 'data');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new RequestError(E_ARGS, "'data' must be base64");
    const data = new Uint8Array(Buffer.from(text, 'base64'));
    const address = base + offset;
    if (address < 0) throw new RequestError(E_ARGS, `address ${address} is outside the debug address space`);
    const inCall = this.driver?.paused ? { inDriverCall: `${data.length} bytes written at ${formatAddress(address)}` } : {};
    const r = await host.call({ op: 'writeMemory', address, data, ...inCall }, [data.buffer]);
    response.body = { bytesWritten: r.written };
    this.sendResponse(response);
    if (this.driver?.paused && r.written > 0) this.saidUnreplayable(`Wrote ${r.written} bytes at ${formatAddress(address)}`);
    if (this.supportsMemoryEvent && r.written > 0) {
      this.sendEvent(new Event('memory', { memoryReference: formatAddress(address), offset: 0, count: r.written }));
    }
  }

  private async onDisassemble(response: DebugProtocol.DisassembleResponse, args: Args): Promise<void> {
    const host = this.need();
    const base = parseAddress(argString(args, 'memoryReference'));
    if (base === undefined) throw new RequestError(E_ARGS, `'memoryReference' must be an address such as 0x1000`);
    const offset = args.offset === undefined ? 0 : argInt(args, 'offset');
    const instructionOffset = args.instructionOffset === undefined ? 0 : argInt(args, 'instructionOffset', { min: -MAX_DISASSEMBLE, max: MAX_DISASSEMBLE });
    const count = argInt(args, 'instructionCount', { min: 0, max: MAX_DISASSEMBLE });
    const instrs = await host.call({
      op: 'disassemble',
      address: Math.max(0, base + offset),
      instructionOffset,
      count,
      resolveSymbols: args.resolveSymbols !== false,
    });
    response.body = {
      instructions: instrs.map((i) => {
        const d: DebugProtocol.DisassembledInstruction = { address: i.address, instruction: i.instruction };
        if (i.instructionBytes) d.instructionBytes = i.instructionBytes;
        if (i.symbol) d.symbol = i.symbol;
        if (i.location) d.location = { ...i.location };
        if (i.line !== undefined) d.line = this.clientLine(i.line);
        if (i.presentationHint) d.presentationHint = i.presentationHint;
        return d;
      }),
    };
    this.sendResponse(response);
  }

  /** The documents the adapter makes (a paging buffer as pgasm), by their sourceReference. */
  private async onSource(response: DebugProtocol.SourceResponse, args: Args): Promise<void> {
    const source = args.source === undefined ? {} : asObject(args.source, "'source'");
    const ref = source.sourceReference !== undefined ? argInt(source, 'sourceReference', { min: 1 }) : argInt(args, 'sourceReference', { min: 0 });
    if (ref === 0) {
      const path = optString(source, 'path');
      throw new RequestError(E_ARGS, path ? `${path} is a file: the client reads it itself (only sources with a sourceReference come from the debugger)` : "'sourceReference' must name a document this session made");
    }
    const content = await this.need().call({ op: 'source', sourceReference: ref });
    // No mimeType: the client takes the language from the name's .pgasm extension (a mime type it does not know would be plain text).
    response.body = { content };
    this.sendResponse(response);
  }

  // ---- evaluate and completions ----

  private async onEvaluate(response: DebugProtocol.EvaluateResponse, args: Args): Promise<void> {
    const expression = argString(args, 'expression');
    const context = optString(args, 'context');
    let threadId: number | undefined;
    let frameIndex = 0;
    if (args.frameId !== undefined) {
      const frameId = argInt(args, 'frameId');
      threadId = threadOfFrame(frameId);
      frameIndex = indexOfFrame(frameId);
    }
    const host = this.need();
    if (this.running && !expression.trim().startsWith('!')) throw new RequestError(E_STATE, 'the target is running; pause it to evaluate expressions');
    const kernel = (): Promise<EvaluateResult> => host.call({ op: 'evaluate', expression, context, frameThread: threadId });
    // In a driver frame: JavaScript in that frame (a name it does not have falls back to the DDI-argument expressions).
    const inDriverFrame = !!this.driver && (threadId ?? KERNEL_THREAD_ID) === KERNEL_THREAD_ID && frameIndex < this.driver.frameCount && !expression.trim().startsWith('!');
    const r = inDriverFrame ? await this.driver!.evaluate(frameIndex, expression, context, kernel) : await kernel();
    // The driver's JavaScript heap is not the timeline's: no replay makes this change again.
    if (r.changedDriver) {
      await host.call({ op: 'driverEdit', what: expression });
      this.saidUnreplayable(`Ran \`${expression}\``);
    }
    let variablesReference = 0;
    if (r.node && (r.node.children?.length || r.node.lazy) && this.stopInfo) {
      variablesReference = this.refs.reference({ nodes: r.node.children, lazy: r.node.lazy });
    }
    response.body = { result: r.result, variablesReference };
    if (r.type && this.supportsVariableType) response.body.type = r.type;
    if (r.memoryReference) response.body.memoryReference = r.memoryReference;
    this.sendResponse(response);
  }

  private async onCompletions(response: DebugProtocol.CompletionsResponse, args: Args): Promise<void> {
    const text = argString(args, 'text');
    const column = argInt(args, 'column', { min: 0 });
    const host = this.need();
    const items = await host.call({ op: 'completions', text, column });
    response.body = {
      targets: items.map((i) => {
        const t: DebugProtocol.CompletionItem = { label: i.label };
        if (i.type) t.type = i.type as DebugProtocol.CompletionItemType;
        if (i.start !== undefined) t.start = i.start;
        if (i.length !== undefined) t.length = i.length;
        return t;
      }),
    };
    this.sendResponse(response);
  }
}
