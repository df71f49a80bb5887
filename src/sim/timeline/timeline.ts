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
// budget (replays then start further back: slower, never wrong). Past twice the VRAM the run has
// touched it keeps only those that save a long replay: for a small run, replaying from the start
// is quicker than keeping machines to start from. See docs/time-travel.md.

import type { Machine, MachineEvent } from '../machine';
import { attachRecorder, Recording, type SiteWrite } from './recorder';
import { CHECKPOINT_MEMORY_PER_VRAM_TOUCHED, DEFAULT_CHECKPOINT_BYTES, DEFAULT_CHECKPOINT_COUNT, DEFAULT_WORTHWHILE_REPLAY_MS, machineBytes } from './checkpointBudget';

export { CHECKPOINT_MEMORY_PER_VRAM_TOUCHED, DEFAULT_CHECKPOINT_BYTES, DEFAULT_CHECKPOINT_COUNT, DEFAULT_WORTHWHILE_REPLAY_MS, MACHINE_OVERHEAD_BYTES, machineBytes } from './checkpointBudget';

/**
 * What the debugger did at a moment that changed the run: an edit (writeMemory, setVariable), or a
 * GPU instruction run ahead of the kernel's schedule (`runEngine`: a user stepping an engine while
 * the kernel stands at a DDI call). Applied again, in order, at its moment by every replay.
 */
export interface Edit {
  moment: number;
  kind: 'writeMemory' | 'setVariable' | 'runEngine';
  /** runEngine: the engine that ran its next instruction. */
  engine?: number;
  /** writeMemory: debug address and bytes (hex). */
  address?: number;
  data?: string;
  /** setVariable: the variable's path (as the host names it) and the value typed. */
  path?: string;
  value?: string;
  /**
   * Where its writes are in the write log, [logStart, logEnd): logged the first time it is made, at
   * the last recorded moment (where the recorder listens). A replay that makes it there again adds
   * nothing to the log, and forgetting the run after its moment keeps them.
   */
  logStart?: number;
  logEnd?: number;
}

export interface TimelineOptions {
  /** A new machine of the same run (same driver, scenario, seed and options), at moment 0. */
  make(): Machine;
  /** Applies an edit to a machine standing at its moment, whose event is `event` (the host knows how to set a variable). runEngine edits are the timeline's own. */
  applyEdit(machine: Machine, edit: Edit, event: MachineEvent | undefined): void;
  /** Memory the parked machines may hold, in bytes (default 256 MiB). */
  checkpointBytes?: number;
  /** How many machines may be parked (default 8). */
  checkpointCount?: number;
  /** Past the memory allowance, a checkpoint is kept only where it saves a replay longer than this, in ms (default 200; 0 keeps every one the count and bytes allow). */
  worthwhileReplayMs?: number;
  /** Said once, when checkpoints had to be dropped for the budget. */
  notice?(text: string): void;
}

interface Parked {
  machine: Machine;
  /** The event it stands at (undefined at moment 0). */
  event: MachineEvent | undefined;
  /** How many of the edits of its moment it has applied. */
  acts: number;
}

/**
 * Where a machine stands: a moment, and how many of that moment's edits (writes, GPU instructions
 * run ahead) it has applied. A stop the run reaches is at `acts` 0; a GPU step taken while the
 * kernel stands still moves `acts` on.
 */
export interface Position {
  moment: number;
  acts: number;
}

function before(a: number, aa: number, b: number, ba: number): boolean {
  return a < b || (a === b && aa < ba);
}

export class Timeline {
  readonly recording = new Recording();
  edits: Edit[] = [];
  private live: Machine;
  private liveEvent: MachineEvent | undefined;
  private liveActs = 0;
  private parked: Parked[] = [];
  private warned = false;
  /**
   * The first change made while the driver was paused inside a DDI call, the live machine standing
   * at this position (a local of the driver set, memory written mid-call): the live run has it, and
   * no replay can make it there (the driver's JavaScript heap is not the timeline's, and a replay
   * makes the moment's edits before the call's code runs). Going back drops it.
   */
  private unreplayable: { moment: number; acts: number; what: string } | undefined;
  /** The live machine holds a run from such a change, dropped: it is stopped when the session leaves it, never parked. */
  private liveTainted = false;
  /** Machines created, and events run again to reach moments (for benchmarks and the status line). */
  readonly stats = { machines: 0, replayedEvents: 0, dropped: 0 };
  /**
   * The fastest replay measured in the session (ms per event), and how many were measured. The
   * fastest, not the mean: a new machine's first replay runs the driver's code cold, at a third of
   * the speed of the next.
   */
  private fastestMsPerEvent = Infinity;
  private replaysMeasured = 0;

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

  /** The moment, and how many of its edits the live machine has applied. */
  get position(): Position {
    return { moment: this.live.eventCount, acts: this.liveActs };
  }

  /** The edits recorded at `moment`, in order. */
  editsAt(moment: number): Edit[] {
    return this.edits.filter((e) => e.moment === moment);
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

  /** The next event of the live machine, the edits recorded at the moment it leaves applied first (the same run again). */
  next(): MachineEvent | undefined {
    this.liveActs = this.applyActs(this.live, this.liveEvent, this.liveActs, Infinity);
    const e = this.live.next();
    if (e) {
      this.liveEvent = e;
      this.liveActs = 0;
    }
    return e;
  }

  /**
   * Runs `engine`'s next instruction now, ahead of the kernel (Machine.runEngineNow), as an edit of
   * the current moment. When the run recorded from here did the same next, it is that run again;
   * otherwise the run goes another way and what was recorded past here goes.
   */
  runEngineNow(engine: number): ReturnType<Machine['runEngineNow']> {
    const at = this.live.eventCount;
    const acts = this.editsAt(at);
    // Edits recorded before the next instruction run ahead are the same run: apply them first.
    let i = this.liveActs;
    while (i < acts.length && acts[i].kind !== 'runEngine') i++;
    if (i < acts.length && acts[i].engine === engine) {
      this.liveActs = this.applyActs(this.live, this.liveEvent, this.liveActs, i);
      const r = this.logged(this.live, acts[i], () => this.live.runEngineNow(engine));
      this.liveActs = i + 1;
      return r;
    }
    // The run goes another way: what was recorded past here goes first, so that the instruction's
    // own writes (dated the next moment) are recorded, after what stays.
    if (!this.live.finished && this.live.kernel.registers.nextInstruction(engine)) this.forgetFrom(at, this.liveActs);
    const edit: Edit = { moment: at, kind: 'runEngine', engine };
    const r = this.logged(this.live, edit, () => this.live.runEngineNow(engine));
    if (r) {
      this.edits.push(edit);
      this.liveActs++;
    }
    return r;
  }

  /**
   * Makes `edit` on `m` (`make`). The first time it is made at the last recorded moment its writes
   * are logged, and where they are is kept; made there again (a replay reaching that moment), the
   * recorder is told they are logged already. Below it the recorder logs nothing anyway.
   */
  private logged<T>(m: Machine, edit: Edit, make: () => T): T {
    const rec = this.recording;
    if (edit.logEnd !== undefined) {
      rec.quiet = true;
      try {
        return make();
      } finally {
        rec.quiet = false;
      }
    }
    const first = m.eventCount === rec.frontier;
    const start = rec.log.size;
    const r = make();
    if (first) {
      edit.logStart = start;
      edit.logEnd = rec.log.size;
      rec.log.seal();
    }
    return r;
  }

  /**
   * Runs `m` (standing at moment m.eventCount, its event `event`, `acts` of that moment's edits
   * applied) forward to position (t, tActs), applying edits on the way; returns the event of the
   * moment reached and its acts (the last moment if the run ended before).
   */
  private advance(m: Machine, event: MachineEvent | undefined, acts: number, t: number, tActs = Infinity, onEvent?: (e: MachineEvent) => void): { event: MachineEvent | undefined; acts: number } {
    let e = event;
    let a = acts;
    const t0 = performance.now();
    const from = m.eventCount;
    while (m.eventCount < t) {
      a = this.applyActs(m, e, a, Infinity);
      const n = m.next();
      if (!n) break;
      e = n;
      a = 0;
      this.stats.replayedEvents++;
      onEvent?.(n);
    }
    this.measured(m.eventCount - from, performance.now() - t0);
    if (m.eventCount < t) return { event: e, acts: a };
    a = this.applyActs(m, e, a, tActs);
    return { event: e, acts: a };
  }

  /** Applies the edits of m's moment from index `from` up to (not including) `to`; returns how many are applied. */
  private applyActs(m: Machine, event: MachineEvent | undefined, from: number, to: number): number {
    // Called at every event of every replay: with no edit made (the usual case), no list is made.
    if (this.edits.length === 0) return from;
    const acts = this.editsAt(m.eventCount);
    const end = Math.min(to, acts.length);
    for (let i = from; i < end; i++) {
      const edit = acts[i];
      if (edit.kind === 'runEngine') this.logged(m, edit, () => m.runEngineNow(edit.engine!));
      else this.logged(m, edit, () => this.opts.applyEdit(m, edit, event));
    }
    return Math.max(from, end);
  }

  /**
   * Makes moment `t` the current one (0 <= t; past the frontier the run goes on forward) and returns
   * its event. Going back takes the nearest parked machine at or before t (or a new one); the
   * machine left is parked, so coming back to it costs nothing.
   */
  goTo(t: number, tActs = Infinity): MachineEvent | undefined {
    if (!Number.isSafeInteger(t) || t < 0) throw new Error(`moment ${t} is not a moment: moments are whole numbers from 0`);
    if (!(tActs >= 0)) throw new Error(`${tActs} edits of a moment is not a count`);
    const now = this.live.eventCount;
    const nowActs = this.liveActs;
    const wanted = t === now ? Math.min(tActs, this.editsAt(t).length) : tActs;
    if (t === now && wanted === nowActs) return this.liveEvent;
    let from: Parked;
    if (before(now, nowActs, t, wanted)) {
      // Forward: a parked machine between here and there saves the way.
      const ahead = this.takeParked(t, tActs, now, nowActs);
      if (ahead) {
        this.leaveLive(ahead.machine, t);
        from = ahead;
      } else from = { machine: this.live, event: this.liveEvent, acts: this.liveActs };
    } else {
      // Back before a change to the driver's variables: the live machine's run goes with it.
      this.dropUnreplayable();
      from = this.takeParked(t, tActs, -1, 0) ?? { machine: this.fresh(), event: undefined, acts: 0 };
      this.leaveLive(from.machine, t);
    }
    const r = this.advance(from.machine, from.event, from.acts, t, tActs);
    this.liveEvent = r.event;
    this.liveActs = r.acts;
    // The replay just measured may show a machine parked before it not worth its memory.
    this.trim(this.live.eventCount);
    return this.liveEvent;
  }

  /**
   * Runs moments (from, to] of the run again on a machine of their own, the session's machine left
   * where it stands: `watch` is attached to it at moment `from` and told of each event after, until
   * moment `to`. What a replay can tell and the log does not keep (the GPU's reads) is found this
   * way. The machine is then parked at `to`, a checkpoint for the next scan or step back.
   */
  scan(from: number, to: number, watch: (m: Machine) => { event(e: MachineEvent, m: Machine): void; stop(): void }): void {
    // A search back replays the run without a change to the driver's variables: the session goes back.
    if (this.unreplayable && to > this.unreplayable.moment) this.dropUnreplayable();
    const start = this.takeParked(from, 0, -1, 0) ?? { machine: this.fresh(), event: undefined, acts: 0 };
    const m = start.machine;
    const there = this.advance(m, start.event, start.acts, from, 0);
    const w = watch(m);
    let reached: { event: MachineEvent | undefined; acts: number };
    try {
      reached = this.advance(m, there.event, there.acts, to, 0, (e) => w.event(e, m));
    } catch (e) {
      // The watch ended the scan (a pause): its machine goes (its watch stopped midway, and no search goes on from there).
      m.stop();
      throw e;
    } finally {
      w.stop();
    }
    this.park({ machine: m, ...reached }, to);
  }

  /** Takes the parked machine standing latest at or before (t, tActs) and after (after, afterActs). */
  private takeParked(t: number, tActs: number, after: number, afterActs: number): Parked | undefined {
    let best = -1;
    for (let i = 0; i < this.parked.length; i++) {
      const p = this.parked[i];
      const c = p.machine.eventCount;
      if (!before(t, tActs, c, p.acts) && before(after, afterActs, c, p.acts) && (best < 0 || before(this.parked[best].machine.eventCount, this.parked[best].acts, c, p.acts))) best = i;
    }
    if (best < 0) return undefined;
    return this.parked.splice(best, 1)[0];
  }

  /**
   * Parks `p`, the session going to moment `near`; false when the budget had no room for it (it was
   * the one to go, and went at once).
   */
  private park(p: Parked, near: number): boolean {
    if (p.machine.finished && p.machine.eventCount === 0) return false;
    this.parked.push(p);
    this.parked.sort((a, b) => a.machine.eventCount - b.machine.eventCount || a.acts - b.acts);
    this.trim(near);
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

  /**
   * Keeps the parked machines within the budget, the session going to moment `near`. Over the count,
   * the machine that saves the shortest way goes: the one standing closest after another start
   * (a parked machine, the session's own machine at `near`, or moment 0). Stepping back parks the
   * machine left at every step; dropping the oldest then dropped the checkpoint just behind the
   * session (built in idle time) and kept machines a moment or two ahead of it, which a step forward
   * does not need, so every later step back replayed the run from its start. Over the bytes, the
   * oldest goes.
   */
  private trim(near: number): void {
    const budget = this.opts.checkpointBytes ?? DEFAULT_CHECKPOINT_BYTES;
    const count = this.opts.checkpointCount ?? DEFAULT_CHECKPOINT_COUNT;
    while (this.parked.length > count || (this.parked.length > 0 && this.checkpointBytes() > budget)) {
      const i = this.parked.length > count ? this.leastUseful(near) : 0;
      const [dropped] = this.parked.splice(i, 1);
      dropped.machine.stop();
      this.stats.dropped++;
      if (!this.warned) {
        this.warned = true;
        this.opts.notice?.(
          `Time travel: the checkpoints reached their budget (${count} machines, ${Math.round(budget / 1048576)} MiB); some are dropped (those closest after another, or the oldest when over the bytes), so going back may replay from further back (slower, still exact).`,
        );
      }
    }
    // Past the memory allowance, those that save too short a replay to be worth their memory (not a
    // budget the user set: nothing to say).
    while (this.parked.length > 0 && this.checkpointBytes() > this.allowance()) {
      const i = this.leastUseful(near);
      if (this.worth(this.gapBehind(i, near))) break;
      this.parked.splice(i, 1)[0].machine.stop();
      this.stats.dropped++;
    }
  }

  /** Checkpoint memory held whatever the replay it saves: a share of the VRAM the run has touched. */
  private allowance(): number {
    return CHECKPOINT_MEMORY_PER_VRAM_TOUCHED * (this.recording.touched?.bytes('vram') ?? 0);
  }

  /** The replay parked machine `i` saves: its distance from the start a replay would otherwise take (the one before it, the session's machine at `near`, or moment 0). */
  private gapBehind(i: number, near: number): number {
    const c = this.parked[i].machine.eventCount;
    let start = i > 0 ? this.parked[i - 1].machine.eventCount : 0;
    if (near <= c && near > start) start = near;
    return c - start;
  }

  /** Notes a replay of `events` events that took `ms` (too short a one says little). */
  private measured(events: number, ms: number): void {
    if (events < 1000) return;
    this.replaysMeasured++;
    this.fastestMsPerEvent = Math.min(this.fastestMsPerEvent, ms / events);
  }

  /**
   * Whether a checkpoint that saves replaying `events` events is worth its memory by the time it
   * saves. Until two replays are measured (the first runs cold), none is: the next replay measures.
   */
  private worth(events: number): boolean {
    const w = this.opts.worthwhileReplayMs ?? DEFAULT_WORTHWHILE_REPLAY_MS;
    if (w <= 0) return true;
    return this.replaysMeasured >= 2 && events * this.fastestMsPerEvent >= w;
  }

  /** The parked machine (index, in moment order) closest after another start of a replay; the later one on a tie. */
  private leastUseful(near: number): number {
    let best = 0;
    let bestGap = Infinity;
    for (let i = 0; i < this.parked.length; i++) {
      const gap = this.gapBehind(i, near);
      if (gap <= bestGap) {
        best = i;
        bestGap = gap;
      }
    }
    return best;
  }

  /**
   * An edit made now, at the current moment: applied to the live machine by the caller, recorded
   * here. What was recorded past this moment (moments, writes, parked machines, later edits) is of
   * another run now, and goes.
   */
  addEdit(edit: Omit<Edit, 'moment'>): Edit {
    const e: Edit = { ...edit, moment: this.moment };
    const rec = this.recording;
    const kept = this.editsAt(e.moment)[this.liveActs - 1];
    const size = rec.log.size;
    const frontier = rec.frontier;
    this.forgetFrom(e.moment, this.liveActs);
    if (rec.frontier !== frontier || rec.log.size !== size) {
      // The host made it, then said so: below the last recorded moment the recorder did not log
      // it, and what was just forgotten ended the log. Made again (the same bytes, the same value),
      // now that the moment is the last recorded.
      this.logged(this.live, e, () => this.opts.applyEdit(this.live, e, this.liveEvent));
    } else {
      // Logged as it was made, after the writes of the moment's edits before it.
      e.logStart = kept?.logEnd ?? rec.log.firstAtOrAfter(e.moment + 1);
      e.logEnd = rec.log.size;
      rec.log.seal();
    }
    this.edits.push(e);
    this.liveActs++;
    return e;
  }

  /**
   * A change (`what`) was made while the driver is paused inside a DDI call the live machine is in: the run
   * goes another way from here, which no replay can take again. It lasts while the session goes
   * forward; going back before it (or searching back across it) drops it and what followed it.
   */
  markUnreplayable(what: string): void {
    this.forgetFrom(this.live.eventCount, this.liveActs);
    this.unreplayable ??= { moment: this.live.eventCount, acts: this.liveActs, what };
  }

  /** The run's change made inside a DDI call that no replay can make (a recording of it would not reproduce it). */
  get unreplayableChange(): string | undefined {
    return this.unreplayable?.what;
  }

  /** Going back: the run from the change to the driver's variables is forgotten, said once (the live machine holds it: it goes when the session leaves it). */
  private dropUnreplayable(): void {
    const u = this.unreplayable;
    if (!u) return;
    this.unreplayable = undefined;
    this.liveTainted = true;
    this.forgetFrom(u.moment, u.acts);
    this.opts.notice?.(`Going back dropped a change made while the driver was paused inside a DDI call (${u.what}): no replay can make it there, so the run from moment ${u.moment} on is now the one without it.`);
  }

  /** The session leaves the live machine for `next`: parked (a checkpoint), or stopped when it holds a run no replay makes. */
  private leaveLive(next: Machine, near: number): void {
    if (this.liveTainted) this.live.stop();
    else this.park({ machine: this.live, event: this.liveEvent, acts: this.liveActs }, near);
    this.liveTainted = false;
    this.live = next;
  }

  /** The run goes another way from (moment, acts): its later edits, moments, writes and parked machines go. */
  private forgetFrom(moment: number, acts: number): void {
    // The writes of the moment's edits kept stay (dated the moment after, first in its writes); those
    // of the edits dropped go.
    const own = this.editsAt(moment);
    if (this.recording.frontier > moment) this.recording.truncateAfter(moment, (acts > 0 && own[acts - 1].logEnd) || 0);
    else if (own[acts]?.logStart !== undefined) this.recording.log.truncateTo(own[acts].logStart!);
    let seen = 0;
    this.edits = this.edits.filter((e) => e.moment < moment || (e.moment === moment && seen++ < acts));
    this.parked = this.parked.filter((p) => {
      if (!before(moment, acts, p.machine.eventCount, p.acts)) return true;
      p.machine.stop();
      return false;
    });
    if (this.builder) {
      this.builder.machine.stop();
      this.builder = undefined;
    }
  }

  /**
   * Uses idle time to park a machine close behind the current moment, so the next step back has
   * little to replay. Runs at most until `deadline` (performance.now()); returns true while there
   * is more to do. Call it again and again while the host has nothing else to do.
   */
  idle(deadline: number): boolean {
    // A machine built by replay would lack the change to the driver's variables the live run has.
    if (this.unreplayable) return false;
    const target = this.rungTarget();
    if (target === undefined) return false;
    let b = this.builder;
    if (!b || b.machine.eventCount > target) {
      b?.machine.stop();
      this.builder = undefined;
      // A parked machine can't be copied: a rung is built from one further back, which it then
      // replaces (its own rung is built again later, from further back still), or from a new machine.
      b = this.builder = this.takeParked(target, 0, -1, 0) ?? { machine: this.fresh(), event: undefined, acts: 0 };
    }
    let ended = false;
    const t0 = performance.now();
    const from = b.machine.eventCount;
    while (!ended && b.machine.eventCount < target && performance.now() < deadline) {
      for (let i = 0; i < 256 && b.machine.eventCount < target; i++) {
        b.acts = this.applyActs(b.machine, b.event, b.acts, Infinity);
        const n = b.machine.next();
        if (!n) {
          ended = true;
          break;
        }
        b.event = n;
        b.acts = 0;
      }
    }
    this.measured(b.machine.eventCount - from, performance.now() - t0);
    if (b.machine.eventCount >= target || ended) {
      this.builder = undefined;
      // A rung the budget cannot hold would be built again and dropped again for ever: stop here.
      if (!this.park(b, this.moment)) return false;
    }
    return this.rungTarget() !== undefined;
  }

  private builder: Parked | undefined;

  /** Rungs wanted behind the current moment: 32, 512 and 8192 events back. */
  private rungTarget(): number | undefined {
    const now = this.moment;
    const have = this.checkpoints;
    // No more rungs than machines may be parked: each would push out the one before.
    for (const back of [32, 512, 8192].slice(0, Math.max(0, this.opts.checkpointCount ?? DEFAULT_CHECKPOINT_COUNT))) {
      const t = now - back;
      if (t < 1) continue;
      // A checkpoint within half the distance below the rung serves it.
      if (have.some((c) => c <= t + back / 2 && c >= t - back / 2 && c < now)) continue;
      // Worth building within the memory allowance, or where it saves a long replay from the start
      // a replay would take now (trim's measures, so a rung built is not dropped and built again).
      let start = 0;
      for (const c of have) if (c <= t && c > start) start = c;
      if (this.worth(t - start) || this.checkpointBytes() + machineBytes(this.live) <= this.allowance()) return t;
    }
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
      this.advance(m, undefined, 0, call.exit, 0);
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
