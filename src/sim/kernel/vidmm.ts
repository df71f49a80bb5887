// VidMm, the video memory manager: allocations, their placement in segments by the driver's
// preferences, residency, LRU eviction to system memory under pressure (through a mapping in an
// aperture segment when EvictionSegmentSet names one: ./aperture.ts), compaction of a segment,
// and the paging operations that move content (Transfer from/to an MDL, Fill for new content,
// DiscardContent when no copy is needed), built by the driver through DxgkDdiBuildPagingBuffer
// (the loop and the paging buffers are in ./pagingBuild.ts). Every GPU reference to an allocation,
// paging or render work, counts when VidMm says it is idle (AllocationIsIdle, and before a Fill).
// Moves VidMm makes for itself (compaction) are raw: a Transfer with hAllocation NULL, which the
// driver copies without swizzling. A transfer larger than the policy's maxTransferSize is split
// into sub-transfers, the first flagged TransferStart, the last TransferEnd (both when there is
// one), the end of a transfer always before the start of the next.

import {
  type DXGK_ALLOCATIONINFO,
  type DXGK_SEGMENTDESCRIPTOR,
  type DRIVER_INITIALIZATION_DATA,
  type DdiName,
  type HANDLE,
  type MDL,
  D3DDDI_ALLOCATIONPRIORITY_NORMAL,
  DXGK_OPERATION_DISCARD_CONTENT,
  DXGK_OPERATION_FILL,
  DXGK_OPERATION_NOTIFY_RESIDENCY,
  DXGK_OPERATION_SPECIAL_LOCK_TRANSFER,
  DXGK_OPERATION_TRANSFER,
  PAGE_SIZE,
} from '../ddi/contract';
import { DriverError, type SourceLocation } from '../driver/errors';
import type { CommonBuffer, Gpu } from '../hw/types';
import type { RuleId } from '../verifier/rules';
import type { DdiCaller } from './ddiCaller';
import type { Gen, KernelEvent, KernelEventKind } from './events';
import { KernelError } from './kernelError';
import type { PageListArena } from './pageLists';
import { type DriverLines, type PagingBuffer, PagingBuilder } from './pagingBuild';
import { RangeAllocator } from './rangeAllocator';
import { bankAt, bankRanges, compactInBank, placeInBanks } from './banks';
import { pinnedBy, pinnedRegion } from './pinned';
import { priorityName } from '../ddi/priorities';
import { EvictionOrder } from './evictionOrder';
import type { VidSch } from './vidsch';

import { type Allocation, type EvictionAperture, type PagingStats, type SegmentState, type VidMmPolicy, emptyPagingStats } from './vidmmRecords';

export type { PagingBuffer } from './pagingBuild';
// VidMm's records live in vidmmRecords.ts (the paging-buffer builder names them too).
export { type Allocation, type EvictionAperture, type PagingStats, type SegmentState, type VidMmPolicy, emptyPagingStats };

export interface VidMmHost {
  gpu: Gpu;
  ddi: DdiCaller;
  vidsch: VidSch;
  pageLists: PageListArena;
  driver(): { init: DRIVER_INITIALIZATION_DATA; ctx: HANDLE };
  waitUntil(cond: () => boolean, reason: string): Gen;
  event(what: KernelEventKind, message: string, data?: Record<string, unknown>): KernelEvent;
  frame<R>(label: string, body: Gen<R>): Gen<R>;
  /** A common buffer for the kernel's own use; throws the error that says whose use exhausted the budget. */
  commonBuffer(size: number, what: string): CommonBuffer;
  /** A rule the kernel cannot go on past: the verifier's violation when it is on, else a driver error. */
  driverFault(rule: RuleId, ddi: DdiName, fn: unknown, message: string, args?: unknown, location?: SourceLocation): Error;
  /** How to find the driver's guilty line, with the verifier on. */
  driverLines(): DriverLines | undefined;
  /** Eviction through aperture segments, when the kernel has it (./aperture.ts). */
  evictionAperture?(): EvictionAperture | undefined;
}

export class VidMm {
  readonly allocations = new Map<number, Allocation>();
  readonly segments: SegmentState[] = [];
  /** The first segment added with each id (what `segments.find` by id gives), looked up for every placement. */
  private readonly segmentById = new Map<number, SegmentState>();
  /** Resident allocations in the order VidMm evicts them: lowest priority first, then least recently used (./evictionOrder.ts). */
  private readonly lru = new EvictionOrder<Allocation>();
  private readonly builder: PagingBuilder;
  private nextHandle = 1;
  /** The MDL of the alternate virtual address of an allocation locked with UseAlternateVA, if any (set by ./memoryPaths.ts). */
  alternateMdl: ((a: Allocation) => MDL | undefined) | undefined;
  /** The swizzling range a CPU lock of `a` holds (RangeId, and the driver's SwizzlingRangeData), if any: special-lock transfers name it. */
  lockSwizzle: ((a: Allocation) => { id: number; data: number } | undefined) | undefined;
  /** Called after `a` moved, was paged in or evicted (the paging queue re-points GPU virtual addresses mapped to it). */
  placeChanged: ((a: Allocation) => Gen) | undefined;
  readonly stats: PagingStats = emptyPagingStats();

  constructor(
    private readonly host: VidMmHost,
    readonly policy: VidMmPolicy,
  ) {
    this.builder = new PagingBuilder({
      ddi: host.ddi,
      vidsch: host.vidsch,
      stats: this.stats,
      policy,
      driver: () => host.driver(),
      waitUntil: (c, r) => host.waitUntil(c, r),
      event: (w, m, d) => host.event(w, m, d),
      frame: (l, b) => host.frame(l, b),
      referenced: (a) => this.referenced(a),
      commonBuffer: (size, what) => host.commonBuffer(size, what),
      driverFault: (rule, ddi, fn, message, args, location) => host.driverFault(rule, ddi, fn, message, args, location),
      driverLines: () => host.driverLines(),
    });
  }

  // ------------------------------------------------------------------ segments and allocations

  addSegment(id: number, name: string, d: DXGK_SEGMENTDESCRIPTOR, apertureCommitLimit = Infinity): void {
    // An aperture segment's CommitLimit, and DXGK_DRIVERCAPS.ApertureSegmentCommitLimit, may hold
    // VidMm to less system memory than its Size maps (whole pages of it).
    const size = d.Flags.Aperture ? Math.min(d.Size, d.CommitLimit, Math.floor(apertureCommitLimit / PAGE_SIZE) * PAGE_SIZE) : d.Size;
    const s: SegmentState = {
      id,
      name,
      kind: d.Flags.Aperture ? 'aperture' : 'memory',
      size,
      // DXGK_SEGMENTFLAGS.CpuVisible "has no meaning for an aperture segment".
      cpuVisible: d.Flags.CpuVisible && !d.Flags.Aperture,
      descriptor: d,
      ranges: new RangeAllocator(size),
      resident: new Set(),
      banks: d.Flags.UseBanking ? bankRanges(d, size) : undefined,
    };
    this.segments.push(s);
    if (!this.segmentById.has(id)) this.segmentById.set(id, s);
  }

  segment(id: number): SegmentState | undefined {
    return this.segmentById.get(id);
  }

  /**
   * The address VidMm gives the driver for `offset` in segment `segmentId`: "the sum of the segment
   * offset and the base address of the segment" (DXGKARG_BUILDPAGINGBUFFER's SegmentAddress members,
   * DXGK_SEGMENTDESCRIPTOR.BaseAddress). The driver chose the base; it subtracts it again wherever
   * its hardware takes segment offsets.
   */
  segmentAddress(segmentId: number, offset: number): number {
    return (this.segmentById.get(segmentId)?.descriptor.BaseAddress ?? 0) + offset;
  }

  /** The offset in segment `segmentId` of a segment address in that form (the inverse of segmentAddress). */
  segmentOffset(segmentId: number, address: number): number {
    return address - (this.segmentById.get(segmentId)?.descriptor.BaseAddress ?? 0);
  }

  newHandle(): number {
    return this.nextHandle++;
  }

  register(a: Allocation): void {
    this.allocations.set(a.handle, a);
  }

  /** The memory segments an allocation may use, most preferred first (DXGK_SEGMENTPREFERENCE, then the supported set). */
  candidatesFor(info: DXGK_ALLOCATIONINFO): number[] {
    const supported = (info.SupportedReadSegmentSet | info.SupportedWriteSegmentSet) >>> 0;
    const p = info.PreferredSegment;
    const order: number[] = [];
    for (const id of [p.SegmentId0, p.SegmentId1, p.SegmentId2, p.SegmentId3, p.SegmentId4]) {
      if (!id) break;
      if (!order.includes(id)) order.push(id);
    }
    for (const s of this.segments) if (supported & (1 << (s.id - 1)) && !order.includes(s.id)) order.push(s.id);
    return order.filter((id) => this.segment(id)?.kind === 'memory' && supported & (1 << (id - 1)));
  }

  isBusy(a: Allocation): boolean {
    const busy = a.busy;
    for (let engine = 0; engine < busy.length; engine++) if (!this.host.vidsch.isComplete(engine, busy[engine])) return true;
    return false;
  }

  pagingDone(a: Allocation): boolean {
    return a.lastPagingFence === 0 || this.host.vidsch.isComplete(a.lastPagingEngine, a.lastPagingFence);
  }

  /**
   * Whether the GPU has, or will have, work that references `a`: a render or a paging buffer
   * submitted and not yet complete, or the paging buffer being built. Only when it has none is
   * the allocation idle ("the GPU is done with any reference to the current allocation").
   */
  referenced(a: Allocation): boolean {
    return this.isBusy(a) || !this.pagingDone(a) || this.builder.touches(a);
  }

  /** Runs the GPU until nothing references `a` (submitting what is built for it first). */
  *waitIdle(a: Allocation, why: string): Gen {
    if (!this.referenced(a)) return;
    if (this.builder.touches(a)) yield* this.submitCurrent();
    yield* this.host.waitUntil(() => !this.referenced(a), `'${a.name}' to be idle ${why}`);
  }

  /** `a` was used: the most recently used of its level (a pinned allocation is never in the eviction order). */
  touch(a: Allocation): void {
    if (!a.pinned) this.lru.touch(a);
  }

  /** pfnSetPriorityCb: a resident allocation moves to its new level's order, as its most recently used. */
  setPriority(a: Allocation, priority: number): void {
    a.priority = priority;
    if (a.residency === 'resident') this.touch(a);
  }

  // ------------------------------------------------------------------ residency

  /** Makes every allocation in `list` resident (evicting others as needed), as a render submission requires. */
  *makeResident(list: Allocation[], why: string): Gen {
    const pinned = new Set(list);
    for (const a of list) {
      // A pinned allocation (Overlay, Capture) stays where it was paged in, preferred segment or not.
      if (a.residency === 'resident' && !a.pinned && a.segmentId !== a.candidates[0]) yield* this.host.frame(`move '${a.name}' to its preferred segment`, this.promote(a));
    }
    // Placing one allocation may have to evict another of the same list when the segments are too
    // fragmented (see findSpace); a few passes settle it, else everything is placed again from
    // empty segments, largest first.
    for (let pass = 0; list.some((a) => a.residency !== 'resident'); pass++) {
      if (pass === 3) {
        yield* this.host.frame(`place the ${list.length} allocations of ${why} again, largest first`, this.repack(list, why));
        break;
      }
      for (const a of list) {
        if (a.residency !== 'resident') yield* this.host.frame(`page in '${a.name}' (${why})`, this.pageIn(a, pinned));
      }
    }
    for (const a of list) this.touch(a);
  }

  /** Evicts everything from the segments `list` may use, then places `list` largest first (those with the fewest segments to choose from before the others). */
  private *repack(list: Allocation[], why: string): Gen {
    const ids = new Set(list.flatMap((a) => a.candidates));
    for (const s of this.segments) {
      if (!ids.has(s.id)) continue;
      for (const x of [...s.resident]) if (!x.pinned) yield* this.host.frame(`evict '${x.name}' to place ${why} again`, this.evict(x));
    }
    const order = [...list].sort((a, b) => a.candidates.length - b.candidates.length || b.size - a.size);
    for (const a of order) {
      // Still resident: pinned, it stays where it is, and the others are placed around it.
      if (a.residency === 'resident') continue;
      const place = this.placeIn(a, a.candidates.map((id) => this.segment(id)!));
      if (!place) {
        const segs = a.candidates.map((id) => this.segment(id)!);
        throw new KernelError(
          'scenario',
          `cannot make the ${list.length} allocations of ${why} resident together: placed largest first into empty segments, '${a.name}' (${a.size} bytes) finds no room in ${segs.map((s) => `${s.name} (largest hole ${s.ranges.largestFree} of ${s.size} bytes)`).join(', ')}; their sizes do not pack into the segments they may use`,
        );
      }
      yield* this.host.frame(`page in '${a.name}' (${why})`, this.pageIn(a, new Set(list), place));
    }
  }

  private placeIn(a: Allocation, segs: SegmentState[]): { segment: SegmentState; offset: number } | undefined {
    for (const s of segs) {
      const offset = this.allocateIn(a, s);
      if (offset >= 0) return { segment: s, offset };
    }
    return undefined;
  }

  /**
   * Room for `a` in segment `s`: in the banks its HintedBank names when `s` is its most preferred
   * segment (each scanned in its direction, in the order of preference), then anywhere in `s`, from
   * the end of the segment with Flags.FromEndOfSegment (the hints take precedence over it).
   */
  private allocateIn(a: Allocation, s: SegmentState): number {
    const align = Math.max(a.alignment, PAGE_SIZE);
    if (a.pinned) {
      const r = pinnedRegion(s);
      return s.ranges.allocateIn(r.start, r.end, a.size, align, false);
    }
    const inBank = placeInBanks(a, s, align);
    if (inBank >= 0) {
      this.stats.bankPlacements++;
      return inBank;
    }
    return a.info.Flags.FromEndOfSegment === true ? s.ranges.allocateIn(0, s.size, a.size, align, true) : s.ranges.allocate(a.size, align);
  }

  private *pageIn(a: Allocation, pinned: Set<Allocation>, placed?: { segment: SegmentState; offset: number }): Gen {
    const place = placed ?? (yield* this.findSpace(a, pinned));
    a.segmentId = place.segment.id;
    a.offset = place.offset;
    a.residency = 'resident';
    a.dirty = false;
    place.segment.resident.add(a);
    this.touch(a);
    if (a.content === 'valid') yield* this.transfer(a, 'in');
    else yield* this.fill(a);
    yield* this.notifyResidency(a, true);
    this.stats.pageIns++;
    if (this.placeChanged) yield* this.placeChanged(a);
    yield this.host.event(
      'page-in',
      `page-in '${a.name}' (${a.size} bytes) -> ${place.segment.name}+0x${a.offset.toString(16)}${place.segment.banks ? ` (bank ${bankAt(place.segment, a.offset)})` : ''} by ${a.content === 'valid' ? 'Transfer from MDL' : 'Fill'}`,
      { allocation: a.name, handle: a.handle, segmentId: a.segmentId, offset: a.offset, size: a.size, by: a.content === 'valid' ? 'transfer' : 'fill' },
    );
  }

  /**
   * An allocation placed in a less preferred segment moves to its preferred one when that has room
   * now (no eviction for it): a Transfer between segments, or a Fill there if its content was never
   * written.
   */
  private *promote(a: Allocation): Gen {
    const target = this.segment(a.candidates[0])!;
    const offset = this.allocateIn(a, target);
    if (offset < 0) return;
    if (this.policy.renderEngine !== this.policy.pagingEngine && this.isBusy(a)) {
      yield* this.host.waitUntil(() => !this.isBusy(a), `'${a.name}' to be idle before it moves`);
    }
    const from = this.segment(a.segmentId)!;
    const fromOffset = a.offset;
    if (a.content === 'valid') yield* this.transfer(a, 'move', { segmentId: target.id, offset });
    from.ranges.release(fromOffset, a.size);
    from.resident.delete(a);
    a.segmentId = target.id;
    a.offset = offset;
    target.resident.add(a);
    if (a.content !== 'valid') yield* this.fill(a);
    // Committed at another physical address: an allocation reached by it is told where (NotifyResidency).
    yield* this.notifyResidency(a, true);
    if (this.placeChanged) yield* this.placeChanged(a);
    this.stats.relocations++;
    yield this.host.event(
      'relocation',
      `relocation '${a.name}' (${a.size} bytes) ${from.name}+0x${fromOffset.toString(16)} -> ${target.name}+0x${offset.toString(16)} by ${a.content === 'valid' ? 'Transfer between segments' : 'Fill'}`,
      { allocation: a.name, handle: a.handle, from: from.id, fromOffset, segmentId: target.id, offset, size: a.size },
    );
  }

  private *findSpace(a: Allocation, pinned: Set<Allocation>): Gen<{ segment: SegmentState; offset: number }> {
    const segs = a.candidates.map((id) => this.segment(id)!);
    for (;;) {
      const place = this.placeIn(a, segs);
      if (place) return place;
      let victim = this.lruVictim(segs, pinned);
      // Only allocations of the same submission are left and no hole is large enough: the free
      // space is fragmented around them. Evict one of them too; makeResident pages it back in.
      victim ??= [...pinned].find((p) => p !== a && !p.pinned && p.residency === 'resident' && segs.some((s) => s.id === p.segmentId));
      if (!victim) {
        const pinnedBytes = [...pinned].filter((p) => p.residency === 'resident').reduce((n, p) => n + p.size, 0);
        const held = segs.flatMap((s) => [...s.resident].filter((x) => x.pinned));
        const overlays = held.length ? `; ${held.reduce((n, x) => n + x.size, 0)} bytes are pinned overlay or capture allocations (${held.map((x) => `'${x.name}'`).join(', ')})` : '';
        throw new KernelError(
          'scenario',
          `cannot make '${a.name}' (${a.size} bytes) resident: ${segs.map((s) => `${s.name} has ${s.size - s.ranges.used} of ${s.size} bytes free (largest hole ${s.ranges.largestFree})`).join('; ')}, and nothing more can be evicted (${pinnedBytes} bytes are referenced by the same submission${overlays})`,
        );
      }
      yield* this.host.frame(`evict '${victim.name}' to make room for '${a.name}'`, this.evict(victim));
    }
  }

  private lruVictim(segs: SegmentState[], pinned: Set<Allocation>): Allocation | undefined {
    return this.lru.first((a) => {
      if (pinned.has(a)) return false;
      for (const s of segs) if (s.id === a.segmentId) return true;
      return false;
    });
  }

  /** Evicts `a` to system memory: Transfer to its MDL if its content matters (or it is mapped for the CPU), DiscardContent if not. */
  *evict(a: Allocation, opts: { keepContent?: boolean } = {}): Gen {
    if (a.residency !== 'resident') return;
    if (a.pinned) throw new KernelError('scenario', `'${a.name}' is pinned in memory (${pinnedBy(a.info)}): VidMm cannot evict it ("unless the Timeout Detection and Recovery (TDR) process, Plug and Play (PnP) stop, or level three synchronization occurs"), and this step needs it evicted`);
    // Different engines run unordered: the paging engine may not touch what a render still uses.
    if (this.policy.renderEngine !== this.policy.pagingEngine && this.isBusy(a)) {
      yield* this.host.waitUntil(() => !this.isBusy(a), `'${a.name}' to be idle before eviction`);
    }
    // An allocation the application has mapped is transferred whatever its content: "the content of
    // the allocation is transferred to system memory so that the application can continue to
    // access the content at the same virtual address".
    // PermanentSysMem: a clean copy "is discarded and not paged out" (its system pages hold it).
    const kept = a.info.Flags.PermanentSysMem === true && !a.dirty && a.content === 'valid';
    const copy = !kept && (a.content === 'valid' || opts.keepContent === true || a.locked);
    // EvictionSegmentSet names aperture segments: the content goes to its system pages through a
    // mapping of them in one (not for a lock's alternate VA, which has pages of its own).
    const through = copy && (a.info.EvictionSegmentSet >>> 0) !== 0 && !this.alternateMdl?.(a) ? this.host.evictionAperture?.() : undefined;
    yield* this.notifyResidency(a, false);
    const via = through ? yield* this.host.frame(`map '${a.name}' into an aperture segment to evict it through (EvictionSegmentSet)`, through.map(a)) : undefined;
    if (copy) yield* this.transfer(a, 'out', via);
    else yield* this.discard(a);
    if (via) yield* this.host.frame(`unmap '${a.name}' from the aperture segment it was evicted through`, through!.unmap(a));
    if (copy) a.content = 'valid';
    a.dirty = false;
    const seg = this.segment(a.segmentId)!;
    seg.ranges.release(a.offset, a.size);
    seg.resident.delete(a);
    this.lru.delete(a);
    a.residency = 'system';
    if (this.placeChanged) yield* this.placeChanged(a);
    this.stats.evictions++;
    yield this.host.event(
      'eviction',
      `eviction '${a.name}' (${a.size} bytes${a.priority === D3DDDI_ALLOCATIONPRIORITY_NORMAL ? '' : `, priority ${priorityName(a.priority)}`}) from ${seg.name}+0x${a.offset.toString(16)} by ${via ? `Transfer through aperture segment ${this.segment(via.segmentId)?.name ?? via.segmentId}` : copy ? 'Transfer to MDL' : 'DiscardContent'}`,
      { allocation: a.name, handle: a.handle, segmentId: seg.id, offset: a.offset, size: a.size, by: copy ? 'transfer' : 'discard', priority: a.priority, ...(via ? { through: via.segmentId } : {}) },
    );
  }

  /** Memory pressure: evict allocations (lowest priority first, then least recently used) until `bytes` are free in memory segments. */
  *trim(bytes: number): Gen<number> {
    const memory = this.segments.filter((s) => s.kind === 'memory');
    const free = (): number => memory.reduce((n, s) => n + s.size - s.ranges.used, 0);
    let evicted = 0;
    while (free() < bytes) {
      const victim = this.lru.first(() => true);
      if (!victim) break;
      yield* this.host.frame(`evict '${victim.name}' (memory pressure)`, this.evict(victim));
      evicted++;
    }
    return evicted;
  }

  /** Drops an allocation's segment range without moving content (it is being destroyed). */
  release(a: Allocation): void {
    if (a.residency === 'resident') {
      const seg = this.segment(a.segmentId)!;
      seg.ranges.release(a.offset, a.size);
      seg.resident.delete(a);
      this.lru.delete(a);
      a.residency = 'system';
    }
  }

  // ------------------------------------------------------------------ paging operations

  /**
   * Moves `a`'s content: from its MDL into its segment range (`in`), from its segment range to its
   * MDL (`out`; to `to` when its pages are mapped there, in an aperture segment), or from its segment
   * range to another segment range `to` (`move`). A `raw` move is
   * VidMm's own (compaction): hAllocation is NULL, so the driver copies the bytes as they are, and
   * sub-transfers are no larger than `maxChunk` (a move down within a segment by less than the
   * allocation's size copies chunk by chunk, each clear of the bytes it has not read yet).
   */
  private *transfer(a: Allocation, direction: 'in' | 'out' | 'move', to?: { segmentId: number; offset: number }, opts: { raw?: boolean; maxChunk?: number } = {}): Gen {
    const seg = { SegmentId: a.segmentId, SegmentAddress: this.segmentAddress(a.segmentId, a.offset), pMdl: null };
    // Locked with UseAlternateVA: the content moves to and from the alternate VA's pages (./cpuAccess.ts).
    const alternate = direction === 'move' ? undefined : this.alternateMdl?.(a);
    const mdl = to ? { SegmentId: to.segmentId, SegmentAddress: this.segmentAddress(to.segmentId, to.offset), pMdl: null } : { SegmentId: 0, SegmentAddress: 0, pMdl: alternate ?? a.mdl };
    const chunk = Math.min(this.policy.maxTransferSize, opts.maxChunk ?? Infinity, a.size);
    const parts = Math.ceil(a.size / chunk);
    this.stats.transfers++;
    if (direction === 'in') this.stats.bytesIn += a.size;
    else if (direction === 'out') this.stats.bytesOut += a.size;
    for (let i = 0; i < parts; i++) {
      const offset = i * chunk;
      const size = Math.min(chunk, a.size - offset);
      this.stats.subTransfers++;
      const args = {
        Operation: DXGK_OPERATION_TRANSFER,
        Transfer: {
          hAllocation: opts.raw ? null : a.hAllocation,
          TransferOffset: offset,
          TransferSize: size,
          Source: direction === 'in' ? { ...mdl } : { ...seg },
          Destination: direction === 'in' ? { ...seg } : { ...mdl },
          Flags: { Swizzle: false, Unswizzle: false, AllocationIsIdle: false, TransferStart: i === 0, TransferEnd: i === parts - 1 },
          MdlOffset: to ? 0 : offset / PAGE_SIZE,
        },
      } as const;
      const what = direction === 'in' ? 'MDL -> segment' : direction === 'out' ? (to ? `segment -> aperture ${this.segment(to.segmentId)?.name ?? to.segmentId}` : 'segment -> MDL') : 'segment -> segment';
      const kind = alternate ? 'SpecialLockTransfer' : opts.raw ? 'Transfer (hAllocation NULL)' : 'Transfer';
      const label = `${kind} '${a.name}' ${alternate ? what.replace('MDL', 'alternate VA') : what} [${offset}, ${offset + size})${parts > 1 ? ` (sub-transfer ${i + 1}/${parts})` : ''}`;
      if (alternate) {
        const { MdlOffset, ...t } = args.Transfer;
        void MdlOffset;
        // SwizzlingRangeId and SwizzlingRangeData: the range the lock holds, as DxgkDdiAcquireSwizzlingRange left it.
        const range = this.lockSwizzle?.(a);
        yield* this.build({ Operation: DXGK_OPERATION_SPECIAL_LOCK_TRANSFER, SpecialLockTransfer: { ...t, SwizzlingRangeId: range?.id ?? 0, SwizzlingRangeData: range?.data ?? 0 } }, a, label);
        continue;
      }
      yield* this.build(args, a, label);
    }
    a.lastPagingOperation = opts.raw
      ? 'Transfer with hAllocation NULL (compaction)'
      : `${alternate ? 'SpecialLockTransfer' : 'Transfer'} (${direction === 'in' ? 'page-in' : direction === 'out' ? (to ? 'eviction through an aperture segment' : 'eviction') : 'relocation'})`;
  }

  /** A resident allocation's content copied to (`out`) or from (`in`) its system pages, staying resident (PermanentSysMem: the lock and unlock in ./workloadSteps.ts). */
  *copyResident(a: Allocation, direction: 'in' | 'out'): Gen {
    if (a.residency !== 'resident') return;
    if (this.policy.renderEngine !== this.policy.pagingEngine && this.isBusy(a)) yield* this.host.waitUntil(() => !this.isBusy(a), `'${a.name}' to be idle before its copy`);
    yield* this.transfer(a, direction);
    a.dirty = false;
    a.lastPagingOperation = `Transfer (PermanentSysMem: ${direction === 'out' ? 'system copy brought up to date for a lock' : 'segment updated at the unlock'})`;
  }

  /** DXGK_OPERATION_NOTIFY_RESIDENCY for an allocation that asked (ExplicitResidencyNotification with AccessedPhysically). */
  private *notifyResidency(a: Allocation, resident: boolean): Gen {
    if (!a.info.Flags.ExplicitResidencyNotification || !a.info.Flags.AccessedPhysically) return;
    const PhysicalAddress = resident ? this.segmentAddress(a.segmentId, a.offset) : 0;
    yield* this.build({ Operation: DXGK_OPERATION_NOTIFY_RESIDENCY, NotifyResidency: { hAllocation: a.hAllocation, PhysicalAddress, Resident: resident ? 1 : 0 } }, a, `NotifyResidency '${a.name}' ${resident ? `resident at 0x${PhysicalAddress.toString(16)}` : 'evicted'}`);
  }

  private *fill(a: Allocation): Gen {
    // "When the content of the allocation is filled, the allocation is guaranteed to be idle."
    yield* this.waitIdle(a, 'before it is filled');
    this.stats.fills++;
    yield* this.build(
      {
        Operation: DXGK_OPERATION_FILL,
        Fill: { hAllocation: a.hAllocation, FillSize: a.size, FillPattern: a.fillPattern >>> 0, Destination: { SegmentId: a.segmentId, SegmentAddress: this.segmentAddress(a.segmentId, a.offset) } },
      },
      a,
      `Fill '${a.name}' with 0x${(a.fillPattern >>> 0).toString(16)}`,
    );
    a.lastPagingOperation = 'Fill';
  }

  /**
   * Compaction: each resident allocation of `segment` that the CPU does not reach at a fixed place
   * moves down to the lowest free range that holds it, by a raw Transfer (hAllocation NULL).
   * Returns how many moved.
   */
  *defragment(segment: SegmentState): Gen<number> {
    let moved = 0;
    for (const a of [...segment.resident].sort((x, y) => x.offset - y.offset)) {
      // A locked allocation is reached at its offset through the PCI aperture, a pinned one is pinned: they stay.
      if (a.locked || a.destroyed || a.pinned) continue;
      const from = a.offset;
      segment.ranges.release(from, a.size);
      const align = Math.max(a.alignment, PAGE_SIZE);
      const inBank = compactInBank(a, segment, from, align);
      const to = inBank >= 0 ? inBank : segment.ranges.allocate(a.size, align);
      if (to === from) continue;
      // Different engines run unordered: the paging engine may not move what a render still uses.
      if (this.policy.renderEngine !== this.policy.pagingEngine && this.isBusy(a)) {
        yield* this.host.waitUntil(() => !this.isBusy(a), `'${a.name}' to be idle before it moves`);
      }
      yield* this.transfer(a, 'move', { segmentId: segment.id, offset: to }, { raw: true, maxChunk: from - to < a.size ? from - to : undefined });
      a.offset = to;
      yield* this.notifyResidency(a, true);
      if (this.placeChanged) yield* this.placeChanged(a);
      moved++;
      this.stats.relocations++;
      yield this.host.event(
        'relocation',
        `compaction: '${a.name}' (${a.size} bytes) ${segment.name}+0x${from.toString(16)} -> ${segment.name}+0x${to.toString(16)} by a Transfer with hAllocation NULL (raw bytes, no swizzling)`,
        { allocation: a.name, handle: a.handle, from: segment.id, fromOffset: from, segmentId: segment.id, offset: to, size: a.size, raw: true },
      );
    }
    return moved;
  }

  private *discard(a: Allocation): Gen {
    this.stats.discards++;
    yield* this.build(
      {
        Operation: DXGK_OPERATION_DISCARD_CONTENT,
        DiscardContent: { hAllocation: a.hAllocation, Flags: { AllocationIsIdle: false }, SegmentId: a.segmentId, SegmentAddress: this.segmentAddress(a.segmentId, a.offset) },
      },
      a,
      `DiscardContent '${a.name}'`,
    );
    a.lastPagingOperation = 'DiscardContent';
  }

  /** One operation through DxgkDdiBuildPagingBuffer (./pagingBuild.ts). Also used by ./aperture.ts and ./pagingQueue.ts. */
  build(op: { Operation: number } & Record<string, unknown>, a: Allocation | undefined, label: string): Gen {
    return this.builder.build(op, a, label);
  }

  /** Submits the paging buffer being built, if it holds anything. */
  submitCurrent(): Gen {
    return this.builder.submitCurrent();
  }

  /** The paging buffers, for hosts. */
  pagingBuffers(): readonly PagingBuffer[] {
    return this.builder.pagingBuffers();
  }
}

export { DriverError };
