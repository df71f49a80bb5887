// The host's access to memory: the CPU (and the bus-master DMA channel) reading and writing system
// physical memory, and reading and writing segments as the GPU sees them (aperture segments through
// the GART, throwing on a page with no mapping). Host writes count as memory writes for waiting
// engines and raise `write` events dated at the current virtual time; reads by the CPU through the
// BAR and by bus-master DMA are told to read sinks.

import { ACCESS_READ, ACCESS_WRITE, DEBUG_SEGMENT_STRIDE } from './constants';
import { fillPattern, MIXED, type RunResult, type SparseMemory } from './memory';
import type { Segment } from './segments';
import type { GpuState } from './state';
import type { Resolver } from './translate';

export class HostAccess {
  constructor(
    private readonly state: GpuState,
    private readonly res: Resolver,
  ) {}

  readPhysical(address: number, length: number): Uint8Array {
    this.state.checkRange('readPhysical', address, length, this.state.sysBytes);
    const out = new Uint8Array(length);
    this.state.sys.read(address, out, 0, length);
    return out;
  }

  writePhysical(address: number, bytes: Uint8Array): void {
    const st = this.state;
    st.checkRange('writePhysical', address, bytes?.length, st.sysBytes);
    st.sys.write(address, bytes, 0, bytes.length);
    st.events.host(st.clock);
    st.wrote(st.clock);
    if (st.events.writes) st.events.hostWrite(address, bytes.length, st.clock);
  }

  /**
   * Fills `length` bytes of system memory from a 4-byte aligned address with a 32-bit pattern: the
   * bytes and the event writePhysical of those bytes gives, whole pages left uniform.
   */
  fillPhysical(address: number, length: number, pattern: number): void {
    const st = this.state;
    st.checkRange('fillPhysical', address, length, st.sysBytes);
    if (address % 4 !== 0) throw new Error(`fillPhysical: address ${address} is not 4-byte aligned`);
    st.sys.fill(address, length, pattern);
    st.events.host(st.clock);
    st.wrote(st.clock);
    if (st.events.writes) st.events.hostWrite(address, length, st.clock);
  }

  /**
   * The 32-bit pattern (laid from 4-byte boundaries) that every byte of [offset, offset + length)
   * holds, when the range is uniform memory with one pattern, else MIXED: of a memory segment, or
   * with segmentId 0 of system physical memory. Reads no byte and raises no event, so a check of a
   * large range that was only ever filled costs a look at its pages. Aperture segments answer MIXED.
   */
  uniformPattern(segmentId: number, offset: number, length: number): number {
    const st = this.state;
    let mem: SparseMemory;
    let address: number;
    if (segmentId === 0) {
      st.checkRange('uniformPattern', offset, length, st.sysBytes);
      mem = st.sys;
      address = offset;
    } else {
      const seg = st.segments.get(segmentId, 'uniformPattern');
      if (!seg.memory) return MIXED;
      st.checkRange(`uniformPattern ${seg.name}`, offset, length, seg.size);
      mem = st.vram;
      address = seg.vramBase + offset;
    }
    const run = this.scratch;
    let pattern = MIXED;
    for (let done = 0; done < length; done += run.len) {
      mem.run(run, address + done, ACCESS_READ, length - done);
      if (run.pattern === MIXED || (done > 0 && run.pattern !== pattern)) return MIXED;
      pattern = run.pattern;
    }
    return pattern;
  }

  private readonly scratch: RunResult = { arr: new Uint8Array(0), off: 0, len: 0, pattern: MIXED };

  /**
   * Fills `length` bytes of a memory segment from a 4-byte aligned offset with a 32-bit pattern:
   * the bytes and events a write of them through `segment` gives, whole pages left uniform. False
   * for an aperture segment (nothing done: write the bytes through `segment`).
   */
  fillSegment(seg: Segment, offset: number, length: number, pattern: number): boolean {
    if (!seg.memory || offset % 4 !== 0) return false;
    const st = this.state;
    st.checkRange(`fillSegment ${seg.name}`, offset, length, seg.size);
    st.events.host(st.clock);
    st.vram.fill(seg.vramBase + offset, length, pattern);
    if (st.events.writes) st.events.noteWrite(true, seg.vramBase + offset, seg.id * DEBUG_SEGMENT_STRIDE + offset, length);
    return true;
  }

  readSegment(segmentId: number, offset: number, length: number): Uint8Array {
    const seg = this.state.segments.get(segmentId, 'readSegment');
    this.state.checkRange(`readSegment ${seg.name}`, offset, length, seg.size);
    const out = new Uint8Array(length);
    this.segment(seg, offset, out, 0, length, false);
    return out;
  }

  writeSegment(segmentId: number, offset: number, bytes: Uint8Array): void {
    const seg = this.state.segments.get(segmentId, 'writeSegment');
    this.state.checkRange(`writeSegment ${seg.name}`, offset, bytes?.length, seg.size);
    this.segment(seg, offset, bytes, 0, bytes.length, true);
  }

  /**
   * Moves `n` bytes between buf[bo..] and a segment range (the GPU's view). Throws on unmapped
   * aperture pages. `reportRead`: a read by the CPU or bus-master DMA, told to read sinks (the
   * kernel's own look at a segment is not).
   */
  segment(seg: Segment, offset: number, buf: Uint8Array, bo: number, n: number, write: boolean, reportRead = false): void {
    const st = this.state;
    const res = this.res;
    const events = st.events;
    const ev = write && events.writes;
    const rd = !write && reportRead && events.reads;
    events.host(st.clock);
    while (n > 0) {
      const f = res.seg(seg, offset, write ? ACCESS_WRITE : ACCESS_READ, n);
      if (f) throw new Error(st.faultMessage);
      const k = Math.min(n, res.len);
      if (write) res.arr.set(buf.subarray(bo, bo + k), res.off);
      else if (res.pattern !== MIXED) fillPattern(buf, bo, k, res.pattern, res.addr);
      else buf.set(res.arr.subarray(res.off, res.off + k), bo);
      if (ev) events.noteWrite(res.inVram, res.addr, res.debug, k);
      if (rd) events.noteRead(res.inVram, res.addr, res.debug, k);
      offset += k;
      bo += k;
      n -= k;
    }
    if (write) st.wrote(events.time);
    if (ev) events.flushWrite();
  }
}
