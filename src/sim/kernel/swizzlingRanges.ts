// The swizzling ranges VidMm holds for the CPU's mappings, as DxgkDdiAcquireSwizzlingRange's page
// has them. A range is cached with its allocation after the unlock ("cached based on the allocation
// that they are associated with and the specified private data. [...] On subsequent requests with
// matching private data, the previously setup mapping is used"; here an allocation holds one range
// at a time, so a lock with other private data releases the cached one first) and released when the allocation is evicted, moved or
// destroyed, or when another allocation needs one. With none free, and after each
// STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE, VidMm releases a range in use (a cached one
// first, then the oldest lock's, whose allocation it evicts under the lock) and asks again, until
// none is left to release; STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNSUPPORTED ends it at once.

import { type DXGKARG_ACQUIRESWIZZLINGRANGE, type DXGKARG_RELEASESWIZZLINGRANGE, NT_SUCCESS, STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE, statusName } from '../ddi/contract';
import type { Gen } from './events';
import type { PathContext } from './pathContext';
import type { Allocation } from './vidmm';

/** A swizzling range VidMm acquired for an allocation: its RangeId, the driver's SwizzlingRangeData, and when it was acquired. */
export interface HeldRange {
  id: number;
  data: number;
  /** D3DDDICB_LOCK.PrivateDriverData of the lock it was acquired for: the cache's key with the allocation. */
  privateData: number;
  order: number;
}

export class SwizzlingRanges {
  private readonly ranges = new Map<Allocation, HeldRange>();
  private acquired = 0;
  /** Ranges released for another allocation, for the summary and tests. */
  readonly stats = { taken: 0 };

  /** `locked` says whether an allocation is mapped for the CPU now (its range is in use, not cached). */
  constructor(
    private readonly w: PathContext,
    private readonly locked: (a: Allocation) => boolean,
  ) {}

  /** The range VidMm holds for `a`, if any. */
  held(a: Allocation): HeldRange | undefined {
    return this.ranges.get(a);
  }

  /** Whether the range `a` holds is in use by a CPU lock (else it is cached since one). */
  inUse(a: Allocation): boolean {
    return this.ranges.has(a) && this.locked(a);
  }

  /** The lowest swizzling range id VidMm does not hold ("the zero-based identifier of the swizzling range"), below the driver's NumberOfSwizzlingRanges; undefined when all are held. */
  private freeId(): number | undefined {
    const held = new Set<number>();
    for (const r of this.ranges.values()) held.add(r.id);
    const count = this.w.kernel.caps?.NumberOfSwizzlingRanges ?? 0;
    for (let id = 0; id < count; id++) if (!held.has(id)) return id;
    return undefined;
  }

  /**
   * A swizzling range for `a` from DxgkDdiAcquireSwizzlingRange, or the status it failed with. With
   * every range held, and after each STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE ("another
   * swizzling range is currently using the GPU resources that are required"), VidMm releases a range
   * in use and asks again; UNSUPPORTED fails "without making further attempts".
   */
  *acquire(a: Allocation, segmentId: number, cpuTranslated: number, privateData: number): Gen<HeldRange | number> {
    const k = this.w.kernel;
    const { init, ctx } = k.driver();
    const acquire = init.DxgkDdiAcquireSwizzlingRange;
    if (!acquire) throw new Error('acquire: the driver has no DxgkDdiAcquireSwizzlingRange');
    for (;;) {
      let id = this.freeId();
      if (id === undefined) {
        const count = k.caps?.NumberOfSwizzlingRanges ?? 0;
        yield* this.take(a, `every one of the ${count} swizzling range${count === 1 ? '' : 's'} (DXGK_DRIVERCAPS.NumberOfSwizzlingRanges) is held`);
        id = this.freeId();
        // `a` holds none, so every range was another allocation's, and one was just released.
        if (id === undefined) throw new Error(`internal: no swizzling range came free for '${a.name}'`);
      }
      const args: DXGKARG_ACQUIRESWIZZLINGRANGE = {
        hAllocation: a.hAllocation,
        PrivateDriverData: privateData,
        RangeId: id,
        SegmentId: segmentId,
        RangeSize: a.size,
        CPUTranslatedAddress: cpuTranslated,
        SegmentAddress: this.w.vidmm.segmentAddress(segmentId, a.offset),
        SwizzlingRangeData: 0,
      };
      const st = yield* k.ddi.call('DxgkDdiAcquireSwizzlingRange', args as unknown as Record<string, unknown>, () => acquire(ctx, args), 'status', { fn: acquire });
      if (NT_SUCCESS(st)) {
        const r = { id: args.RangeId, data: args.SwizzlingRangeData, privateData, order: ++this.acquired };
        this.ranges.set(a, r);
        return r;
      }
      if (st >>> 0 !== STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE) return st;
      if (!(yield* this.take(a, `DxgkDdiAcquireSwizzlingRange answered ${statusName(st)}`))) return st;
    }
  }

  /**
   * Releases a swizzling range another allocation holds, so that `a` can have one: a cached range
   * first (the oldest), else the range of the oldest lock, whose allocation is evicted under the
   * lock (its application goes on at the same address in system memory). False when none is held.
   */
  private *take(a: Allocation, why: string): Gen<boolean> {
    let cached: [Allocation, HeldRange] | undefined;
    let locked: [Allocation, HeldRange] | undefined;
    for (const [x, r] of this.ranges) {
      if (x === a) continue;
      const slot = this.inUse(x) ? 'locked' : 'cached';
      if (slot === 'cached' && (!cached || r.order < cached[1].order)) cached = [x, r];
      if (slot === 'locked' && (!locked || r.order < locked[1].order)) locked = [x, r];
    }
    const victim = cached ?? locked;
    if (!victim) return false;
    const [v, r] = victim;
    const k = this.w.kernel;
    this.stats.taken++;
    yield k.event(
      'swizzling-range',
      `${why}: VidMm releases swizzling range ${r.id} of '${v.name}' (${cached ? 'cached since its unlock' : 'locked: VidMm evicts it under the lock, and its application goes on at the same CPU address in system memory'}) for '${a.name}' and asks again`,
      { allocation: v.name, for: a.name, rangeId: r.id },
    );
    if (cached) yield* this.release(v);
    else {
      // The eviction's event has CpuAccess.onEvent release the range and move the application to system memory.
      yield* k.frame(`evict '${v.name}' to free swizzling range ${r.id} for '${a.name}'`, this.w.vidmm.evict(v, { keepContent: true }));
      if (this.ranges.get(v) === r) yield* this.release(v);
    }
    return true;
  }

  /** DxgkDdiReleaseSwizzlingRange for the range `a` holds, if any. */
  *release(a: Allocation): Gen {
    const r = this.ranges.get(a);
    if (!r) return;
    this.ranges.delete(a);
    const k = this.w.kernel;
    const { init, ctx } = k.driver();
    const release = init.DxgkDdiReleaseSwizzlingRange;
    if (!release) return;
    const args: DXGKARG_RELEASESWIZZLINGRANGE = { hAllocation: a.hAllocation, PrivateDriverData: r.privateData, RangeId: r.id, SwizzlingRangeData: r.data };
    const st = yield* k.ddi.call('DxgkDdiReleaseSwizzlingRange', args as unknown as Record<string, unknown>, () => release(ctx, args), 'status', { fn: release });
    // "or an appropriate error result if the swizzling range is not successfully released": VidMm
    // counts the range as given back all the same; what the hardware still holds is the driver's.
    if (!NT_SUCCESS(st)) yield k.event('swizzling-range', `DxgkDdiReleaseSwizzlingRange for '${a.name}' failed with ${statusName(st)}: range ${args.RangeId} may still be programmed; VidMm counts it as free`, { allocation: a.name, status: st });
  }
}
