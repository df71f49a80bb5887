// The hang watchdog (timeout detection and recovery, TDR) shared by every host that runs a driver
// in a worker thread: `paging-lab run` and the debug adapter. One rule: driver code (a DDI call, or
// the module's top level while it loads) that has not returned after the TDR delay is a hang. Work
// the host does for its own sake (the simulator between calls, a debugger's requests) never counts.
//
// The worker reports entering and leaving driver code through shared memory (`meterDriverCode`),
// so the watching thread sees a hang even while the worker is stuck inside the driver. The kernel
// callbacks a DDI makes (DxgkCb*, its DMA adapter's functions) are the simulator's work: their time
// is taken out of the call's (a 1 GiB bus-master transfer is copied inside StartDma, for seconds). A debugger
// that holds the driver paused (at a line of its source) holds the watchdog too: `hold()` stops the
// clock and `release()` starts a fresh one, so time spent paused is never a hang.
//
// The worker also says where the code it entered is (the DDI's implementation in the driver's
// source, whatever the function's name), through the same shared memory: a hang or running out of
// memory is then reported at that line although the worker is stuck or gone by then.

import type { DdiName } from '../sim/ddi/contract';
import { DDI_NAMES, listenToDriverCode, type DriverCodeLocator } from '../sim/runtime/driverCode';

/** The TDR delay when neither the user (launch attribute, command-line flag) nor the scenario sets one. */
export const DEFAULT_TDR_DELAY_MS = 2000;

/** The delay in force: what the user asked for, else the scenario's `tdrDelayMs`, else the default. */
export function tdrDelayFor(requested: number | undefined, scenario: number | undefined): number {
  return requested ?? scenario ?? DEFAULT_TDR_DELAY_MS;
}

/** Layout of the shared control block (Int32 slots). */
const SLOT = {
  /** How deep the worker is in driver code (calls nest through kernel callbacks); 0: not in it. */
  depth: 0,
  /** Incremented at every entry, so the watcher can tell one long call from many short ones. */
  entries: 1,
  /** Index in DDI_NAMES of the call entered last. */
  ddi: 2,
  /** The TDR delay in force, in ms: the worker may set it once it knows the scenario's. */
  delayMs: 3,
  /** Where the call entered last is implemented: 1 + the offset of its text in the location area, or 0 when unknown. */
  location: 4,
  /** The end of the location area used so far (the worker appends each new location once). */
  locationsEnd: 5,
  /** 1 while the call entered last is inside a kernel callback (the simulator's work, not the driver's). */
  host: 6,
  /** Milliseconds of kernel callbacks since the call entered last, finished ones: not the driver's time. */
  hostMs: 7,
  size: 8,
} as const;

/** Bytes after the slots holding locations as `file:line:column` texts, each a 2-byte length then UTF-8. */
const LOCATION_AREA = 32 * 1024;

export interface Timeout {
  /** The DDI (or DriverEntry, for the module's top level) that did not return. */
  ddi: DdiName;
  /** How long it had been running when the watchdog fired. */
  ms: number;
  /** Where the driver implements it (`file:line:column`), when the worker knew. */
  at?: string;
  /** The delay in force. */
  delayMs: number;
}

export interface WatchdogOptions {
  tdrDelayMs: number;
  /**
   * A hang. Answer true when the host dealt with it without ending the worker (a debugger paused
   * the driver on its looping line and holds the watchdog): watching goes on. Otherwise it stops.
   */
  onTimeout(timeout: Timeout): unknown;
}

/** The watching side, on the host's own thread. Hand `control` to the worker (in its workerData). */
export class Watchdog {
  readonly control = new Int32Array(new SharedArrayBuffer(SLOT.size * 4 + LOCATION_AREA));
  private holds = 0;
  private seen = -1;
  private since = 0;
  private timer: NodeJS.Timeout | undefined;
  private fired = false;

  constructor(private readonly options: WatchdogOptions) {
    Atomics.store(this.control, SLOT.delayMs, Math.round(options.tdrDelayMs));
    this.schedule();
  }

  /** The delay in force (the worker may have set the scenario's). */
  get delayMs(): number {
    return Atomics.load(this.control, SLOT.delayMs);
  }

  /** True while a debugger holds the driver paused. */
  get held(): boolean {
    return this.holds > 0;
  }

  /** The driver is paused by a debugger: its time stands still until the matching `release()`. */
  hold(): void {
    this.holds++;
    this.seen = -1;
  }

  /** The driver runs again; the call in progress gets a whole TDR delay from now. */
  release(): void {
    if (this.holds === 0) throw new Error('Watchdog.release() without a hold()');
    this.holds--;
    this.seen = -1;
  }

  /** Stops watching for good (the worker ended, or the host is ending it). */
  stop(): void {
    this.fired = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.fired) return;
    // A period of an eighth of the delay: a hang is reported at most 12.5% late, and a long delay is not polled needlessly often.
    const period = Math.max(10, Math.min(200, this.delayMs / 8));
    this.timer = setTimeout(() => this.check(), period);
    this.timer.unref();
  }

  /** The DDI whose code the worker is running now (DriverEntry for the module's top level), if any. */
  driverCode(): DdiName | undefined {
    return Atomics.load(this.control, SLOT.depth) > 0 ? (DDI_NAMES[Atomics.load(this.control, SLOT.ddi)] ?? 'DriverEntry') : undefined;
  }

  /** Where the driver implements the code the worker is running now (`file:line:column`), when it said so. */
  driverCodeAt(): string | undefined {
    if (Atomics.load(this.control, SLOT.depth) <= 0) return undefined;
    const at = Atomics.load(this.control, SLOT.location) - 1;
    if (at < 0) return undefined;
    const area = new Uint8Array(this.control.buffer, SLOT.size * 4, LOCATION_AREA);
    const length = area[at] | (area[at + 1] << 8);
    return Buffer.from(area.subarray(at + 2, at + 2 + length)).toString('utf8');
  }

  private check(): void {
    if (this.fired) return;
    const c = this.control;
    if (this.holds > 0 || Atomics.load(c, SLOT.depth) <= 0) {
      this.seen = -1;
    } else {
      const now = Date.now();
      const entries = Atomics.load(c, SLOT.entries);
      // The driver's own time: the kernel's callbacks it made are taken out (finished ones by their
      // length; while one runs, nothing is judged), and so is the call's time before it was seen.
      const ran = now - this.since - Atomics.load(c, SLOT.hostMs);
      if (entries !== this.seen) {
        this.seen = entries;
        this.since = now;
      } else if (Atomics.load(c, SLOT.host) === 0 && ran >= this.delayMs) {
        this.fired = true;
        const at = this.driverCodeAt();
        const handled = this.options.onTimeout({ ddi: DDI_NAMES[Atomics.load(c, SLOT.ddi)] ?? 'DriverEntry', ms: ran, delayMs: this.delayMs, ...(at ? { at } : {}) });
        if (handled !== true) return;
        this.fired = false;
        this.seen = -1;
      }
    }
    this.schedule();
  }
}

/** The worker's side: from now on, the driver code this thread runs is reported to the watchdog owning `control`. */
export function meterDriverCode(control: Int32Array): void {
  /** Per entered call: its DDI's index and its location's slot value. */
  const calls: number[] = [];
  const area = new Uint8Array(control.buffer, SLOT.size * 4, LOCATION_AREA);
  /** Each function's location slot value (0: unknown), found once per function. */
  const slots = new WeakMap<object, number>();
  const slotOf = (ddi: DdiName, fn: unknown, locate: DriverCodeLocator | undefined): number => {
    if (typeof fn !== 'function' || !locate) return 0;
    let slot = slots.get(fn);
    if (slot === undefined) {
      slot = 0;
      const l = locate(ddi, fn);
      const text = l && Buffer.from(`${l.file}:${l.line}:${l.column}`, 'utf8');
      const end = Atomics.load(control, SLOT.locationsEnd);
      if (text && text.length < 0x10000 && end + 2 + text.length <= LOCATION_AREA) {
        area[end] = text.length & 0xff;
        area[end + 1] = text.length >> 8;
        area.set(text, end + 2);
        Atomics.store(control, SLOT.locationsEnd, end + 2 + text.length);
        slot = end + 1;
      }
      slots.set(fn, slot);
    }
    return slot;
  };
  /** Per entered call: how deep it is in kernel callbacks, and when the outermost began. */
  const callbacks: number[] = [];
  listenToDriverCode({
    enter(ddi, fn, locate) {
      const index = Math.max(0, DDI_NAMES.indexOf(ddi));
      const slot = slotOf(ddi, fn, locate);
      calls.push(index, slot);
      callbacks.push(0, 0);
      Atomics.store(control, SLOT.ddi, index);
      Atomics.store(control, SLOT.location, slot);
      Atomics.store(control, SLOT.hostMs, 0);
      Atomics.store(control, SLOT.host, 0);
      Atomics.add(control, SLOT.entries, 1);
      Atomics.store(control, SLOT.depth, calls.length / 2);
    },
    leave() {
      calls.length = Math.max(0, calls.length - 2);
      callbacks.length = Math.max(0, callbacks.length - 2);
      // Back in the caller: a hang from here on is the outer call's (inside the callback it made, if it was in one).
      if (calls.length) {
        Atomics.store(control, SLOT.ddi, calls[calls.length - 2]);
        Atomics.store(control, SLOT.location, calls[calls.length - 1]);
        Atomics.store(control, SLOT.host, callbacks[callbacks.length - 2] > 0 ? 1 : 0);
      }
      Atomics.store(control, SLOT.depth, calls.length / 2);
    },
    host(entering) {
      const at = callbacks.length - 2;
      if (at < 0) return;
      if (entering) {
        if (callbacks[at]++ === 0) {
          callbacks[at + 1] = Date.now();
          Atomics.store(control, SLOT.host, 1);
        }
      } else if (callbacks[at] > 0 && --callbacks[at] === 0) {
        Atomics.add(control, SLOT.hostMs, Date.now() - callbacks[at + 1]);
        Atomics.store(control, SLOT.host, 0);
      }
    },
  });
}

/** The worker's side: the TDR delay in force from now on (a scenario's `tdrDelayMs`, once it is read). */
export function setTdrDelay(control: Int32Array, ms: number): void {
  Atomics.store(control, SLOT.delayMs, Math.round(ms));
}
