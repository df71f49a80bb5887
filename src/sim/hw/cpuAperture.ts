// The CPU's view of the adapter: the PCI aperture (BAR), through which the CPU reaches the
// CPU-visible segments at their `barBase`, and the swizzling ranges that make a tiled range of a
// segment read and write as linear through the BAR (what the kernel sets up for a locked, swizzled
// allocation). There are `swizzlingRanges` of them; acquiring one more gives undefined.

import { PAGE_SIZE } from './constants';
import type { HostAccess } from './hostAccess';
import type { Segment, SegmentTable } from './segments';
import { tiledOffset, tilingProblem } from './tiling';
import type { SwizzlingRange } from './types';
import { hex, UPPER } from '../../isa/hex';

export class CpuAperture {
  /** Held ranges, by segment and offset. */
  private readonly swizzle: SwizzlingRange[] = [];
  private nextHandle = 1;

  constructor(
    private readonly segments: SegmentTable,
    private readonly host: HostAccess,
    private readonly rangesAvailable: number,
  ) {}

  private barSegment(barOffset: number): Segment {
    for (const s of this.segments.bar) if (barOffset >= s.barBase && barOffset < s.barBase + s.size) return s;
    throw new Error(`CPU aperture offset ${hex(barOffset, UPPER)} is not inside a CPU-visible segment`);
  }

  private access(barOffset: number, buf: Uint8Array, write: boolean): void {
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
          // Inside a range: one tile row (64 bytes) at a time, each to its place in the tiled layout.
          const lin = off - r.offset;
          target = r.offset + tiledOffset(lin, r.pitch);
          n = Math.min(n, 64 - (lin % 64));
        } else if (r.offset > off) {
          n = Math.min(n, r.offset - off);
        }
      }
      this.host.segment(seg, target, buf, pos, n, write, true);
      pos += n;
    }
  }

  read(barOffset: number, length: number): Uint8Array {
    if (!Number.isSafeInteger(length) || length < 0) throw new Error(`cpuRead: length must be a non-negative integer, got ${length}`);
    const out = new Uint8Array(length);
    this.access(barOffset, out, false);
    return out;
  }

  write(barOffset: number, bytes: Uint8Array): void {
    this.access(barOffset, bytes, true);
  }

  acquire(segmentId: number, offset: number, size: number, pitch: number): SwizzlingRange | undefined {
    const seg = this.segments.get(segmentId, 'acquireSwizzlingRange');
    if (seg.barBase < 0) throw new Error(`acquireSwizzlingRange: segment ${seg.id} (${seg.name}) is not CPU-visible`);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset % PAGE_SIZE !== 0) throw new Error(`acquireSwizzlingRange: offset ${offset} must be 4 KiB aligned`);
    const problem = tilingProblem(size, pitch);
    if (problem) throw new Error(`acquireSwizzlingRange: ${problem}`);
    if (offset + size > seg.size) throw new Error(`acquireSwizzlingRange: ${hex(offset, UPPER)}+${hex(size, UPPER)} is outside segment ${seg.id}`);
    for (const r of this.swizzle) {
      if (r.segmentId === segmentId && offset < r.offset + r.size && r.offset < offset + size) {
        throw new Error(`acquireSwizzlingRange: overlaps swizzling range ${r.handle}`);
      }
    }
    if (this.swizzle.length >= this.rangesAvailable) return undefined;
    const r: SwizzlingRange = { handle: this.nextHandle++, segmentId, offset, size, pitch };
    this.swizzle.push(r);
    this.swizzle.sort((a, b) => a.segmentId - b.segmentId || a.offset - b.offset);
    return { ...r };
  }

  release(handle: number): void {
    const i = this.swizzle.findIndex((r) => r.handle === handle);
    if (i < 0) throw new Error(`releaseSwizzlingRange: no swizzling range ${handle} is held`);
    this.swizzle.splice(i, 1);
  }

  ranges(): SwizzlingRange[] {
    return this.swizzle.map((r) => ({ ...r }));
  }
}
