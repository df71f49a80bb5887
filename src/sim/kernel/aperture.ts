// Aperture segments: VidMm maps an allocation's system pages into an aperture segment with
// DXGK_OPERATION_MAP_APERTURE_SEGMENT and takes them out with DXGK_OPERATION_UNMAP_APERTURE_SEGMENT
// (the range then points at the dummy page, GPU access still enabled). CacheCoherent is set only
// when cacheable memory goes into a cache-coherent aperture segment: never for write-combined
// memory, never on a non-coherent segment. The coherency case of the WDK: before the CPU reads
// aperture memory the GPU wrote, VidMm has the driver build a WritePhysical (to the dummy page: the
// data is irrelevant) and a ReadPhysical of the location, so the GPU's writes have landed.
// VidMm "uses the dummy page that is in the unmapped portion of the aperture to determine
// difficulties the memory manager has accessing the aperture segment": after each unmap it marks
// its dummy page and has the GPU read through every page of the range; a read that faults or does
// not return the mark is a broken unmap, which VidMm reports in its own words (the verifier's rule
// `unmap-not-dummy-page` says it first when it is on).
// Eviction through an aperture segment (DXGK_ALLOCATIONINFO.EvictionSegmentSet: "VidMm attempts to
// allocate resources in those aperture segments to accelerate the eviction process"): VidMm maps the
// allocation's system pages into the first segment named there with room, has the driver transfer
// the content from its segment to that mapping (a Transfer whose Destination is a segment address),
// then unmaps it as any unmap (the dummy page, the probe). With no room it evicts straight to system
// memory, as with an EvictionSegmentSet of 0.

import {
  DXGK_OPERATION_MAP_APERTURE_SEGMENT,
  DXGK_OPERATION_READ_PHYSICAL,
  DXGK_OPERATION_UNMAP_APERTURE_SEGMENT,
  DXGK_OPERATION_WRITE_PHYSICAL,
  PAGE_SIZE,
} from '../ddi/contract';
import { DriverError } from '../driver/errors';
import type { CommonBuffer, FaultRecord } from '../hw/types';
import { encodeInto } from '../../isa/encoding';
import { LocationSpace, OPCODE_BY_MNEMONIC } from '../../isa/opcodes';
import type { PathStep } from '../scenario/types';
import type { Gen } from './events';
import { fillSystemPages } from './systemPages';
import { KernelError } from './kernelError';
import type { Allocation, EvictionAperture, SegmentState } from './vidmm';
import type { QueuedBuffer } from './vidsch';
import type { PathContext } from './pathContext';

export interface ApertureMapping {
  segment: SegmentState;
  offset: number;
  cacheCoherent: boolean;
}

/** What VidMm writes on its dummy page before probing, and a read through an unmapped page must return. */
const DUMMY_MARK = new TextEncoder().encode('VidMmDmy');
/** Pages probed per probe buffer: a `copy` of the mark's size per page, results after the instructions. */
const PROBE_PAGES = 64;

interface Probe {
  allocation: Allocation;
  segment: SegmentState;
  first: number;
  count: number;
  dummy: number;
}

export class ApertureSegments {
  private dummy: number | undefined;
  private readonly mapped = new Map<Allocation, ApertureMapping>();
  private context: CommonBuffer | undefined;
  private probeBuffer: CommonBuffer | undefined;
  /** The probe each probe buffer in flight carries, by its fence id on the paging engine. */
  private readonly probes = new Map<number, Probe>();
  /** `evictionsThrough`: evictions through a mapping in an aperture segment; `evictionsDirect`: those EvictionSegmentSet asked for that found no room. */
  readonly stats = { maps: 0, unmaps: 0, readPhysical: 0, writePhysical: 0, gpuWrites: 0, probedPages: 0, evictionsThrough: 0, evictionsDirect: 0 };

  constructor(private readonly w: PathContext) {}

  /** The physical address of the dummy page unmapped aperture ranges point at. */
  dummyPage(): number {
    this.dummy ??= this.w.gpu.allocatePages(1)[0];
    return this.dummy;
  }

  mapping(a: Allocation): ApertureMapping | undefined {
    return this.mapped.get(a);
  }

  *map(step: Extract<PathStep, { op: 'map-aperture' }>): Gen {
    const a = this.w.alloc(step.id);
    const k = this.w.kernel;
    const vidmm = this.w.vidmm;
    if (this.mapped.has(a)) throw new KernelError('scenario', `'${a.name}' is already mapped into an aperture segment`);
    if (a.locked) throw new KernelError('scenario', `'${a.name}' is locked by the CPU`);
    const apertures = vidmm.segments.filter((s) => s.kind === 'aperture');
    const seg = step.segment === undefined ? apertures[0] : apertures.find((s) => s.name === step.segment);
    if (!seg) {
      throw new KernelError('scenario', step.segment === undefined ? 'the adapter has no aperture segment' : `'${step.segment}' is not an aperture segment (aperture segments: ${apertures.map((s) => s.name).join(', ') || 'none'})`);
    }
    if (a.cpuVisible && a.info.Flags.Swizzled) {
      throw new KernelError(
        'scenario',
        `'${a.name}' is CPU-visible and swizzled: it cannot be placed in aperture segment ${seg.name}. "A CPU-accessible allocation located in an aperture-space segment cannot be swizzled if it is accessed directly by an application": make the surface two allocations (see the lock-surface step)`,
      );
    }
    // The aperture's pages are the allocation's own system pages: its content must be there.
    if (a.residency === 'resident') yield* k.frame(`evict '${a.name}' before mapping it into ${seg.name}`, vidmm.evict(a, { keepContent: true }));
    yield* this.w.settle(a, `to be in system memory before it is mapped into ${seg.name}`);
    if (a.content === 'fresh') {
      // Never written: its system pages take the fill pattern as page fills (same bytes and
      // events as writing them), not as a dense buffer of the allocation's size.
      fillSystemPages(this.w.gpu, a, a.fillPattern);
      a.content = 'valid';
    }
    const offset = seg.ranges.allocate(a.size, PAGE_SIZE);
    if (offset < 0) throw new KernelError('scenario', `aperture segment ${seg.name} has no ${a.size}-byte hole for '${a.name}' (largest ${seg.ranges.largestFree})`);
    const cacheable = step.cached;
    const cacheCoherent = cacheable && seg.descriptor.Flags.CacheCoherent;
    const pages = a.size / PAGE_SIZE;
    yield* vidmm.build(
      {
        Operation: DXGK_OPERATION_MAP_APERTURE_SEGMENT,
        MapApertureSegment: { hDevice: null, hAllocation: a.hAllocation, SegmentId: seg.id, OffsetInPages: offset / PAGE_SIZE, NumberOfPages: pages, pMdl: a.mdl, Flags: { CacheCoherent: cacheCoherent }, MdlOffset: 0 },
      },
      a,
      `MapApertureSegment '${a.name}' -> ${seg.name} pages [${offset / PAGE_SIZE}, ${offset / PAGE_SIZE + pages})`,
    );
    a.lastPagingOperation = 'MapApertureSegment';
    yield* this.w.settle(a, `to be mapped into ${seg.name}`);
    this.mapped.set(a, { segment: seg, offset, cacheCoherent });
    this.stats.maps++;
    yield k.event(
      'aperture-map',
      `map '${a.name}' (${a.size} bytes, ${cacheable ? 'cacheable' : 'write-combined'}) into ${seg.name}+0x${offset.toString(16)}${cacheCoherent ? ', CacheCoherent' : ''} (segment ${seg.descriptor.Flags.CacheCoherent ? 'is' : 'is not'} cache coherent)`,
      { allocation: a.name, segmentId: seg.id, offset, pages, cacheCoherent },
    );
  }

  *unmap(step: Extract<PathStep, { op: 'unmap-aperture' }>): Gen {
    const a = this.w.alloc(step.id);
    const m = this.mapped.get(a);
    if (!m) throw new KernelError('scenario', `'${a.name}' is not mapped into an aperture segment`);
    yield* this.unmapAllocation(a, m);
  }

  *unmapAllocation(a: Allocation, m: ApertureMapping): Gen {
    const k = this.w.kernel;
    const pages = a.size / PAGE_SIZE;
    const dummy = this.dummyPage();
    yield* this.w.settle(a, `to be idle before it is unmapped from ${m.segment.name}`);
    yield* this.w.vidmm.build(
      {
        Operation: DXGK_OPERATION_UNMAP_APERTURE_SEGMENT,
        UnmapApertureSegment: { hDevice: null, hAllocation: a.hAllocation, SegmentId: m.segment.id, OffsetInPages: m.offset / PAGE_SIZE, NumberOfPages: pages, DummyPage: dummy },
      },
      a,
      `UnmapApertureSegment '${a.name}' from ${m.segment.name} pages [${m.offset / PAGE_SIZE}, ${m.offset / PAGE_SIZE + pages})`,
    );
    a.lastPagingOperation = 'UnmapApertureSegment';
    yield* this.w.settle(a, `to be unmapped from ${m.segment.name}`);
    yield* k.frame(`probe ${m.segment.name} pages [${m.offset / PAGE_SIZE}, ${m.offset / PAGE_SIZE + pages}) through the dummy page`, this.probe({ allocation: a, segment: m.segment, first: m.offset / PAGE_SIZE, count: pages, dummy }));
    m.segment.ranges.release(m.offset, a.size);
    this.mapped.delete(a);
    this.stats.unmaps++;
    yield k.event('aperture-unmap', `unmap '${a.name}' from ${m.segment.name}+0x${m.offset.toString(16)}: the range points at the dummy page 0x${dummy.toString(16)}`, {
      allocation: a.name,
      segmentId: m.segment.id,
      offset: m.offset,
      pages,
      dummyPage: dummy,
    });
  }

  /**
   * VidMm reads through every page of an unmapped range: each read must reach the dummy page,
   * which VidMm has marked. A read that faults is explained by `gpuFault`.
   */
  private *probe(p: Probe): Gen {
    const k = this.w.kernel;
    // A context's read, not a paging buffer: VidMm never writes paging buffers itself (only the
    // driver does, in DxgkDdiBuildPagingBuffer), and a driver may count on their layout (a fence
    // written at the end by DxgkDdiPatch).
    const engine = k.renderEngine;
    this.probeBuffer ??= k.commonBuffer(PAGE_SIZE, 'the aperture probe buffer');
    const buf = this.probeBuffer;
    const copy = OPCODE_BY_MNEMONIC.get('copy')!;
    const results = PROBE_PAGES * copy.size;
    for (let first = p.first; first < p.first + p.count; first += PROBE_PAGES) {
      const count = Math.min(PROBE_PAGES, p.first + p.count - first);
      this.w.gpu.writePhysical(p.dummy, DUMMY_MARK);
      buf.bytes.fill(0, results, results + count * DUMMY_MARK.length);
      let n = 0;
      for (let i = 0; i < count; i++) {
        const dst = { space: LocationSpace.Physical, sub: 0, aux: 0, address: buf.physical + results + i * DUMMY_MARK.length };
        const src = { space: LocationSpace.Segment, sub: p.segment.id, aux: 0, address: (first + i) * PAGE_SIZE };
        n += encodeInto({ op: copy, flags: 0, operands: [dst, src, DUMMY_MARK.length] }, buf.bytes, n);
      }
      const batch: Probe = { ...p, first, count };
      const entry = yield* k.vidsch.patchAndSubmit(buf, { engine, kind: 'render', physical: buf.physical, start: 0, end: n, size: buf.size, label: `VidMm probe of ${p.segment.name} pages [${first}, ${first + count}) through the dummy page` }, undefined);
      this.probes.set(entry.fenceId, batch);
      yield* k.waitUntil(() => k.vidsch.isComplete(engine, entry.fenceId), `the probe of ${p.segment.name} through the dummy page`);
      this.probes.delete(entry.fenceId);
      this.stats.probedPages += count;
      for (let i = 0; i < count; i++) {
        const got = buf.bytes.subarray(results + i * DUMMY_MARK.length, results + (i + 1) * DUMMY_MARK.length);
        if (!Buffer.from(got).equals(Buffer.from(DUMMY_MARK))) {
          throw this.brokenUnmap(batch, first + i, `a GPU read through it returned ${[...got].map((b) => b.toString(16).padStart(2, '0')).join(' ')}, not the mark VidMm wrote on its dummy page`);
        }
      }
    }
  }

  /** VidMm's own report of an unmapped range that does not lead to its dummy page. */
  private brokenUnmap(p: Probe, page: number, what: string): DriverError {
    const g = this.w.gpu.gartEntry(p.segment.id, page);
    const entry = g.state === 'invalid' ? 'invalid' : `${g.state === 'dummy' ? 'on' : 'mapped to'} physical page 0x${g.physical.toString(16)}`;
    const ddi = 'DxgkDdiBuildPagingBuffer';
    const fn = this.w.kernel.driver().init.DxgkDdiBuildPagingBuffer;
    return this.w.kernel.ddi.statusError(
      ddi,
      { SegmentId: p.segment.id, OffsetInPages: p.first, NumberOfPages: p.count, DummyPage: p.dummy },
      fn,
      `VidMm cannot use the unmapped part of aperture segment ${p.segment.name}: after UnmapApertureSegment of '${p.allocation.name}' it probed page ${page} through the dummy page 0x${p.dummy.toString(16)}, and ${what} (the GART entry is ${entry}). An unmapped range must point at the dummy page with GPU access enabled`,
    );
  }

  /** A GPU fault in one of VidMm's probe buffers: the unmapped page does not lead to the dummy page. */
  gpuFault(buffer: QueuedBuffer, fault: FaultRecord): Error | undefined {
    const p = buffer.engine === this.w.kernel.renderEngine ? this.probes.get(buffer.fenceId) : undefined;
    if (!p) return undefined;
    const copySize = OPCODE_BY_MNEMONIC.get('copy')!.size;
    const page = p.first + Math.floor(fault.offset / copySize);
    return this.brokenUnmap(p, page, `the GPU faulted reading through it (${fault.cause}: ${fault.message})`);
  }

  /** Eviction through an aperture segment: `a`'s pages mapped into one its EvictionSegmentSet names (see the header). */
  readonly evictionAperture: EvictionAperture = {
    map: (a) => this.mapForEviction(a),
    unmap: (a) => this.unmapAfterEviction(a),
  };

  private *mapForEviction(a: Allocation): Gen<{ segmentId: number; offset: number } | undefined> {
    const k = this.w.kernel;
    const set = a.info.EvictionSegmentSet >>> 0;
    const named = this.w.vidmm.segments.filter((s) => s.kind === 'aperture' && set & (2 ** (s.id - 1)));
    for (const seg of named) {
      const offset = seg.ranges.allocate(a.size, PAGE_SIZE);
      if (offset < 0) continue;
      const pages = a.size / PAGE_SIZE;
      yield* this.w.vidmm.build(
        {
          Operation: DXGK_OPERATION_MAP_APERTURE_SEGMENT,
          MapApertureSegment: { hDevice: null, hAllocation: a.hAllocation, SegmentId: seg.id, OffsetInPages: offset / PAGE_SIZE, NumberOfPages: pages, pMdl: a.mdl, Flags: { CacheCoherent: false }, MdlOffset: 0 },
        },
        a,
        `MapApertureSegment '${a.name}' -> ${seg.name} pages [${offset / PAGE_SIZE}, ${offset / PAGE_SIZE + pages}) to evict it through`,
      );
      a.lastPagingOperation = 'MapApertureSegment';
      this.mapped.set(a, { segment: seg, offset, cacheCoherent: false });
      this.stats.maps++;
      this.stats.evictionsThrough++;
      yield k.event('aperture-map', `map '${a.name}' (${a.size} bytes) into ${seg.name}+0x${offset.toString(16)} to evict it through the aperture (EvictionSegmentSet 0x${set.toString(16)})`, {
        allocation: a.name,
        segmentId: seg.id,
        offset,
        pages,
        cacheCoherent: false,
        eviction: true,
      });
      return { segmentId: seg.id, offset };
    }
    this.stats.evictionsDirect++;
    yield k.event('aperture-map', `no aperture segment that EvictionSegmentSet (0x${set.toString(16)}) names has a ${a.size}-byte hole for '${a.name}': VidMm evicts it straight to system memory`, {
      allocation: a.name,
      eviction: true,
      mapped: false,
    });
    return undefined;
  }

  private *unmapAfterEviction(a: Allocation): Gen {
    const m = this.mapped.get(a);
    if (m) yield* this.unmapAllocation(a, m);
  }

  /** A context on the GPU writes 4 bytes into aperture memory (through the aperture segment). */
  *gpuWrite(step: Extract<PathStep, { op: 'gpu-write-physical' }>): Gen {
    const a = this.w.alloc(step.id);
    const m = this.mapped.get(a);
    if (!m) throw new KernelError('scenario', `'${a.name}' is not mapped into an aperture segment: map it first (map-aperture)`);
    if (step.offset + 4 > a.size) throw new KernelError('scenario', `offset ${step.offset} is outside '${a.name}' (${a.size} bytes)`);
    const k = this.w.kernel;
    this.context ??= this.w.kernel.commonBuffer(PAGE_SIZE, 'a context DMA buffer');
    const buf = this.context;
    const op = OPCODE_BY_MNEMONIC.get('pwrite')!;
    const n = encodeInto({ op, flags: 0, operands: [{ space: LocationSpace.Segment, sub: m.segment.id, aux: 0, address: m.offset + step.offset }, 4, BigInt(step.value)] }, buf.bytes, 0);
    const entry = yield* k.vidsch.patchAndSubmit(buf, { engine: k.renderEngine, kind: 'render', physical: buf.physical, start: 0, end: n, size: buf.size, label: `GPU write to '${a.name}' through ${m.segment.name}` }, undefined);
    a.busy[k.renderEngine] = entry.fenceId;
    yield* this.w.settle(a, 'GPU write through the aperture to complete');
    this.stats.gpuWrites++;
    const shadow = k.shadow.get(a);
    shadow?.setUint32(step.offset, step.value);
    yield k.event('physical', `GPU wrote 0x${step.value.toString(16)} to '${a.name}'+${step.offset} through ${m.segment.name}`, { allocation: a.name, offset: step.offset, value: step.value });
  }

  /** The CPU reads aperture memory after GPU writes: WritePhysical and ReadPhysical first, for coherency. */
  *cpuRead(step: Extract<PathStep, { op: 'cpu-read' }>): Gen {
    const a = this.w.alloc(step.id);
    const m = this.mapped.get(a);
    if (!m) throw new KernelError('scenario', `'${a.name}' is not mapped into an aperture segment: map it first (map-aperture)`);
    if (step.offset + 4 > a.size) throw new KernelError('scenario', `offset ${step.offset} is outside '${a.name}' (${a.size} bytes)`);
    const k = this.w.kernel;
    const page = Math.floor(step.offset / PAGE_SIZE);
    const physical = a.pages[page] + (step.offset % PAGE_SIZE);
    yield* this.w.vidmm.build(
      { Operation: DXGK_OPERATION_WRITE_PHYSICAL, WritePhysical: { SegmentId: m.segment.id, PhysicalAddress: this.dummyPage() } },
      a,
      `WritePhysical 0x${this.dummyPage().toString(16)} (coherency before a CPU read of '${a.name}')`,
    );
    yield* this.w.vidmm.build(
      { Operation: DXGK_OPERATION_READ_PHYSICAL, ReadPhysical: { SegmentId: m.segment.id, PhysicalAddress: physical } },
      a,
      `ReadPhysical 0x${physical.toString(16)} (coherency before a CPU read of '${a.name}')`,
    );
    this.stats.writePhysical++;
    this.stats.readPhysical++;
    yield* this.w.settle(a, 'coherency operations before a CPU read');
    const bytes = this.w.gpu.readPhysical(physical, 4);
    const value = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
    yield k.event('physical', `CPU read 0x${value.toString(16)} from '${a.name}'+${step.offset} (physical 0x${physical.toString(16)}) after WritePhysical and ReadPhysical`, {
      allocation: a.name,
      offset: step.offset,
      physical,
      value,
    });
    if (step.expect !== undefined && value !== step.expect) {
      throw new KernelError('verify', `the CPU read 0x${value.toString(16)} from '${a.name}'+${step.offset}, expected 0x${step.expect.toString(16)}`);
    }
  }
}
