// Records a machine's run as it goes: the moment index (./moments.ts) and every write to memory with
// who made it (./writeLog.ts). It attaches through the hooks a Machine and its Gpu always have: the
// GPU's write sinks (each host write says how the host reached the memory, so it is told as the
// CPU's, bus-master DMA's, the kernel's or the debugger's), Gpu.observer (submissions, common
// buffers) and Machine.observer (around each event, to index it). None replaces a method on the
// instance: recorded and unrecorded machines keep one shape, and the code they share stays
// optimized. Replays of moments already recorded run with the same hooks, quietly: only moments
// past the recording's frontier are added, so a replay costs no log and a run that goes on after a
// step back keeps recording from where the log ends.
//
// Bytes the driver or the kernel write straight into a common buffer (a DMA buffer's `Bytes`, a
// paging buffer, a page list) raise no hardware event. Each common buffer keeps a shadow copy: a DDI
// call that carries a DMA buffer is compared with it at its return (those bytes are the driver's,
// and the line that wrote them is known when it wrote through `paging-lab/gpu`'s writers), and a
// buffer submitted to an engine is compared before it runs (what differs then was the kernel's).

import { HOST_ACCESS, HOST_ENGINE } from '../hw/constants';
import type { Gpu } from '../hw/types';
import { captureCallSites, type DriverSourceMap, type GeneratedPosition } from '../driver/sourceMap';
import type { SourceLocation } from '../driver/errors';
import { driverWriteSites } from '../ddi/writeSites';
import type { Machine, MachineEvent } from '../machine';
import { MomentIndex } from './moments';
import { SPACE_SYSTEM, SPACE_VRAM, WRITER, WRITER_NAMES, WriteLog } from './writeLog';
import { TouchedPages } from './touchedPages';
import { changedRunsOf, shadowed, takeIntoShadow, writesInto, type Shadowed } from './shadows';

/** Where a driver write came from: the driver frames of the stack, innermost first, as generated positions. */
export interface DriverWriteSite {
  frames: GeneratedPosition[];
}

/** Bytes the driver wrote through the GPU module's writers, and from where (when asked for). */
export interface SiteWrite {
  physical: number;
  length: number;
  site?: DriverWriteSite;
}

/**
 * What a write's detail holds: a kernel frame; a note; or, for the driver's writes through the GPU
 * module's writers, that they were (their lines are found by replaying the call: `Recording.sites`).
 */
export type WriteDetail = { frame: string } | { viaWriter: true } | { note: string };

/** The log and index of one run, shared by every machine that replays it. */
export class Recording {
  readonly log = new WriteLog();
  readonly index = new MomentIndex();
  /** The driver's source map (set by the first machine attached), to turn write sites into .ts lines. */
  sourceMap: DriverSourceMap | undefined;
  /**
   * Taking a stack at each of the driver's writes would cost a run a third of its time, so lines are
   * found when asked: a replay of the call with `siteCapture` set (`resolveSites`, given by whoever
   * can replay the run), kept here by call.
   */
  resolveSites: ((callId: number) => SiteWrite[] | undefined) | undefined;
  siteCapture: { from: number; to: number; found: SiteWrite[] } | undefined;
  private readonly sitesByCall = new Map<number, SiteWrite[]>();
  /**
   * The pages the run has written (set by the first machine attached): the timeline weighs its
   * checkpoints against them. Writes forgotten after an edit stay counted: an estimate, never less.
   */
  touched: TouchedPages | undefined;

  /** The driver's writes through the GPU module's writers in DDI call `callId`, with their stacks (a replay, the first time). */
  sites(callId: number): SiteWrite[] | undefined {
    let s = this.sitesByCall.get(callId);
    if (!s && this.resolveSites) {
      s = this.resolveSites(callId);
      if (s) this.sitesByCall.set(callId, s);
    }
    return s;
  }

  /** The last moment recorded: replays up to it add nothing. */
  get frontier(): number {
    return this.index.last;
  }

  /**
   * Set while a machine makes again an edit whose writes the log has (a replay reaching the moment
   * the edit was made at, the last recorded): they are not logged twice.
   */
  quiet = false;

  /** The run went another way after `moment` (an edit): forget what was recorded past it, but the first `keepLog` writes of the log (those of that moment's edits kept). */
  truncateAfter(moment: number, keepLog = 0): void {
    for (const id of this.sitesByCall.keys()) if (this.index.callEntry(id) > moment) this.sitesByCall.delete(id);
    this.index.truncateAfter(moment);
    this.log.truncateAfter(moment, keepLog);
  }

  bytes(): number {
    return this.log.bytes() + this.index.bytes();
  }

  /** The .ts lines of a driver write site, innermost first. */
  siteLines(site: DriverWriteSite): SourceLocation[] {
    const out: SourceLocation[] = [];
    for (const f of site.frames) {
      const l = this.sourceMap?.original(f);
      if (l) out.push(l);
    }
    return out;
  }
}

/** The detail of every write the driver made through the GPU module's writers (one object, shared). */
const VIA_WRITER: WriteDetail = { viaWriter: true };
const DIRECT_INTO_DMA_BUFFER: WriteDetail = { note: 'written directly into the DMA buffer (not through writeInstruction)' };
const DIRECT_INTO_SUBMITTED: WriteDetail = { note: 'written directly into memory it submitted to the GPU during the call (not through writeInstruction)' };
const PAST_THE_POINTER: WriteDetail = { frame: "past the pointer the driver returned (the verifier's guard bytes)" };

/** The writer a host write is put down to, by how the host reached the memory (HOST_ACCESS). */
const HOST_WRITER: readonly number[] = (() => {
  const w: number[] = [];
  w[HOST_ACCESS.other] = WRITER.kernel;
  w[HOST_ACCESS.cpu] = WRITER.cpu;
  w[HOST_ACCESS.busMaster] = WRITER.dma;
  w[HOST_ACCESS.pageList] = WRITER.kernel;
  w[HOST_ACCESS.debugger] = WRITER.debugger;
  return w;
})();

/** The kind of writer a host write is put down to, by how the host reached the memory (HOST_ACCESS). */
export function hostWriterKind(hostAccess: number): 'cpu' | 'dma' | 'debugger' | 'kernel' {
  const k = WRITER_NAMES[HOST_WRITER[hostAccess] ?? WRITER.kernel];
  return k === 'cpu' || k === 'dma' || k === 'debugger' ? k : 'kernel';
}

/** How many driver frames a write site keeps, out of how many frames of the stack. */
const SITE_FRAMES = 6;
const SITE_STACK = 10;

/** Attaches `recording` to `machine` (which must be at moment 0 or at a moment its hooks saw from 0). */
export function attachRecorder(machine: Machine, recording: Recording): () => void {
  return new Attachment(machine, recording).detach;
}

class Attachment {
  private readonly touched: TouchedPages;
  private readonly gpu: Gpu;
  private readonly buffers = new Map<ArrayBuffer, Shadowed>();
  /**
   * The same buffers as a list. The loops over them run at every host write and DDI call; a list
   * costs them no iterator object (a third of what recording allocated went to small objects like it).
   */
  private bufferList: Shadowed[] = [];
  /** The DMA buffer of the DDI call in progress (`pDmaBuffer`'s at its entry), compared at its return. */
  private callBuffer: Shadowed | undefined;
  /** Whether its shadow holds it as it was at the entry (taken there, or since while the machine stood there), and that moment. */
  private callBufferTaken = false;
  private callEntryAt = -1;
  /**
   * The driver's writes through the GPU module's writers in the call in progress, as (physical,
   * length) pairs in the first `pendingLength` slots. Never shortened: an array cut to length 0
   * gives its store back, and the next push takes a new one.
   */
  private readonly pending: number[] = [];
  private pendingLength = 0;
  /**
   * Stand-ins the driver writes instead of a DMA buffer during a call (the verifier hands it a copy
   * with guard bytes and copies it back at the return): their ArrayBuffers and the physical address
   * of their byte 0, in the first `aliasCount` slots. A call has one or none; a Map cleared at every
   * call took a new table each time (thousands of calls a run).
   */
  private readonly aliasBuffers: (ArrayBuffer | undefined)[] = [];
  private readonly aliasBases: number[] = [];
  private aliasCount = 0;
  private readonly restore: (() => void)[] = [];

  constructor(
    private readonly machine: Machine,
    private readonly rec: Recording,
  ) {
    this.gpu = machine.gpu;
    // Refused before anything is attached, so a refusal leaves the machine as it was.
    if (machine.observer || this.gpu.observer) throw new Error('this machine is already recorded (it takes one recorder at a time)');
    rec.sourceMap ??= machine.kernel.ddi.sourceMap;
    this.touched = rec.touched ??= new TouchedPages(machine.gpu);
    this.restore.push(this.gpu.onWrites(this.onWrite));
    this.observeGpu();
    this.observeMachine();
  }

  readonly detach = (): void => {
    for (const r of this.restore.splice(0).reverse()) r();
  };

  /** The moment a write made now is dated: the event the machine produces next. */
  private get writeMoment(): number {
    return this.machine.eventCount + 1;
  }

  private get recording(): boolean {
    return this.writeMoment > this.rec.frontier && !this.rec.quiet;
  }

  // Writes come as numbers (Gpu.onWrites): listening to every hardware event would make the engine
  // build an event object for every instruction and write, which cost recording a third of the
  // simulator's speed.
  private readonly onWrite = (engine: number, vram: boolean, address: number, length: number, debugAddress: number, time: number, hostAccess: number): void => {
    if (!this.recording) return;
    this.touched.mark(vram, address, length);
    if (!vram) this.refreshShadow(address, length);
    const gpuWrite = engine !== HOST_ENGINE;
    this.rec.log.addOrExtend(
      this.writeMoment,
      vram ? SPACE_VRAM : SPACE_SYSTEM,
      address,
      length,
      debugAddress,
      gpuWrite ? WRITER.gpu : HOST_WRITER[hostAccess] ?? WRITER.kernel,
      gpuWrite ? engine : -1,
      gpuWrite ? this.gpu.writingInstruction() : -1,
      this.machine.kernel.ddi.current?.id ?? 0,
      time,
    );
  };

  // ---- the host's submissions and common buffers ----

  private observeGpu(): void {
    const g = this.gpu;
    g.observer = {
      submitting: (_engine, submission) => {
        if (this.recording) this.submitted(submission.physical, submission.length);
      },
      commonBufferAllocated: (b) => {
        const sh = shadowed(b.physical - b.bytes.byteOffset, b.bytes.buffer as ArrayBuffer, b.bytes.byteOffset + b.size);
        const old = this.buffers.get(b.bytes.buffer as ArrayBuffer);
        this.buffers.set(b.bytes.buffer as ArrayBuffer, sh);
        this.bufferList = this.bufferList.filter((x) => x !== old);
        this.bufferList.push(sh);
        if (this.recording) this.rec.log.add(this.writeMoment, SPACE_SYSTEM, b.physical, b.bytes.buffer.byteLength, b.physical, WRITER.released, -1, -1, 0, g.now, { note: 'allocated as a common buffer (zeros)' } satisfies WriteDetail);
      },
      commonBufferWritten: (physical, length) => {
        // Logged as one write, the shadow taken from the bytes: the comparison at the next DDI
        // call's entry then finds nothing (a render buffer's instructions were found there as
        // a dozen runs of changed bytes, each a write of its own).
        const b = this.recording ? this.bufferAt(physical) : undefined;
        if (!b) return;
        const n = Math.min(length, b.physical + b.bytes.length - physical);
        if (n <= 0) return;
        this.refreshShadow(physical, n);
        this.rec.log.add(this.writeMoment, SPACE_SYSTEM, physical, n, physical, WRITER.kernel, -1, -1, this.machine.kernel.ddi.current?.id ?? 0, g.now, this.frameDetail(this.kernelFrame()));
      },
      commonBufferFreed: (buffer) => {
        const ab = buffer.bytes.buffer as ArrayBuffer;
        const old = this.buffers.get(ab);
        if (old) this.bufferList = this.bufferList.filter((x) => x !== old);
        if (this.buffers.delete(ab) && this.recording) {
          this.rec.log.add(this.writeMoment, SPACE_SYSTEM, buffer.physical, ab.byteLength, buffer.physical, WRITER.released, -1, -1, 0, g.now, { note: 'common buffer freed (reads as zeros)' } satisfies WriteDetail);
        }
      },
    };
    this.restore.push(() => {
      g.observer = undefined;
    });
  }

  // ---- bytes written straight into common buffers ----

  private bufferAt(physical: number): Shadowed | undefined {
    const list = this.bufferList;
    for (let i = 0; i < list.length; i++) {
      const b = list[i];
      if (physical >= b.physical && physical < b.physical + b.bytes.length) return b;
    }
    return undefined;
  }

  private refreshShadow(address: number, length: number): void {
    const list = this.bufferList;
    for (let i = 0; i < list.length; i++) {
      const b = list[i];
      const lo = Math.max(address, b.physical);
      const hi = Math.min(address + length, b.physical + b.bytes.length);
      if (lo < hi) takeIntoShadow(b, lo - b.physical, hi - b.physical);
    }
  }

  /** Unreported changes in [physical, physical + length), put down to the kernel at `moment`. */
  private sync(physical: number, length: number, moment: number, record: boolean): void {
    const b = this.bufferAt(physical);
    if (b) this.syncIn(b, physical, length, moment, record);
  }

  /** The same in common buffer `b`, known to hold `physical`. */
  private syncIn(b: Shadowed, physical: number, length: number, moment: number, record: boolean): void {
    const runs = changedRunsOf(b, physical, length);
    if (!runs.length || !record) return;
    const detail = this.frameDetail(this.kernelFrame());
    for (const [a, z] of runs) this.rec.log.add(moment, SPACE_SYSTEM, a, z - a, a, WRITER.kernel, -1, -1, this.machine.kernel.ddi.current?.id ?? 0, this.gpu.now, detail);
  }

  /**
   * At the return of DDI call `callId` (moment `moment`): what the driver wrote into its DMA buffers.
   * The instructions it wrote through the GPU module's writers are its own with their lines (also
   * bytes written with the value they had); other changes before the pointer's final Offset are
   * its direct writes; changes past it are the kernel's (the verifier's guard bytes).
   */
  private driverWrites(b: Shadowed, callId: number, moment: number, endBuffer: Shadowed | undefined, endAt: number): void {
    this.driverWritesIn(b, b.physical, b.physical + b.bytes.length, callId, moment, true, b === endBuffer ? endAt : undefined, DIRECT_INTO_DMA_BUFFER);
  }

  /** The pending writes being explained: (physical, length) pairs in address order, reused from call to call. */
  private readonly mine: number[] = [];

  /**
   * What the driver wrote into [from, to) of common buffer `b` during call `callId`: its writes
   * through the GPU module's writers (taken out of the pending ones), then the other changes, its
   * direct writes (`direct` says so) up to `end` and the kernel's past it.
   */
  private driverWritesIn(b: Shadowed, from: number, to: number, callId: number, moment: number, recording: boolean, end: number | undefined, direct: WriteDetail): void {
    const log = this.rec.log;
    const mine = this.mine;
    const n = writesInto(this.pending, this.pendingLength, from, to, mine);
    // What the sites wrote is explained: into the shadow first, so that looking for other changes
    // is one native compare of the range when there are none (the usual case), not a walk down
    // to every instruction the driver wrote.
    for (let i = 0; i < n; i += 2) {
      const lo = mine[i] - b.physical;
      takeIntoShadow(b, lo, Math.min(b.bytes.length, lo + mine[i + 1]));
    }
    const runs = changedRunsOf(b, from, to - from);
    if (!recording) return;
    const now = this.gpu.now;
    for (let i = 0; i < n; i += 2) log.add(moment, SPACE_SYSTEM, mine[i], mine[i + 1], mine[i], WRITER.driver, -1, -1, callId, now, VIA_WRITER);
    for (const [a0, b0] of runs) {
      // Cut out what the sites already explain.
      let pieces: [number, number][] = [[a0, b0]];
      for (let i = 0; i < n; i += 2) {
        const next: [number, number][] = [];
        for (const [x, y] of pieces) {
          const lo = Math.max(x, mine[i]);
          const hi = Math.min(y, mine[i] + mine[i + 1]);
          if (lo >= hi) next.push([x, y]);
          else {
            if (x < lo) next.push([x, lo]);
            if (hi < y) next.push([hi, y]);
          }
        }
        pieces = next;
      }
      for (const [x, y] of pieces) {
        const cut = end === undefined ? y : Math.max(x, Math.min(y, end));
        if (cut > x) log.add(moment, SPACE_SYSTEM, x, cut - x, x, WRITER.driver, -1, -1, callId, now, direct);
        if (y > cut) log.add(moment, SPACE_SYSTEM, cut, y - cut, cut, WRITER.kernel, -1, -1, callId, now, PAST_THE_POINTER);
      }
    }
  }

  /**
   * A submission to the GPU. Made during a DDI call, it is the driver's (DxgkDdiSubmitCommand
   * queuing its fence command): what changed in the range since was written by the driver in that
   * call, found now, before the GPU runs it. Otherwise the kernel's.
   */
  private submitted(physical: number, length: number): void {
    const call = this.machine.kernel.ddi.current;
    const b = call && this.bufferAt(physical);
    if (!b) return this.sync(physical, length, this.writeMoment, true);
    const to = Math.min(physical + length, b.physical + b.bytes.length);
    this.driverWritesIn(b, physical, to, call.id, this.writeMoment, true, undefined, DIRECT_INTO_SUBMITTED);
    // Taken: the call's return does not log them again.
    for (let i = 0; i < this.pendingLength; i += 2) if (this.pending[i] >= physical && this.pending[i] < to) this.pending[i + 1] = 0;
  }

  /**
   * The detail of the kernel's writes made in `frame`, one object per frame: the kernel writes into
   * paging buffers thousands of times a run under a few hundred frames, and an object per write,
   * kept for the run, was work for the collector at every young collection.
   */
  private frameDetail(frame: string): WriteDetail {
    // Writes come in runs under one frame: the same string as the last one costs no lookup.
    if (frame === this.lastFrame) return this.lastFrameDetail!;
    let d = this.frameDetails.get(frame);
    if (!d) this.frameDetails.set(frame, (d = { frame }));
    this.lastFrame = frame;
    this.lastFrameDetail = d;
    return d;
  }

  private readonly frameDetails = new Map<string, WriteDetail>();
  private lastFrame: string | undefined;
  private lastFrameDetail: WriteDetail | undefined;

  private kernelFrame(): string {
    const f = this.machine.kernel.frames;
    return f.length ? f[f.length - 1] : 'the kernel';
  }

  // ---- events: the index, and the DMA buffers of DDI calls ----

  private observeMachine(): void {
    const m = this.machine;
    let outer: typeof driverWriteSites.observe;
    m.observer = {
      before: () => {
        const recording = this.recording;
        if (recording && !this.shadowsCurrent) this.resyncShadows();
        this.shadowsCurrent = recording;
        outer = driverWriteSites.observe;
        driverWriteSites.observe = this.observeDriverWrite;
      },
      after: (e) => {
        driverWriteSites.observe = outer;
        if (e) this.onEvent(e);
      },
    };
    this.restore.push(() => {
      m.observer = undefined;
    });
  }

  /**
   * Whether the shadows of the common buffers follow their bytes. A replay below the frontier
   * records nothing, so it does not keep them (that cost a replay about a quarter of its speed);
   * when it reaches the frontier they are taken again from the bytes, except those of a call in
   * progress, taken at its entry.
   */
  private shadowsCurrent = false;

  private resyncShadows(): void {
    for (const b of this.bufferList) {
      if (b !== this.callBuffer) b.shadow.set(b.bytes);
      else if (!this.callBufferTaken && this.machine.eventCount === this.callEntryAt) {
        // The frontier came back to the entry the machine stands at (an edit there forgot the run
        // after it): the driver has not run yet, so the bytes are those of the entry.
        b.shadow.set(b.bytes);
        this.callBufferTaken = true;
      }
    }
  }

  private readonly observeDriverWrite = (bytes: Uint8Array, offset: number, length: number): void => {
    const capture = this.rec.siteCapture;
    const moment = this.writeMoment;
    const wanted = capture && moment >= capture.from && moment <= capture.to;
    const ab = bytes.buffer as ArrayBuffer;
    const base = this.buffers.get(ab)?.physical ?? this.aliasOf(ab) ?? this.aliasFromCall(ab);
    if (base === undefined) return;
    const physical = base + bytes.byteOffset + offset;
    const at = this.pendingLength;
    this.pending[at] = physical;
    this.pending[at + 1] = length;
    this.pendingLength = at + 2;
    if (!wanted) return;
    const sm = this.rec.sourceMap;
    const frames: GeneratedPosition[] = [];
    for (const s of captureCallSites(SITE_STACK, this.observeDriverWrite)) {
      if (sm && !sm.isDriverSite(s)) continue;
      frames.push({ line: s.getLineNumber() ?? 0, column: s.getColumnNumber() ?? 0 });
      if (frames.length >= SITE_FRAMES) break;
    }
    capture!.found.push({ physical, length, site: { frames } });
  };

  /** A stand-in handed to the driver after the call's entry event (the verifier's copy): found in the live arguments. */
  private aliasFromCall(ab: ArrayBuffer): number | undefined {
    const args = this.machine.kernel.ddi.current?.args;
    if (args) this.dmaBufferOf(args);
    return this.aliasOf(ab);
  }

  private aliasOf(ab: ArrayBuffer): number | undefined {
    for (let i = 0; i < this.aliasCount; i++) if (this.aliasBuffers[i] === ab) return this.aliasBases[i];
    return undefined;
  }

  private setAlias(ab: ArrayBuffer, base: number): void {
    for (let i = 0; i < this.aliasCount; i++) {
      if (this.aliasBuffers[i] !== ab) continue;
      this.aliasBases[i] = base;
      return;
    }
    this.aliasBuffers[this.aliasCount] = ab;
    this.aliasBases[this.aliasCount++] = base;
  }

  private clearAliases(): void {
    for (let i = 0; i < this.aliasCount; i++) this.aliasBuffers[i] = undefined;
    this.aliasCount = 0;
  }

  private onEvent(e: MachineEvent): void {
    const moment = this.machine.eventCount;
    const fresh = moment > this.rec.frontier;
    if (fresh) this.rec.index.add(moment, e);
    if (e.kind === 'ddi-entry') {
      if (this.aliasCount) this.clearAliases();
      const b = (this.callBuffer = this.dmaBufferOf(e.call.args));
      this.callEntryAt = moment;
      this.callBufferTaken = fresh;
      if (b && fresh) {
        // What the kernel wrote there before handing it over is the kernel's.
        this.syncIn(b, b.physical, b.bytes.length, moment, true);
      } else if (b) {
        // A call that returns past the frontier is recorded at its return, against its buffer as
        // it was at its entry.
        const exit = this.rec.index.callExit(e.call.id);
        if (exit === 0 || exit > this.rec.frontier) {
          b.shadow.set(b.bytes);
          this.callBufferTaken = true;
        }
      }
      this.pendingLength = 0;
    } else if (e.kind === 'ddi-return') {
      const entered = this.callBuffer;
      // The driver may have pointed pDmaBuffer elsewhere: both are its.
      const b = this.dmaBufferOf(e.call.args);
      if (fresh && (entered || b)) {
        const end = this.pointerEnd(e.call.args);
        const endBuffer = end === undefined ? undefined : this.bufferAt(end.physical);
        if (entered) this.driverWrites(entered, e.call.id, moment, endBuffer, end?.end ?? 0);
        if (b && b !== entered) this.driverWrites(b, e.call.id, moment, endBuffer, end?.end ?? 0);
      }
      this.pendingLength = 0;
      this.callBuffer = undefined;
      if (this.aliasCount) this.clearAliases();
    }
  }

  /** Where the DMA buffer pointer of a call's arguments starts and ends (PhysicalAddress, + Offset). */
  private pointerEnd(args: Record<string, unknown>): { physical: number; end: number } | undefined {
    try {
      const p = args.pDmaBuffer as { PhysicalAddress?: unknown; Offset?: unknown } | undefined;
      if (p && typeof p === 'object' && typeof p.PhysicalAddress === 'number' && typeof p.Offset === 'number') {
        return { physical: p.PhysicalAddress, end: p.PhysicalAddress + p.Offset };
      }
    } catch {
      // a getter the driver left that throws: the kernel reports it
    }
    return undefined;
  }

  /**
   * The common buffer a DDI call's DMA buffer argument is in. Only `pDmaBuffer` carries one
   * (DxgkDdiBuildPagingBuffer's cursor, DxgkDdiPatch's and DxgkDdiRender's bytes).
   */
  private dmaBufferOf(args: Record<string, unknown>): Shadowed | undefined {
    let v: unknown;
    try {
      v = args.pDmaBuffer;
    } catch {
      return undefined;
    }
    if (v instanceof Uint8Array) return this.buffers.get(v.buffer as ArrayBuffer);
    if (!v || typeof v !== 'object') return undefined;
    try {
      const p = v as { Bytes: unknown; PhysicalAddress: unknown };
      const bytes = p.Bytes;
      if (bytes instanceof Uint8Array && !this.buffers.has(bytes.buffer as ArrayBuffer) && typeof p.PhysicalAddress === 'number') {
        // A stand-in for the DMA buffer at PhysicalAddress: its writes are that buffer's.
        this.setAlias(bytes.buffer as ArrayBuffer, p.PhysicalAddress - bytes.byteOffset);
        return this.bufferAt(p.PhysicalAddress);
      }
      return bytes instanceof Uint8Array ? this.buffers.get(bytes.buffer as ArrayBuffer) : undefined;
    } catch {
      // a getter the driver left that throws: the kernel reports it
      return undefined;
    }
  }
}

