// The simulated GPU: sparse VRAM, system memory with bus-master DMA, segments (memory and GART
// aperture), the CPU aperture (BAR) with swizzling ranges, GPU virtual addresses with a TLB, and the
// paging engines that execute paging opcodes from DMA buffers in virtual time.
//
// Hot paths (bulk copies and fills, small instructions) go through `resolve*`, which map one
// position of a location to a run of contiguous backing bytes (fields rArr/rOff/rLen), so a 64 MiB
// copy is a handful of typed-array `set` calls. Faults are numbers on
// the hot path and become FaultRecords only when they happen. Events are built only when someone
// listens.

import { decode, decodeInto as decodeInto_, DecodedSlots } from '../../isa/encoding';
import {
  FenceFlags,
  LocationSpace,
  MapApertureFlags,
  OPCODE_BY_CODE,
  Op,
  PAGE_LIST_HEADER_BYTES as PAGE_LIST_HEADER_BYTES_,
  PageListBase,
  PageTableFlags,
} from '../../isa/opcodes';
import { layoutSegments } from './config';
import { formatInstructionAt } from './format';
import { CHUNK_BYTES as CHUNK_BYTES_, SparseMemory, ZERO_CHUNK as ZERO_CHUNK_ } from './memory';
import { PageAllocator } from './pageAllocator';
import { createRandom } from './random';
import { retileBand, tiledOffset, tilingProblem, TILE_BYTES } from './tiling';
import {
  CommonBuffer,
  DEBUG_SEGMENT_STRIDE as DEBUG_SEGMENT_STRIDE_,
  DebugReadResult,
  DebugWriteResult,
  DummyPageAccess,
  EngineState,
  EngineView,
  FaultCause,
  FaultRecord,
  GartEntry,
  Gpu,
  GpuConfig,
  HOST_ENGINE as HOST_ENGINE_,
  HwEvent,
  Mdl,
  PAGE_SIZE as PAGE_SIZE_,
  PageTableEntryView,
  Random,
  SegmentDescriptor,
  StepOutcome,
  Submission,
  SwizzlingRange,
  AddressRange,
} from './types';
import { classifyRejected, FIXED_NS as FIXED_NS_ } from './operandChecks';


// Imported values copied into module constants: reading them through a module namespace on
// every instruction (as CommonJS interop does) would dominate the cost of small instructions.
const OP_NOP = Op.Nop;
const OP_COPY = Op.Copy;
const OP_DISCARD = Op.Discard;
const OP_FENCE = Op.Fence;
const OP_FILL = Op.Fill;
const OP_INTERRUPT = Op.Interrupt;
const OP_MAP_APERTURE = Op.MapAperture;
const OP_PAGE_TABLE_UPDATE = Op.PageTableUpdate;
const OP_READ_PHYSICAL = Op.ReadPhysical;
const OP_SWIZZLE = Op.Swizzle;
const OP_TLB_FLUSH = Op.TlbFlush;
const OP_UNMAP_APERTURE = Op.UnmapAperture;
const OP_UNSWIZZLE = Op.Unswizzle;
const OP_WAIT = Op.Wait;
const OP_WRITE_PHYSICAL = Op.WritePhysical;
const SPACE_GPU_VIRTUAL = LocationSpace.GpuVirtual;
const SPACE_MDL = LocationSpace.Mdl;
const SPACE_PHYSICAL = LocationSpace.Physical;
const SPACE_SEGMENT = LocationSpace.Segment;
const FENCE_IRQ = FenceFlags.Irq;
const FENCE_MONITORED = FenceFlags.Monitored;
const PT_INVALID = PageTableFlags.Invalid;
const PT_READ_ONLY = PageTableFlags.ReadOnly;
const MAP_CACHE_COHERENT = MapApertureFlags.CacheCoherent;
const LIST_DMA_BUFFER = PageListBase.DmaBuffer;
const LIST_PHYSICAL = PageListBase.Physical;
const PAGE_SIZE = PAGE_SIZE_;
const PAGE_LIST_HEADER_BYTES = PAGE_LIST_HEADER_BYTES_;
const DEBUG_SEGMENT_STRIDE = DEBUG_SEGMENT_STRIDE_;
const CHUNK_BYTES = CHUNK_BYTES_;
const ZERO_CHUNK = ZERO_CHUNK_;
const HOST_ENGINE = HOST_ENGINE_;
const FIXED_NS = FIXED_NS_;
const decodeInto = decodeInto_;

// Fault codes on the hot path (0 = none).
const F_INVALID = 1;
const F_OUTSIDE = 2;
const F_UNMAPPED = 3;
const F_MISALIGNED = 4;
const F_BADLOC = 5;
const F_PAGEFAULT = 6;
const F_OVERLAP = 7;
const F_PHYSICAL = 8;
const CAUSES: FaultCause[] = [
  'invalid-instruction',
  'invalid-instruction',
  'outside-segment',
  'unmapped-aperture-page',
  'misaligned-operand',
  'bad-location',
  'page-fault',
  'overlap',
  'physical-address',
];

// Engine states and execOne results.
const S_IDLE = 0;
const S_READY = 1;
const S_WAITING = 2;
const S_FAULTED = 3;
const STATE_NAMES: EngineState[] = ['idle', 'ready', 'waiting', 'faulted'];
const R_EXECUTED = 0;
const R_WAITING = 1;
const R_FAULTED = 2;
const R_IDLE = 3;
const R_LIMIT = 4;

const GART_VALID = 1;
const GART_DUMMY = 2;
const GART_COHERENT = 4;

/** GPU virtual addresses are 48 bits. */
export const GPU_VA_LIMIT = 2 ** 48;
const TLB_ENTRIES = 64;
/** Longest run one resolution returns (bounded so a run never spans more than a slab anyway). */
const MAX_RUN_BYTES = 16 * 1024 * 1024;
const DUMMY_LOG = 256;
/** Fixed cost of a bus-master scatter/gather transfer and of each of its packets (pages). */
const SG_SETUP_NS = 500;
const SG_PACKET_NS = 10;

const hex = (n: number): string => '0x' + n.toString(16).toUpperCase();

class Segment {
  readonly id: number;
  readonly name: string;
  readonly memory: boolean;
  readonly size: number;
  readonly pages: number;
  readonly vramBase: number;
  readonly barBase: number;
  readonly gartPhys: Float64Array;
  readonly gartFlags: Uint8Array;
  constructor(readonly desc: SegmentDescriptor) {
    this.id = desc.id;
    this.name = desc.name;
    this.memory = desc.kind === 'memory';
    this.size = desc.size;
    this.pages = desc.size / PAGE_SIZE;
    this.vramBase = desc.vramBase ?? 0;
    this.barBase = desc.cpuVisible ? desc.barBase! : -1;
    this.gartPhys = new Float64Array(this.memory ? 0 : this.pages);
    this.gartFlags = new Uint8Array(this.memory ? 0 : this.pages);
  }
}

/** A decoded `loc` operand, prepared for an instruction (page list located, bounds checked). */
class Loc {
  space = 0;
  sub = 0;
  aux = 0;
  address = 0;
  listBase = 0;
  listCount = 0;
  /** The page list's bytes when one buffer holds them (a common buffer), for fast entry reads. */
  list: DataView | undefined = undefined;
}

interface PtEntry {
  segmentId: number;
  target: number;
  readOnly: boolean;
}

class EngineRec {
  state = S_IDLE;
  queue: Submission[] = [];
  qHead = 0;
  cur: Submission | undefined = undefined;
  pc = 0;
  buf: Uint8Array | undefined = undefined;
  dv: DataView | undefined = undefined;
  busyUntil = 0;
  fenceLo = 0;
  fenceHi = 0;
  fault: FaultRecord | undefined = undefined;
  recheck = false;
  waitEpoch = -1;
  constructor(readonly index: number) {}
}

class ListenerError extends Error {
  constructor(readonly inner: unknown) {
    super('event listener threw');
  }
}

export class SimGpu implements Gpu {
  readonly config: Readonly<GpuConfig>;
  readonly segments: readonly SegmentDescriptor[];
  readonly random: Random;
  private clock = 0;
  private readonly vram: SparseMemory;
  private readonly sys: SparseMemory;
  private readonly sysBytes: number;
  private readonly segById: (Segment | undefined)[] = [];
  private readonly segList: Segment[] = [];
  private readonly barSegs: Segment[];
  private readonly pages: PageAllocator;
  private readonly commonBuffers = new Map<number, { size: number; charged: number; span: number }>();
  private commonUsed = 0;
  private dmaBusyUntil = 0;
  private readonly swizzle: SwizzlingRange[] = [];
  private nextSwizzleHandle = 1;
  private readonly pageTable = new Map<number, PtEntry>();
  private readonly tlb = new Map<number, PtEntry>();
  private readonly engines: EngineRec[];
  private readonly listeners: ((e: HwEvent) => void)[] = [];
  private listening = false;
  private running = false;
  private epoch = 0;
  /** Latest time at which memory was written, so a wait satisfied by a write cannot end before it. */
  private memTime = 0;
  private dummyCount = 0;
  private readonly dummyLog: DummyPageAccess[] = [];

  // Decoder state and scratch, reused.
  private readonly slots = new DecodedSlots();
  private readonly fetchBuf = new Uint8Array(64);
  private readonly fetchView = new DataView(this.fetchBuf.buffer);
  private readonly small = new Uint8Array(8);
  private readonly locA = new Loc();
  private readonly locB = new Loc();

  // Result of the last resolve: a run of bytes in one backing chunk.
  private rArr: Uint8Array = new Uint8Array(0);
  private rOff = 0;
  private rLen = 0;
  private rVram = false;
  private rAddr = 0;
  private rDebug = 0;
  private fmsg = '';

  // What is executing (for events raised deep inside resolution).
  private curEngine = HOST_ENGINE;
  private t = 0;

  // Pending coalesced write event.
  private wLen = 0;
  private wVram = false;
  private wAddr = 0;
  private wDebug = 0;

  constructor(config: GpuConfig) {
    const segments = layoutSegments(config);
    this.config = Object.freeze({ ...config, segments });
    this.segments = segments;
    this.random = createRandom(config.seed ?? 1);
    this.vram = new SparseMemory(config.vramBytes);
    this.sys = new SparseMemory(config.systemMemoryBytes);
    this.sysBytes = config.systemMemoryBytes;
    for (const d of segments) {
      const s = new Segment(d);
      this.segById[d.id] = s;
      this.segList.push(s);
    }
    if (config.gartResetDummyPage !== undefined) {
      for (const s of this.segList) {
        s.gartPhys.fill(config.gartResetDummyPage);
        s.gartFlags.fill(GART_VALID | GART_DUMMY);
      }
    }
    this.barSegs = this.segList.filter((s) => s.barBase >= 0).sort((a, b) => a.barBase - b.barBase);
    // Page 0 stays unallocated so that physical address 0 is never a valid buffer.
    this.pages = new PageAllocator(config.systemMemoryBytes / PAGE_SIZE, 1);
    this.engines = Array.from({ length: config.engines }, (_, i) => new EngineRec(i));
  }

  get now(): number {
    return this.clock;
  }

  // ---------------------------------------------------------------- events

  onEvent(listener: (event: HwEvent) => void): () => void {
    this.listeners.push(listener);
    this.listening = true;
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
      this.listening = this.listeners.length > 0;
    };
  }

  private emit(ev: HwEvent): void {
    for (const l of this.listeners.slice()) {
      try {
        l(ev);
      } catch (e) {
        throw new ListenerError(e);
      }
    }
  }

  private noteWrite(n: number): void {
    if (this.wLen > 0 && this.wVram === this.rVram && this.wAddr + this.wLen === this.rAddr && this.wDebug + this.wLen === this.rDebug) {
      this.wLen += n;
      return;
    }
    this.flushWrite();
    this.wVram = this.rVram;
    this.wAddr = this.rAddr;
    this.wDebug = this.rDebug;
    this.wLen = n;
  }

  private flushWrite(): void {
    if (this.wLen === 0) return;
    const ev: HwEvent = {
      kind: 'write',
      engine: this.curEngine,
      target: this.wVram ? 'vram' : 'system',
      address: this.wAddr,
      length: this.wLen,
      debugAddress: this.wDebug,
      time: this.t,
    };
    this.wLen = 0;
    this.emit(ev);
  }

  private recordDummy(seg: Segment, page: number, write: boolean): void {
    this.dummyCount++;
    const a: DummyPageAccess = { engine: this.curEngine, segment: seg.id, page, write, time: this.t };
    if (this.dummyLog.length >= DUMMY_LOG) this.dummyLog.shift();
    this.dummyLog.push(a);
    if (this.listening) this.emit({ kind: 'dummy-page-access', ...a });
  }

  dummyPageAccesses(): { count: number; recent: DummyPageAccess[] } {
    return { count: this.dummyCount, recent: this.dummyLog.slice() };
  }

  // ---------------------------------------------------------------- resolution (hot)

  /**
   * Points rArr/rOff/rLen at the bytes from `addr` of `mem`: its chunk, extended over following
   * chunks that sit side by side in the same buffer (chunks materialised one after another share
   * a slab, a common buffer is one buffer), up to `want` bytes. Bulk copies and fills then make a
   * few large typed-array calls rather than one per 64 KiB.
   */
  private run(mem: SparseMemory, addr: number, write: boolean, want: number): void {
    const ci = Math.floor(addr / CHUNK_BYTES);
    const co = addr - ci * CHUNK_BYTES;
    const arr = write ? mem.chunkForWrite(ci) : mem.chunkForRead(ci);
    let len = CHUNK_BYTES - co;
    if (len < want && arr !== ZERO_CHUNK) {
      const chunks = mem.chunks;
      const buf = arr.buffer;
      let next = arr.byteOffset + CHUNK_BYTES;
      for (let k = ci + 1; len < want && len < MAX_RUN_BYTES; k++, next += CHUNK_BYTES) {
        const c = chunks[k];
        if (c === undefined || c.buffer !== buf || c.byteOffset !== next) break;
        len += CHUNK_BYTES;
      }
    }
    if (len > CHUNK_BYTES - co) {
      this.rArr = new Uint8Array(arr.buffer, arr.byteOffset + co, len);
      this.rOff = 0;
    } else {
      this.rArr = arr;
      this.rOff = co;
    }
    this.rLen = len < want ? len : want;
  }

  private resolvePhys(addr: number, write: boolean, maxLen: number): number {
    if (addr >= this.sysBytes || addr < 0) {
      this.fmsg = `physical address ${hex(addr)} is outside system memory (${hex(this.sysBytes)} bytes)`;
      return F_PHYSICAL;
    }
    this.run(this.sys, addr, write, Math.min(this.sysBytes - addr, maxLen));
    this.rVram = false;
    this.rAddr = addr;
    this.rDebug = addr;
    return 0;
  }

  private resolveSeg(seg: Segment, off: number, write: boolean, maxLen: number): number {
    if (seg.memory) {
      const va = seg.vramBase + off;
      this.run(this.vram, va, write, Math.min(seg.size - off, maxLen));
      this.rVram = true;
      this.rAddr = va;
      this.rDebug = seg.id * DEBUG_SEGMENT_STRIDE + off;
      return 0;
    }
    const page = Math.floor(off / PAGE_SIZE);
    const po = off - page * PAGE_SIZE;
    const fl = seg.gartFlags[page];
    if ((fl & GART_VALID) === 0) {
      this.fmsg = `page ${page} (offset ${hex(page * PAGE_SIZE)}) of aperture segment ${seg.id} (${seg.name}) has no GART mapping`;
      return F_UNMAPPED;
    }
    const base = seg.gartPhys[page];
    let len = PAGE_SIZE - po;
    if (fl & GART_DUMMY) {
      this.recordDummy(seg, page, write);
    } else {
      // Physically contiguous GART pages form one run, so aperture copies stay bulk.
      for (let p = page + 1; p < seg.pages && len < maxLen && len < MAX_RUN_BYTES; p++) {
        if (seg.gartFlags[p] !== fl || seg.gartPhys[p] !== base + (p - page) * PAGE_SIZE) break;
        len += PAGE_SIZE;
      }
    }
    const f = this.resolvePhys(base + po, write, Math.min(len, seg.size - off, maxLen));
    this.rDebug = seg.id * DEBUG_SEGMENT_STRIDE + off;
    return f;
  }

  private translate(vpn: number): PtEntry | undefined {
    let e = this.tlb.get(vpn);
    if (e !== undefined) return e;
    e = this.pageTable.get(vpn);
    if (e !== undefined) {
      if (this.tlb.size >= TLB_ENTRIES) this.tlb.delete(this.tlb.keys().next().value!);
      this.tlb.set(vpn, e);
    }
    return e;
  }

  /** Resolves position `pos` of a prepared location to a run of at most `maxLen` bytes. */
  private resolveLoc(loc: Loc, pos: number, write: boolean, maxLen: number): number {
    switch (loc.space) {
      case SPACE_SEGMENT:
        return this.resolveSeg(this.segById[loc.sub]!, loc.address + pos, write, maxLen);
      case SPACE_PHYSICAL:
        return this.resolvePhys(loc.address + pos, write, maxLen);
      case SPACE_MDL: {
        const p = loc.aux + pos;
        const idx = Math.floor(p / PAGE_SIZE);
        const po = p - idx * PAGE_SIZE;
        const base = this.listEntry(loc, idx);
        if (base % PAGE_SIZE !== 0 || base + PAGE_SIZE > this.sysBytes) {
          this.fmsg = `page list entry ${idx} (${hex(base)}) is not a 4 KiB page of system memory`;
          return F_PHYSICAL;
        }
        let len = PAGE_SIZE - po;
        for (let k = idx + 1; k < loc.listCount && len < maxLen && len < MAX_RUN_BYTES; k++) {
          if (this.listEntry(loc, k) !== base + (k - idx) * PAGE_SIZE) break;
          len += PAGE_SIZE;
        }
        return this.resolvePhys(base + po, write, Math.min(len, maxLen));
      }
      case SPACE_GPU_VIRTUAL: {
        const va = loc.address + pos;
        const vpn = Math.floor(va / PAGE_SIZE);
        const po = va - vpn * PAGE_SIZE;
        const e = this.translate(vpn);
        if (e === undefined) {
          this.fmsg = `GPU virtual address ${hex(va)} is not mapped`;
          return F_PAGEFAULT;
        }
        if (write && e.readOnly) {
          this.fmsg = `GPU virtual address ${hex(va)} is mapped read-only`;
          return F_PAGEFAULT;
        }
        if (e.segmentId === 0) return this.resolvePhys(e.target + po, write, Math.min(PAGE_SIZE - po, maxLen));
        const seg = this.segById[e.segmentId];
        if (seg === undefined || e.target + po >= seg.size) {
          this.fmsg = `GPU virtual address ${hex(va)} maps outside segment ${e.segmentId}`;
          return F_OUTSIDE;
        }
        return this.resolveSeg(seg, e.target + po, write, Math.min(PAGE_SIZE - po, maxLen));
      }
    }
    this.fmsg = `location space ${loc.space} is not a memory space`;
    return F_BADLOC;
  }

  private listEntry(loc: Loc, index: number): number {
    const v = loc.list;
    if (v !== undefined) {
      const at = PAGE_LIST_HEADER_BYTES + index * 8;
      return v.getUint32(at + 4, true) * 0x100000000 + v.getUint32(at, true);
    }
    return this.sys.readU64(loc.listBase + PAGE_LIST_HEADER_BYTES + index * 8);
  }

  /** Loads slots[at..at+3] into `loc` and checks that `size` bytes from it exist. */
  private prepare(loc: Loc, at: number, size: number, dmaBase: number): number {
    const s = this.slots.slot;
    loc.space = s[at];
    loc.sub = s[at + 1];
    loc.aux = s[at + 2];
    loc.address = s[at + 3];
    switch (loc.space) {
      case SPACE_SEGMENT: {
        const seg = this.segById[loc.sub];
        if (seg === undefined) {
          this.fmsg = `there is no segment ${loc.sub}`;
          return F_BADLOC;
        }
        if (loc.address + size > seg.size) {
          this.fmsg = `${hex(loc.address)}+${hex(size)} is outside segment ${seg.id} (${seg.name}, ${hex(seg.size)} bytes)`;
          return F_OUTSIDE;
        }
        return 0;
      }
      case SPACE_PHYSICAL:
        if (loc.address + size > this.sysBytes) {
          this.fmsg = `physical range ${hex(loc.address)}+${hex(size)} is outside system memory (${hex(this.sysBytes)} bytes)`;
          return F_PHYSICAL;
        }
        return 0;
      case SPACE_MDL: {
        if (loc.sub === LIST_DMA_BUFFER) {
          // The list may sit past the submitted length (data after the instructions), so only
          // system-memory bounds apply.
          loc.listBase = dmaBase + loc.address;
        } else if (loc.sub === LIST_PHYSICAL) {
          loc.listBase = loc.address;
        } else {
          this.fmsg = `page-list base ${loc.sub} is neither the DMA buffer (0) nor physical (1)`;
          return F_BADLOC;
        }
        if (loc.listBase + PAGE_LIST_HEADER_BYTES > this.sysBytes) {
          this.fmsg = `the page list at ${hex(loc.listBase)} is outside system memory`;
          return F_PHYSICAL;
        }
        loc.listCount = this.sys.readU32(loc.listBase);
        if (loc.listBase + PAGE_LIST_HEADER_BYTES + loc.listCount * 8 > this.sysBytes) {
          this.fmsg = `the page list at ${hex(loc.listBase)} (${loc.listCount} pages) runs past system memory`;
          return F_PHYSICAL;
        }
        const view = this.sys.contiguousView(loc.listBase, PAGE_LIST_HEADER_BYTES + loc.listCount * 8);
        loc.list = view ? new DataView(view.buffer, view.byteOffset, view.byteLength) : undefined;
        if (loc.aux + size > loc.listCount * PAGE_SIZE) {
          this.fmsg = `the page list describes ${loc.listCount} pages (${hex(loc.listCount * PAGE_SIZE)} bytes) but ${hex(loc.aux)}+${hex(size)} is needed`;
          return F_BADLOC;
        }
        return 0;
      }
      case SPACE_GPU_VIRTUAL:
        if (loc.address + size > GPU_VA_LIMIT) {
          this.fmsg = `GPU virtual range ${hex(loc.address)}+${hex(size)} is beyond the 48-bit address space`;
          return F_PAGEFAULT;
        }
        return 0;
    }
    this.fmsg = `location space ${loc.space} is not a memory space`;
    return F_BADLOC;
  }

  /** Whether a prepared location is (or starts in) system memory, for choosing a bandwidth. */
  private isSystem(loc: Loc): boolean {
    if (loc.space === SPACE_SEGMENT) return !this.segById[loc.sub]!.memory;
    if (loc.space === SPACE_GPU_VIRTUAL) {
      const e = this.pageTable.get(Math.floor(loc.address / PAGE_SIZE));
      return e !== undefined && (e.segmentId === 0 || !this.segById[e.segmentId]?.memory);
    }
    return true;
  }

  /** The VRAM or system range a prepared location covers, if it is one flat range (for overlap checks). */
  private flatRange(loc: Loc): number {
    if (loc.space === SPACE_PHYSICAL) return loc.address;
    if (loc.space === SPACE_SEGMENT) {
      const seg = this.segById[loc.sub]!;
      return seg.memory ? -1 - (seg.vramBase + loc.address) : NaN;
    }
    return NaN;
  }

  private overlaps(a: Loc, b: Loc, size: number): boolean {
    const x = this.flatRange(a);
    const y = this.flatRange(b);
    if (Number.isNaN(x) || Number.isNaN(y) || (x < 0) !== (y < 0)) {
      return a.space === SPACE_SEGMENT && b.space === SPACE_SEGMENT && a.sub === b.sub &&
        a.address < b.address + size && b.address < a.address + size;
    }
    const xa = x < 0 ? -1 - x : x;
    const ya = y < 0 ? -1 - y : y;
    return xa < ya + size && ya < xa + size;
  }

  private copyLoop(dst: Loc, src: Loc, size: number): number {
    const ev = this.listening;
    for (let pos = 0; pos < size; ) {
      let f = this.resolveLoc(src, pos, false, size - pos);
      if (f) return f;
      const sa = this.rArr;
      const so = this.rOff;
      const sl = this.rLen;
      f = this.resolveLoc(dst, pos, true, sl);
      if (f) return f;
      const n = Math.min(size - pos, sl, this.rLen);
      if (n <= 16) {
        const da = this.rArr;
        const d0 = this.rOff;
        for (let i = 0; i < n; i++) da[d0 + i] = sa[so + i];
      } else {
        this.rArr.set(sa.subarray(so, so + n), this.rOff);
      }
      if (ev) this.noteWrite(n);
      pos += n;
    }
    this.wrote();
    return 0;
  }

  private wrote(): void {
    this.epoch++;
    if (this.t > this.memTime) this.memTime = this.t;
  }

  private fillLoop(dst: Loc, size: number, pattern: number): number {
    const ev = this.listening;
    for (let pos = 0; pos < size; ) {
      const f = this.resolveLoc(dst, pos, true, size - pos);
      if (f) return f;
      const n = Math.min(size - pos, this.rLen);
      const a = this.rArr;
      new Uint32Array(a.buffer, a.byteOffset + this.rOff, n >>> 2).fill(pattern);
      if (ev) this.noteWrite(n);
      pos += n;
    }
    this.wrote();
    return 0;
  }

  /** Reads `n` bytes from a prepared location into out[o..]. */
  private readLoc(loc: Loc, pos: number, out: Uint8Array, o: number, n: number): number {
    while (n > 0) {
      const f = this.resolveLoc(loc, pos, false, n);
      if (f) return f;
      const k = Math.min(n, this.rLen);
      if (k <= 16) for (let i = 0; i < k; i++) out[o + i] = this.rArr[this.rOff + i];
      else out.set(this.rArr.subarray(this.rOff, this.rOff + k), o);
      pos += k;
      o += k;
      n -= k;
    }
    return 0;
  }

  private writeLoc(loc: Loc, pos: number, src: Uint8Array, o: number, n: number): number {
    const ev = this.listening;
    while (n > 0) {
      const f = this.resolveLoc(loc, pos, true, n);
      if (f) return f;
      const k = Math.min(n, this.rLen);
      if (k <= 16) for (let i = 0; i < k; i++) this.rArr[this.rOff + i] = src[o + i];
      else this.rArr.set(src.subarray(o, o + k), this.rOff);
      if (ev) this.noteWrite(k);
      pos += k;
      o += k;
      n -= k;
    }
    this.wrote();
    return 0;
  }

  private retile(dst: Loc, src: Loc, size: number, pitch: number, toTiled: boolean): number {
    const band = pitch * (TILE_BYTES / 64);
    const a = new Uint8Array(band);
    const b = new Uint8Array(band);
    for (let pos = 0; pos < size; pos += band) {
      let f = this.readLoc(src, pos, a, 0, band);
      if (f) return f;
      retileBand(a, b, pitch, toTiled);
      f = this.writeLoc(dst, pos, b, 0, band);
      if (f) return f;
    }
    return 0;
  }

  // ---------------------------------------------------------------- the paging engine

  submit(engine: number, submission: Submission): void {
    const e = this.engineRec(engine);
    const { physical, length, submissionId } = submission ?? ({} as Submission);
    if (!Number.isSafeInteger(physical) || physical < 0) throw new Error(`submit: physical must be a non-negative integer, got ${physical}`);
    if (!Number.isSafeInteger(length) || length < 0) throw new Error(`submit: length must be a non-negative integer, got ${length}`);
    if (!Number.isSafeInteger(submissionId)) throw new Error(`submit: submissionId must be an integer, got ${submissionId}`);
    e.queue.push({ physical, length, submissionId });
    if (e.state === S_IDLE) e.state = S_READY;
  }

  private engineRec(i: number): EngineRec {
    const e = this.engines[i];
    if (e === undefined) throw new Error(`engine ${i} does not exist (the adapter has ${this.engines.length})`);
    return e;
  }

  private startNext(e: EngineRec): Submission {
    const s = e.queue[e.qHead++];
    if (e.qHead > 64 && e.qHead * 2 > e.queue.length) {
      e.queue.splice(0, e.qHead);
      e.qHead = 0;
    }
    e.cur = s;
    e.pc = 0;
    const view = s.physical + s.length <= this.sysBytes ? this.sys.contiguousView(s.physical, s.length) : undefined;
    e.buf = view;
    e.dv = view ? new DataView(view.buffer, view.byteOffset, view.byteLength) : undefined;
    e.state = S_READY;
    return s;
  }

  private completeBuffer(e: EngineRec, time: number): void {
    const s = e.cur!;
    e.cur = undefined;
    e.buf = undefined;
    e.dv = undefined;
    e.pc = 0;
    e.state = e.qHead < e.queue.length ? S_READY : S_IDLE;
    if (this.listening) this.emit({ kind: 'buffer-complete', engine: e.index, submissionId: s.submissionId, time });
  }

  private segName = (id: number): string | undefined => this.segById[id]?.name;

  private raiseFault(e: EngineRec, code: number, message: string, bytes: Uint8Array, off: number, lim: number, time: number): number {
    if (this.listening) this.flushWrite();
    const cur = e.cur!;
    let text: string;
    try {
      text = formatInstructionAt(bytes, off, lim, this.segName);
    } catch {
      text = '(unreadable)';
    }
    const fault: FaultRecord = {
      engine: e.index,
      address: cur.physical + e.pc,
      offset: e.pc,
      instruction: text,
      cause: CAUSES[code],
      message,
      time,
    };
    e.fault = fault;
    e.state = S_FAULTED;
    if (this.listening) this.emit({ kind: 'fault', fault });
    return R_FAULTED;
  }

  /**
   * Executes the next instruction of `e` if it completes by `limit`. Effects happen at once; they
   * are dated at the instruction's completion time.
   */
  private execOne(e: EngineRec, limit: number): number {
    let cur: Submission;
    for (;;) {
      if (e.state === S_FAULTED) return R_FAULTED;
      if (e.cur === undefined) {
        if (e.qHead >= e.queue.length) {
          e.state = S_IDLE;
          return R_IDLE;
        }
        this.startNext(e);
      }
      cur = e.cur!;
      if (e.pc < cur.length) break;
      this.completeBuffer(e, Math.max(this.clock, e.busyUntil));
    }
    let start = e.busyUntil > this.clock ? e.busyUntil : this.clock;
    let bytes: Uint8Array;
    let view: DataView;
    let off: number;
    let lim: number;
    if (e.buf !== undefined) {
      bytes = e.buf;
      view = e.dv!;
      off = e.pc;
      lim = cur.length;
    } else {
      const n = Math.min(64, cur.length - e.pc);
      const phys = cur.physical + e.pc;
      bytes = this.fetchBuf;
      view = this.fetchView;
      off = 0;
      lim = n;
      if (phys + n > this.sysBytes) {
        bytes.fill(0);
        return this.raiseFault(e, F_PHYSICAL, `the DMA buffer at ${hex(cur.physical)}+${hex(cur.length)} runs past system memory`, bytes, 0, 0, start);
      }
      this.sys.read(phys, bytes, 0, n);
    }
    const slots = this.slots;
    const size = decodeInto(bytes, view, off, lim, slots);
    if (size < 0) {
      const r = decode(bytes, off, lim);
      const reason = r.ok ? 'an operand is not valid' : r.reason;
      const kind = classifyRejected(bytes, off, lim);
      const fcode = kind === 'misaligned' ? F_MISALIGNED : kind === 'bad-location' ? F_BADLOC : F_INVALID;
      return this.raiseFault(e, fcode, `invalid instruction: ${reason}`, bytes, off, lim, start);
    }
    const code = slots.code;
    const flags = slots.flags;
    const s = slots.slot;

    // Phase 1: operands, bounds and cost. Nothing changes yet.
    this.curEngine = e.index;
    this.t = start;
    const bw = this.config.bandwidths;
    let cost = FIXED_NS[code];
    let f = 0;
    const A = this.locA;
    const B = this.locB;
    const dmaBase = cur.physical;
    switch (code) {
      case OP_COPY: {
        const size = s[8];
        f = this.prepare(A, 0, size, dmaBase) || this.prepare(B, 4, size, dmaBase);
        if (f === 0 && this.overlaps(A, B, size)) {
          f = F_OVERLAP;
          this.fmsg = `source and destination overlap (${hex(size)} bytes)`;
        }
        if (f === 0) cost += Math.ceil(size / (this.isSystem(A) || this.isSystem(B) ? bw.systemToVram : bw.vramToVram));
        break;
      }
      case OP_FILL: {
        const size = s[4];
        f = this.prepare(A, 0, size, dmaBase);
        if (f === 0) cost += Math.ceil(size / (this.isSystem(A) ? bw.systemToVram : bw.fill));
        break;
      }
      case OP_DISCARD:
        f = this.prepare(A, 0, s[4], dmaBase);
        break;
      case OP_SWIZZLE:
      case OP_UNSWIZZLE: {
        const size = s[8];
        const problem = tilingProblem(size, s[9]);
        if (problem !== null) {
          this.fmsg = problem;
          f = F_MISALIGNED;
          break;
        }
        f = this.prepare(A, 0, size, dmaBase) || this.prepare(B, 4, size, dmaBase);
        if (f === 0 && this.overlaps(A, B, size)) {
          f = F_OVERLAP;
          this.fmsg = `source and destination overlap (${hex(size)} bytes)`;
        }
        if (f === 0) cost += Math.ceil(size / (this.isSystem(A) || this.isSystem(B) ? bw.systemToVram : bw.vramToVram));
        break;
      }
      case OP_READ_PHYSICAL:
        f = this.prepare(A, 0, s[4], dmaBase);
        break;
      case OP_WRITE_PHYSICAL:
        f = this.prepare(A, 0, s[4], dmaBase);
        break;
      case OP_MAP_APERTURE:
      case OP_UNMAP_APERTURE: {
        const seg = this.segById[s[0]];
        const page = s[1];
        const count = s[2];
        if (seg === undefined || seg.memory) {
          this.fmsg = seg === undefined ? `there is no segment ${s[0]}` : `segment ${seg.id} (${seg.name}) is not an aperture segment`;
          f = F_BADLOC;
        } else if (page + count > seg.pages) {
          this.fmsg = `pages ${page}..${page + count - 1} are outside aperture segment ${seg.id} (${seg.name}, ${seg.pages} pages)`;
          f = F_OUTSIDE;
        } else if (code === OP_MAP_APERTURE) {
          f = this.prepare(A, 3, count * PAGE_SIZE, dmaBase);
          if (f === 0) f = this.checkPageList(A, count);
        } else if (s[3] + PAGE_SIZE > this.sysBytes) {
          this.fmsg = `dummy page ${hex(s[3])} is outside system memory`;
          f = F_PHYSICAL;
        }
        cost += Math.ceil((count * 8) / bw.vramToVram);
        break;
      }
      case OP_FENCE:
        if (flags & FENCE_MONITORED) f = this.prepare(A, 0, 8, dmaBase);
        break;
      case OP_WAIT: {
        f = this.prepare(A, 0, 8, dmaBase);
        if (f === 0) f = this.readLoc(A, 0, this.small, 0, 8);
        if (f !== 0) break;
        const sm = this.small;
        const lo = (sm[0] | (sm[1] << 8) | (sm[2] << 16) | (sm[3] << 24)) >>> 0;
        const hi = (sm[4] | (sm[5] << 8) | (sm[6] << 16) | (sm[7] << 24)) >>> 0;
        if (hi < s[5] || (hi === s[5] && lo < s[4])) {
          if (e.state !== S_WAITING) {
            e.state = S_WAITING;
            if (this.listening) this.emit({ kind: 'wait', engine: e.index, satisfied: false, time: start });
          }
          e.recheck = false;
          e.waitEpoch = this.epoch;
          return R_WAITING;
        }
        // Satisfied after stalling: by a write that happened at memTime at the earliest.
        if (e.state === S_WAITING && this.memTime > start) start = this.memTime;
        break;
      }
      case OP_PAGE_TABLE_UPDATE: {
        const va = s[0];
        const count = s[1];
        if (va + count * PAGE_SIZE > GPU_VA_LIMIT) {
          this.fmsg = `GPU virtual range ${hex(va)}+${count} pages is beyond the 48-bit address space`;
          f = F_BADLOC;
        } else if ((flags & PT_INVALID) === 0) {
          f = this.prepare(A, 2, count * PAGE_SIZE, dmaBase);
        }
        cost += Math.ceil((count * 8) / bw.vramToVram);
        break;
      }
    }
    if (f !== 0) return this.raiseFault(e, f, this.fmsg, bytes, off, lim, start);
    const end = start + cost;
    if (end > limit) return R_LIMIT;

    // Phase 2: effects, dated `end`.
    this.curEngine = e.index;
    this.t = end;
    const ev = this.listening;
    if (ev) {
      this.emit({ kind: 'instruction', engine: e.index, address: cur.physical + e.pc, offset: e.pc, code, time: start, end, size });
      if (e.state === S_WAITING) this.emit({ kind: 'wait', engine: e.index, satisfied: true, time: end });
    }
    e.state = S_READY;
    switch (code) {
      case OP_COPY:
        f = this.copyLoop(A, B, s[8]);
        break;
      case OP_FILL:
        f = this.fillLoop(A, s[4], s[5]);
        break;
      case OP_SWIZZLE:
        f = this.retile(A, B, s[8], s[9], true);
        break;
      case OP_UNSWIZZLE:
        f = this.retile(A, B, s[8], s[9], false);
        break;
      case OP_READ_PHYSICAL:
        f = this.readLoc(A, 0, this.small, 0, s[4]);
        break;
      case OP_WRITE_PHYSICAL: {
        const sm = this.small;
        const lo = s[5];
        const hi = s[6];
        sm[0] = lo & 0xff;
        sm[1] = (lo >>> 8) & 0xff;
        sm[2] = (lo >>> 16) & 0xff;
        sm[3] = lo >>> 24;
        sm[4] = hi & 0xff;
        sm[5] = (hi >>> 8) & 0xff;
        sm[6] = (hi >>> 16) & 0xff;
        sm[7] = hi >>> 24;
        f = this.writeLoc(A, 0, sm, 0, s[4]);
        break;
      }
      case OP_MAP_APERTURE: {
        const seg = this.segById[s[0]]!;
        const first = A.aux / PAGE_SIZE;
        const entries = A.listBase + PAGE_LIST_HEADER_BYTES;
        const fl = GART_VALID | (flags & MAP_CACHE_COHERENT ? GART_COHERENT : 0);
        for (let k = 0; k < s[2]; k++) {
          seg.gartPhys[s[1] + k] = this.sys.readU64(entries + (first + k) * 8);
          seg.gartFlags[s[1] + k] = fl;
        }
        break;
      }
      case OP_UNMAP_APERTURE: {
        const seg = this.segById[s[0]]!;
        seg.gartPhys.fill(s[3], s[1], s[1] + s[2]);
        seg.gartFlags.fill(GART_VALID | GART_DUMMY, s[1], s[1] + s[2]);
        break;
      }
      case OP_FENCE: {
        const lo = s[4];
        const hi = s[5];
        if (flags & FENCE_MONITORED) {
          const sm = this.small;
          sm[0] = lo & 0xff;
          sm[1] = (lo >>> 8) & 0xff;
          sm[2] = (lo >>> 16) & 0xff;
          sm[3] = lo >>> 24;
          sm[4] = hi & 0xff;
          sm[5] = (hi >>> 8) & 0xff;
          sm[6] = (hi >>> 16) & 0xff;
          sm[7] = hi >>> 24;
          f = this.writeLoc(A, 0, sm, 0, 8);
          if (f !== 0) break;
        } else {
          e.fenceLo = lo;
          e.fenceHi = hi;
        }
        if (ev) {
          this.flushWrite();
          const value = (BigInt(hi) << 32n) | BigInt(lo);
          const monitored = (flags & FENCE_MONITORED) !== 0;
          this.emit(
            monitored
              ? { kind: 'fence', engine: e.index, value, monitored, address: this.rDebug, time: end }
              : { kind: 'fence', engine: e.index, value, monitored, time: end },
          );
          if (flags & FENCE_IRQ) {
            this.emit({ kind: 'interrupt', engine: e.index, reason: 'dma-completed', code: 0, fenceValue: value, time: end });
          }
        }
        break;
      }
      case OP_INTERRUPT:
        if (ev) this.emit({ kind: 'interrupt', engine: e.index, reason: 'instruction', code: s[0], time: end });
        break;
      case OP_PAGE_TABLE_UPDATE: {
        const first = s[0] / PAGE_SIZE;
        const count = s[1];
        if (flags & PT_INVALID) {
          for (let k = 0; k < count; k++) this.pageTable.delete(first + k);
        } else {
          const segmentId = A.space === SPACE_SEGMENT ? A.sub : 0;
          const readOnly = (flags & PT_READ_ONLY) !== 0;
          for (let k = 0; k < count; k++) {
            this.pageTable.set(first + k, { segmentId, target: A.address + k * PAGE_SIZE, readOnly });
          }
        }
        break;
      }
      case OP_TLB_FLUSH: {
        const count = s[1];
        if (count === 0) this.tlb.clear();
        else {
          const first = s[0] / PAGE_SIZE;
          if (count < this.tlb.size) for (let k = 0; k < count; k++) this.tlb.delete(first + k);
          else for (const vpn of [...this.tlb.keys()]) if (vpn >= first && vpn < first + count) this.tlb.delete(vpn);
        }
        break;
      }
    }
    if (ev) this.flushWrite();
    // A fault part-way (after some bytes moved) is dated, like any fault, when the engine reached the instruction.
    if (f !== 0) return this.raiseFault(e, f, this.fmsg, bytes, off, lim, start);
    e.pc += size;
    e.busyUntil = end;
    if (e.pc >= cur.length) this.completeBuffer(e, end);
    return R_EXECUTED;
  }

  private checkPageList(loc: Loc, count: number): number {
    const first = loc.aux / PAGE_SIZE;
    const entries = loc.listBase + PAGE_LIST_HEADER_BYTES;
    for (let k = 0; k < count; k++) {
      const p = this.sys.readU64(entries + (first + k) * 8);
      if (p % PAGE_SIZE !== 0 || p + PAGE_SIZE > this.sysBytes) {
        this.fmsg = `page list entry ${first + k} (${hex(p)}) is not a 4 KiB page of system memory`;
        return F_PHYSICAL;
      }
    }
    return 0;
  }

  /** Runs execOne, turning internal errors into faults and passing listener errors on. */
  private guarded(e: EngineRec, limit: number): number {
    try {
      return this.execOne(e, limit);
    } catch (err) {
      return this.internalFault(e, err);
    }
  }

  private internalFault(e: EngineRec, err: unknown): number {
    if (err instanceof ListenerError) throw err.inner;
    const cur = e.cur;
    const fault: FaultRecord = {
      engine: e.index,
      address: cur ? cur.physical + e.pc : 0,
      offset: e.pc,
      instruction: '(unknown)',
      cause: 'invalid-instruction',
      message: `internal error: ${err instanceof Error ? err.message : String(err)}`,
      time: this.clock,
    };
    e.fault = fault;
    e.state = S_FAULTED;
    return R_FAULTED;
  }

  /**
   * Runs one engine until it stops or its next instruction would end after `limit`. While nobody
   * listens, runs of the smallest instructions (nop, paging fence, a physical write within one
   * chunk) are executed inline here; anything else, and any problem, goes through execOne, which
   * has the whole semantics (the fast path only ever does a subset of what execOne would do).
   */
  private runEngine(e: EngineRec, limit: number): number {
    let n = 0;
    try {
      for (;;) {
        const buf = e.buf;
        if (buf !== undefined && !this.listening && e.state === S_READY) {
          const cur = e.cur!;
          const len = cur.length;
          const dv = e.dv!;
          const slots = this.slots;
          const s = slots.slot;
          const sysBytes = this.sysBytes;
          const startPc = e.pc;
          let pc = startPc;
          let t = e.busyUntil > this.clock ? e.busyUntil : this.clock;
          while (pc < len) {
            const size = decodeInto(buf, dv, pc, len, slots);
            if (size < 0) break;
            const code = slots.code;
            const end = t + FIXED_NS[code];
            if (end > limit) break;
            if (code === OP_NOP) {
              // nothing
            } else if (code === OP_FENCE && (slots.flags & FENCE_MONITORED) === 0) {
              // An irq is only observable as an event, and nobody listens.
              e.fenceLo = s[4];
              e.fenceHi = s[5];
            } else if (code === OP_WRITE_PHYSICAL && s[0] === SPACE_PHYSICAL) {
              const addr = s[3];
              const count = s[4];
              if (addr + count > sysBytes) break;
              const ci = Math.floor(addr / CHUNK_BYTES);
              const co = addr - ci * CHUNK_BYTES;
              if (co + count > CHUNK_BYTES) break;
              const c = this.sys.chunkForWrite(ci);
              const lo = s[5];
              const hi = s[6];
              for (let i = 0; i < count; i++) c[co + i] = i < 4 ? (lo >>> (i * 8)) & 0xff : (hi >>> ((i - 4) * 8)) & 0xff;
              this.epoch++;
              if (end > this.memTime) this.memTime = end;
            } else break;
            pc += size;
            t = end;
            n++;
          }
          if (pc !== startPc) {
            e.busyUntil = t;
            e.pc = pc;
            if (pc >= len) {
              this.completeBuffer(e, t);
              continue;
            }
          }
        }
        const r = this.execOne(e, limit);
        if (r !== R_EXECUTED) return n;
        n++;
      }
    } catch (err) {
      this.internalFault(e, err);
      return n;
    }
  }

  private enter(): void {
    if (this.running) throw new Error('the GPU is already running (step/advance/runUntilIdle called from an event listener)');
    this.running = true;
    for (const e of this.engines) if (e.state === S_WAITING) e.recheck = true;
  }

  step(engine: number): StepOutcome {
    const e = this.engineRec(engine);
    this.enter();
    try {
      const r = this.guarded(e, Infinity);
      if (r === R_EXECUTED && e.busyUntil > this.clock) this.clock = e.busyUntil;
      return r === R_EXECUTED ? 'executed' : r === R_WAITING ? 'waiting' : r === R_FAULTED ? 'faulted' : 'idle';
    } finally {
      this.running = false;
    }
  }

  advance(time: number): number {
    if (typeof time !== 'number' || Number.isNaN(time)) throw new Error(`advance: time must be a number, got ${time}`);
    this.enter();
    let n = 0;
    try {
      if (this.engines.length === 1) {
        n = this.runEngine(this.engines[0], time);
      } else {
        n = this.runMany(time);
      }
    } finally {
      this.running = false;
    }
    if (time !== Infinity && time > this.clock) this.clock = time;
    return n;
  }

  runUntilIdle(): number {
    const n = this.advance(Infinity);
    for (const e of this.engines) if (e.busyUntil > this.clock) this.clock = e.busyUntil;
    return n;
  }

  /** Several engines: always run the one whose next instruction starts first (lowest index on ties). */
  private runMany(limit: number): number {
    const blocked = new Set<EngineRec>();
    let n = 0;
    for (;;) {
      let best: EngineRec | undefined;
      let bestStart = Infinity;
      for (const e of this.engines) {
        if (blocked.has(e) || e.state === S_FAULTED || e.state === S_IDLE) continue;
        if (e.state === S_WAITING && !e.recheck && e.waitEpoch === this.epoch) continue;
        const st = Math.max(this.clock, e.busyUntil);
        if (st < bestStart) {
          best = e;
          bestStart = st;
        }
      }
      if (best === undefined) return n;
      const r = this.guarded(best, limit);
      if (r === R_EXECUTED) n++;
      else if (r === R_LIMIT || r === R_FAULTED || r === R_IDLE) blocked.add(best);
    }
  }

  engineView(engine: number): EngineView {
    const e = this.engineRec(engine);
    return {
      index: e.index,
      state: STATE_NAMES[e.state],
      current: e.cur ? { ...e.cur } : undefined,
      pc: e.pc,
      queued: e.queue.length - e.qHead,
      pagingFence: (BigInt(e.fenceHi) << 32n) | BigInt(e.fenceLo),
      fault: e.fault,
      busyUntil: e.busyUntil,
    };
  }

  resetEngine(engine: number): void {
    const e = this.engineRec(engine);
    e.queue = [];
    e.qHead = 0;
    e.cur = undefined;
    e.buf = undefined;
    e.dv = undefined;
    e.pc = 0;
    e.fault = undefined;
    e.state = S_IDLE;
  }

  // ---------------------------------------------------------------- host access

  private checkRange(what: string, address: number, length: number, limit: number): void {
    if (!Number.isSafeInteger(address) || address < 0) throw new Error(`${what}: address must be a non-negative integer, got ${address}`);
    if (!Number.isSafeInteger(length) || length < 0) throw new Error(`${what}: length must be a non-negative integer, got ${length}`);
    if (address + length > limit) throw new Error(`${what}: ${hex(address)}+${hex(length)} is outside the range (${hex(limit)} bytes)`);
  }

  private hostBegin(): void {
    this.curEngine = HOST_ENGINE;
    this.t = this.clock;
  }

  readPhysical(address: number, length: number): Uint8Array {
    this.checkRange('readPhysical', address, length, this.sysBytes);
    const out = new Uint8Array(length);
    this.sys.read(address, out, 0, length);
    return out;
  }

  writePhysical(address: number, bytes: Uint8Array): void {
    this.checkRange('writePhysical', address, bytes?.length, this.sysBytes);
    this.sys.write(address, bytes, 0, bytes.length);
    this.hostBegin();
    this.wrote();
    if (this.listening && bytes.length > 0) {
      this.hostBegin();
      this.emit({ kind: 'write', engine: HOST_ENGINE, target: 'system', address, length: bytes.length, debugAddress: address, time: this.clock });
    }
  }

  private segment(id: number, what: string): Segment {
    const s = this.segById[id];
    if (s === undefined) throw new Error(`${what}: there is no segment ${id}`);
    return s;
  }

  /** Host access to a segment range (the GPU's view). Throws on unmapped aperture pages. */
  private segAccess(seg: Segment, offset: number, buf: Uint8Array, bo: number, n: number, write: boolean): void {
    const ev = write && this.listening;
    this.hostBegin();
    while (n > 0) {
      const f = this.resolveSeg(seg, offset, write, n);
      if (f) throw new Error(this.fmsg);
      const k = Math.min(n, this.rLen);
      if (write) this.rArr.set(buf.subarray(bo, bo + k), this.rOff);
      else buf.set(this.rArr.subarray(this.rOff, this.rOff + k), bo);
      if (ev) this.noteWrite(k);
      offset += k;
      bo += k;
      n -= k;
    }
    if (write) this.wrote();
    if (ev) this.flushWrite();
  }

  readSegment(segmentId: number, offset: number, length: number): Uint8Array {
    const seg = this.segment(segmentId, 'readSegment');
    this.checkRange(`readSegment ${seg.name}`, offset, length, seg.size);
    const out = new Uint8Array(length);
    this.segAccess(seg, offset, out, 0, length, false);
    return out;
  }

  writeSegment(segmentId: number, offset: number, bytes: Uint8Array): void {
    const seg = this.segment(segmentId, 'writeSegment');
    this.checkRange(`writeSegment ${seg.name}`, offset, bytes?.length, seg.size);
    this.segAccess(seg, offset, bytes, 0, bytes.length, true);
  }

  gartEntry(segmentId: number, page: number): GartEntry {
    const seg = this.segment(segmentId, 'gartEntry');
    if (seg.memory) throw new Error(`gartEntry: segment ${seg.id} (${seg.name}) is not an aperture segment`);
    if (!Number.isInteger(page) || page < 0 || page >= seg.pages) throw new Error(`gartEntry: page ${page} is outside segment ${seg.id} (${seg.pages} pages)`);
    const fl = seg.gartFlags[page];
    return {
      state: (fl & GART_VALID) === 0 ? 'invalid' : fl & GART_DUMMY ? 'dummy' : 'mapped',
      physical: seg.gartPhys[page],
      coherent: (fl & GART_COHERENT) !== 0,
    };
  }

  pageTableEntry(va: number): PageTableEntryView {
    const vpn = Math.floor(va / PAGE_SIZE);
    const e = this.pageTable.get(vpn);
    return e
      ? { va: vpn * PAGE_SIZE, present: true, readOnly: e.readOnly, segmentId: e.segmentId, target: e.target }
      : { va: vpn * PAGE_SIZE, present: false, readOnly: false, segmentId: 0, target: 0 };
  }

  // ---------------------------------------------------------------- CPU aperture (BAR)

  private barSegment(barOffset: number): Segment {
    for (const s of this.barSegs) if (barOffset >= s.barBase && barOffset < s.barBase + s.size) return s;
    throw new Error(`CPU aperture offset ${hex(barOffset)} is not inside a CPU-visible segment`);
  }

  private barAccess(barOffset: number, buf: Uint8Array, write: boolean): void {
    const what = write ? 'cpuWrite' : 'cpuRead';
    if (!Number.isSafeInteger(barOffset) || barOffset < 0) throw new Error(`${what}: offset must be a non-negative integer, got ${barOffset}`);
    let pos = 0;
    while (pos < buf.length) {
      const seg = this.barSegment(barOffset + pos);
      const off = barOffset + pos - seg.barBase;
      let n = Math.min(buf.length - pos, seg.size - off);
      let target = off;
      for (const r of this.swizzle) {
        if (r.segmentId !== seg.id) continue;
        if (off >= r.offset && off < r.offset + r.size) {
          const lin = off - r.offset;
          target = r.offset + tiledOffset(lin, r.pitch);
          n = Math.min(n, 64 - (lin % 64));
        } else if (r.offset > off) {
          n = Math.min(n, r.offset - off);
        }
      }
      this.segAccess(seg, target, buf, pos, n, write);
      pos += n;
    }
  }

  cpuRead(barOffset: number, length: number): Uint8Array {
    if (!Number.isSafeInteger(length) || length < 0) throw new Error(`cpuRead: length must be a non-negative integer, got ${length}`);
    const out = new Uint8Array(length);
    this.barAccess(barOffset, out, false);
    return out;
  }

  cpuWrite(barOffset: number, bytes: Uint8Array): void {
    this.barAccess(barOffset, bytes, true);
  }

  acquireSwizzlingRange(segmentId: number, offset: number, size: number, pitch: number): SwizzlingRange | undefined {
    const seg = this.segment(segmentId, 'acquireSwizzlingRange');
    if (seg.barBase < 0) throw new Error(`acquireSwizzlingRange: segment ${seg.id} (${seg.name}) is not CPU-visible`);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset % PAGE_SIZE !== 0) throw new Error(`acquireSwizzlingRange: offset ${offset} must be 4 KiB aligned`);
    const problem = tilingProblem(size, pitch);
    if (problem) throw new Error(`acquireSwizzlingRange: ${problem}`);
    if (offset + size > seg.size) throw new Error(`acquireSwizzlingRange: ${hex(offset)}+${hex(size)} is outside segment ${seg.id}`);
    for (const r of this.swizzle) {
      if (r.segmentId === segmentId && offset < r.offset + r.size && r.offset < offset + size) {
        throw new Error(`acquireSwizzlingRange: overlaps swizzling range ${r.handle}`);
      }
    }
    if (this.swizzle.length >= this.config.swizzlingRanges) return undefined;
    const r: SwizzlingRange = { handle: this.nextSwizzleHandle++, segmentId, offset, size, pitch };
    this.swizzle.push(r);
    this.swizzle.sort((a, b) => a.segmentId - b.segmentId || a.offset - b.offset);
    return { ...r };
  }

  releaseSwizzlingRange(handle: number): void {
    const i = this.swizzle.findIndex((r) => r.handle === handle);
    if (i < 0) throw new Error(`releaseSwizzlingRange: no swizzling range ${handle} is held`);
    this.swizzle.splice(i, 1);
  }

  swizzlingRanges(): SwizzlingRange[] {
    return this.swizzle.map((r) => ({ ...r }));
  }

  // ---------------------------------------------------------------- system pages, MDLs, DMA

  allocatePages(count: number): number[] {
    return this.pages.allocate(count);
  }

  freePages(pages: readonly number[]): void {
    for (const p of pages) {
      if (!Number.isSafeInteger(p) || p % PAGE_SIZE !== 0 || p >= this.sysBytes) throw new Error(`freePages: ${p} is not a page address`);
    }
    this.pages.release(pages);
  }

  createMdl(pages: readonly number[], byteOffset: number, byteCount: number): Mdl {
    if (!Array.isArray(pages) || pages.length === 0) throw new Error('createMdl: pages must be a non-empty array of page addresses');
    for (const p of pages) {
      if (!Number.isSafeInteger(p) || p % PAGE_SIZE !== 0 || p < 0 || p + PAGE_SIZE > this.sysBytes) {
        throw new Error(`createMdl: ${p} is not a 4 KiB page of system memory`);
      }
    }
    if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset >= PAGE_SIZE) throw new Error(`createMdl: byteOffset ${byteOffset} must be in 0..4095`);
    if (!Number.isInteger(byteCount) || byteCount < 0 || byteOffset + byteCount > pages.length * PAGE_SIZE) {
      throw new Error(`createMdl: byteOffset + byteCount (${byteOffset + byteCount}) exceeds the ${pages.length} pages`);
    }
    return { pages: pages.slice(), byteOffset, byteCount };
  }

  writePageList(physical: number, pages: readonly number[]): number {
    const size = PAGE_LIST_HEADER_BYTES + pages.length * 8;
    this.checkRange('writePageList', physical, size, this.sysBytes);
    const b = new Uint8Array(size);
    const v = new DataView(b.buffer);
    v.setUint32(0, pages.length, true);
    pages.forEach((p, i) => {
      v.setUint32(8 + i * 8, p % 0x100000000, true);
      v.setUint32(12 + i * 8, Math.floor(p / 0x100000000), true);
    });
    this.writePhysical(physical, b);
    return size;
  }

  allocateCommonBuffer(size: number): CommonBuffer | undefined {
    if (!Number.isSafeInteger(size) || size <= 0) throw new Error(`allocateCommonBuffer: size must be a positive integer, got ${size}`);
    const charged = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
    if (this.commonUsed + charged > this.config.commonBufferBudget) return undefined;
    // Common buffers take whole chunks so that their host view is one ArrayBuffer.
    const span = Math.ceil(size / CHUNK_BYTES) * CHUNK_BYTES;
    const physical = this.pages.allocateContiguous(span / PAGE_SIZE, CHUNK_BYTES / PAGE_SIZE);
    if (physical === undefined) return undefined;
    const ab = new ArrayBuffer(span);
    this.sys.install(physical, ab);
    this.commonUsed += charged;
    this.commonBuffers.set(physical, { size, charged, span });
    return { physical, size, bytes: new Uint8Array(ab, 0, size) };
  }

  freeCommonBuffer(buffer: CommonBuffer): void {
    const rec = buffer && this.commonBuffers.get(buffer.physical);
    if (!rec) throw new Error(`freeCommonBuffer: no common buffer at ${hex(buffer?.physical)}`);
    this.commonBuffers.delete(buffer.physical);
    this.commonUsed -= rec.charged;
    this.sys.release(buffer.physical, rec.span);
    this.pages.releaseRun(buffer.physical / PAGE_SIZE, rec.span / PAGE_SIZE);
  }

  commonBufferUsage(): { used: number; budget: number; buffers: number } {
    return { used: this.commonUsed, budget: this.config.commonBufferBudget, buffers: this.commonBuffers.size };
  }

  scatterGather(mdl: Mdl, segmentId: number, segmentOffset: number, direction: 'to-device' | 'from-device'): { bytes: number; completesAt: number } {
    const m = this.createMdl(mdl?.pages, mdl?.byteOffset, mdl?.byteCount);
    const seg = this.segment(segmentId, 'scatterGather');
    this.checkRange(`scatterGather ${seg.name}`, segmentOffset, m.byteCount, seg.size);
    if (direction !== 'to-device' && direction !== 'from-device') throw new Error(`scatterGather: direction must be 'to-device' or 'from-device'`);
    let done = 0;
    let packets = 0;
    while (done < m.byteCount) {
      const p = m.byteOffset + done;
      const idx = Math.floor(p / PAGE_SIZE);
      const po = p - idx * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - po, m.byteCount - done);
      const phys = m.pages[idx] + po;
      if (direction === 'to-device') {
        const chunk = new Uint8Array(n);
        this.sys.read(phys, chunk, 0, n);
        this.segAccess(seg, segmentOffset + done, chunk, 0, n, true);
      } else {
        const chunk = new Uint8Array(n);
        this.segAccess(seg, segmentOffset + done, chunk, 0, n, false);
        this.writePhysical(phys, chunk);
      }
      done += n;
      packets++;
    }
    const start = Math.max(this.clock, this.dmaBusyUntil);
    this.dmaBusyUntil = start + SG_SETUP_NS + packets * SG_PACKET_NS + Math.ceil(m.byteCount / this.config.bandwidths.systemToVram);
    return { bytes: m.byteCount, completesAt: this.dmaBusyUntil };
  }

  // ---------------------------------------------------------------- the debug address space

  /** Calls `fn(kind, seg, off, n)` for the pieces of a debug-space range; kind 0 unreadable, 1 system, 2 segment. */
  private debugPieces(address: number, length: number, fn: (kind: number, seg: Segment | undefined, off: number, at: number, n: number) => void): void {
    let at = 0;
    while (at < length) {
      const a = address + at;
      let n = length - at;
      if (a < this.sysBytes) {
        n = Math.min(n, this.sysBytes - a);
        fn(1, undefined, a, at, n);
      } else {
        const id = Math.floor(a / DEBUG_SEGMENT_STRIDE);
        const off = a - id * DEBUG_SEGMENT_STRIDE;
        const seg = this.segById[id];
        if (seg === undefined || off >= seg.size) {
          const nextStart = seg === undefined ? (id + 1) * DEBUG_SEGMENT_STRIDE : (id + 1) * DEBUG_SEGMENT_STRIDE;
          n = Math.min(n, Math.max(1, nextStart - a));
          fn(0, undefined, a, at, n);
        } else if (seg.memory) {
          n = Math.min(n, seg.size - off);
          fn(2, seg, off, at, n);
        } else {
          n = Math.min(n, PAGE_SIZE - (off % PAGE_SIZE));
          const fl = seg.gartFlags[Math.floor(off / PAGE_SIZE)];
          fn((fl & GART_VALID) === 0 ? 0 : 2, seg, off, at, n);
        }
      }
      at += n;
    }
  }

  debugRead(address: number, length: number): DebugReadResult {
    if (!Number.isSafeInteger(address) || address < 0) throw new Error(`debugRead: address must be a non-negative integer, got ${address}`);
    if (!Number.isSafeInteger(length) || length < 0 || length > 256 * 1024 * 1024) throw new Error(`debugRead: length ${length} is not in 0..256 MiB`);
    const bytes = new Uint8Array(length);
    const unreadable: AddressRange[] = [];
    this.debugPieces(address, length, (kind, seg, off, at, n) => {
      if (kind === 0) pushRange(unreadable, address + at, n);
      else if (kind === 1) this.sys.read(off, bytes, at, n);
      else this.quietSegRead(seg!, off, bytes, at, n);
    });
    return { bytes, unreadable };
  }

  /** A debugger's read: no dummy-page accesses recorded. */
  private quietSegRead(seg: Segment, off: number, out: Uint8Array, at: number, n: number): void {
    if (seg.memory) {
      this.vram.read(seg.vramBase + off, out, at, n);
      return;
    }
    const page = Math.floor(off / PAGE_SIZE);
    this.sys.read(seg.gartPhys[page] + (off % PAGE_SIZE), out, at, n);
  }

  debugWrite(address: number, bytes: Uint8Array): DebugWriteResult {
    if (!Number.isSafeInteger(address) || address < 0) throw new Error(`debugWrite: address must be a non-negative integer, got ${address}`);
    const unwritable: AddressRange[] = [];
    let written = 0;
    this.debugPieces(address, bytes.length, (kind, seg, off, at, n) => {
      if (kind === 0) {
        pushRange(unwritable, address + at, n);
        return;
      }
      if (kind === 1) this.writePhysical(off, bytes.subarray(at, at + n));
      else this.segAccess(seg!, off, bytes.subarray(at, at + n), 0, n, true);
      written += n;
    });
    return { written, unwritable };
  }

  residentBytes(): { vram: number; system: number } {
    return { vram: this.vram.residentBytes(), system: this.sys.residentBytes() };
  }
}

function pushRange(list: AddressRange[], address: number, length: number): void {
  const last = list[list.length - 1];
  if (last && last.address + last.length === address) last.length += length;
  else list.push({ address, length });
}

/** The opcode's table entry, for callers formatting codes from events. */
export function mnemonicOf(code: number): string {
  return OPCODE_BY_CODE[code]?.mnemonic ?? `0x${code.toString(16)}`;
}
