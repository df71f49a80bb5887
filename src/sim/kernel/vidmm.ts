// VidMm, the video memory manager: allocations, their placement in segments by the driver's
// preferences, residency, LRU eviction to system memory under pressure, and the paging operations
// that move content (Transfer from/to an MDL, Fill for new content, DiscardContent when no copy is
// needed), built by the driver through DxgkDdiBuildPagingBuffer exactly as the WDK describes:
//   - MultipassOffset is zeroed before the first call of an operation and left alone between calls;
//   - STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER: submit the partial paging buffer, acquire a new one,
//     call again with the same arguments;
//   - a transfer larger than the policy's maxTransferSize is split into sub-transfers, the first
//     flagged TransferStart, the last TransferEnd (both when there is one), each possibly refilled
//     several times, the end of a transfer always before the start of the next;
//   - STATUS_GRAPHICS_ALLOCATION_BUSY: wait until the GPU is done with the allocation, call again
//     with AllocationIsIdle set;
//   - before submission, DxgkDdiPatch with no patch-location list, then DxgkDdiSubmitCommand.

import {
  type DXGK_ALLOCATIONINFO,
  type DXGK_SEGMENTDESCRIPTOR,
  type DXGKARG_BUILDPAGINGBUFFER,
  type DXGKARG_PATCH,
  type DRIVER_INITIALIZATION_DATA,
  type HANDLE,
  type MDL,
  DXGK_OPERATION_DISCARD_CONTENT,
  DXGK_OPERATION_FILL,
  DXGK_OPERATION_SPECIAL_LOCK_TRANSFER,
  DXGK_OPERATION_TRANSFER,
  DXGK_OPERATION_NAMES,
  PAGE_SIZE,
  STATUS_GRAPHICS_ALLOCATION_BUSY,
  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER,
  STATUS_SUCCESS,
} from '../ddi/contract';
import { DriverError } from '../driver/errors';
import type { CommonBuffer, Gpu } from '../hw/types';
import type { DdiCaller } from './ddiCaller';
import type { Gen, KernelEvent, KernelEventKind } from './events';
import { KernelError } from './kernelError';
import type { PageListArena } from './pageLists';
import { RangeAllocator } from './rangeAllocator';
import type { VidSch } from './vidsch';

export interface Allocation {
  /** The kernel's handle (1-based). */
  handle: number;
  /** The scenario's name for it. */
  name: string;
  size: number;
  alignment: number;
  /** The driver's DXGK_ALLOCATIONINFO as it filled it in. */
  info: DXGK_ALLOCATIONINFO;
  hAllocation: HANDLE;
  /** Memory segments it may live in, most preferred first. */
  candidates: number[];
  cpuVisible: boolean;
  fillPattern: number;
  /** `fresh`: the content is still the fill pattern (nothing written), so eviction may discard it. */
  content: 'fresh' | 'valid';
  residency: 'system' | 'resident';
  segmentId: number;
  offset: number;
  /** The system pages backing it (its content lives here while evicted). */
  pages: number[];
  mdl: MDL;
  pageListSize: number;
  locked: boolean;
  /** Last submission referencing it, per engine (fence ids). */
  busy: Map<number, number>;
  /** The paging buffer (engine, fence) that last moved its content. */
  lastPaging?: { engine: number; fenceId: number };
  lastPagingOperation?: string;
  destroyed: boolean;
}

export interface SegmentState {
  id: number;
  name: string;
  kind: 'memory' | 'aperture';
  size: number;
  cpuVisible: boolean;
  descriptor: DXGK_SEGMENTDESCRIPTOR;
  ranges: RangeAllocator;
  resident: Set<Allocation>;
}

export interface PagingBuffer {
  buffer: CommonBuffer;
  /** Bytes VidMm lets the driver use (the driver's PagingBufferSize, or less by policy). */
  limit: number;
  /** Where the unsubmitted part starts and where the driver's next write goes. */
  start: number;
  write: number;
  state: 'free' | 'building' | 'submitted';
  touched: Set<Allocation>;
  /** Operations written into the unsubmitted part ([begin, end) byte offsets), for error reports and traces. */
  operations: { label: string; begin: number; end: number }[];
}

export interface VidMmPolicy {
  pagingBufferSize: number;
  maxTransferSize: number;
  pagingBuffers: number;
  pagingEngine: number;
  renderEngine: number;
}

export interface VidMmHost {
  gpu: Gpu;
  ddi: DdiCaller;
  vidsch: VidSch;
  pageLists: PageListArena;
  driver(): { init: DRIVER_INITIALIZATION_DATA; ctx: HANDLE };
  waitUntil(cond: () => boolean, reason: string): Gen;
  event(what: KernelEventKind, message: string, data?: Record<string, unknown>): KernelEvent;
  frame<R>(label: string, body: Gen<R>): Gen<R>;
}

export interface PagingStats {
  evictions: number;
  /** Moves of resident allocations to their preferred segment. */
  relocations: number;
  pageIns: number;
  transfers: number;
  subTransfers: number;
  fills: number;
  discards: number;
  buildCalls: number;
  insufficientDmaBuffer: number;
  allocationBusy: number;
  pagingBuffersSubmitted: number;
  bytesIn: number;
  bytesOut: number;
}

/** Paging statistics before anything has happened. */
export function emptyPagingStats(): PagingStats {
  return {
    evictions: 0,
    relocations: 0,
    pageIns: 0,
    transfers: 0,
    subTransfers: 0,
    fills: 0,
    discards: 0,
    buildCalls: 0,
    insufficientDmaBuffer: 0,
    allocationBusy: 0,
    pagingBuffersSubmitted: 0,
    bytesIn: 0,
    bytesOut: 0,
  };
}

export class VidMm {
  readonly allocations = new Map<number, Allocation>();
  readonly segments: SegmentState[] = [];
  /** Resident allocations, least recently used first (Map keeps insertion order). */
  private readonly lru = new Map<Allocation, true>();
  private readonly buffers: PagingBuffer[] = [];
  private current: PagingBuffer | undefined;
  private nextHandle = 1;
  /** The MDL of the alternate virtual address of an allocation locked with UseAlternateVA, if any (set by ./wdk.ts). */
  alternateMdl: ((a: Allocation) => MDL | undefined) | undefined;
  readonly stats: PagingStats = emptyPagingStats();

  constructor(
    private readonly host: VidMmHost,
    readonly policy: VidMmPolicy,
  ) {}

  // ------------------------------------------------------------------ segments and allocations

  addSegment(id: number, name: string, d: DXGK_SEGMENTDESCRIPTOR): void {
    this.segments.push({
      id,
      name,
      kind: d.Flags.Aperture ? 'aperture' : 'memory',
      size: d.Size,
      cpuVisible: d.Flags.CpuVisible,
      descriptor: d,
      ranges: new RangeAllocator(d.Size),
      resident: new Set(),
    });
  }

  segment(id: number): SegmentState | undefined {
    return this.segments.find((s) => s.id === id);
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
    for (const [engine, fence] of a.busy) if (!this.host.vidsch.isComplete(engine, fence)) return true;
    return false;
  }

  pagingDone(a: Allocation): boolean {
    return !a.lastPaging || this.host.vidsch.isComplete(a.lastPaging.engine, a.lastPaging.fenceId);
  }

  touch(a: Allocation): void {
    this.lru.delete(a);
    this.lru.set(a, true);
  }

  // ------------------------------------------------------------------ residency

  /** Makes every allocation in `list` resident (evicting others as needed), as a render submission requires. */
  *makeResident(list: Allocation[], why: string): Gen {
    const pinned = new Set(list);
    for (const a of list) {
      if (a.residency === 'resident' && a.segmentId !== a.candidates[0]) yield* this.host.frame(`move '${a.name}' to its preferred segment`, this.promote(a));
    }
    // Placing one allocation may have to evict another of the same list when the segments are too
    // fragmented (see findSpace); a few passes settle it.
    for (let pass = 0; list.some((a) => a.residency !== 'resident'); pass++) {
      if (pass === 4) throw new KernelError('scenario', `cannot make the ${list.length} allocations of ${why} resident together: the segments are too small or too fragmented`);
      for (const a of list) {
        if (a.residency !== 'resident') yield* this.host.frame(`page in '${a.name}' (${why})`, this.pageIn(a, pinned));
      }
    }
    for (const a of list) this.touch(a);
  }

  private *pageIn(a: Allocation, pinned: Set<Allocation>): Gen {
    const place = yield* this.findSpace(a, pinned);
    a.segmentId = place.segment.id;
    a.offset = place.offset;
    a.residency = 'resident';
    place.segment.resident.add(a);
    this.touch(a);
    if (a.content === 'valid') yield* this.transfer(a, 'in');
    else yield* this.fill(a);
    this.stats.pageIns++;
    yield this.host.event(
      'page-in',
      `page-in '${a.name}' (${a.size} bytes) -> ${place.segment.name}+0x${a.offset.toString(16)} by ${a.content === 'valid' ? 'Transfer from MDL' : 'Fill'}`,
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
    const offset = target.ranges.allocate(a.size, Math.max(a.alignment, PAGE_SIZE));
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
      for (const s of segs) {
        const offset = s.ranges.allocate(a.size, Math.max(a.alignment, PAGE_SIZE));
        if (offset >= 0) return { segment: s, offset };
      }
      let victim = this.lruVictim(segs, pinned);
      // Only allocations of the same submission are left and no hole is large enough: the free
      // space is fragmented around them. Evict one of them too; makeResident pages it back in.
      victim ??= [...pinned].find((p) => p !== a && p.residency === 'resident' && segs.some((s) => s.id === p.segmentId));
      if (!victim) {
        const pinnedBytes = [...pinned].filter((p) => p.residency === 'resident').reduce((n, p) => n + p.size, 0);
        throw new KernelError(
          'scenario',
          `cannot make '${a.name}' (${a.size} bytes) resident: ${segs.map((s) => `${s.name} has ${s.size - s.ranges.used} of ${s.size} bytes free (largest hole ${s.ranges.largestFree})`).join('; ')}, and nothing more can be evicted (${pinnedBytes} bytes are referenced by the same submission)`,
        );
      }
      yield* this.host.frame(`evict '${victim.name}' to make room for '${a.name}'`, this.evict(victim));
    }
  }

  private lruVictim(segs: SegmentState[], pinned: Set<Allocation>): Allocation | undefined {
    const ids = new Set(segs.map((s) => s.id));
    for (const a of this.lru.keys()) {
      if (!pinned.has(a) && ids.has(a.segmentId)) return a;
    }
    return undefined;
  }

  /** Evicts `a` to system memory: Transfer to its MDL if its content matters, DiscardContent if not. */
  *evict(a: Allocation, opts: { keepContent?: boolean } = {}): Gen {
    if (a.residency !== 'resident') return;
    // Different engines run unordered: the paging engine may not touch what a render still uses.
    if (this.policy.renderEngine !== this.policy.pagingEngine && this.isBusy(a)) {
      yield* this.host.waitUntil(() => !this.isBusy(a), `'${a.name}' to be idle before eviction`);
    }
    const copy = a.content === 'valid' || opts.keepContent === true;
    if (copy) yield* this.transfer(a, 'out');
    else yield* this.discard(a);
    if (copy) a.content = 'valid';
    const seg = this.segment(a.segmentId)!;
    seg.ranges.release(a.offset, a.size);
    seg.resident.delete(a);
    this.lru.delete(a);
    a.residency = 'system';
    this.stats.evictions++;
    yield this.host.event(
      'eviction',
      `eviction '${a.name}' (${a.size} bytes) from ${seg.name}+0x${a.offset.toString(16)} by ${copy ? 'Transfer to MDL' : 'DiscardContent'}`,
      { allocation: a.name, handle: a.handle, segmentId: seg.id, offset: a.offset, size: a.size, by: copy ? 'transfer' : 'discard' },
    );
  }

  /** Memory pressure: evict least recently used allocations until `bytes` are free in memory segments. */
  *trim(bytes: number): Gen<number> {
    const memory = this.segments.filter((s) => s.kind === 'memory');
    const free = (): number => memory.reduce((n, s) => n + s.size - s.ranges.used, 0);
    let evicted = 0;
    while (free() < bytes) {
      const victim = this.lru.keys().next();
      if (victim.done) break;
      yield* this.host.frame(`evict '${victim.value.name}' (memory pressure)`, this.evict(victim.value));
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
   * MDL (`out`), or from its segment range to another segment range `to` (`move`).
   */
  private *transfer(a: Allocation, direction: 'in' | 'out' | 'move', to?: { segmentId: number; offset: number }): Gen {
    const seg = { SegmentId: a.segmentId, SegmentAddress: a.offset, pMdl: null };
    // Locked with UseAlternateVA: the content moves to and from the alternate VA's pages (./cpuAccess.ts).
    const alternate = direction === 'move' ? undefined : this.alternateMdl?.(a);
    const mdl = direction === 'move' ? { SegmentId: to!.segmentId, SegmentAddress: to!.offset, pMdl: null } : { SegmentId: 0, SegmentAddress: 0, pMdl: alternate ?? a.mdl };
    const chunk = Math.min(this.policy.maxTransferSize, a.size);
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
          hAllocation: a.hAllocation,
          TransferOffset: offset,
          TransferSize: size,
          Source: direction === 'in' ? { ...mdl } : { ...seg },
          Destination: direction === 'in' ? { ...seg } : { ...mdl },
          Flags: { Swizzle: false, Unswizzle: false, AllocationIsIdle: false, TransferStart: i === 0, TransferEnd: i === parts - 1 },
          MdlOffset: direction === 'move' ? 0 : offset / PAGE_SIZE,
        },
      } as const;
      const what = direction === 'in' ? 'MDL -> segment' : direction === 'out' ? 'segment -> MDL' : 'segment -> segment';
      const label = `${alternate ? 'SpecialLockTransfer' : 'Transfer'} '${a.name}' ${alternate ? what.replace('MDL', 'alternate VA') : what} [${offset}, ${offset + size})${parts > 1 ? ` (sub-transfer ${i + 1}/${parts})` : ''}`;
      if (alternate) {
        const { MdlOffset, ...t } = args.Transfer;
        void MdlOffset;
        yield* this.build({ Operation: DXGK_OPERATION_SPECIAL_LOCK_TRANSFER, SpecialLockTransfer: { ...t, SwizzlingRangeId: 0, SwizzlingRangeData: 0 } }, a, label);
        continue;
      }
      yield* this.build(args, a, label);
    }
    a.lastPagingOperation = `${alternate ? 'SpecialLockTransfer' : 'Transfer'} (${direction === 'in' ? 'page-in' : direction === 'out' ? 'eviction' : 'relocation'})`;
  }

  private *fill(a: Allocation): Gen {
    this.stats.fills++;
    yield* this.build(
      {
        Operation: DXGK_OPERATION_FILL,
        Fill: { hAllocation: a.hAllocation, FillSize: a.size, FillPattern: a.fillPattern >>> 0, Destination: { SegmentId: a.segmentId, SegmentAddress: a.offset } },
      },
      a,
      `Fill '${a.name}' with 0x${(a.fillPattern >>> 0).toString(16)}`,
    );
    a.lastPagingOperation = 'Fill';
  }

  private *discard(a: Allocation): Gen {
    this.stats.discards++;
    yield* this.build(
      {
        Operation: DXGK_OPERATION_DISCARD_CONTENT,
        DiscardContent: { hAllocation: a.hAllocation, Flags: { AllocationIsIdle: false }, SegmentId: a.segmentId, SegmentAddress: a.offset },
      },
      a,
      `DiscardContent '${a.name}'`,
    );
    a.lastPagingOperation = 'DiscardContent';
  }

  /** The DxgkDdiBuildPagingBuffer loop for one operation (one sub-transfer for transfers). Also used by ./wdk.ts for the aperture, physical and page-table operations. */
  *build(
    op: { Operation: number } & Record<string, unknown>,
    a: Allocation | undefined,
    label: string,
  ): Gen {
    const { init, ctx } = this.host.driver();
    const args = {
      pDmaBuffer: { Bytes: new Uint8Array(0), Offset: 0, PhysicalAddress: 0 },
      DmaSize: 0,
      pDmaBufferPrivateData: null,
      DmaBufferPrivateDataSize: 0,
      MultipassOffset: 0,
      hSystemContext: null,
      ...op,
    } as unknown as DXGKARG_BUILDPAGINGBUFFER & Record<string, unknown>;
    const member = (args as unknown as Record<string, { Flags?: { AllocationIsIdle: boolean } }>)[DXGK_OPERATION_NAMES[op.Operation]];
    let knownIdle = false;
    const name = DXGK_OPERATION_NAMES[op.Operation];
    let emptyRefills = 0;
    for (;;) {
      const buf = yield* this.currentBuffer();
      const begin = buf.write;
      args.pDmaBuffer = { Bytes: buf.buffer.bytes, Offset: begin, PhysicalAddress: buf.buffer.physical };
      args.DmaSize = buf.limit - begin;
      if (member?.Flags) member.Flags.AllocationIsIdle = knownIdle || (a !== undefined && !this.isBusy(a));
      this.stats.buildCalls++;
      const status = yield* this.host.ddi.call(
        'DxgkDdiBuildPagingBuffer',
        args,
        () => init.DxgkDdiBuildPagingBuffer(ctx, args),
        'status',
        { operation: op.Operation, fn: init.DxgkDdiBuildPagingBuffer },
      );
      const end = args.pDmaBuffer?.Offset;
      if (typeof end !== 'number' || !Number.isInteger(end) || end < begin || end > buf.limit) {
        throw this.host.ddi.statusError(
          'DxgkDdiBuildPagingBuffer',
          args,
          init.DxgkDdiBuildPagingBuffer,
          `DxgkDdiBuildPagingBuffer left pDmaBuffer.Offset at ${String(end)}, outside the space it was given [${begin}, ${buf.limit}] (DmaSize was ${buf.limit - begin})`,
        );
      }
      buf.write = end;
      if (end > begin) {
        buf.operations.push({ label, begin, end });
        if (a) buf.touched.add(a);
      }
      if (status === STATUS_SUCCESS) {
        if (end === begin && op.Operation !== DXGK_OPERATION_DISCARD_CONTENT) {
          throw this.host.ddi.statusError(
            'DxgkDdiBuildPagingBuffer',
            args,
            init.DxgkDdiBuildPagingBuffer,
            `DxgkDdiBuildPagingBuffer returned STATUS_SUCCESS for ${name} without writing anything (pDmaBuffer.Offset did not advance)`,
          );
        }
        return;
      }
      if (status === STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER) {
        this.stats.insufficientDmaBuffer++;
        if (end === begin && begin === buf.start) {
          if (++emptyRefills >= 2) {
            throw this.host.ddi.statusError(
              'DxgkDdiBuildPagingBuffer',
              args,
              init.DxgkDdiBuildPagingBuffer,
              `DxgkDdiBuildPagingBuffer returned STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER for ${name} twice on an empty ${buf.limit}-byte paging buffer: it can never make progress`,
            );
          }
        } else emptyRefills = 0;
        // Submit what is there so the GPU can start on the partial transfer, then get a new buffer.
        yield* this.host.frame('STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER: submit the partial paging buffer', this.submitCurrent());
        continue;
      }
      if (status === STATUS_GRAPHICS_ALLOCATION_BUSY) {
        this.stats.allocationBusy++;
        if (!a || knownIdle || !member?.Flags) {
          throw this.host.ddi.statusError(
            'DxgkDdiBuildPagingBuffer',
            args,
            init.DxgkDdiBuildPagingBuffer,
            `DxgkDdiBuildPagingBuffer returned STATUS_GRAPHICS_ALLOCATION_BUSY although AllocationIsIdle was set`,
          );
        }
        yield this.host.event('allocation-busy', `STATUS_GRAPHICS_ALLOCATION_BUSY for '${a.name}': waiting until the GPU is done with it`, {
          allocation: a.name,
          handle: a.handle,
        });
        // What is already built may be what the allocation waits for: submit it first.
        yield* this.submitCurrent();
        yield* this.host.waitUntil(() => !this.isBusy(a), `'${a.name}' to be idle (STATUS_GRAPHICS_ALLOCATION_BUSY)`);
        knownIdle = true;
        continue;
      }
    }
  }

  // ------------------------------------------------------------------ paging buffers

  private *currentBuffer(): Gen<PagingBuffer> {
    if (this.current) return this.current;
    let buf = this.buffers.find((b) => b.state === 'free');
    if (!buf && this.buffers.length < this.policy.pagingBuffers) {
      const buffer = this.host.gpu.allocateCommonBuffer(this.policy.pagingBufferSize);
      if (!buffer) {
        throw new KernelError(
          'scenario',
          `cannot allocate a ${this.policy.pagingBufferSize}-byte paging buffer: the common-buffer budget is spent (raise adapter.commonBufferBudget)`,
        );
      }
      buf = { buffer, limit: this.policy.pagingBufferSize, start: 0, write: 0, state: 'free', touched: new Set(), operations: [] };
      this.buffers.push(buf);
    }
    if (!buf) {
      yield* this.host.waitUntil(() => this.buffers.some((b) => b.state === 'free'), 'a paging buffer to complete');
      buf = this.buffers.find((b) => b.state === 'free')!;
    }
    buf.state = 'building';
    buf.start = 0;
    buf.write = 0;
    buf.touched.clear();
    buf.operations = [];
    this.current = buf;
    return buf;
  }

  /** Submits the paging buffer being built, if it holds anything (DxgkDdiPatch, then DxgkDdiSubmitCommand). */
  *submitCurrent(): Gen {
    const buf = this.current;
    if (!buf || buf.write === buf.start) return;
    this.current = undefined;
    const { init, ctx } = this.host.driver();
    const engine = this.policy.pagingEngine;
    const fenceId = this.host.vidsch.nextFenceId(engine);
    const before = buf.buffer.bytes.slice(buf.start, buf.write);
    const patch: DXGKARG_PATCH = {
      hDevice: null,
      hContext: null,
      DmaBufferSegmentId: 0,
      DmaBufferSegmentAddress: buf.buffer.physical,
      pDmaBuffer: buf.buffer.bytes,
      DmaBufferSize: buf.limit,
      DmaBufferSubmissionStartOffset: buf.start,
      DmaBufferSubmissionEndOffset: buf.write,
      pDmaBufferPrivateData: null,
      DmaBufferPrivateDataSize: 0,
      pAllocationList: null,
      AllocationListSize: 0,
      pPatchLocationList: null,
      PatchLocationListSize: 0,
      PatchLocationListSubmissionStart: 0,
      PatchLocationListSubmissionLength: 0,
      SubmissionFenceId: fenceId,
      Flags: { Paging: true, Present: false },
      EngineOrdinal: engine,
    };
    yield* this.host.ddi.call('DxgkDdiPatch', patch as unknown as Record<string, unknown>, () => init.DxgkDdiPatch(ctx, patch), 'status', {
      fn: init.DxgkDdiPatch,
    });
    if (patch.DmaBufferSubmissionEndOffset !== buf.write || patch.DmaBufferSubmissionStartOffset !== buf.start) {
      throw this.host.ddi.statusError(
        'DxgkDdiPatch',
        patch,
        init.DxgkDdiPatch,
        'DxgkDdiPatch changed the size of the paging buffer (DmaBufferSubmissionStartOffset/EndOffset), which it may not do',
      );
    }
    void before;
    const ops = buf.operations.map((o) => o.label);
    const ranges = buf.operations.map((o) => ({ label: o.label, physical: buf.buffer.physical + o.begin, length: o.end - o.begin }));
    buf.state = 'submitted';
    const submitted = yield* this.host.vidsch.submit(
      {
        engine,
        kind: 'paging',
        physical: buf.buffer.physical,
        start: buf.start,
        end: buf.write,
        size: buf.limit,
        label: ops.join('; '),
      },
      () => {
        buf.state = 'free';
      },
    );
    for (const a of buf.touched) a.lastPaging = { engine, fenceId: submitted.fenceId };
    this.stats.pagingBuffersSubmitted++;
    yield this.host.event(
      'paging-buffer-submitted',
      `paging buffer 0x${buf.buffer.physical.toString(16)} [${buf.start}, ${buf.write}) submitted to engine ${engine} with fence ${submitted.fenceId}: ${ops.join('; ')}`,
      { engine, fenceId: submitted.fenceId, physical: buf.buffer.physical, start: buf.start, end: buf.write, operations: ranges },
    );
  }

  /** The paging buffers, for hosts. */
  pagingBuffers(): readonly PagingBuffer[] {
    return this.buffers;
  }
}

export { DriverError };
