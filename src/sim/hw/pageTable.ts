// GPU virtual addresses: a page table from virtual page numbers to a segment offset or a system page,
// and a small TLB in front of it. Translations go through the TLB; updating the table does not touch
// it, so a driver that updates the table and forgets the `tlbflush` keeps reaching the old pages, as
// on hardware.

import { PAGE_SIZE, TLB_ENTRIES } from './constants';
import type { PageTableEntryView } from './types';

export interface PtEntry {
  /** Segment id, or 0 for a system physical page. */
  segmentId: number;
  target: number;
  readOnly: boolean;
}

export class GpuPageTable {
  private readonly table = new Map<number, PtEntry>();
  private readonly tlb = new Map<number, PtEntry>();

  /** The translation of virtual page `vpn` as the engine sees it (through the TLB), or undefined. */
  translate(vpn: number): PtEntry | undefined {
    let e = this.tlb.get(vpn);
    if (e !== undefined) return e;
    e = this.table.get(vpn);
    if (e !== undefined) {
      if (this.tlb.size >= TLB_ENTRIES) this.tlb.delete(this.tlb.keys().next().value!);
      this.tlb.set(vpn, e);
    }
    return e;
  }

  /** The table's entry for `vpn`, bypassing the TLB. */
  entry(vpn: number): PtEntry | undefined {
    return this.table.get(vpn);
  }

  /** Maps `count` pages from virtual page `first` to consecutive pages from `target`. */
  map(first: number, count: number, segmentId: number, target: number, readOnly: boolean): void {
    for (let k = 0; k < count; k++) this.table.set(first + k, { segmentId, target: target + k * PAGE_SIZE, readOnly });
  }

  unmap(first: number, count: number): void {
    for (let k = 0; k < count; k++) this.table.delete(first + k);
  }

  /** Drops the TLB's translations of [first, first + count) pages; a count of 0 empties it. */
  flush(first: number, count: number): void {
    if (count === 0) this.tlb.clear();
    else if (count < this.tlb.size) for (let k = 0; k < count; k++) this.tlb.delete(first + k);
    else for (const vpn of [...this.tlb.keys()]) if (vpn >= first && vpn < first + count) this.tlb.delete(vpn);
  }

  /**
   * The table's entry for the page of `va`; with `throughTlb`, what an access would reach now (a
   * translation the TLB holds first), without loading the TLB.
   */
  view(va: number, throughTlb = false): PageTableEntryView {
    const vpn = Math.floor(va / PAGE_SIZE);
    const cached = throughTlb ? this.tlb.get(vpn) : undefined;
    const e = cached ?? this.table.get(vpn);
    return e
      ? { va: vpn * PAGE_SIZE, present: true, readOnly: e.readOnly, segmentId: e.segmentId, target: e.target, ...(cached ? { cached: true } : {}) }
      : { va: vpn * PAGE_SIZE, present: false, readOnly: false, segmentId: 0, target: 0 };
  }
}
