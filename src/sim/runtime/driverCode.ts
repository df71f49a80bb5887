// When the driver's own code runs: every DDI call, and the module's top level while it loads. The
// simulator says so here and nothing more; a host that watches the driver for hangs (src/host)
// listens. Nothing in the simulator depends on anyone listening, so tests and in-process runs pay
// one empty check per call.

import type { DdiName } from '../ddi/contract';
import type { SourceLocation } from '../driver/errors';

/** Where the driver implements `fn`, its function for `ddi` (so a listener can say where a hang is, once per function). */
export type DriverCodeLocator = (ddi: DdiName, fn: unknown) => SourceLocation | undefined;

export interface DriverCodeListener {
  /**
   * The driver's code starts running `ddi` (the module's top level is reported as DriverEntry):
   * `fn`, the driver's function, when known, and how to find where it is in the driver's source.
   */
  enter(ddi: DdiName, fn?: unknown, locate?: DriverCodeLocator): void;
  /** It returned or threw. Calls nest when a kernel callback calls back into the driver. */
  leave(): void;
  /**
   * The driver called the kernel (a callback, DxgkCb* or its DMA adapter's functions): until the
   * matching `host(false)` the thread runs the simulator's work for it (a bus-master transfer of
   * 1 GiB is copied inside StartDma), which is not the driver's time.
   */
  host?(entering: boolean): void;
}

let listener: DriverCodeListener | undefined;

/** Sets (or, with undefined, removes) the one listener of this thread. */
export function listenToDriverCode(l: DriverCodeListener | undefined): void {
  listener = l;
}

export function enterDriverCode(ddi: DdiName, fn?: unknown, locate?: DriverCodeLocator): void {
  listener?.enter(ddi, fn, locate);
}

export function leaveDriverCode(): void {
  listener?.leave();
}

/** `fn`, a callback the kernel gives the driver, reporting its run as the kernel's work (DriverCodeListener.host). */
export function asHostWork<F extends (...args: never[]) => unknown>(fn: F): F {
  return function (this: unknown, ...args: Parameters<F>): ReturnType<F> {
    const l = listener;
    if (!l?.host) return fn.apply(this, args) as ReturnType<F>;
    l.host(true);
    try {
      return fn.apply(this, args) as ReturnType<F>;
    } finally {
      l.host(false);
    }
  } as F;
}

/** Makes each function member of `callbacks` report its run as the kernel's work (asHostWork), in place; returns it. */
export function asHostCallbacks<T extends object>(callbacks: T): T {
  const record = callbacks as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (typeof v === 'function') record[key] = asHostWork(v as (...args: never[]) => unknown);
  }
  return callbacks;
}

/** Every DDI a driver may implement; the type makes this list and the contract's names agree. */
const DDI_TABLE: Record<DdiName, true> = {
  DriverEntry: true,
  DxgkDdiAddDevice: true,
  DxgkDdiStartDevice: true,
  DxgkDdiStopDevice: true,
  DxgkDdiQueryAdapterInfo: true,
  DxgkDdiCreateAllocation: true,
  DxgkDdiDestroyAllocation: true,
  DxgkDdiBuildPagingBuffer: true,
  DxgkDdiPatch: true,
  DxgkDdiSubmitCommand: true,
  DxgkDdiInterruptRoutine: true,
  DxgkDdiDpcRoutine: true,
  DxgkDdiAcquireSwizzlingRange: true,
  DxgkDdiReleaseSwizzlingRange: true,
  DxgkDdiBusMasterTransfer: true,
};

export const DDI_NAMES: readonly DdiName[] = Object.keys(DDI_TABLE) as DdiName[];
