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
