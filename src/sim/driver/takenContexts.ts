// Which driver contexts the collector has taken, for the debugger's sake. V8's inspector forgets a
// collected context only in a second pass after the collection, which runs as a task of the thread's
// event loop; until then the context stays on its list, empty. A thread the debugger holds paused
// (or one busy in a long run) runs no tasks, and in Node 20 `Debugger.setBreakpointByUrl` over a
// script of such a context enters the empty context and the process dies (a time-travel session
// makes a context per machine it builds, and drops them). A full collection asked for outright runs
// its second pass at once, so the debugger settles the taken contexts (`settleTakenContexts`) right
// before it places a breakpoint by URL; it costs a collection only when a context was taken.

import v8 from 'node:v8';
import vm from 'node:vm';

/** Each driver context still thought alive (their global objects, weakly held). */
let lives: WeakRef<object>[] = [];
/** A context was found taken when the list was pruned, and not settled since. */
let takenUnsettled = false;
/** The list is pruned when it grows past this (a sweep with no debugger makes thousands of contexts). */
let pruneAt = 64;
let collect: (() => void) | undefined;

/** Notes a new driver context by its global object (`globalThis` inside it). */
export function trackDriverContext(global: object): void {
  lives.push(new WeakRef(global));
  if (lives.length < pruneAt) return;
  const before = lives.length;
  lives = lives.filter((r) => r.deref() !== undefined);
  if (lives.length < before) takenUnsettled = true;
  pruneAt = Math.max(64, lives.length * 2);
}

/** V8's own full collection (the function `--expose-gc` installs), made in a throwaway context while the flag is up: no driver context ever has a `gc`. */
function forcedCollection(): () => void {
  v8.setFlagsFromString('--expose-gc');
  try {
    return vm.runInNewContext('gc') as () => void;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

/**
 * When a driver context was collected since the last call, runs a full collection so that the
 * inspector forgets it (and any other collected context) now: true when it did.
 */
export function settleTakenContexts(): boolean {
  const before = lives.length;
  lives = lives.filter((r) => r.deref() !== undefined);
  if (lives.length === before && !takenUnsettled) return false;
  takenUnsettled = false;
  (collect ??= forcedCollection())();
  return true;
}
