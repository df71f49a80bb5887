// What Step Back at a driver line needs to reach a driver stop again by running its DDI call again
// (the driver's JavaScript cannot run backwards or be checkpointed; ./lineTravel.ts):
// per call, where its stops began (its first line, entered by Step In at the DDI's entry, or the nth
// pause at a line breakpoint's line) and the steps by line the user took from there; and, while a
// re-execution runs, the pause it waits for and the steps it has still to take, none of them shown.
// Also how pauses are counted per call and place (line breakpoints, throws, `debugger;`), which
// of them came before the current stop (Reverse Continue), and whether they were counted under the
// breakpoints set now.

import type { DriverLinesWithin, StepKind, StopReason } from '../model';
import type { CallFrame } from '../runtime/cdp';

/** Pauses at a throw an exception filter stops at, and at `debugger;`, are counted apart from those at line breakpoints there. */
export const EXCEPTION_AT = 'throw ';
export const STATEMENT_AT = 'debugger ';

/** Where a pause is, as pauses at line breakpoints are counted (line:column of the compiled script, from 0). */
export function pauseAt(top: CallFrame): string {
  return `${top.location.lineNumber}:${top.location.columnNumber ?? 0}`;
}

/** The `nth` pause at line breakpoints on line and column `at` of the driver's script within one DDI call. */
export interface LinePause {
  at: string;
  nth: number;
}

/** Step Back at a driver line: the call, the steps to take again, and where they began. */
export interface StepBackPlan {
  callId: number;
  commands: StepKind[];
  /** The current stop is where the steps began: one back is the kernel's stop at the DDI's entry. */
  toEntry: boolean;
  /** The steps began at this pause at a line breakpoint (else at the call's first line, by Step In). */
  start?: LinePause;
}

export class CallSteps {
  /** Where the current call's stops began and the steps by line since; undefined when a stop was reached otherwise (Pause, an exception). */
  private steps: { callId: number | undefined; commands: StepKind[]; start?: LinePause } | undefined;
  /** The step by line the user took from the current stop (recorded at the next stop). */
  private lastStep: StepKind | undefined;
  /** The stop the run in progress stopped at was entered by Step In (its one-shot breakpoint hit). */
  enteredByStepIn = false;
  /** Pauses at line breakpoints in the call in progress, by line and column, and the latest. */
  private linePauses: { callId: number; counts: Map<string, number>; last?: LinePause; lastStopping?: LinePause; stoppingBefore?: LinePause } | undefined;
  /**
   * The current stop's call; the latest pause at a line breakpoint (or a throw a filter stops at) in
   * it up to the stop, and whether the stop is that pause; the latest where a breakpoint stops, and
   * the one before that.
   */
  private here: { callId: number; last?: LinePause; lastStopping?: LinePause; stoppingBefore?: LinePause; atIt: boolean } | undefined;
  /** The line pause the current pause is (a pause at a line breakpoint). */
  linePause: LinePause | undefined;
  /** A re-execution in progress: the pause at a line breakpoint it runs to, then the steps still to take. */
  private replay: { callId: number; commands: StepKind[]; left: StepKind[]; start?: LinePause; waiting?: LinePause } | undefined;
  /**
   * The call whose pauses were counted under other breakpoints than those set now (they changed at
   * one of its stops): a line that ran in it before the stop, under a breakpoint set since, was
   * never a pause, so its pauses before the stop are not all known.
   */
  private changedIn: number | undefined;

  /** A run starts at a kernel stop, where no call is in the driver: a call it enters (again, after time travel) counts its pauses from none. */
  runStarting(): void {
    this.enteredByStepIn = false;
    this.linePauses = undefined;
  }

  /** A re-execution ends at a driver stop; a run that ended elsewhere leaves none to take. */
  runEnded(): void {
    this.replay = undefined;
  }

  /** The user goes on from a driver stop: a step by line on the kernel thread is recorded at the next stop. */
  resumed(step: StepKind, kernelThread: boolean): void {
    this.lastStep = kernelThread && (step === 'next' || step === 'stepIn' || step === 'stepOut') ? step : undefined;
  }

  /**
   * A pause at a line breakpoint in call `callId` on line and column `at` (`stops`: not only log
   * points there): which of them it is (kept as `linePause`). One at a removed breakpoint kept for
   * the count (`ghost`, lineBreakpoints.ts) is counted at its place only: it is no pause going back
   * looks for, and the session drops it once it leaves the call.
   */
  pausedAtLine(callId: number, at: string, stops: boolean, ghost = false): LinePause {
    if (this.linePauses?.callId !== callId) this.linePauses = { callId, counts: new Map() };
    const nth = (this.linePauses.counts.get(at) ?? 0) + 1;
    this.linePauses.counts.set(at, nth);
    this.linePause = { at, nth };
    if (ghost) return this.linePause;
    this.linePauses.last = this.linePause;
    if (stops) {
      this.linePauses.stoppingBefore = this.linePauses.lastStopping;
      this.linePauses.lastStopping = this.linePause;
    }
    return this.linePause;
  }

  /** A stop is shown: the steps begin (the first line, a line breakpoint), grow by the step taken to it, or end. */
  stopped(reason: StopReason, callId: number | undefined): void {
    const pauses = callId !== undefined && this.linePauses?.callId === callId ? this.linePauses : undefined;
    this.here = callId === undefined ? undefined : { callId, last: pauses?.last, lastStopping: pauses?.lastStopping, stoppingBefore: pauses?.stoppingBefore, atIt: !!this.linePause && this.linePause === pauses?.last };
    const replayed = this.replay;
    this.replay = undefined;
    // Run again from its entry under the breakpoints set now: its pauses up to here are all counted.
    if (replayed && replayed.callId === this.changedIn) this.changedIn = undefined;
    if (replayed && replayed.callId === callId) this.steps = { callId, commands: replayed.commands.slice(), start: replayed.start };
    else if (reason === 'step' && this.enteredByStepIn) this.steps = { callId, commands: [] };
    // A pause at a breakpoint, a `debugger;` or a throw a filter stops at is reached again by itself: steps from it are retraced.
    else if ((reason === 'breakpoint' || reason === 'exception') && this.linePause && callId !== undefined) this.steps = { callId, commands: [], start: this.linePause };
    else if (reason === 'step' && this.lastStep && this.steps && this.steps.callId === callId) this.steps.commands.push(this.lastStep);
    else this.steps = undefined;
    this.enteredByStepIn = false;
    this.lastStep = undefined;
    this.linePause = undefined;
  }

  /**
   * How to reach the stop one back from the current one, in call `callId` (the current stop's):
   * the steps taken to it but the last, from where they began. From where they began, and from a
   * stop no step leads to (Pause): the latest stopping pause before it in the call (a line
   * breakpoint, a throw a filter stops at, `debugger;`), else the DDI's entry.
   */
  plan(callId: number | undefined): StepBackPlan | undefined {
    const s = this.steps;
    if (s && s.callId !== undefined && s.callId === callId && s.commands.length) return { callId: s.callId, commands: s.commands.slice(0, -1), toEntry: false, start: s.start };
    // At the call's first line, entered by Step In: one back is the entry.
    if (s && s.callId !== undefined && s.callId === callId && !s.start) return { callId: s.callId, commands: [], toEntry: true };
    const h = this.here;
    if (!h || h.callId !== callId) return undefined;
    // A stop at a pause that stops (a throw a filter stops at): one back is the stopping pause before it.
    const start = h.atIt && h.lastStopping === h.last ? h.stoppingBefore : h.lastStopping;
    return { callId: h.callId, commands: [], toEntry: !start, start };
  }

  /** Line breakpoints (or the exception filters) changed: at a stop inside a call, its pauses so far were counted under others. */
  breakpointsChanged(): void {
    if (this.here) this.changedIn = this.here.callId;
  }

  /**
   * Reverse continue from the current stop in call `callId`, when breakpoints changed since the call
   * began: how to reach the stop again from the call's entry (its pauses then counted under the
   * breakpoints set now). Undefined when they did not change, or when no step record leads to the
   * stop (Pause).
   */
  countAgain(callId: number | undefined): StepBackPlan | undefined {
    const s = this.steps;
    if (callId === undefined || this.changedIn !== callId || !s || s.callId !== callId) return undefined;
    return { callId, commands: s.commands.slice(), toEntry: false, start: s.start };
  }

  /** Reverse continue from the current stop, in call `callId` (the stop's): which of the call's pauses at line breakpoints came before it. */
  reverseWithin(callId: number | undefined): DriverLinesWithin | undefined {
    const h = this.here;
    if (!h || h.callId !== callId) return undefined;
    return { callId: h.callId, ...(h.last ? { before: h.last } : {}), inclusive: !h.atIt };
  }

  /** The next run re-executes `plan`. */
  replayPlan(plan: StepBackPlan): void {
    this.replay = { callId: plan.callId, commands: plan.commands.slice(), left: plan.commands.slice(), start: plan.start, waiting: plan.start };
  }

  /** Re-executing, the pause at a line breakpoint it runs to (the others are passed without a stop or a hit); undefined: none (any more). */
  get waiting(): LinePause | undefined {
    return this.replay?.waiting;
  }

  /** The pause waited for is reached. */
  reached(): void {
    if (this.replay) this.replay.waiting = undefined;
  }

  /** Re-executing, the call, and the next step to take at this pause (none: show it). */
  nextStep(): { callId: number; step: StepKind } | undefined {
    const r = this.replay;
    const step = r?.left.shift();
    return r && step ? { callId: r.callId, step } : undefined;
  }

  /** Re-executing, and steps are left to take. */
  get replaying(): boolean {
    return !!this.replay?.left.length;
  }
}
