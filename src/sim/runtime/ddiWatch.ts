// Lets a thread that runs machines say, through shared memory, which DDI call is in progress, so
// another thread can notice a call that never returns (a TDR) even while this one is stuck inside
// the driver. Every DdiCaller created in this thread reports here once `watchDdiCalls` is set up.

import type { DdiName } from '../ddi/contract';
import type { DdiHook } from '../kernel/ddiCaller';

/** Shared layout (Int32 slots). */
export const WATCH = {
  /** 1 while the driver runs a DDI, 0 otherwise. */
  inDdi: 0,
  /** Incremented at every DDI entry, so a watcher can tell one long call from many short ones. */
  calls: 1,
  /** Index of the DDI in `WATCHED_DDIS`. */
  ddi: 2,
  size: 4,
} as const;

export const WATCHED_DDIS: readonly DdiName[] = [
  'DriverEntry',
  'DxgkDdiAddDevice',
  'DxgkDdiStartDevice',
  'DxgkDdiStopDevice',
  'DxgkDdiQueryAdapterInfo',
  'DxgkDdiCreateAllocation',
  'DxgkDdiDestroyAllocation',
  'DxgkDdiBuildPagingBuffer',
  'DxgkDdiPatch',
  'DxgkDdiSubmitCommand',
  'DxgkDdiInterruptRoutine',
  'DxgkDdiDpcRoutine',
  'DxgkDdiAcquireSwizzlingRange',
  'DxgkDdiReleaseSwizzlingRange',
  'DxgkDdiBusMasterTransfer',
];

/** Hooks every DdiCaller created from now on in this thread adds to itself. */
export const ambientDdiHooks: DdiHook[] = [];

let watched: Int32Array | undefined;

/** The driver's code starts running `ddi` (also its module's top level, reported as DriverEntry). */
export function enterDriverCode(ddi: DdiName): void {
  if (!watched) return;
  Atomics.store(watched, WATCH.ddi, Math.max(0, WATCHED_DDIS.indexOf(ddi)));
  Atomics.add(watched, WATCH.calls, 1);
  Atomics.store(watched, WATCH.inDdi, 1);
}

export function leaveDriverCode(): void {
  if (watched) Atomics.store(watched, WATCH.inDdi, 0);
}

export function watchDdiCalls(control: Int32Array): void {
  watched = control;
  ambientDdiHooks.push({
    before: (call) => enterDriverCode(call.ddi),
    after: leaveDriverCode,
    threw: leaveDriverCode,
  });
}
