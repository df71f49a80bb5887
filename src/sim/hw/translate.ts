// Address translation: how the engine reaches a byte. A `loc` operand names a segment offset (a
// memory segment is VRAM; an aperture segment goes through its GART), a system physical address, a
// page of an MDL page list, or a GPU virtual address (page table through the TLB). `prepare` checks
// a whole operand once per instruction; `resolve` then maps one position of it to a run of
// contiguous backing bytes, left in the fields arr/off/len, so a 64 MiB copy is a handful of
// typed-array calls. Asked only to locate (LOCATE_*), it leaves which memory and address in
// mem/addr and how far the mapping runs on in len, touching no bytes. Faults are numbers here (with
// `state.faultMessage`) and become FaultRecords only when the engine raises them.

import {
  ACCESS_WRITE,
  DEBUG_SEGMENT_STRIDE,
  F_BADLOC,
  F_OUTSIDE,
  F_PAGEFAULT,
  F_PHYSICAL,
  F_UNMAPPED,
  GART_DUMMY,
  GART_VALID,
  GPU_VA_LIMIT,
  LIST_DMA_BUFFER,
  LIST_PHYSICAL,
  LOCATE_READ,
  MAX_RUN_BYTES,
  PAGE_LIST_HEADER_BYTES,
  PAGE_SIZE,
  SPACE_GPU_VIRTUAL,
  SPACE_MDL,
  SPACE_PHYSICAL,
  SPACE_SEGMENT,
} from './constants';
import { MIXED, RunResult, SparseMemory } from './memory';
import type { GpuPageTable } from './pageTable';
import type { Segment } from './segments';
import type { GpuState } from './state';
import { hex, UPPER } from '../../isa/hex';

/** A decoded `loc` operand, prepared for an instruction (page list located, bounds checked). */
export class Loc {
  space = 0;
  sub = 0;
  aux = 0;
  address = 0;
  listBase = 0;
  listCount = 0;
  /** The entries of the page list this access uses, from entry `listFirst`, when one buffer holds them (a common buffer), for fast entry reads. */
  list: DataView | undefined = undefined;
  listFirst = 0;
  /**
   * Entries [runFirst, runEnd) of the page list, found contiguous from physical address runBase by
   * an earlier resolution of this instruction: a copy whose other side breaks its runs resolves the
   * same entries again and again, and rescanning them cost more than the copy (64 MiB from an MDL
   * of contiguous pages).
   */
  runFirst = 0;
  runEnd = 0;
  runBase = 0;
}

export class Resolver implements RunResult {
  // The run the last resolution found: `len` bytes of `arr` from `off` (not set when locating);
  // where they are: the memory and its address, whether that is VRAM, and the debug address; and
  // for a read of uniform memory its pattern (else MIXED).
  arr: Uint8Array = new Uint8Array(0);
  off = 0;
  len = 0;
  mem: SparseMemory;
  addr = 0;
  inVram = false;
  debug = 0;
  pattern = MIXED;

  private readonly vram: SparseMemory;
  private readonly sys: SparseMemory;
  private readonly sysBytes: number;
  private readonly segById: readonly (Segment | undefined)[];

  constructor(
    private readonly state: GpuState,
    private readonly pageTable: GpuPageTable,
  ) {
    this.vram = state.vram;
    this.sys = state.sys;
    this.sysBytes = state.sysBytes;
    this.segById = state.segments.byId;
    this.mem = state.sys;
  }

  /** Points the run fields at memory `mem` from `addr`, up to `want` bytes (see SparseMemory.run). */
  private run(mem: SparseMemory, addr: number, mode: number, want: number): void {
    this.mem = mem;
    if (mode >= LOCATE_READ) this.len = want;
    else mem.run(this, addr, mode, want);
  }

  /** System memory from physical address `addr`. */
  phys(addr: number, mode: number, maxLen: number): number {
    if (addr >= this.sysBytes || addr < 0) {
      this.state.faultMessage = `physical address ${hex(addr, UPPER)} is outside system memory (${hex(this.sysBytes, UPPER)} bytes)`;
      return F_PHYSICAL;
    }
    this.run(this.sys, addr, mode, Math.min(this.sysBytes - addr, maxLen));
    this.inVram = false;
    this.addr = addr;
    this.debug = addr;
    return 0;
  }

  /** Segment offset `off` as the GPU sees it: VRAM, or system memory through the GART. */
  seg(seg: Segment, off: number, mode: number, maxLen: number): number {
    if (seg.memory) {
      const va = seg.vramBase + off;
      this.run(this.vram, va, mode, Math.min(seg.size - off, maxLen));
      this.inVram = true;
      this.addr = va;
      this.debug = seg.id * DEBUG_SEGMENT_STRIDE + off;
      return 0;
    }
    const page = Math.floor(off / PAGE_SIZE);
    const po = off - page * PAGE_SIZE;
    const fl = seg.gartFlags[page];
    if ((fl & GART_VALID) === 0) {
      this.state.faultMessage = `page ${page} (offset ${hex(page * PAGE_SIZE, UPPER)}) of aperture segment ${seg.id} (${seg.name}) has no GART mapping`;
      return F_UNMAPPED;
    }
    const base = seg.gartPhys[page];
    let len = PAGE_SIZE - po;
    if (fl & GART_DUMMY) {
      this.state.events.recordDummy(seg.id, page, (mode & ACCESS_WRITE) !== 0);
    } else {
      // Physically contiguous GART pages form one run, so aperture copies stay bulk.
      for (let p = page + 1; p < seg.pages && len < maxLen && len < MAX_RUN_BYTES; p++) {
        if (seg.gartFlags[p] !== fl || seg.gartPhys[p] !== base + (p - page) * PAGE_SIZE) break;
        len += PAGE_SIZE;
      }
    }
    const f = this.phys(base + po, mode, Math.min(len, seg.size - off, maxLen));
    this.debug = seg.id * DEBUG_SEGMENT_STRIDE + off;
    return f;
  }

  /** Position `pos` of a prepared location, as a run of at most `maxLen` bytes. */
  resolve(loc: Loc, pos: number, mode: number, maxLen: number): number {
    switch (loc.space) {
      case SPACE_SEGMENT:
        return this.seg(this.segById[loc.sub]!, loc.address + pos, mode, maxLen);
      case SPACE_PHYSICAL:
        return this.phys(loc.address + pos, mode, maxLen);
      case SPACE_MDL: {
        const p = loc.aux + pos;
        const idx = Math.floor(p / PAGE_SIZE);
        const po = p - idx * PAGE_SIZE;
        let base: number;
        let k: number;
        if (idx >= loc.runFirst && idx < loc.runEnd) {
          base = loc.runBase + (idx - loc.runFirst) * PAGE_SIZE;
          k = loc.runEnd;
        } else {
          base = this.listEntry(loc, idx);
          if (base % PAGE_SIZE !== 0 || base + PAGE_SIZE > this.sysBytes) {
            this.state.faultMessage = `page list entry ${idx} (${hex(base, UPPER)}) is not a 4 KiB page of system memory`;
            return F_PHYSICAL;
          }
          loc.runFirst = idx;
          loc.runBase = base;
          k = idx + 1;
        }
        let len = (k - idx) * PAGE_SIZE - po;
        for (; k < loc.listCount && len < maxLen && len < MAX_RUN_BYTES; k++) {
          if (this.listEntry(loc, k) !== base + (k - idx) * PAGE_SIZE) break;
          len += PAGE_SIZE;
        }
        loc.runEnd = k;
        return this.phys(base + po, mode, Math.min(len, maxLen));
      }
      case SPACE_GPU_VIRTUAL: {
        const va = loc.address + pos;
        const vpn = Math.floor(va / PAGE_SIZE);
        const po = va - vpn * PAGE_SIZE;
        const e = this.pageTable.translate(vpn);
        if (e === undefined) {
          this.state.faultMessage = `GPU virtual address ${hex(va, UPPER)} is not mapped`;
          return F_PAGEFAULT;
        }
        if ((mode & ACCESS_WRITE) !== 0 && e.readOnly) {
          this.state.faultMessage = `GPU virtual address ${hex(va, UPPER)} is mapped read-only`;
          return F_PAGEFAULT;
        }
        if (e.segmentId === 0) return this.phys(e.target + po, mode, Math.min(PAGE_SIZE - po, maxLen));
        const seg = this.segById[e.segmentId];
        if (seg === undefined || e.target + po >= seg.size) {
          this.state.faultMessage = `GPU virtual address ${hex(va, UPPER)} maps outside segment ${e.segmentId}`;
          return F_OUTSIDE;
        }
        return this.seg(seg, e.target + po, mode, Math.min(PAGE_SIZE - po, maxLen));
      }
    }
    this.state.faultMessage = `location space ${loc.space} is not a memory space`;
    return F_BADLOC;
  }

  /** Entry `index` of a prepared page list. */
  listEntry(loc: Loc, index: number): number {
    const v = loc.list;
    const at = (index - loc.listFirst) * 8;
    if (v !== undefined && at >= 0 && at < v.byteLength) return v.getUint32(at + 4, true) * 0x100000000 + v.getUint32(at, true);
    return this.sys.readU64(loc.listBase + PAGE_LIST_HEADER_BYTES + index * 8);
  }

  /**
   * Loads slots[at..at+3] of a decoded instruction into `loc` and checks that `size` bytes from it
   * exist. `dmaBase` is the physical address of the DMA buffer (page lists may sit in it).
   */
  prepare(loc: Loc, s: Float64Array, at: number, size: number, dmaBase: number): number {
    loc.space = s[at];
    loc.sub = s[at + 1];
    loc.aux = s[at + 2];
    loc.address = s[at + 3];
    switch (loc.space) {
      case SPACE_SEGMENT: {
        const seg = this.segById[loc.sub];
        if (seg === undefined) {
          this.state.faultMessage = `there is no segment ${loc.sub}`;
          return F_BADLOC;
        }
        if (loc.address + size > seg.size) {
          this.state.faultMessage = `${hex(loc.address, UPPER)}+${hex(size, UPPER)} is outside segment ${seg.id} (${seg.name}, ${hex(seg.size, UPPER)} bytes)`;
          return F_OUTSIDE;
        }
        return 0;
      }
      case SPACE_PHYSICAL:
        if (loc.address + size > this.sysBytes) {
          this.state.faultMessage = `physical range ${hex(loc.address, UPPER)}+${hex(size, UPPER)} is outside system memory (${hex(this.sysBytes, UPPER)} bytes)`;
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
          this.state.faultMessage = `page-list base ${loc.sub} is neither the DMA buffer (0) nor physical (1)`;
          return F_BADLOC;
        }
        if (loc.listBase + PAGE_LIST_HEADER_BYTES > this.sysBytes) {
          this.state.faultMessage = `the page list at ${hex(loc.listBase, UPPER)} is outside system memory`;
          return F_PHYSICAL;
        }
        loc.listCount = this.sys.readU32(loc.listBase);
        if (loc.listBase + PAGE_LIST_HEADER_BYTES + loc.listCount * 8 > this.sysBytes) {
          this.state.faultMessage = `the page list at ${hex(loc.listBase, UPPER)} (${loc.listCount} pages) runs past system memory`;
          return F_PHYSICAL;
        }
        if (loc.aux + size > loc.listCount * PAGE_SIZE) {
          this.state.faultMessage = `the page list describes ${loc.listCount} pages (${hex(loc.listCount * PAGE_SIZE, UPPER)} bytes) but ${hex(loc.aux, UPPER)}+${hex(size, UPPER)} is needed`;
          return F_BADLOC;
        }
        // Only the entries this access uses: a view of the whole list walked all its pages at every
        // instruction (a 1 GiB allocation's list is 2 MiB, read by thousands of sub-transfers).
        const first = Math.floor(loc.aux / PAGE_SIZE);
        const end = Math.min(loc.listCount, Math.ceil((loc.aux + size) / PAGE_SIZE));
        const view = end > first ? this.sys.contiguousView(loc.listBase + PAGE_LIST_HEADER_BYTES + first * 8, (end - first) * 8) : undefined;
        loc.list = view ? new DataView(view.buffer, view.byteOffset, view.byteLength) : undefined;
        loc.listFirst = first;
        loc.runFirst = loc.runEnd = 0;
        return 0;
      }
      case SPACE_GPU_VIRTUAL:
        if (loc.address + size > GPU_VA_LIMIT) {
          this.state.faultMessage = `GPU virtual range ${hex(loc.address, UPPER)}+${hex(size, UPPER)} is beyond the 48-bit address space`;
          return F_PAGEFAULT;
        }
        return 0;
    }
    this.state.faultMessage = `location space ${loc.space} is not a memory space`;
    return F_BADLOC;
  }

  /** Whether a prepared location is (or starts in) system memory, for choosing a bandwidth. */
  isSystem(loc: Loc): boolean {
    if (loc.space === SPACE_SEGMENT) return !this.segById[loc.sub]!.memory;
    if (loc.space === SPACE_GPU_VIRTUAL) {
      const e = this.pageTable.entry(Math.floor(loc.address / PAGE_SIZE));
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

  /** Whether `size` bytes from two prepared locations overlap, as far as can be told before moving them. */
  overlaps(a: Loc, b: Loc, size: number): boolean {
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
}
