// Aperture segments: VidMm maps an allocation's system pages into an aperture segment with
// DXGK_OPERATION_MAP_APERTURE_SEGMENT and takes them out with DXGK_OPERATION_UNMAP_APERTURE_SEGMENT
// (the range then points at the dummy page, GPU access still enabled). CacheCoherent is set only
// when cacheable memory goes into a cache-coherent aperture segment: never for write-combined
// memory, never on a non-coherent segment. The coherency case of the WDK: before the CPU reads
// aperture memory the GPU wrote, VidMm has the driver build a WritePhysical (to the dummy page: the
// data is irrelevant) and a ReadPhysical of the location, so the GPU's writes have landed.

import {
  DXGK_OPERATION_MAP_APERTURE_SEGMENT,
  DXGK_OPERATION_READ_PHYSICAL,
  DXGK_OPERATION_UNMAP_APERTURE_SEGMENT,
  DXGK_OPERATION_WRITE_PHYSICAL,
  PAGE_SIZE,
} from '../ddi/contract';
import type { CommonBuffer } from '../hw/types';
import { encodeInto } from '../../isa/encoding';
import { LocationSpace, OPCODE_BY_MNEMONIC } from '../../isa/opcodes';
import type { WdkStep } from '../scenario/wdkSteps';
import type { Gen } from './events';
import { patternBytes } from './kernel';
import { KernelError } from './kernelError';
import type { Allocation, SegmentState } from './vidmm';
import type { WdkContext } from './wdkContext';

export interface ApertureMapping {
  segment: SegmentState;
  offset: number;
  cacheCoherent: boolean;
}

export class ApertureSegments {
  private dummy: number | undefined;
  private readonly mapped = new Map<Allocation, ApertureMapping>();
  private context: CommonBuffer | undefined;
  readonly stats = { maps: 0, unmaps: 0, readPhysical: 0, writePhysical: 0, gpuWrites: 0 };

  constructor(private readonly w: WdkContext) {}

  /** The physical address of the dummy page unmapped aperture ranges point at. */
  dummyPage(): number {
    this.dummy ??= this.w.gpu.allocatePages(1)[0];
    return this.dummy;
  }

  mapping(a: Allocation): ApertureMapping | undefined {
    return this.mapped.get(a);
  }

  *map(step: Extract<WdkStep, { op: 'map-aperture' }>): Gen {
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
    // The aperture's pages are the allocation's own system pages: its content must be there.
    if (a.residency === 'resident') yield* k.frame(`evict '${a.name}' before mapping it into ${seg.name}`, vidmm.evict(a, { keepContent: true }));
    yield* this.w.settle(a, `to be in system memory before it is mapped into ${seg.name}`);
    if (a.content === 'fresh') {
      this.w.writePages(a, 0, patternBytes(a.size, a.fillPattern));
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

  *unmap(step: Extract<WdkStep, { op: 'unmap-aperture' }>): Gen {
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

  /** A context on the GPU writes 4 bytes into aperture memory (through the aperture segment). */
  *gpuWrite(step: Extract<WdkStep, { op: 'gpu-write-physical' }>): Gen {
    const a = this.w.alloc(step.id);
    const m = this.mapped.get(a);
    if (!m) throw new KernelError('scenario', `'${a.name}' is not mapped into an aperture segment: map it first (map-aperture)`);
    if (step.offset + 4 > a.size) throw new KernelError('scenario', `offset ${step.offset} is outside '${a.name}' (${a.size} bytes)`);
    const k = this.w.kernel;
    this.context ??= this.w.gpu.allocateCommonBuffer(PAGE_SIZE);
    const buf = this.context;
    if (!buf) throw new KernelError('scenario', 'the common-buffer budget cannot hold a context DMA buffer: raise adapter.commonBufferBudget');
    const op = OPCODE_BY_MNEMONIC.get('pwrite')!;
    const n = encodeInto({ op, flags: 0, operands: [{ space: LocationSpace.Segment, sub: m.segment.id, aux: 0, address: m.offset + step.offset }, 4, BigInt(step.value)] }, buf.bytes, 0);
    const entry = yield* k.vidsch.submit({ engine: k.renderEngine, kind: 'render', physical: buf.physical, start: 0, end: n, size: buf.size, label: `GPU write to '${a.name}' through ${m.segment.name}` });
    a.busy.set(k.renderEngine, entry.fenceId);
    yield* this.w.settle(a, 'GPU write through the aperture to complete');
    this.stats.gpuWrites++;
    const shadow = k.shadow.get(a);
    if (shadow) new DataView(shadow.buffer, shadow.byteOffset).setUint32(step.offset, step.value, true);
    yield k.event('physical', `GPU wrote 0x${step.value.toString(16)} to '${a.name}'+${step.offset} through ${m.segment.name}`, { allocation: a.name, offset: step.offset, value: step.value });
  }

  /** The CPU reads aperture memory after GPU writes: WritePhysical and ReadPhysical first, for coherency. */
  *cpuRead(step: Extract<WdkStep, { op: 'cpu-read' }>): Gen {
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
