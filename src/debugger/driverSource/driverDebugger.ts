// Debugging the driver's own TypeScript inside the one wddm session (mixed mode): line
// breakpoints, `debugger;`, exceptions at their throw, stepping by line, Pause, and a hung DDI
// paused on the line it loops on. The simulator's worker is driven through its V8 inspector
// (runtime/inspector.ts); while V8 holds it paused the session reads the simulator through the
// inspector too (the host routes its calls there), and the hang watchdog is held.
//
// The worker runs the kernel in one `run` call per DAP resume; a driver stop happens in the
// middle of one. Going on from a driver stop resumes V8 and tells the run in progress what it is
// now for (RuntimeHost.redirect): a step that leaves the DDI ends at the kernel's "DDI returned"
// stop, a GPU-thread step at the engine's next instruction. V8 never keeps a step pending: a step
// that lands outside the driver is turned into a resume (or, inside a kernel callback the driver
// called, into a step out back to the driver), because stepping out of the outermost driver frame
// would otherwise stop in the simulator's own code.

import { samePath } from '../samePath';
import type { DriverScript } from '../../sim/driver/sourceMap';
import { DriverSourceMap } from '../../sim/driver/sourceMap';
import type { Timeout } from '../../host/watchdog';
import type { BreakpointResult, DriverLinesWithin, EvaluateResult, ExceptionDetails, SetVariableResult, SourceBreakpointSpec, StepKind, StopInfo, StopReason, VarNode } from '../model';
import { KERNEL_THREAD_ID } from '../model';
import type { RuntimeHost } from '../runtime/host';
import type { WorkerInspector } from '../runtime/inspector';
import { BRIDGE, fromWire } from '../runtime/inspectorBridge';
import type { DriverPause } from '../targets/target';
import { CatchSites, exceptionDetails } from './catchSites';
import type { CallFrame, EvaluateResponse, PausedEvent, ScriptParsedEvent } from '../runtime/cdp';
import { conditionProblem, LineBreakpoints, logPointText, mayStop } from './lineBreakpoints';
import { CallSteps, EXCEPTION_AT, pauseAt, STATEMENT_AT, type LinePause, type StepBackPlan } from './callSteps';
import { DRIVER_KEY, DriverStopView, EvaluationError, type DriverFrame } from './stopView';
import { goOnCommand, stepOrigin, type StepOrigin } from './brokenSteps';

/** The inspector's object group that keeps the bridge's reference alive across stops (others are released when V8 resumes). */
const BRIDGE_GROUP = 'paging-lab-bridge';

/** How long a hung driver may take to pause before the session gives up on it (ends the run as a TDR). */
const HANG_PAUSE_TIMEOUT_MS = 1500;

const STATEMENT_TEXT = 'Paused on a debugger statement';

type Intent =
  | { kind: 'none' }
  /** A step the user asked for at a driver stop, or Step In from a DDI's entry (a one-shot breakpoint on the driver's function). */
  | { kind: 'step'; entryBreakpoint?: string; from?: StepOrigin }
  | { kind: 'pause' }
  | { kind: 'hang'; timeout: Timeout; since: number; timer: NodeJS.Timeout };

export interface DriverDebuggerEvents {
  /** The driver stopped at a line of its source: send the stop. */
  stopped(stop: StopInfo): void;
  output(category: 'console' | 'stderr', text: string): void;
  /** The driver hung and could not be paused at a line: end the run as a TDR. */
  unpausableHang(timeout: Timeout): void;
}

export class DriverDebugger {
  private link: WorkerInspector | undefined;
  private host: RuntimeHost | undefined;
  private script: DriverScript | undefined;
  private map: DriverSourceMap | undefined;
  /** The driver's script in each machine's context (time travel replays the run on new machines, each compiling it again). */
  private readonly scriptIds = new Set<string>();
  private catches: CatchSites | undefined;
  private filters = new Set<string>();
  private readonly breakpoints = new LineBreakpoints(
    () => this.link,
    () => this.script?.name,
  );
  /** A run is in progress in the worker (the session awaits it): only then is a driver pause a stop. */
  private active = false;
  private intent: Intent = { kind: 'none' };
  private stop: { view: DriverStopView; callId?: number; exception?: ExceptionDetails; depth: number } | undefined;
  private held = false;
  /** A step by line left the driver during the run in progress (see `stepping`). */
  private leftByStep = false;
  private queue: Promise<void> = Promise.resolve();
  /** The call removed line breakpoints are kept in V8 for (LineBreakpoints.set), while the session stops in it. */
  private ghostCall: number | undefined;
  /** The bridge (runtime/inspectorBridge.ts) as a remote object of the driver's world, kept in BRIDGE_GROUP across stops. */
  private bridgeRef: string | undefined;
  /** Where the current call's stops began and the steps since, for Step Back; a re-execution's progress. */
  private readonly calls = new CallSteps();
  /** Reverse continue is looking for pauses at line breakpoints (searchLines). */
  private searching = false;

  constructor(private readonly events: DriverDebuggerEvents) {}

  /** True once the worker's inspector is attached and the driver's script is known. */
  get ready(): boolean {
    return !!this.link?.attached && !!this.map;
  }

  /** True while V8 holds the driver paused at a line shown to the user. */
  get paused(): boolean {
    return !!this.stop;
  }

  /** Paused in a call that has not returned in its TDR delay (going back lets the call finish first). */
  get hung(): boolean {
    return this.stop?.exception?.exceptionId === 'TDR';
  }

  /** Called by the host with the worker's inspector, before the worker runs its first line. */
  async attach(link: WorkerInspector, host: RuntimeHost): Promise<void> {
    this.link = link;
    this.bridgeRef = undefined;
    this.host = host;
    link.on<ScriptParsedEvent>('Debugger.scriptParsed', (p) => {
      if (this.script && p.url === this.script.name) this.scriptIds.add(p.scriptId);
      else if (!this.script && p.url.startsWith('paging-lab-driver:')) this.scriptIds.add(p.scriptId);
    });
    link.on<PausedEvent>('Debugger.paused', (p) => {
      this.queue = this.queue.then(() => this.onPaused(p)).catch((e: unknown) => {
        this.events.output('stderr', `The driver debugger could not handle a pause: ${e instanceof Error ? e.message : String(e)}\n`);
        void this.resumeV8();
      });
    });
    link.onGone(() => {
      this.stop = undefined;
      this.release();
    });
    await link.send('Debugger.enable');
    await this.applyExceptionFilters();
  }

  /** The compiled driver (from the launch): breakpoints in its files can be placed from now on. */
  setScript(script: DriverScript): void {
    this.script = script;
    this.map = new DriverSourceMap(script);
    this.catches = undefined;
  }

  /** The driver's source file that `path` names, if it is one. */
  driverFile(path: string): string | undefined {
    return this.map?.files.find((f) => samePath(f, path));
  }

  get files(): string[] {
    return this.map?.files ?? [];
  }

  // ---- breakpoints ----

  async setBreakpoints(path: string, specs: SourceBreakpointSpec[]): Promise<BreakpointResult[]> {
    const file = this.driverFile(path);
    if (!file || !this.map) {
      const files = this.files.map((f) => f.split(/[\\/]/).pop()).join(', ');
      return specs.map((s) => ({
        id: s.id,
        verified: false,
        line: s.line,
        message: `This file is not part of the driver being debugged, so its code never runs here (the driver is compiled from ${files || 'its entry file and the files it imports'}).`,
      }));
    }
    // Removed at a stop in a call, a breakpoint is kept in V8 (stopping nowhere) while the session is in that call: going back in it counts its pauses as before.
    const results = await this.breakpoints.set(this.map, file, specs, !!this.stop);
    if (this.stop) this.ghostCall = this.stop.callId;
    else await this.dropGhosts();
    this.calls.breakpointsChanged();
    // Answer with the path the client gave.
    return results.map((r) => (r.source ? { ...r, source: { ...r.source, path } } : r));
  }

  /** The session has left the call removed breakpoints were kept for. */
  private async dropGhosts(): Promise<void> {
    this.ghostCall = undefined;
    await this.breakpoints.dropGhosts();
  }

  breakpointLines(path: string, line: number, endLine: number): number[] {
    const file = this.driverFile(path);
    return file && this.map ? this.breakpoints.lines(this.map, file, line, endLine) : [];
  }

  async setExceptionFilters(filters: string[]): Promise<void> {
    this.filters = new Set(filters);
    this.calls.breakpointsChanged();
    await this.applyExceptionFilters();
  }

  private async applyExceptionFilters(): Promise<void> {
    // V8 sees every exception of the driver as caught (the kernel catches around each DDI): pause on
    // all of them and decide here (catchSites.ts).
    const state = this.filters.has('driverException') || this.filters.has('driverCaughtException') ? 'all' : 'none';
    await this.link?.send('Debugger.setPauseOnExceptions', { state }).catch(() => undefined);
  }

  /** While set, V8 does not pause the driver (breakpoints, exceptions): time travel replays code the user already saw run. */
  async skipPauses(skip: boolean): Promise<void> {
    await this.link?.send('Debugger.setSkipAllPauses', { skip }).catch(() => undefined);
  }

  /** Whether reverse continue has stops inside the driver's calls to look for: line breakpoints, throws, `debugger;` (kernel/driverLines.ts). */
  get stopsInsideCalls(): boolean {
    return this.breakpoints.any || this.filters.has('driverException') || this.filters.has('driverCaughtException') || /\bdebugger\b/.test(this.script?.code ?? '');
  }

  /** While set (reverse continue looks for line breakpoints), no pause is shown: one at a line breakpoint is told to the worker's search (the bridge's `linePause`). */
  searchLines(on: boolean): void {
    this.searching = on;
  }

  /** A pause while reverse continue searches: the worker's search hears of one at a line breakpoint, or at a throw an exception filter stops at. */
  private async noteForSearch(p: PausedEvent): Promise<void> {
    const top = p.callFrames[0];
    const lineHits = (p.hitBreakpoints ?? []).flatMap((id) => this.breakpoints.at(id));
    const thrown = (p.reason === 'exception' || p.reason === 'promiseRejection') && !!top && this.isDriver(top);
    const stopsAtThrow = thrown && this.filters.has(this.caughtByDriver(p.callFrames.filter((f) => this.isDriver(f))) ? 'driverCaughtException' : 'driverException');
    const statement = !lineHits.length && p.reason === 'other' && this.intent.kind === 'none';
    if (top && this.isDriver(top) && (stopsAtThrow || statement || (!thrown && lineHits.length))) {
      const stops = stopsAtThrow || statement || mayStop(lineHits);
      const kind = stopsAtThrow ? EXCEPTION_AT : statement ? STATEMENT_AT : '';
      const expression = `globalThis.${BRIDGE}.linePause(${JSON.stringify(kind + pauseAt(top))}, ${stops})`;
      await this.link!.send('Runtime.evaluate', { expression, silent: true, returnByValue: true }).catch(() => undefined);
    }
    await this.resumeV8();
  }

  // ---- runs ----

  /** The session starts a run (start, continue or a step from a kernel stop). */
  runStarting(): void {
    this.active = true;
    this.intent = { kind: 'none' };
    this.leftByStep = false;
    this.calls.runStarting();
  }

  /** A step by line left the driver's code during this run (or one is still under way). */
  get stepping(): boolean {
    return this.leftByStep || (this.intent.kind === 'step' && !this.intent.entryBreakpoint);
  }

  /** The run ended at a kernel or GPU stop, or the target ended. */
  runEnded(): void {
    this.active = false;
    this.clearIntent();
    this.calls.runEnded();
  }

  private clearIntent(): void {
    const i = this.intent;
    this.intent = { kind: 'none' };
    if (i.kind === 'hang') clearTimeout(i.timer);
    if (i.kind === 'step' && i.entryBreakpoint) void this.link?.send('Debugger.removeBreakpoint', { breakpointId: i.entryBreakpoint }).catch(() => undefined);
  }

  /**
   * Step In from a kernel stop at a DDI's entry: a one-shot breakpoint on the function the driver
   * registered for it, so the run stops on its first line. Call before the run starts.
   */
  async prepareStepIn(): Promise<void> {
    const link = this.link;
    if (!link || !this.ready) return;
    try {
      const r = await link.send<EvaluateResponse>('Runtime.evaluate', { expression: `globalThis.${BRIDGE}.pendingDdiFunction()`, silent: true });
      if (r.result.type !== 'function' || !r.result.objectId) return;
      const b = await link.send<{ breakpointId: string }>('Debugger.setBreakpointOnFunctionCall', { objectId: r.result.objectId });
      this.intent = { kind: 'step', entryBreakpoint: b.breakpointId };
    } catch {
      // No function to enter: the step goes on as a kernel step.
    }
  }

  /** Pause asked while the target runs: stops at the driver's current line if it is running driver code. */
  requestPause(): void {
    if (!this.active || !this.ready || this.stop || this.intent.kind === 'hang') return;
    this.intent = { kind: 'pause' };
    void this.link!.send('Debugger.pause').catch(() => undefined);
  }

  /**
   * The watchdog saw a hang: pause the driver where it loops instead of ending the run. True when
   * it tries (the watchdog is held from now on); false: the host ends the run as before.
   */
  pauseForHang(t: Timeout): boolean {
    if (!this.active || !this.ready || this.stop || !this.filters.has('tdr') || !this.host) return false;
    this.hold();
    const timer = setTimeout(() => {
      if (this.intent.kind !== 'hang') return;
      this.intent = { kind: 'none' };
      this.events.unpausableHang(t);
    }, HANG_PAUSE_TIMEOUT_MS);
    timer.unref();
    this.intent = { kind: 'hang', timeout: t, since: Date.now(), timer };
    void this.link!.send('Debugger.pause').catch(() => undefined);
    return true;
  }

  /** Goes on from a driver stop: continue, a step by line in the driver, or a step of a GPU thread. */
  async resumeFrom(step: StepKind, threadId: number): Promise<void> {
    const stop = this.stop;
    if (!stop || !this.link || !this.host) throw new Error('the driver is not paused at a line');
    const top = stop.view.frames[0]?.frame;
    this.stop = undefined;
    this.host.inspectorHoldsWorker(false);
    this.release();
    this.calls.resumed(step, threadId === KERNEL_THREAD_ID);
    if (threadId !== KERNEL_THREAD_ID || step === 'continue') {
      this.host.redirect({ step, threadId });
      this.intent = { kind: 'none' };
      await this.resumeV8();
      return;
    }
    // A step by line. If it leaves the DDI, the run stops at the kernel's "DDI returned".
    this.host.redirect({ step: 'stepOut', threadId, callId: stop.callId });
    // Shown at a driver frame below a kernel callback (a pause or a TDR landed there): first back to the driver.
    const below = !!top && top !== stop.view.topV8Frame;
    this.intent = { kind: 'step', from: top && !below ? stepOrigin(stop.depth, top.location.lineNumber, step) : undefined };
    const command = below ? 'Debugger.stepOut' : step === 'next' ? 'Debugger.stepOver' : step === 'stepIn' ? 'Debugger.stepInto' : 'Debugger.stepOut';
    await this.link.send(command).catch(() => this.resumeV8());
  }

  /** A step broken off before its end goes on (./brokenSteps.ts); false when it has ended at `p`. */
  private goOn(p: PausedEvent, brokeOff: boolean): boolean {
    const from = this.intent.kind === 'step' ? this.intent.from : undefined;
    const top = p.callFrames[0];
    const command = from && top ? goOnCommand(from, p.callFrames.length, top.location.lineNumber, brokeOff) : undefined;
    if (!command) return false;
    void this.link!.send(command).catch(() => this.resumeV8());
    return true;
  }

  private async resumeV8(): Promise<void> {
    await this.link?.send('Debugger.resume').catch(() => undefined);
  }

  private hold(): void {
    if (this.held || !this.host) return;
    this.held = true;
    this.host.watchdog.hold();
  }

  private release(): void {
    if (!this.held || !this.host) return;
    this.held = false;
    this.host.watchdog.release();
  }

  // ---- pauses ----

  private isDriver(f: CallFrame): boolean {
    return this.scriptIds.has(f.location.scriptId);
  }

  /** Whether a driver frame is at a position of the driver's .ts sources (not code the compiler added). */
  private mapped(f: CallFrame): boolean {
    return !!this.map!.original({ line: f.location.lineNumber + 1, column: (f.location.columnNumber ?? 0) + 1 });
  }

  private async onPaused(p: PausedEvent): Promise<void> {
    if (this.searching) return this.noteForSearch(p);
    // Which line pause this one is, if any, is counted below: one passed before was another's.
    this.calls.linePause = undefined;
    const frames = p.callFrames;
    const driverFrames = frames.filter((f) => this.isDriver(f));
    // Not in a run (the module's top level while it loads, a value read between runs): not a stop.
    if (!this.active || !this.map || !driverFrames.length) {
      if (this.intent.kind === 'hang' && this.active) {
        clearTimeout(this.intent.timer);
        const t = this.intent.timeout;
        this.intent = { kind: 'none' };
        await this.resumeV8();
        this.events.unpausableHang(t);
        return;
      }
      // Outside the driver: a step that left the DDI, or a pause that landed between calls. The run
      // in progress stops at the DDI's return or at the pause request by itself.
      if (this.intent.kind === 'pause' && this.active) this.host?.requestPause();
      if (this.intent.kind === 'step' && !this.intent.entryBreakpoint) {
        this.intent = { kind: 'none' };
        this.leftByStep = true;
      }
      await this.resumeV8();
      return;
    }
    const top = frames[0];
    if (!this.isDriver(top)) {
      // Inside code of the simulator that the driver called (a kernel callback).
      if (p.reason === 'exception' || p.reason === 'promiseRejection') return this.resumeV8(); // the kernel reports its own errors
      if (this.intent.kind === 'step') {
        await this.link!.send('Debugger.stepOut').catch(() => this.resumeV8());
        return;
      }
      if (this.intent.kind === 'pause') return this.show(p, driverFrames, 'pause');
      if (this.intent.kind === 'hang') return this.showHang(p, driverFrames, this.intent);
      return this.resumeV8();
    }
    if (this.intent.kind === 'step' && !this.intent.entryBreakpoint && !this.mapped(top)) {
      // Code the compiler added (the bundle's module wrapper, its helpers): no line of the driver's to stop at.
      await this.link!.send('Debugger.stepOut').catch(() => this.resumeV8());
      return;
    }
    if (p.reason === 'exception' || p.reason === 'promiseRejection') {
      const caught = this.caughtByDriver(driverFrames);
      if (!this.filters.has(caught ? 'driverCaughtException' : 'driverException')) return this.resumeV8();
      // Counted as the pauses at line breakpoints are: going back runs the call again to it.
      const pause = await this.countLinePause(top, true, EXCEPTION_AT);
      const waiting = this.calls.waiting;
      if (waiting && (pause?.at !== waiting.at || pause.nth !== waiting.nth)) return this.resumeV8();
      if (waiting) this.calls.reached();
      else if (this.calls.replaying) return this.resumeV8();
      const details = exceptionDetails(p, caught, this.map!);
      return this.show(p, driverFrames, 'exception', details, undefined, details.description.split('\n')[0]);
    }
    const hits = p.hitBreakpoints ?? [];
    if (this.intent.kind === 'step' && this.intent.entryBreakpoint && hits.includes(this.intent.entryBreakpoint)) {
      this.calls.enteredByStepIn = true;
      if (this.calls.replaying) return this.replayNext(p);
      return this.show(p, driverFrames, 'step');
    }
    const lineHits = hits.flatMap((id) => this.breakpoints.at(id));
    // Nothing of ours asked for this pause: a `debugger;` statement, counted as a breakpoint's pause.
    // So is a step that lands on one: V8 runs it then without a pause of its own, as a search counts it.
    const statement = !lineHits.length && p.reason === 'other' && (this.intent.kind === 'none' || (this.intent.kind === 'step' && this.sites().debuggerStatementAt(top.location.lineNumber, top.location.columnNumber ?? 0)));
    const linePause = lineHits.length ? await this.countLinePause(top, mayStop(lineHits), '', lineHits.every((b) => b.ghost)) : statement ? await this.countLinePause(top, true, STATEMENT_AT) : undefined;
    // Step Back re-executing: first to the pause at a line breakpoint the call's stops began at.
    const waiting = this.calls.waiting;
    if (waiting) {
      if (!linePause || linePause.at !== waiting.at || linePause.nth !== waiting.nth) return this.resumeV8();
      this.calls.reached();
      if (this.calls.replaying) return this.replayNext(p);
      return this.show(p, driverFrames, 'breakpoint', undefined, lineHits.filter((b) => !b.ghost).map((b) => b.spec.id), statement ? STATEMENT_TEXT : undefined);
    }
    // Then the steps the user took: a line breakpoint met on the way (set since) does not stop.
    if (this.intent.kind === 'step' && this.calls.replaying) return this.goOn(p, lineHits.length > 0) ? undefined : this.replayNext(p);
    if (lineHits.length) {
      const stopping: number[] = [];
      for (const bp of lineHits) {
        if (!this.breakpoints.hit(bp).stop) continue;
        if (bp.template) this.events.output('console', await logPointText(this.link!, top, bp.template));
        else stopping.push(bp.spec.id);
      }
      if (stopping.length) {
        const text = await conditionProblem(this.link!, top, lineHits.filter((b) => stopping.includes(b.spec.id)).map((b) => b.spec.condition));
        return this.show(p, driverFrames, 'breakpoint', undefined, stopping, text);
      }
      if (this.intent.kind !== 'step') return this.resumeV8();
    }
    switch (this.intent.kind) {
      case 'step':
        if (this.goOn(p, lineHits.length > 0)) return;
        if (this.calls.replaying) return this.replayNext(p);
        return this.show(p, driverFrames, 'step');
      case 'pause':
        return this.show(p, driverFrames, 'pause');
      case 'hang':
        return this.showHang(p, driverFrames, this.intent);
      default:
        if (lineHits.length) return this.resumeV8();
        // Nothing of ours asked for this pause: a `debugger;` statement in the driver (or V8's own, e.g. out of memory).
        return this.show(p, driverFrames, 'breakpoint', undefined, undefined, p.reason === 'OOM' ? 'The driver ran out of memory' : STATEMENT_TEXT);
    }
  }

  /** Whether one of the driver's frames (innermost first) catches what is thrown: it is inside the block of a try with a catch. */
  private caughtByDriver(frames: CallFrame[]): boolean {
    return frames.some((f) => this.sites().inTryBlock(f.location.lineNumber, f.location.columnNumber ?? 0));
  }

  private sites(): CatchSites {
    return (this.catches ??= new CatchSites(this.script!.code));
  }

  private showHang(p: PausedEvent, frames: CallFrame[], intent: Extract<Intent, { kind: 'hang' }>): Promise<void> {
    clearTimeout(intent.timer);
    const t = intent.timeout;
    const ms = t.ms + (Date.now() - intent.since);
    const what = t.ddi === 'DriverEntry' ? "DriverEntry (or the module's top level)" : t.ddi;
    const text = `TDR: ${what} has run for ${(ms / 1000).toFixed(1)} s without returning (tdrDelayMs is ${t.delayMs})`;
    return this.show(p, frames, 'exception', {
      exceptionId: 'TDR',
      description: `${text}. The driver is paused on the line it is running: Continue lets it run (the TDR fires again after another ${t.delayMs} ms), Terminate ends the session.`,
      breakMode: 'always',
      details: { message: text, typeName: 'TDR' },
    }, undefined, text);
  }

  /** Shows a driver stop: the driver's frames above the kernel's, every view read through the inspector. */
  private async show(p: PausedEvent, frames: CallFrame[], reason: StopReason, exception?: ExceptionDetails, hitBreakpointIds?: number[], text?: string): Promise<void> {
    const link = this.link!;
    const host = this.host!;
    this.clearIntent();
    this.hold();
    host.inspectorHoldsWorker(true);
    const mapped: DriverFrame[] = frames.map((frame) => ({
      frame,
      location: this.map!.original({ line: frame.location.lineNumber + 1, column: (frame.location.columnNumber ?? 0) + 1 }) ?? { file: this.script!.name, line: frame.location.lineNumber + 1, column: 1 },
    }));
    const view = new DriverStopView(link, mapped, mapped[0]?.frame.location.scriptId ?? '', p.callFrames[0]);
    const read = await view.read(this.bridgeRef, BRIDGE_GROUP);
    this.bridgeRef = read.bridgeRef;
    const kernel = fromWire(read.kernel) as DriverPause;
    const stop = kernel.stop;
    stop.reason = reason;
    stop.threadId = KERNEL_THREAD_ID;
    stop.snapshot.frames[KERNEL_THREAD_ID] = [...view.frameInfos, ...(stop.snapshot.frames[KERNEL_THREAD_ID] ?? [])];
    delete stop.text;
    delete stop.description;
    if (text) {
      stop.text = text;
      stop.description = reason === 'exception' ? `Paused on ${exception?.exceptionId ?? 'exception'}` : text;
    }
    if (exception) stop.exception = exception;
    else delete stop.exception;
    if (hitBreakpointIds?.length) stop.hitBreakpointIds = hitBreakpointIds;
    else delete stop.hitBreakpointIds;
    if (this.ghostCall !== undefined && kernel.callId !== this.ghostCall) await this.dropGhosts();
    this.stop = { view, callId: kernel.callId, exception, depth: p.callFrames.length };
    this.calls.stopped(reason, kernel.callId);
    this.events.stopped(stop);
  }

  // ---- the steps of a call, for Step Back ----

  /** Which pause at line breakpoints, at this line and column, in the call the driver runs in, this one is. */
  private async countLinePause(top: CallFrame, stops: boolean, kind = '', ghost = false): Promise<LinePause | undefined> {
    let callId = 0;
    try {
      const r = await this.link!.send<EvaluateResponse>('Runtime.evaluate', { expression: `globalThis.${BRIDGE}.callId()`, silent: true, returnByValue: true });
      callId = Number(r.result.value) || 0;
    } catch {
      return undefined;
    }
    if (!callId) return undefined;
    return this.calls.pausedAtLine(callId, kind + pauseAt(top), stops, ghost);
  }

  /** Going back from the current stop (CallSteps): Step Back's plan, which pauses of its call came before it, how to count them again first. */
  goingBack(): { stepBack?: StepBackPlan; within?: DriverLinesWithin; countAgain?: StepBackPlan } {
    const id = this.stop?.callId;
    return this.stop ? { stepBack: this.calls.plan(id), within: this.calls.reverseWithin(id), countAgain: this.calls.countAgain(id) } : {};
  }

  /**
   * The next run goes again to the stop the plan's steps began at (the call's first line by Step
   * In, or its pause at a line breakpoint: `start`, the run going on to it with the other pauses
   * not shown) and takes `commands` again at its pauses before it shows one.
   */
  replaySteps(plan: StepBackPlan): void {
    this.calls.replayPlan(plan);
  }

  /** At a pause Step Back passes through: the next step it re-executes, as resumeFrom would take it (the user's next stop is the last). */
  private async replayNext(p: PausedEvent): Promise<void> {
    // Off the one-shot breakpoint Step In set, if it was that.
    this.clearIntent();
    const { step, callId } = this.calls.nextStep()!;
    this.host?.redirect({ step: 'stepOut', threadId: KERNEL_THREAD_ID, callId });
    const top = p.callFrames[0];
    this.intent = { kind: 'step', from: top && stepOrigin(p.callFrames.length, top.location.lineNumber, step) };
    await this.link!.send(step === 'next' ? 'Debugger.stepOver' : step === 'stepIn' ? 'Debugger.stepInto' : 'Debugger.stepOut').catch(() => this.resumeV8());
  }

  // ---- what the session asks at a driver stop ----

  /** How many frames on top of the kernel thread are the driver's (0: not stopped in the driver). */
  get frameCount(): number {
    return this.stop?.view.frames.length ?? 0;
  }

  owns(key: string): boolean {
    return key.startsWith(DRIVER_KEY);
  }

  vars(key: string): Promise<VarNode[]> {
    if (!this.stop?.view.owns(key)) return Promise.reject(new Error('these variables belong to an earlier stop'));
    return this.stop.view.vars(key);
  }

  setVariable(key: string, value: string): Promise<SetVariableResult> {
    if (!this.stop?.view.owns(key)) return Promise.reject(new Error('this variable belongs to an earlier stop'));
    return this.stop.view.setVariable(key, value);
  }

  /** Evaluates in driver frame `index`; a name the frame does not have falls back to `kernel` (DDI-argument expressions). */
  async evaluate(index: number, expression: string, context: string | undefined, kernel: () => Promise<EvaluateResult>): Promise<EvaluateResult> {
    if (!this.stop) throw new Error('the driver is not paused at a line');
    try {
      return await this.stop.view.evaluate(index, expression, context);
    } catch (e) {
      if (e instanceof EvaluationError && e.unknownName) {
        try {
          return await kernel();
        } catch {
          // The kernel does not know it either: the JavaScript error says most.
        }
      }
      throw e;
    }
  }

  /** The session ends (the host resumes and detaches the worker before terminating it). */
  ended(): void {
    this.stop = undefined;
    this.active = false;
    this.clearIntent();
    this.release();
  }
}
