// The adapter's segments as the hardware holds them: a memory segment is a range of VRAM; an
// aperture segment is a GART, one entry per 4 KiB page pointing at a system page (or at the dummy
// page, or invalid since reset). The engine looks segments up by id and gets undefined for a bad
// one; host calls look them up with `get`, which throws naming the caller.

import { GART_COHERENT, GART_DUMMY, GART_VALID, PAGE_SIZE } from './constants';
import type { GartEntry, SegmentDescriptor } from './types';

export class Segment {
  readonly id: number;
  readonly name: string;
  readonly memory: boolean;
  readonly size: number;
  readonly pages: number;
  readonly vramBase: number;
  /** Offset in the CPU aperture (BAR), or -1 when the segment is not CPU-visible. */
  readonly barBase: number;
  /** GART of an aperture segment: the system page of each page, and its GART_* bits. */
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

  /** Maps GART page `page` to the system page `physical`. */
  map(page: number, physical: number, coherent: boolean): void {
    this.gartPhys[page] = physical;
    this.gartFlags[page] = GART_VALID | (coherent ? GART_COHERENT : 0);
  }

  /** Points GART pages [first, first + count) at the dummy page `physical`. */
  pointAtDummy(first: number, count: number, physical: number): void {
    this.gartPhys.fill(physical, first, first + count);
    this.gartFlags.fill(GART_VALID | GART_DUMMY, first, first + count);
  }

  gartEntry(page: number): GartEntry {
    const fl = this.gartFlags[page];
    return {
      state: (fl & GART_VALID) === 0 ? 'invalid' : fl & GART_DUMMY ? 'dummy' : 'mapped',
      physical: this.gartPhys[page],
      coherent: (fl & GART_COHERENT) !== 0,
    };
  }
}

export class SegmentTable {
  /** By segment id; undefined where there is no such segment. */
  readonly byId: (Segment | undefined)[] = [];
  readonly list: Segment[] = [];
  /** The CPU-visible segments, by their offset in the BAR. */
  readonly bar: Segment[];

  /** `gartResetDummyPage`: where every GART entry points after reset (GpuConfig), else invalid. */
  constructor(descriptors: readonly SegmentDescriptor[], gartResetDummyPage: number | undefined) {
    for (const d of descriptors) {
      const s = new Segment(d);
      this.byId[d.id] = s;
      this.list.push(s);
      if (gartResetDummyPage !== undefined) s.pointAtDummy(0, s.gartFlags.length, gartResetDummyPage);
    }
    this.bar = this.list.filter((s) => s.barBase >= 0).sort((a, b) => a.barBase - b.barBase);
  }

  /** The segment `id`, for a host call named `what`; throws if there is none. */
  get(id: number, what: string): Segment {
    const s = this.byId[id];
    if (s === undefined) throw new Error(`${what}: there is no segment ${id}`);
    return s;
  }

  gartEntry(segmentId: number, page: number): GartEntry {
    const seg = this.get(segmentId, 'gartEntry');
    if (seg.memory) throw new Error(`gartEntry: segment ${seg.id} (${seg.name}) is not an aperture segment`);
    if (!Number.isInteger(page) || page < 0 || page >= seg.pages) throw new Error(`gartEntry: page ${page} is outside segment ${seg.id} (${seg.pages} pages)`);
    return seg.gartEntry(page);
  }

  /** A segment's name, for disassembly in fault records. */
  readonly name = (id: number): string | undefined => this.byId[id]?.name;
}
