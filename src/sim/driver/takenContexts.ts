// Which driver contexts the collector has taken, for the debugger's sake. V8's inspector forgets a
// collected context only in a second pass after the collection, which runs as a task of the thread's
// event loop; until then the context stays on its list, empty. A thread the debugger holds paused
// (or one busy in a long run) runs no tasks, and in Node 20 `Debugger.setBreakpointByUrl` over a
// script of such a context enters the empty context and the process dies (a time-travel session
// makes a context per machine it builds, and drops them). A full collection asked for outright runs
// its second pass at once, so the debugger settles the taken contexts (`settleTakenContexts`) right
// before it places a breakpoint by URL; it costs a collection only when a context was taken.

import { fullCollection } from '../runtime/fullCollection';

/** The driver contexts of a thread, weakly held, and whether one was taken since it was last settled. */
export class TakenContexts {
  /** Each driver context still thought alive (their global objects, weakly held). */
  private lives: WeakRef<object>[] = [];
  /** A context was found taken when the list was pruned, and not settled since. */
  private takenUnsettled = false;
  /** The list is pruned when it grows past this (a sweep with no debugger makes thousands of contexts). */
  private pruneAt = 64;

  /** Notes a new driver context by its global object (`globalThis` inside it). */
  track(global: object): void {
    this.lives.push(new WeakRef(global));
    if (this.lives.length < this.pruneAt) return;
    const before = this.lives.length;
    this.lives = this.lives.filter((r) => r.deref() !== undefined);
    if (this.lives.length < before) this.takenUnsettled = true;
    this.pruneAt = Math.max(64, this.lives.length * 2);
  }

  /**
   * When a context was collected since the last call, runs a full collection so that the inspector
   * forgets it (and any other collected context) now: true when it did.
   */
  settle(): boolean {
    const before = this.lives.length;
    this.lives = this.lives.filter((r) => r.deref() !== undefined);
    if (this.lives.length === before && !this.takenUnsettled) return false;
    this.takenUnsettled = false;
    fullCollection();
    return true;
  }
}

/** This thread's driver contexts (each sandbox notes its own; the debugger's bridge settles them). */
const driverContexts = new TakenContexts();

/** Notes a new driver context of this thread by its global object. */
export function trackDriverContext(global: object): void {
  driverContexts.track(global);
}

/** Settles this thread's driver contexts (TakenContexts.settle). */
export function settleTakenContexts(): boolean {
  return driverContexts.settle();
}
