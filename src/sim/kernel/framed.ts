// A body of kernel work run with a label on the kernel's frame stack (what the debugger shows as
// the kernel thread's stack frames). An iterator rather than a generator: every event the body
// yields passes through each frame around it, and resuming a generator per frame per event cost
// about 4 % of the kernel stress (two or three frames deep at most events); a plain `next` call
// costs next to nothing. The label goes on when the body starts and comes off when it finishes,
// throws or is returned early, exactly as a generator with try/finally around `yield* body` did.

import type { Gen, MachineEvent } from './events';

/** Who keeps the frame stack. */
export interface FrameStack {
  enterFrame(label: string): void;
  leaveFrame(): void;
}

/** The kernel's frame stack: its labels, outermost first, and their copy as a DDI call's cause. */
export class KernelFrames implements FrameStack {
  /**
   * The labels as a DDI call's cause, kept while they do not change: the calls made under the same
   * frames (a multipass loop, the calls of one VidMm operation) share one copy. A recorded run keeps
   * every call's cause, and a copy per call was a third of what recording added to the collector's work.
   */
  private copy: readonly string[] | undefined;

  constructor(readonly labels: string[]) {}

  enterFrame(label: string): void {
    this.labels.push(label);
    this.copy = undefined;
  }

  leaveFrame(): void {
    this.labels.pop();
    this.copy = undefined;
  }

  cause(): readonly string[] {
    return (this.copy ??= this.labels.slice());
  }
}

/** `body` run under `label` (Kernel.frame makes these). */
export class Framed<R> implements Gen<R> {
  private started = false;
  private ended = false;

  constructor(
    private readonly stack: FrameStack,
    private readonly label: string,
    private readonly body: Gen<R>,
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<MachineEvent, R> {
    if (!this.started) {
      if (this.ended) return this.body.next();
      this.started = true;
      this.stack.enterFrame(this.label);
    }
    let r: IteratorResult<MachineEvent, R>;
    try {
      r = this.body.next();
    } catch (e) {
      this.leave();
      throw e;
    }
    if (r.done === true) this.leave();
    return r;
  }

  return(value: R): IteratorResult<MachineEvent, R> {
    return this.forward(() => this.body.return(value));
  }

  throw(error: unknown): IteratorResult<MachineEvent, R> {
    return this.forward(() => this.body.throw(error));
  }

  /**
   * A return or throw passed on to the body, the label coming off when that ends it. Before the body
   * started it ends without running, and there is nothing to leave (a generator returned or thrown
   * into before its first `next` runs none of its code either).
   */
  private forward(into: () => IteratorResult<MachineEvent, R>): IteratorResult<MachineEvent, R> {
    if (!this.started) {
      this.ended = true;
      return into();
    }
    let r: IteratorResult<MachineEvent, R>;
    try {
      r = into();
    } catch (e) {
      this.leave();
      throw e;
    }
    if (r.done === true) this.leave();
    return r;
  }

  private leave(): void {
    if (!this.started || this.ended) return;
    this.ended = true;
    this.stack.leaveFrame();
  }
}
