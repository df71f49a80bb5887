// Time travel over one run: any moment of the progress counter can be reached again, because a run
// is deterministic (virtual time, the seeded random source, and the driver's sandbox taking
// Math.random, Date and performance.now from the seed and virtual time). A moment is reached by
// taking the nearest machine parked at or before it (a checkpoint) or a new machine of the same run,
// and running it forward, applying on the way the edits made while debugging (writeMemory,
// setVariable) at the moments they were made.
//
// Why a checkpoint is a parked machine and not a copy of the state: the kernel is a tree of
// generators (each stop is a `yield` deep inside VidMm and VidSch) and the driver lives in its own
// JavaScript context; neither can be copied or restored. A parked machine is the only way to hold a
// moment. It costs the machine's memory, and using one consumes it (running it forward changes it),
// so the timeline rebuilds them while the host is idle (`idle`), and drops the oldest when over its
// budget (replays then start further back: slower, never wrong). See docs/time-travel.md.

import type { Machine, MachineEvent } from '../machine';
import { attachRecorder, Recording, type SiteWrite } from './recorder';

/** An edit made while debugging: applied again at its moment by every replay. */
export interface Edit {
  moment: number;
  kind: 'writeMemory' | 'setVariable';
  /** writeMemory: debug address and bytes (hex). */
  address?: number;
  data?: string;
  /** setVariable: the variable's path (as the host names it) and the value typed. */
  path?: string;
  value?: string;
}

export interface TimelineOptions {
  /** A new machine of the same run (same driver, scenario, seed and options), at moment 0. */
  make(): Machine;
  /** Applies an edit to a machine standing at its moment (the host knows how to set a variable). */
  applyEdit(machine: Machine, edit: Edit): void;
  /** Memory the parked machines may hold, in bytes (default 256 MiB). */
  checkpointBytes?: number;
  /** How many machines may be parked (default 8). */
  checkpointCount?: number;
  /** Said once, when checkpoints had to be dropped for the budget. */
  notice?(text: string): void;
}

/** What a parked machine costs beyond its memory pages: its kernel, its driver context (an estimate until the travel benchmark measures it). */
export const MACHINE_OVERHEAD_BYTES = 2 * 1024 * 1024;

interface Parked {
  machine: Machine;
  /** The event it stands at (undefined at moment 0). */
  event: MachineEvent | undefined;
}

export class Timeline {
  readonly recording = new Recording();
  readonly edits: Edit[] = [];
  private live: Machine;
  private liveEvent: MachineEvent | undefined;
  private parked: Parked[] = [];
  private warned = false;
  /** Machines created, and events run again to reach moments (for benchmarks and the status line). */
  readonly stats = { machines: 0, replayedEvents: 0, dropped: 0 };

  constructor(private readonly opts: TimelineOptions) {
    this.live = this.fresh();
    this.recording.resolveSites = (id) => this.resolveSites(id);
  }

  /** The machine at the moment the session stands at. */
  get machine(): Machine {
    return this.live;
  }

  /** The event that made the current moment (undefined at moment 0). */
  get event(): MachineEvent | undefined {
    return this.liveEvent;
  }

  get moment(): number {
    return this.live.eventCount;
  }

  /** The last moment the run has reached (and recorded). */
  get frontier(): number {
    return this.recording.frontier;
  }

  private fresh(): Machine {
    const m = this.opts.make();
    attachRecorder(m, this.recording);
    this.stats.machines++;
    return m;
  }

  /** The next event of the live machine, the edits of the moment it left applied first. */
  next(): MachineEvent | undefined {
    const e = this.live.next();
    if (e) this.liveEvent = e;
    return e;
  }

  /**
   * Runs `m` (standing at `from`'s event) forward to moment `t`, applying edits; returns the event
   * of moment t, or the last event if the run ended before.
   */
  private advance(m: Machine, event: MachineEvent | undefined, t: number): MachineEvent | undefined {
    let e = event;
    while (m.eventCount < t) {
      const n = m.next();
      if (!n) break;
      e = n;
      this.stats.replayedEvents++;
      this.applyEditsAt(m);
    }
    return e;
  }

  private applyEditsAt(m: Machine): void {
    const at = m.eventCount;
    for (const edit of this.edits) if (edit.moment === at) this.opts.applyEdit(m, edit);
  }

  /**
   * Makes moment `t` the current one (0 <= t; past the frontier the run goes on forward) and returns
   * its event. Going back takes the nearest parked machine at or before t (or a new one); the
   * machine left is parked, so coming back to it costs nothing.
   */
  goTo(t: number): MachineEvent | undefined {
    if (!Number.isSafeInteger(t) || t < 0) throw new Error(`moment ${t} is not a moment: moments are whole numbers from 0`);
    const now = this.live.eventCount;
    if (t === now) return this.liveEvent;
    if (t > now) {
      // Forward: a parked machine between here and there saves the way.
      const ahead = this.takeParked(t, now);
      if (ahead) {
        this.park({ machine: this.live, event: this.liveEvent });
        this.live = ahead.machine;
        this.liveEvent = ahead.event;
      }
      this.liveEvent = this.advance(this.live, this.liveEvent, t);
      return this.liveEvent;
    }
    const from = this.takeParked(t, -1) ?? { machine: this.fresh(), event: undefined };
    this.park({ machine: this.live, event: this.liveEvent });
    this.live = from.machine;
    if (from.machine.eventCount === 0) this.applyEditsAt(from.machine);
    this.liveEvent = this.advance(from.machine, from.event, t);
    return this.liveEvent;
  }

  /** Takes the parked machine standing latest at or before `t` and after `after`. */
  private takeParked(t: number, after: number): Parked | undefined {
    let best = -1;
    for (let i = 0; i < this.parked.length; i++) {
      const c = this.parked[i].machine.eventCount;
      if (c <= t && c > after && (best < 0 || c > this.parked[best].machine.eventCount)) best = i;
    }
    if (best < 0) return undefined;
    return this.parked.splice(best, 1)[0];
  }

  /** Parks `p`; false when the budget had no room for it (it was the oldest, and went at once). */
  private park(p: Parked): boolean {
    if (p.machine.finished && p.machine.eventCount === 0) return false;
    this.parked.push(p);
    this.parked.sort((a, b) => a.machine.eventCount - b.machine.eventCount);
    this.trim();
    return this.parked.includes(p);
  }

  /** Bytes the parked machines hold (memory pages plus a fixed share for the kernel and the driver's context). */
  checkpointBytes(): number {
    let n = 0;
    for (const p of this.parked) n += machineBytes(p.machine);
    return n;
  }

  get checkpoints(): number[] {
    return this.parked.map((p) => p.machine.eventCount);
  }

  private trim(): void {
    const budget = this.opts.checkpointBytes ?? 256 * 1024 * 1024;
    const count = this.opts.checkpointCount ?? 8;
    while (this.parked.length > count || (this.parked.length > 0 && this.checkpointBytes() > budget)) {
      // The oldest goes: moments before the next one are then replayed from further back.
      const dropped = this.parked.shift()!;
      dropped.machine.stop();
      this.stats.dropped++;
      if (!this.warned) {
        this.warned = true;
        this.opts.notice?.(
          `Time travel: the checkpoints reached their budget (${count} machines, ${Math.round(budget / 1048576)} MiB); the oldest are dropped, so going far back replays from further back (slower, still exact).`,
        );
      }
    }
  }

  /**
   * An edit made now, at the current moment: applied to the live machine by the caller, recorded
   * here. What was recorded past this moment (moments, writes, parked machines, later edits) is of
   * another run now, and goes.
   */
  addEdit(edit: Omit<Edit, 'moment'>): Edit {
    const e: Edit = { ...edit, moment: this.moment };
    this.forgetAfter(e.moment);
    this.edits.push(e);
    return e;
  }

  private forgetAfter(moment: number): void {
    this.recording.truncateAfter(moment);
    for (let i = this.edits.length - 1; i >= 0; i--) if (this.edits[i].moment > moment) this.edits.splice(i, 1);
    this.parked = this.parked.filter((p) => {
      if (p.machine.eventCount <= moment) return true;
      p.machine.stop();
      return false;
    });
  }

  /**
   * Uses idle time to park a machine close behind the current moment, so the next step back has
   * little to replay. Runs at most until `deadline` (performance.now()); returns true while there
   * is more to do. Call it again and again while the host has nothing else to do.
   */
  idle(deadline: number): boolean {
    const target = this.rungTarget();
    if (target === undefined) return false;
    let b = this.builder;
    if (!b || b.machine.eventCount > target) {
      b?.machine.stop();
      const base = this.takeParkedCopyBase(target);
      b = this.builder = base ?? { machine: this.fresh(), event: undefined };
      if (b.machine.eventCount === 0) this.applyEditsAt(b.machine);
    }
    let ended = false;
    while (!ended && b.machine.eventCount < target && performance.now() < deadline) {
      for (let i = 0; i < 256 && b.machine.eventCount < target; i++) {
        const n = b.machine.next();
        if (!n) {
          ended = true;
          break;
        }
        b.event = n;
        this.applyEditsAt(b.machine);
      }
    }
    if (b.machine.eventCount >= target || ended) {
      this.builder = undefined;
      // A rung the budget cannot hold would be built again and dropped again for ever: stop here.
      if (!this.park(b)) return false;
    }
    return this.rungTarget() !== undefined;
  }

  private builder: Parked | undefined;

  /** Rungs wanted behind the current moment: 32, 512 and 8192 events back. */
  private rungTarget(): number | undefined {
    const now = this.moment;
    const have = this.checkpoints;
    // No more rungs than machines may be parked: each would push out the one before.
    for (const back of [32, 512, 8192].slice(0, Math.max(0, this.opts.checkpointCount ?? 8))) {
      const t = now - back;
      if (t < 1) continue;
      // A checkpoint within half the distance below the rung serves it.
      if (!have.some((c) => c <= t + back / 2 && c >= t - back / 2 && c < now)) return t;
    }
    return undefined;
  }

  /** A parked machine can't be copied: a new rung is always built from a new machine. */
  private takeParkedCopyBase(_target: number): Parked | undefined {
    return undefined;
  }

  /** Replays DDI call `callId` on a new machine with stacks taken at each of the driver's writes through the GPU module. */
  private resolveSites(callId: number): SiteWrite[] | undefined {
    const call = this.recording.index.call(callId);
    if (!call || !call.exit) return undefined;
    const capture = { from: call.entry, to: call.exit, found: [] as SiteWrite[] };
    const m = this.fresh();
    this.recording.siteCapture = capture;
    try {
      this.applyEditsAt(m);
      this.advance(m, undefined, call.exit);
    } finally {
      this.recording.siteCapture = undefined;
      m.stop();
    }
    return capture.found;
  }

  /** Ends every machine (the session is over). */
  dispose(): void {
    this.builder?.machine.stop();
    this.builder = undefined;
    for (const p of this.parked) p.machine.stop();
    this.parked = [];
    this.live.stop();
  }
}

/** What one machine holds: its memory pages and common buffers, plus the fixed share of a kernel and a driver context. */
export function machineBytes(m: Machine): number {
  const r = m.gpu.residentBytes();
  return r.vram + r.system + MACHINE_OVERHEAD_BYTES;
}
