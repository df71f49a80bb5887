// Going back where the driver's own code runs: Step Back and Reverse Continue from a stop at a line
// of the driver, and Reverse Continue's stops at the driver's line breakpoints. The driver's
// JavaScript cannot run backwards or be checkpointed, so each is re-execution: the call in progress
// finishes with V8's pauses skipped (that run's end is not shown), the timeline travels, and a call
// is run again to the stop wanted (./callSteps.ts), none of the pauses on the way shown. The run is
// deterministic: the same steps from the same entry reach the same line with the same locals.

import type { DriverLinesWithin, RunResult, StepKind } from '../model';
import { KERNEL_THREAD_ID } from '../model';
import type { RuntimeHost } from '../runtime/host';
import type { StepBackPlan } from './callSteps';
import type { DriverDebugger } from './driverDebugger';

/** What the session lends: its worker and driver debugger, the end of the run in progress (not shown), and showing a run's result. */
export interface LineTravelSession {
  host: RuntimeHost;
  driver: DriverDebugger;
  /** Resolves with the end of the run in progress, which the session does not show. */
  endOfRun(): Promise<RunResult>;
  /** The next driver stop is not shown: `reached` resolves at it; `cancel` shows the next one again. */
  quietDriverStop(): { reached: Promise<void>; cancel(): void };
  show(r: RunResult): void;
}

export class LineTravel {
  constructor(private readonly s: LineTravelSession) {}

  /**
   * Step Back at a driver line: to the call's entry, then the call again to where its stops began
   * (Step In to its first line, or through it to the pause at a line breakpoint), taking again the
   * steps that led to the stop one back. Where the stops began, one back is the DDI's entry.
   */
  async stepBack(plan: StepBackPlan): Promise<void> {
    const { host, driver } = this.s;
    const out = await this.finishCall();
    if (out.kind !== 'stopped') {
      await driver.skipPauses(false);
      return this.s.show(out);
    }
    const entry = await host.call({ op: 'callEntryMoment', callId: plan.callId });
    const atEntry = await host.call({ op: 'goToMoment', moment: entry, as: 'step' });
    await driver.skipPauses(false);
    if (plan.toEntry) return this.s.show(atEntry);
    return this.runCallAgain(plan);
  }

  /** Restart Frame at a driver line: the call finishes, then the session travels to `moment` (where the frame began, earlier than the call's end). */
  async travel(moment: number, as: 'restart'): Promise<void> {
    const out = await this.finishCall();
    if (out.kind !== 'stopped') {
      await this.s.driver.skipPauses(false);
      return this.s.show(out);
    }
    let r: RunResult;
    try {
      r = await this.s.host.call({ op: 'goToMoment', moment, as });
    } finally {
      await this.s.driver.skipPauses(false);
    }
    this.s.show(r);
  }

  /**
   * Reverse Continue at a driver line: from the call's return, backwards, the pauses of this call
   * at and after the stop left out (`within`; the others, and every earlier stop, count). With
   * `countAgain` (breakpoints changed since the call began), the call first runs again from its
   * entry to this stop, unseen, so that its pauses before the stop are counted under the
   * breakpoints set now (a line that ran before a breakpoint was set on it is then one of them).
   */
  async reverseContinue(threadId: number, within: DriverLinesWithin | undefined, countAgain?: StepBackPlan): Promise<void> {
    const { host, driver } = this.s;
    if (countAgain) {
      const out = await this.finishCall();
      if (out.kind !== 'stopped') {
        await driver.skipPauses(false);
        return this.s.show(out);
      }
      await host.call({ op: 'goToMoment', moment: await host.call({ op: 'callEntryMoment', callId: countAgain.callId }), as: 'step' });
      await driver.skipPauses(false);
      const again = await this.runQuietlyTo(countAgain);
      if (again) {
        // The call ran to its end without reaching the stop (the breakpoint its steps began at is
        // gone): the search starts there, the call's pauses as they were counted.
        if (again.kind !== 'stopped') return this.s.show(again);
        return this.backwards('reverseContinue', threadId, within);
      }
      within = driver.goingBack().within;
    }
    const out = await this.finishCall();
    await driver.skipPauses(false);
    if (out.kind !== 'stopped') return this.s.show(out);
    return this.backwards('reverseContinue', threadId, within);
  }

  /**
   * Step back or reverse continue from a kernel or GPU stop. The replay runs driver code the user has
   * already seen run: its line breakpoints must not stop it. Reverse continue looks for their pauses,
   * though: none is shown, each is told to the worker's search (kernel/driverLines.ts).
   */
  async backwards(step: Extract<StepKind, 'stepBack' | 'reverseContinue'>, threadId: number, within?: DriverLinesWithin): Promise<void> {
    const { host, driver } = this.s;
    const lines = step === 'reverseContinue' && driver.stopsInsideCalls;
    driver.runStarting();
    if (lines) driver.searchLines(true);
    else await driver.skipPauses(true);
    let r: RunResult;
    try {
      r = await host.call({ op: 'run', step, threadId, ...(lines ? { driverLines: within ? { within } : {} } : {}) });
    } finally {
      if (lines) driver.searchLines(false);
      else await driver.skipPauses(false);
    }
    const line = r.kind === 'stopped' ? r.driverLine : undefined;
    if (!line) return this.s.show(r);
    // The run stands at the entry of the call the pause is in: the call runs again to it.
    driver.runEnded();
    return this.runCallAgain({ callId: line.callId, commands: [], toEntry: false, start: { at: line.at, nth: line.nth } });
  }

  /** The call the driver is paused in runs to its end, V8's pauses skipped (left skipped), and the kernel's stop there (not shown). */
  private async finishCall(): Promise<RunResult> {
    const { driver } = this.s;
    await driver.skipPauses(true);
    const ended = this.s.endOfRun();
    await driver.resumeFrom('stepOut', KERNEL_THREAD_ID);
    const out = await ended;
    driver.runEnded();
    return out;
  }

  /** From the kernel's stop at a DDI's entry, the call again to a driver stop it made before (`plan`). */
  private async runCallAgain(plan: StepBackPlan): Promise<void> {
    this.s.show(await this.runTo(plan));
  }

  /**
   * The same, the driver stop not shown (the run it is part of goes on, its end taken later as any
   * run's is); or, when the run ends without it, that end, not shown either.
   */
  private async runQuietlyTo(plan: StepBackPlan): Promise<RunResult | undefined> {
    const quiet = this.s.quietDriverStop();
    let reached = false;
    const run = this.runTo(plan);
    void run.then((r) => {
      if (reached) this.s.show(r);
    });
    reached = await Promise.race([quiet.reached.then(() => true), run.then(() => false)]);
    if (reached) return undefined;
    quiet.cancel();
    this.s.driver.runEnded();
    return run;
  }

  /** From the kernel's stop at a DDI's entry, the call again to `plan`'s driver stop: the run's end. */
  private async runTo(plan: StepBackPlan): Promise<RunResult> {
    const { host, driver } = this.s;
    driver.replaySteps(plan);
    driver.runStarting();
    // From the call's first line by Step In; or through the call (a step out of it, its end at
    // the DDI's return) to the pause at a line breakpoint the stops began at.
    if (!plan.start) await driver.prepareStepIn();
    return host.call({ op: 'run', step: plan.start ? 'stepOut' : 'stepIn', threadId: KERNEL_THREAD_ID });
  }
}
