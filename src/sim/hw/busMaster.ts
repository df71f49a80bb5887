// Bus-master DMA: the adapter's DMA channel and the common buffers it hands out. A common buffer is
// physically contiguous system memory that the host also sees as one ArrayBuffer (the same bytes:
// DMA buffers and paging buffers live there), charged against `commonBufferBudget`. Scatter/gather
// moves an MDL to or from a segment packet by packet (a page at a time); the data lands at once and
// the channel stays busy until the transfer would have completed.

import { PAGE_SIZE, SG_PACKET_NS, SG_SETUP_NS } from './constants';
import type { HostAccess } from './hostAccess';
import type { GpuState } from './state';
import type { SystemMemory } from './systemMemory';
import type { CommonBuffer, Mdl } from './types';
import { hex, UPPER } from '../../isa/hex';
import { MIXED } from './memory';

/** The most bytes moved at a time by scatter/gather (physically contiguous pages). */
const MAX_MOVE = 1024 * 1024;

/**
 * Common buffers are placed on 64 KiB boundaries and take whole 64 KiB spans of physical memory:
 * where they land shows in every trace, so this placement stays as it was.
 */
const COMMON_BUFFER_SPAN = 64 * 1024;

export class BusMasterDma {
  private readonly buffers = new Map<number, { size: number; charged: number; span: number }>();
  private used = 0;
  private busyUntil = 0;

  constructor(
    private readonly state: GpuState,
    private readonly host: HostAccess,
    private readonly memory: SystemMemory,
  ) {}

  allocateCommonBuffer(size: number): CommonBuffer | undefined {
    if (!Number.isSafeInteger(size) || size <= 0) throw new Error(`allocateCommonBuffer: size must be a positive integer, got ${size}`);
    const charged = Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
    if (this.used + charged > this.state.config.commonBufferBudget) return undefined;
    const span = Math.ceil(size / COMMON_BUFFER_SPAN) * COMMON_BUFFER_SPAN;
    const physical = this.memory.pages.allocateContiguous(span / PAGE_SIZE, COMMON_BUFFER_SPAN / PAGE_SIZE);
    if (physical === undefined) return undefined;
    const ab = new ArrayBuffer(span);
    this.state.sys.install(physical, ab);
    this.used += charged;
    this.buffers.set(physical, { size, charged, span });
    return { physical, size, bytes: new Uint8Array(ab, 0, size) };
  }

  freeCommonBuffer(buffer: CommonBuffer): void {
    const rec = buffer && this.buffers.get(buffer.physical);
    if (!rec) throw new Error(`freeCommonBuffer: no common buffer at ${hex(buffer?.physical, UPPER)}`);
    this.buffers.delete(buffer.physical);
    this.used -= rec.charged;
    this.state.sys.release(buffer.physical, rec.span);
    this.memory.pages.releaseRun(buffer.physical / PAGE_SIZE, rec.span / PAGE_SIZE);
  }

  private moveBuffer = new Uint8Array(0);

  /** A scratch buffer of `n` bytes for moving data (reused: a view of the same memory each time). */
  private buffer(n: number): Uint8Array {
    if (this.moveBuffer.length < n) this.moveBuffer = new Uint8Array(MAX_MOVE);
    return this.moveBuffer.subarray(0, n);
  }

  commonBufferUsage(): { used: number; budget: number; buffers: number } {
    return { used: this.used, budget: this.state.config.commonBufferBudget, buffers: this.buffers.size };
  }

  scatterGather(mdl: Mdl, segmentId: number, segmentOffset: number, direction: 'to-device' | 'from-device'): { bytes: number; completesAt: number } {
    const st = this.state;
    const m = this.memory.createMdl(mdl?.pages, mdl?.byteOffset, mdl?.byteCount);
    const seg = st.segments.get(segmentId, 'scatterGather');
    st.checkRange(`scatterGather ${seg.name}`, segmentOffset, m.byteCount, seg.size);
    if (direction !== 'to-device' && direction !== 'from-device') throw new Error(`scatterGather: direction must be 'to-device' or 'from-device'`);
    // A packet per page for the timing; the data moves a physically contiguous run at a time (up
    // to MAX_MOVE), and a run that is uniform memory (filled, never written byte by byte) is filled
    // at the other end instead of copied, so it stays uniform: a 1 GiB transfer of a rendered
    // allocation moved and materialised a page buffer 262,144 times (about 5 s each way).
    const packets = Math.ceil((m.byteOffset + m.byteCount) / PAGE_SIZE) - Math.floor(m.byteOffset / PAGE_SIZE);
    for (let done = 0; done < m.byteCount; ) {
      const p = m.byteOffset + done;
      const idx = Math.floor(p / PAGE_SIZE);
      const po = p - idx * PAGE_SIZE;
      let n = Math.min(PAGE_SIZE - po, m.byteCount - done);
      for (let k = idx + 1; done + n < m.byteCount && n < MAX_MOVE && m.pages[k] === m.pages[k - 1] + PAGE_SIZE; k++) n = Math.min(n + PAGE_SIZE, m.byteCount - done);
      const phys = m.pages[idx] + po;
      const at = segmentOffset + done;
      // A pattern lies from 4-byte boundaries: the same pattern serves both ends when they are aligned alike.
      const aligned = phys % 4 === 0 && at % 4 === 0;
      if (direction === 'to-device') {
        if (st.events.reads) {
          st.events.host(st.clock);
          st.events.noteRead(false, phys, phys, n);
        }
        const pattern = aligned ? this.host.uniformPattern(0, phys, n) : MIXED;
        if (pattern === MIXED || !this.host.fillSegment(seg, at, n, pattern)) {
          const bytes = this.buffer(n);
          st.sys.read(phys, bytes, 0, n);
          this.host.segment(seg, at, bytes, 0, n, true);
        }
      } else {
        const pattern = aligned ? this.host.uniformPattern(seg.id, at, n) : MIXED;
        if (pattern !== MIXED) {
          if (st.events.reads) this.host.segment(seg, at, this.buffer(n), 0, n, false, true);
          this.host.fillPhysical(phys, n, pattern);
        } else {
          const bytes = this.buffer(n);
          this.host.segment(seg, at, bytes, 0, n, false, true);
          this.host.writePhysical(phys, bytes);
        }
      }
      done += n;
    }
    const start = Math.max(st.clock, this.busyUntil);
    this.busyUntil = start + SG_SETUP_NS + packets * SG_PACKET_NS + Math.ceil(m.byteCount / st.config.bandwidths.systemToVram);
    return { bytes: m.byteCount, completesAt: this.busyUntil };
  }
}
