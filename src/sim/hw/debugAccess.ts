// The debug address space (see DEBUG_SEGMENT_STRIDE in types.ts): one flat space over system memory
// and every segment as the GPU sees it, so a debugger's readMemory, writeMemory and disassembly take
// plain addresses. Reads are quiet (no dummy-page accesses recorded, no events); what cannot be
// read or written (no such segment, past its end, an aperture page with no GART mapping) is
// reported as ranges instead of failing the whole request. Writes go through the host's access, so
// they raise write events and wake waiting engines like any other host write.

import { DEBUG_SEGMENT_STRIDE, GART_VALID, PAGE_SIZE } from './constants';
import type { HostAccess } from './hostAccess';
import type { Segment } from './segments';
import type { GpuState } from './state';
import type { AddressRange, DebugReadResult, DebugWriteResult } from './types';

const UNREADABLE = 0;
const SYSTEM = 1;
const SEGMENT = 2;

export class DebugAccess {
  constructor(
    private readonly state: GpuState,
    private readonly host: HostAccess,
  ) {}

  /** Calls `fn(kind, seg, off, at, n)` for the pieces of a debug-space range. */
  private pieces(address: number, length: number, fn: (kind: number, seg: Segment | undefined, off: number, at: number, n: number) => void): void {
    const sysBytes = this.state.sysBytes;
    let at = 0;
    while (at < length) {
      const a = address + at;
      let n = length - at;
      if (a < sysBytes) {
        n = Math.min(n, sysBytes - a);
        fn(SYSTEM, undefined, a, at, n);
      } else {
        const id = Math.floor(a / DEBUG_SEGMENT_STRIDE);
        const off = a - id * DEBUG_SEGMENT_STRIDE;
        const seg = this.state.segments.byId[id];
        if (seg === undefined || off >= seg.size) {
          n = Math.min(n, Math.max(1, (id + 1) * DEBUG_SEGMENT_STRIDE - a));
          fn(UNREADABLE, undefined, a, at, n);
        } else if (seg.memory) {
          n = Math.min(n, seg.size - off);
          fn(SEGMENT, seg, off, at, n);
        } else {
          n = Math.min(n, PAGE_SIZE - (off % PAGE_SIZE));
          const fl = seg.gartFlags[Math.floor(off / PAGE_SIZE)];
          fn((fl & GART_VALID) === 0 ? UNREADABLE : SEGMENT, seg, off, at, n);
        }
      }
      at += n;
    }
  }

  read(address: number, length: number): DebugReadResult {
    if (!Number.isSafeInteger(address) || address < 0) throw new Error(`debugRead: address must be a non-negative integer, got ${address}`);
    if (!Number.isSafeInteger(length) || length < 0 || length > 256 * 1024 * 1024) throw new Error(`debugRead: length ${length} is not in 0..256 MiB`);
    const bytes = new Uint8Array(length);
    const unreadable: AddressRange[] = [];
    this.pieces(address, length, (kind, seg, off, at, n) => {
      if (kind === UNREADABLE) pushRange(unreadable, address + at, n);
      else if (kind === SYSTEM) this.state.sys.read(off, bytes, at, n);
      else this.quietSegmentRead(seg!, off, bytes, at, n);
    });
    return { bytes, unreadable };
  }

  /** A debugger's read of a segment: no dummy-page accesses recorded. */
  private quietSegmentRead(seg: Segment, off: number, out: Uint8Array, at: number, n: number): void {
    if (seg.memory) {
      this.state.vram.read(seg.vramBase + off, out, at, n);
      return;
    }
    const page = Math.floor(off / PAGE_SIZE);
    this.state.sys.read(seg.gartPhys[page] + (off % PAGE_SIZE), out, at, n);
  }

  write(address: number, bytes: Uint8Array): DebugWriteResult {
    if (!Number.isSafeInteger(address) || address < 0) throw new Error(`debugWrite: address must be a non-negative integer, got ${address}`);
    const unwritable: AddressRange[] = [];
    let written = 0;
    this.pieces(address, bytes.length, (kind, seg, off, at, n) => {
      if (kind === UNREADABLE) {
        pushRange(unwritable, address + at, n);
        return;
      }
      if (kind === SYSTEM) this.host.writePhysical(off, bytes.subarray(at, at + n));
      else this.host.segment(seg!, off, bytes.subarray(at, at + n), 0, n, true);
      written += n;
    });
    return { written, unwritable };
  }
}

function pushRange(list: AddressRange[], address: number, length: number): void {
  const last = list[list.length - 1];
  if (last && last.address + last.length === address) last.length += length;
  else list.push({ address, length });
}
