// Data breakpoints: stop when memory a user watches is written (or read), whoever does it. Two kinds
// of watch, named by the `dataId` dataBreakpointInfo hands out:
//   mem:ADDR:LEN   a range of the debug address space (a DMA buffer, an MDL's page list, any address
//                  and length typed in "Add Data Breakpoint at Address")
//   alloc:H        an allocation's content wherever it lives at the time: its range in a segment
//                  while resident, its system pages always (an eviction copy writes those)
// Writes the hardware reports (a GPU paging opcode, the CPU through a lock or the BAR, bus-master
// DMA, the kernel's page lists) are matched as they happen, with the instruction that wrote. Bytes
// written straight into a common buffer raise no hardware event (the driver writing its DMA buffer,
// the kernel a paging buffer's header): a watched range in system memory keeps a copy of its bytes,
// compared after each step of the machine. Reads are those the hardware makes of data: a GPU
// engine's (a copy's source, the bytes an instruction reads), bus-master DMA's and the CPU's through
// the BAR; a read sink on the GPU hears them only while a watch wants reads. With no data breakpoint
// set, nothing here runs but one length test per hardware write.

import { debugAddressOfSegment, type Gpu } from '../../sim/hw';
import { HOST_ACCESS, HOST_ENGINE } from '../../sim/hw/constants';
import type { HwEvent } from '../../sim/hw/types';
import type { DataAccessType } from '../model';
import { hex } from '../../isa/hex';
import { BreakpointRule, check, makeRule } from '../breakpoints';
import type { UNKNOWN, Value } from '../expression';
import type { BreakpointResult, DataBreakpointInfo, DataBreakpointSpec } from '../model';
import { SPACE_SYSTEM, type WriteLog } from '../../sim/timeline/writeLog';
import { mdlLabel, parseMdlDataId, touchesRanges, type Ranges } from './mdlWatch';
import { HOST_WRITER_TEXT } from '../../sim/timeline/provenance';
import { hostWriterKind } from '../../sim/timeline/recorder';

const PAGE = 4096;
/** Bytes a watch on system memory may span: its copy is compared after every step. */
export const MAX_COMPARED_BYTES = 1 << 20;

/** An allocation as the kernel keeps it (read live: where it lives changes while it is watched). */
export interface WatchedAllocation {
  handle: number;
  name: string;
  size: number;
  residency: string;
  segmentId: number;
  offset: number;
  pages: readonly number[];
}

/** What a target tells the data breakpoints beyond the GPU's memory. */
export interface DataSource {
  /** The allocation with kernel handle `handle` (driver targets). */
  allocation?(handle: number): WatchedAllocation | undefined;
  /**
   * The paging operation a GPU instruction belongs to, in the kernel's words (`Transfer 'texture'
   * MDL -> segment [0, 262144)`): the GPU runs a paging buffer after VidMm built it, so where an
   * allocation lives when the copy runs says nothing about whose copy it is.
   */
  operationAt?(instruction: number): string | undefined;
  /** Names in a condition, for the engine that wrote (-1: the host). */
  lookup(name: string, engine: number): Value | typeof UNKNOWN;
}

/** The reads a replay's watches heard (DataBreakpoints.readScan). */
export interface ReadScan {
  /** What was read since the last call; undefined: nothing watched. */
  take(): DataHit | undefined;
  /** Stops hearing the replay's GPU. */
  stop(): void;
}

/** One write (or read) a watch saw. */
export interface SeenWrite {
  access: 'write' | 'read';
  /** The engine that wrote; -1: the host (the CPU, bus-master DMA or the kernel). */
  engine: number;
  /** GPU writes: the bus address of the instruction that wrote. */
  instruction?: number;
  /** GPU writes in a paging buffer: the paging operation, in the kernel's words. */
  operation?: string;
  /** A host read: who read (bus-master DMA, the CPU through the BAR). */
  reader?: string;
  /** A host write: who wrote (the CPU, bus-master DMA, the kernel, the debugger). */
  writer?: string;
  /**
   * GPU accesses: the instruction's bytes as they were when it ran. A paging buffer is built again
   * for the next operation while the run goes on to the stop, so its memory may hold another
   * instruction by the time the stop is described.
   */
  instructionBytes?: Uint8Array;
  debugAddress: number;
  length: number;
  target: 'vram' | 'system';
  time: number;
}

/** What stopped: the breakpoints that hit, the hardware writes that hit them, and bytes changed with no hardware write. */
export interface DataHit {
  ids: number[];
  /** Why a condition could not be evaluated (the stop shows it). */
  error?: string;
  /** What the hit breakpoints watch, in words. */
  labels: string[];
  writes: SeenWrite[];
  /** Ranges of watched system memory that changed with no hardware write (written straight into a common buffer). */
  unreported: { address: number; length: number }[];
}

interface Watch {
  rule: BreakpointRule;
  label: string;
  /** mem: the range. */
  address: number;
  length: number;
  /** alloc: the handle. */
  handle?: number;
  /** mdl: the system memory the MDL describes. */
  ranges?: Ranges;
  /** mem in system memory: the bytes as last seen. */
  copy?: Uint8Array;
  /** What it stops on. */
  access: DataAccessType;
  /** Seen during the current step. */
  writes: SeenWrite[];
}

/** The access types every data breakpoint offers (dataBreakpointInfo's accessTypes). */
const ACCESS_TYPES: DataAccessType[] = ['write', 'read', 'readWrite'];

/** A memory access the hardware reported (told to the write sink or the read sink). */
type Access = Pick<Extract<HwEvent, { kind: 'write' }>, 'engine' | 'target' | 'address' | 'length' | 'debugAddress' | 'time'>;

/** What a watch's access type adds to its message: going back, reads are found by running the run again (its log keeps writes). */
function accessNote(access: DataAccessType): string {
  if (access === 'read') return ', on reads (reverse continue finds them by running the run again up to the read: slower than for writes)';
  if (access === 'readWrite') return ', on reads and writes (reverse continue finds reads by running the run again up to the read: slower than for writes)';
  return '';
}

export function memDataId(address: number, length: number): string {
  return `mem:${hex(address)}:${length}`;
}

export function allocationDataId(handle: number): string {
  return `alloc:${handle}`;
}

export function parseDataId(dataId: string): { kind: 'mem'; address: number; length: number } | { kind: 'alloc'; handle: number } | { kind: 'mdl'; ranges: Ranges } | undefined {
  const ranges = parseMdlDataId(dataId);
  if (ranges) return { kind: 'mdl', ranges };
  let m = /^mem:(0x[0-9a-f]+|\d+):(\d+)$/i.exec(dataId);
  if (m) return { kind: 'mem', address: Number(m[1]), length: Number(m[2]) };
  m = /^alloc:(\d+)$/.exec(dataId);
  if (m) return { kind: 'alloc', handle: Number(m[1]) };
  return undefined;
}

export class DataBreakpoints {
  private watches: Watch[] = [];
  private readonly lastInstruction: number[] = [];
  private readonly lastInstructionSize: number[] = [];
  /** Stops hearing the GPU's reads; set while a watch wants reads. */
  private stopReads: (() => void) | undefined;
  /** Stops hearing the GPU's writes; set while a watch wants writes. */
  private stopWrites: (() => void) | undefined;

  constructor(
    private hw: Gpu,
    private readonly source: DataSource,
  ) {}

  /** Watches another machine's GPU (time travel reached a moment on it): the copies of watched bytes are taken again there. */
  follow(hw: Gpu): void {
    this.stopReads?.();
    this.stopReads = undefined;
    this.stopWrites?.();
    this.stopWrites = undefined;
    this.hw = hw;
    this.lastInstruction.length = 0;
    this.lastInstructionSize.length = 0;
    for (const w of this.watches) if (w.copy) w.copy = hw.debugRead(w.address, w.length).bytes.slice();
    this.listenToReads();
  }

  /**
   * Hears the GPU's reads while some watch wants them, and only then (the datapath tests a flag per
   * run of bytes); its writes likewise, as numbers that say how the host reached the memory.
   */
  private listenToReads(): void {
    const wanted = this.watches.some((w) => w.access !== 'write');
    if (wanted && !this.stopReads) this.stopReads = this.hw.onReads(this.onRead);
    else if (!wanted && this.stopReads) {
      this.stopReads();
      this.stopReads = undefined;
    }
    const writes = this.watches.some((w) => w.access !== 'read');
    if (writes && !this.stopWrites) this.stopWrites = this.hw.onWrites(this.onWrite);
    else if (!writes && this.stopWrites) {
      this.stopWrites();
      this.stopWrites = undefined;
    }
  }

  get active(): boolean {
    return this.watches.length > 0;
  }

  /** Whether a watch stops on reads. */
  get wantsReads(): boolean {
    return this.watches.some((w) => w.access !== 'write');
  }

  /**
   * For reverse continue, which finds reads by running part of the run again: the watches on reads,
   * hearing another machine's GPU (`source` finds allocations and paging operations on that
   * machine). Undefined when no watch wants reads.
   */
  readScan(hw: Gpu, source: DataSource): ReadScan | undefined {
    const watches = this.watches.filter((w) => w.access !== 'write');
    if (!watches.length) return undefined;
    const scan = new DataBreakpoints(hw, source);
    scan.watches = watches.map((w) => ({ ...w, access: 'read', copy: undefined, writes: [] }));
    scan.listenToReads();
    // Instruction events tell which instruction read (lastInstruction).
    const stopEvents = hw.onEvent((ev) => scan.onHw(ev));
    return {
      take: () => scan.takeReads(),
      stop: () => {
        stopEvents();
        scan.watches = [];
        scan.listenToReads();
      },
    };
  }

  /** The reads seen since the last call, as a stop would name them (no condition or hit count: those count forward runs). */
  private takeReads(): DataHit | undefined {
    let hit: DataHit | undefined;
    for (const w of this.watches) {
      if (!w.writes.length) continue;
      hit ??= { ids: [], labels: [], writes: [], unreported: [] };
      hit.ids.push(w.rule.id);
      hit.labels.push(w.label);
      for (const x of w.writes) if (!hit.writes.some((y) => y.debugAddress === x.debugAddress && y.instruction === x.instruction)) hit.writes.push(x);
      w.writes = [];
    }
    return hit;
  }

  /** Why a watch on [address, address + length) cannot be set; undefined: it can. */
  rangeProblem(address: number, length: number): string | undefined {
    if (!Number.isSafeInteger(length) || length <= 0) return `a data breakpoint needs a length of at least 1 byte, got ${length}`;
    if (!Number.isSafeInteger(address) || address < 0) return `${address} is not an address`;
    const r = this.hw.debugRead(address, length);
    if (r.unreadable.length) {
      const u = r.unreadable[0];
      return `${hex(u.address)}..${hex(u.address + u.length - 1)} is not mapped in the debug address space (no system memory, segment or aperture page there): nothing can write it`;
    }
    if (address < this.hw.config.systemMemoryBytes && length > MAX_COMPARED_BYTES) return `a data breakpoint on system memory can watch at most ${MAX_COMPARED_BYTES} bytes, got ${length}`;
    return undefined;
  }

  /** Why a watch on an MDL's ranges cannot be set (system memory the machine does not have); undefined: it can. */
  private mdlProblem(ranges: Ranges): string | undefined {
    const end = ranges[ranges.length - 1][1];
    if (end > this.hw.config.systemMemoryBytes) return `the MDL describes memory up to ${hex(end)}, past the end of system memory (${hex(this.hw.config.systemMemoryBytes)})`;
    return undefined;
  }

  /** dataBreakpointInfo for an address and length. */
  infoForRange(address: number, length: number): DataBreakpointInfo {
    const problem = this.rangeProblem(address, length);
    if (problem) return { dataId: null, description: problem };
    return { dataId: memDataId(address, length), description: `${length} byte${length === 1 ? '' : 's'} at ${hex(address)}`, accessTypes: ACCESS_TYPES };
  }

  /** dataBreakpointInfo for a dataId a variable carries (checked now: an allocation may be gone). */
  infoForDataId(dataId: string, name: string): DataBreakpointInfo {
    const p = parseDataId(dataId);
    if (!p) return { dataId: null, description: `'${name}' has no memory a data breakpoint can watch` };
    if (p.kind === 'mem') {
      const i = this.infoForRange(p.address, p.length);
      return i.dataId ? { ...i, description: `${name}: ${i.description}` } : i;
    }
    if (p.kind === 'mdl') {
      const problem = this.mdlProblem(p.ranges);
      return problem ? { dataId: null, description: problem } : { dataId, description: `${name}: ${mdlLabel(p.ranges)}`, accessTypes: ACCESS_TYPES };
    }
    const a = this.source.allocation?.(p.handle);
    if (!a) return { dataId: null, description: `there is no allocation with handle ${p.handle} now` };
    return { dataId, description: `allocation #${a.handle} '${a.name}' (${a.size} bytes, wherever it lives)`, accessTypes: ACCESS_TYPES };
  }

  set(specs: DataBreakpointSpec[]): BreakpointResult[] {
    const kept: Watch[] = [];
    const results = specs.map((bp): BreakpointResult => {
      const access = bp.accessType ?? 'write';
      const p = parseDataId(bp.dataId);
      if (!p) return { id: bp.id, verified: false, message: `'${bp.dataId}' is not a data breakpoint id this adapter made (ask dataBreakpointInfo for one)` };
      let rule: BreakpointRule;
      try {
        rule = makeRule(bp);
      } catch (e) {
        return { id: bp.id, verified: false, message: (e as Error).message };
      }
      if (p.kind === 'mem') {
        const problem = this.rangeProblem(p.address, p.length);
        if (problem) return { id: bp.id, verified: false, message: problem };
        const w: Watch = { rule, label: `${p.length} byte${p.length === 1 ? '' : 's'} at ${hex(p.address)}`, address: p.address, length: p.length, access, writes: [] };
        // Bytes written straight into a common buffer are found by comparing: writes only.
        if (access !== 'read' && p.address < this.hw.config.systemMemoryBytes) w.copy = this.hw.debugRead(p.address, p.length).bytes.slice();
        kept.push(w);
        return { id: bp.id, verified: true, message: w.label + accessNote(access) };
      }
      if (p.kind === 'mdl') {
        const problem = this.mdlProblem(p.ranges);
        if (problem) return { id: bp.id, verified: false, message: problem };
        const w: Watch = { rule, label: mdlLabel(p.ranges), address: p.ranges[0][0], length: 0, ranges: p.ranges, access, writes: [] };
        kept.push(w);
        return { id: bp.id, verified: true, message: w.label + accessNote(access) };
      }
      const a = this.source.allocation?.(p.handle);
      if (!a) return { id: bp.id, verified: false, message: `there is no allocation with handle ${p.handle}` };
      kept.push({ rule, label: `allocation #${a.handle} '${a.name}'`, address: 0, length: a.size, handle: a.handle, access, writes: [] });
      return { id: bp.id, verified: true, message: `allocation #${a.handle} '${a.name}'${accessNote(access)}` };
    });
    this.watches = kept;
    this.listenToReads();
    return results;
  }

  /** A hardware event (the GPU view passes every one while a data breakpoint is set): which instruction runs. */
  onHw(ev: HwEvent): void {
    if (ev.kind !== 'instruction') return;
    this.lastInstruction[ev.engine] = ev.address;
    this.lastInstructionSize[ev.engine] = ev.size;
  }

  /** A write the GPU reports (a WriteSink). */
  private readonly onWrite = (engine: number, vram: boolean, address: number, length: number, debugAddress: number, time: number, hostAccess: number): void => {
    const ev: Access = { engine, target: vram ? 'vram' : 'system', address, length, debugAddress, time };
    for (const w of this.watches) if (w.access !== 'read' && this.hits(w, ev)) this.seen(w, 'write', ev, hostAccess);
  };

  /** A read the GPU reports (a ReadSink). */
  private readonly onRead = (engine: number, vram: boolean, address: number, length: number, debugAddress: number, time: number, hostAccess: number): void => {
    const ev: Access = { engine, target: vram ? 'vram' : 'system', address, length, debugAddress, time };
    for (const w of this.watches) if (w.access !== 'write' && this.hits(w, ev)) this.seen(w, 'read', ev, hostAccess);
  };

  private seen(w: Watch, access: 'write' | 'read', ev: Access, hostAccess?: number): void {
    const gpu = ev.engine !== HOST_ENGINE;
    const at = gpu ? this.lastInstruction[ev.engine] : undefined;
    const size = gpu ? this.lastInstructionSize[ev.engine] : undefined;
    w.writes.push({
      access,
      reader: !gpu && access === 'read' ? (hostAccess === HOST_ACCESS.busMaster ? 'bus-master DMA' : 'the CPU through the BAR') : undefined,
      writer: !gpu && access === 'write' ? HOST_WRITER_TEXT[hostWriterKind(hostAccess ?? HOST_ACCESS.other)] : undefined,
      instructionBytes: at !== undefined && size !== undefined && size > 0 ? this.hw.readPhysical(at, size) : undefined,
      engine: gpu ? ev.engine : -1,
      instruction: at,
      operation: at !== undefined ? this.source.operationAt?.(at) : undefined,
      debugAddress: ev.debugAddress,
      length: ev.length,
      target: ev.target,
      time: ev.time,
    });
  }

  private hits(w: Watch, ev: Access): boolean {
    if (w.ranges) return ev.target === 'system' && touchesRanges(w.ranges, ev.address, ev.length);
    if (w.handle === undefined) {
      const end = w.address + w.length;
      return (ev.debugAddress < end && ev.debugAddress + ev.length > w.address) || (ev.target === 'system' && ev.address < end && ev.address + ev.length > w.address);
    }
    const a = this.source.allocation?.(w.handle);
    if (!a) return false;
    if (ev.target === 'vram' || ev.debugAddress !== ev.address) {
      const op = ev.engine !== HOST_ENGINE && this.source.operationAt ? this.source.operationAt(this.lastInstruction[ev.engine]) : undefined;
      if (op !== undefined) {
        // A paging operation's write into a segment: the allocation's when the operation is about it.
        if (op.includes(`'${a.name}'`)) return true;
      } else if (a.residency === 'resident') {
        const base = debugAddressOfSegment(a.segmentId, a.offset);
        if (ev.debugAddress < base + a.size && ev.debugAddress + ev.length > base) return true;
      }
    }
    if (ev.target !== 'system') return false;
    // Its system pages: the pages a write spans, looked up in the allocation's list.
    for (let p = Math.floor(ev.address / PAGE) * PAGE; p < ev.address + ev.length; p += PAGE) if (a.pages.includes(p)) return true;
    return false;
  }

  /**
   * After a step of the machine: the breakpoints whose watched memory was written in it and whose
   * condition and hit count say stop. Undefined: none.
   */
  afterStep(): DataHit | undefined {
    let hit: DataHit | undefined;
    for (const w of this.watches) {
      const unreported = w.copy ? this.compare(w) : [];
      if (unreported.length && w.access === 'read') unreported.length = 0;
      if (!w.writes.length && !unreported.length) continue;
      const writes = w.writes;
      w.writes = [];
      const engine = writes.find((x) => x.engine >= 0)?.engine ?? -1;
      const c = check(w.rule, (name) => this.source.lookup(name, engine));
      if (!c.stop) continue;
      hit ??= { ids: [], labels: [], writes: [], unreported: [] };
      hit.ids.push(w.rule.id);
      hit.labels.push(w.label);
      hit.error ??= c.error;
      for (const x of writes) if (!hit.writes.some((y) => y.debugAddress === x.debugAddress && y.instruction === x.instruction)) hit.writes.push(x);
      hit.unreported.push(...unreported);
    }
    return hit;
  }

  /** Ranges of `w` that changed since last seen, with no hardware write to explain them; the copy is brought up to date. */
  private compare(w: Watch): { address: number; length: number }[] {
    const now = this.hw.debugRead(w.address, w.length).bytes;
    const copy = w.copy!;
    const out: { address: number; length: number }[] = [];
    if (Buffer.from(now.buffer, now.byteOffset, now.length).equals(Buffer.from(copy.buffer, copy.byteOffset, copy.length))) return out;
    for (let i = 0; i < now.length; ) {
      if (now[i] === copy[i]) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < now.length && now[j] !== copy[j]) j++;
      const a = w.address + i;
      if (!w.writes.some((x) => x.debugAddress <= a && x.debugAddress + x.length >= w.address + j)) out.push({ address: a, length: j - i });
      i = j;
    }
    copy.set(now);
    return out;
  }

  /**
   * For reverse continue: whether write `i` of a run's write log (src/sim/timeline/writeLog.ts)
   * touches what a data breakpoint watches. Ranges by their debug address; an allocation by its
   * system pages and, for a write into a segment, its place there now (conditions and hit counts
   * are not applied going backwards). Undefined when no data breakpoint is set.
   */
  loggedHit(): ((log: WriteLog, i: number) => boolean) | undefined {
    // The log holds writes: a watch on reads alone has nothing to find there.
    const watches = this.watches.filter((w) => w.access !== 'read');
    if (!watches.length) return undefined;
    return (log, i) => watches.some((x) => this.logged(x, log, i));
  }

  /** The data breakpoints write `i` of a run's write log touches (as `loggedHit`): their ids and what they watch. */
  loggedWatches(log: WriteLog, i: number): { ids: number[]; labels: string[] } {
    const hit = { ids: [] as number[], labels: [] as string[] };
    for (const x of this.watches) {
      if (x.access === 'read' || !this.logged(x, log, i)) continue;
      hit.ids.push(x.rule.id);
      hit.labels.push(x.label);
    }
    return hit;
  }

  private logged(x: Watch, log: WriteLog, i: number): boolean {
    if (x.ranges) {
      const w = log.get(i);
      return w.space === 'system' && touchesRanges(x.ranges, w.address, w.length);
    }
    if (x.handle === undefined) return log.overlapsDebug(i, x.address, x.length) || log.overlaps(i, SPACE_SYSTEM, x.address, x.length);
    const a = this.source.allocation?.(x.handle);
    if (!a) return false;
    const w = log.get(i);
    if (w.space === 'system') {
      for (let p = Math.floor(w.address / PAGE) * PAGE; p < w.address + w.length; p += PAGE) if (a.pages.includes(p)) return true;
      return false;
    }
    const base = debugAddressOfSegment(a.segmentId, a.offset);
    return log.overlapsDebug(i, base, a.size);
  }
}

/** The moment of the last write before `moment` that `hit` accepts (reverse continue to a data breakpoint); undefined: none. */
export function previousDataHit(log: WriteLog, hit: (log: WriteLog, i: number) => boolean, moment: number): number | undefined {
  for (let i = log.firstAtOrAfter(moment) - 1; i >= 0; i--) if (hit(log, i)) return log.momentOf(i);
  return undefined;
}
