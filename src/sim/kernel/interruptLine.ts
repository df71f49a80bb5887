// The adapter's interrupt line as DxgkDdiInterruptRoutine (dispmprt.h) meets it. The routine runs at
// the interrupt's IRQL: of the kernel's callbacks it may call only DxgkCbNotifyInterrupt and
// DxgkCbQueueDpc, and once it has notified the GPU scheduler of something it must queue its DPC
// before it returns, since the scheduler acts on a notification only when the DPC calls
// DxgkCbNotifyDpc. On a line shared with another device (the scenario's
// `adapter.sharedInterruptLine`) the routine is also called for that device's interrupts, and it
// must find that its adapter raised nothing and return FALSE.

import { DXGK_INTERRUPT_DMA_COMPLETED, DXGK_INTERRUPT_DMA_FAULTED, type DXGKARGCB_NOTIFY_INTERRUPT_DATA, type DXGKRNL_INTERFACE } from '../ddi/contract';
import { DriverError, type SourceLocation } from '../driver/errors';
import { describeValue } from './describe';
import type { RuleId } from '../verifier/rules';

/** What one run of DxgkDdiInterruptRoutine did. */
export interface RoutineRun {
  /** What it passed to DxgkCbNotifyInterrupt, in order. */
  notifications: DXGKARGCB_NOTIFY_INTERRUPT_DATA[];
  dpcQueued: boolean;
}

/** The callbacks the routine may make at its IRQL; every other DxgkCbXxx is refused there. */
const AT_INTERRUPT_LEVEL = new Set(['DxgkCbNotifyInterrupt', 'DxgkCbQueueDpc']);

export class InterruptLine {
  private running: RoutineRun | undefined;

  constructor(
    /** Another device shares the line: the routine is called for its interrupts too. */
    readonly shared: boolean,
    private readonly where: { here(): SourceLocation | undefined },
    private readonly fault: (rule: RuleId, message: string, location: SourceLocation | undefined, ddi?: 'DxgkDdiInterruptRoutine' | 'DxgkDdiDpcRoutine') => Error,
  ) {}

  /** Runs the routine's code (`body`) and returns its result with what it did. */
  run<T>(body: () => T): { result: T; did: RoutineRun } {
    const did: RoutineRun = { notifications: [], dpcQueued: false };
    this.running = did;
    try {
      return { result: body(), did };
    } finally {
      this.running = undefined;
    }
  }

  /** DxgkCbNotifyInterrupt was called (`data` as the kernel keeps it). */
  notified(data: DXGKARGCB_NOTIFY_INTERRUPT_DATA): void {
    if (!this.running) return;
    this.running.notifications.push(data);
  }

  /** DxgkCbQueueDpc was called. */
  dpcQueued(): void {
    if (this.running) this.running.dpcQueued = true;
  }

  /**
   * Makes every other DxgkCbXxx of `iface` refuse to run inside the routine. Called as the driver
   * receives the interface, after every part of the kernel has added its callbacks to it.
   */
  guard(iface: DXGKRNL_INTERFACE): void {
    const record = iface as unknown as Record<string, unknown>;
    for (const name of Object.keys(record)) {
      const f = record[name];
      if (!name.startsWith('DxgkCb') || AT_INTERRUPT_LEVEL.has(name) || typeof f !== 'function') continue;
      const refuse = (): Error | undefined =>
        this.running &&
        this.fault(
          'interrupt-routine-callbacks',
          `DxgkDdiInterruptRoutine called ${name}: the routine runs at the interrupt's IRQL, where only DxgkCbNotifyInterrupt and DxgkCbQueueDpc may be called; do the rest in DxgkDdiDpcRoutine (queued with DxgkCbQueueDpc)`,
          this.where.here(),
        );
      record[name] = function (this: unknown, ...args: unknown[]): unknown {
        const refused = refuse();
        if (refused) throw refused;
        return (f as (...a: unknown[]) => unknown).apply(this, args);
      };
    }
  }

  /**
   * The rules on what the routine did; a violation points at the `return` that gave `claimed`. `foreign`: the interrupt came from the other device on a
   * shared line; `ownPending`: the adapter had raised an interrupt of its own not yet delivered;
   * `isNew`: whether a notification tells the scheduler something it did not know.
   */
  judge(claimed: unknown, did: RoutineRun, foreign: boolean, ownPending: boolean, isNew: (d: DXGKARGCB_NOTIFY_INTERRUPT_DATA) => boolean, returnedAt: () => SourceLocation | undefined): void {
    if (did.notifications.length && !did.dpcQueued) {
      const n = did.notifications.length;
      throw this.fault(
        'interrupt-dpc-not-queued',
        `DxgkDdiInterruptRoutine called DxgkCbNotifyInterrupt ${n === 1 ? 'once' : `${n} times`} and returned without calling DxgkCbQueueDpc: the GPU scheduler acts on a notification only when the driver's DxgkDdiDpcRoutine calls DxgkCbNotifyDpc, so the fences it reported would never complete`,
        returnedAt(),
      );
    }
    if (foreign && claimed && !ownPending && !did.notifications.some(isNew)) {
      throw this.fault(
        'interrupt-claimed-foreign',
        `DxgkDdiInterruptRoutine returned TRUE for an interrupt its adapter did not raise (another device on the shared interrupt line raised it; no engine had signalled anything${did.notifications.length ? ', and what the routine notified was already reported' : ''}): claiming it keeps that device's interrupt from its own driver. Read the adapter's state (the fence registers) and return FALSE when nothing changed`,
        returnedAt(),
      );
    }
  }

  /** The rule on the DPC the routine queued: `pending` notifications it did not hand to the scheduler. */
  judgeDpc(pending: number, returnedAt: () => SourceLocation | undefined): void {
    if (!pending) return;
    throw this.fault(
      'dpc-not-notified',
      `DxgkDdiDpcRoutine returned without calling DxgkCbNotifyDpc while ${pending === 1 ? 'a notification' : `${pending} notifications`} from DxgkDdiInterruptRoutine waited for it: the GPU scheduler takes what DxgkCbNotifyInterrupt reported only at DxgkCbNotifyDpc, so those fences would never complete`,
      returnedAt(),
      'DxgkDdiDpcRoutine',
    );
  }
}

/**
 * The kernel's own copy of what the driver passed to DxgkCbNotifyInterrupt, checked: the two
 * shapes copied member by member, since structuredClone cost more than the rest of the callback
 * (41 ms of a 1.7 s stress run).
 */
export function keptNotification(data: DXGKARGCB_NOTIFY_INTERRUPT_DATA): DXGKARGCB_NOTIFY_INTERRUPT_DATA {
  if (!data || (data.InterruptType !== DXGK_INTERRUPT_DMA_COMPLETED && data.InterruptType !== DXGK_INTERRUPT_DMA_FAULTED)) {
    throw new DriverError('contract', `DxgkCbNotifyInterrupt: unsupported InterruptType ${describeValue((data as { InterruptType?: unknown } | undefined)?.InterruptType)}`);
  }
  const member = data.InterruptType === DXGK_INTERRUPT_DMA_COMPLETED ? 'DmaCompleted' : 'DmaFaulted';
  const from = (data as unknown as Record<string, Record<string, unknown> | undefined>)[member];
  if (typeof from !== 'object' || from === null) {
    throw new DriverError('contract', `DxgkCbNotifyInterrupt: InterruptType ${data.InterruptType} needs ${member}, got ${describeValue(from)}`);
  }
  const id = (name: string): number => {
    const v = from[name];
    if (!Number.isInteger(v) || (v as number) < 0) throw new DriverError('contract', `DxgkCbNotifyInterrupt: ${member}.${name} is ${describeValue(v)}, not a non-negative integer`);
    return v as number;
  };
  // "For graphics adapters that are not part of a link, you should always set EngineOrdinal to 0":
  // the engine that interrupted is the node, NodeOrdinal. (Paging Lab's adapters are never linked.)
  if (from.EngineOrdinal !== 0) {
    throw new DriverError(
      'contract',
      `DxgkCbNotifyInterrupt: ${member}.EngineOrdinal is ${describeValue(from.EngineOrdinal)}; for an adapter that is not part of a link it is always 0, and the engine that interrupted is named by ${member}.NodeOrdinal`,
    );
  }
  if (data.InterruptType === DXGK_INTERRUPT_DMA_COMPLETED) {
    return { InterruptType: data.InterruptType, DmaCompleted: { SubmissionFenceId: id('SubmissionFenceId'), NodeOrdinal: id('NodeOrdinal'), EngineOrdinal: id('EngineOrdinal') } };
  }
  return { InterruptType: data.InterruptType, DmaFaulted: { FaultedFenceId: id('FaultedFenceId'), Status: from.Status as number, NodeOrdinal: id('NodeOrdinal'), EngineOrdinal: id('EngineOrdinal') } };
}
