// swizzling-range-changed: DxgkDdiAcquireSwizzlingRange sets up the aperture for the allocation where
// it is: "The driver can change neither the offset into the PCI aperture where the allocation is
// accessed nor the amount of space that the allocation takes up in the aperture." Checked at the
// return: the arguments that say where the allocation is, and every unswizzling range the driver
// programmed during the call.
//
// swizzling-release-others: DxgkDdiReleaseSwizzlingRange "should release only the swizzling range
// that the RangeId member [...] specifies". The unswizzling ranges the driver programmed in each
// successful DxgkDdiAcquireSwizzlingRange are noted by RangeId; a release that clears one noted
// for another RangeId, which VidMm still holds, breaks the rule.

import type { DXGKARG_ACQUIRESWIZZLINGRANGE, DXGKARG_RELEASESWIZZLINGRANGE } from '../ddi/contract';
import { NT_SUCCESS } from '../ddi/contract';
import type { SourceLocation } from '../driver/errors';
import type { DdiCall } from '../kernel/events';
import type { DdiCallOptions, RuleContext, RuleFamily } from './context';
import { MemberWrites } from './memberWrites';

const PLACE = ['SegmentId', 'SegmentAddress', 'RangeSize', 'CPUTranslatedAddress'] as const;

export function swizzlingRule(ctx: RuleContext): RuleFamily {
  const open = new Map<number, { place: Record<string, unknown>; ranges: Set<number>; writes: MemberWrites }>();
  /** The unswizzling ranges (hardware handles) each RangeId VidMm holds was set up with, and its allocation's name. */
  const programmed = new Map<number, { handles: Set<number>; allocation: string }>();
  /** Releases in progress: the hardware's ranges before the call. */
  const releasing = new Map<number, Set<number>>();
  /** The driver line that cleared each unswizzling range, during a release. */
  const clearedAt = new Map<number, SourceLocation | undefined>();
  ctx.kernel.registers.onClearSwizzlingRange = (handle) => {
    if (releasing.size) clearedAt.set(handle, ctx.here());
  };
  const hardwareRanges = (): Set<number> => new Set(ctx.kernel.gpu.swizzlingRanges().map((r) => r.handle));
  return {
    before(call: DdiCall) {
      if (call.ddi === 'DxgkDdiReleaseSwizzlingRange') {
        releasing.set(call.id, hardwareRanges());
        return;
      }
      if (call.ddi !== 'DxgkDdiAcquireSwizzlingRange') return;
      const a = call.args as unknown as DXGKARG_ACQUIRESWIZZLINGRANGE;
      const writes = new MemberWrites(() => ctx.here());
      writes.watch(a, '', PLACE, 0);
      open.set(call.id, { place: Object.fromEntries(PLACE.map((k) => [k, a[k]])), ranges: new Set(ctx.kernel.gpu.swizzlingRanges().map((r) => r.handle)), writes });
    },
    threw(call: DdiCall) {
      open.get(call.id)?.writes.restore();
      open.delete(call.id);
      releasing.delete(call.id);
      clearedAt.clear();
    },
    after(call: DdiCall, result: unknown, opts: DdiCallOptions) {
      if (call.ddi === 'DxgkDdiReleaseSwizzlingRange') return released(call, result, opts);
      const o = open.get(call.id);
      if (!o) return;
      open.delete(call.id);
      o.writes.restore();
      const a = call.args as unknown as DXGKARG_ACQUIRESWIZZLINGRANGE;
      const moved = PLACE.filter((k) => !Object.is(a[k], o.place[k])).map((k) => `${k} ${String(o.place[k])} -> ${String(a[k])}`);
      if (moved.length) {
        throw ctx.violation('swizzling-range-changed', call, `DxgkDdiAcquireSwizzlingRange changed where the allocation is in the aperture: ${moved.join(', ')}`, { ...opts, args: { ...a, ...o.place }, location: o.writes.lineOf(PLACE) });
      }
      if (typeof result !== 'number' || !NT_SUCCESS(result)) return;
      const { SegmentId, SegmentAddress, RangeSize: Size } = o.place as { SegmentId: number; SegmentAddress: number; RangeSize: number };
      // The range is programmed in segment offsets; SegmentAddress includes the segment's BaseAddress.
      const offset = ctx.kernel.vidmm.segmentOffset(SegmentId, SegmentAddress);
      for (const r of ctx.kernel.gpu.swizzlingRanges()) {
        if (o.ranges.has(r.handle)) continue;
        if (r.segmentId !== SegmentId || r.offset !== offset || r.size !== Size) {
          throw ctx.violation(
            'swizzling-range-changed',
            call,
            `DxgkDdiAcquireSwizzlingRange programmed an unswizzling range over [0x${r.offset.toString(16)}, 0x${(r.offset + r.size).toString(16)}) of segment ${r.segmentId}, but the allocation takes [0x${offset.toString(16)}, 0x${(offset + Size).toString(16)}) of segment ${SegmentId}: the application reaches the allocation there, all of it`,
            opts,
          );
        }
      }
      const mine = [...hardwareRanges()].filter((h) => !o.ranges.has(h));
      const owner = [...ctx.kernel.vidmm.allocations.values()].find((x) => x.hAllocation === a.hAllocation);
      programmed.set(a.RangeId, { handles: new Set(mine), allocation: owner?.name ?? 'an allocation' });
    },
  };

  function released(call: DdiCall, result: unknown, opts: DdiCallOptions): void {
    const before = releasing.get(call.id);
    releasing.delete(call.id);
    if (!before) return;
    const r = call.args as unknown as DXGKARG_RELEASESWIZZLINGRANGE;
    const now = hardwareRanges();
    const lines = new Map(clearedAt);
    clearedAt.clear();
    for (const h of before) {
      if (now.has(h)) continue;
      for (const [id, p] of programmed) {
        if (id === r.RangeId || !p.handles.has(h)) continue;
        throw ctx.violation(
          'swizzling-release-others',
          call,
          `DxgkDdiReleaseSwizzlingRange for RangeId ${r.RangeId} cleared the unswizzling range set up for RangeId ${id} ('${p.allocation}'), which VidMm still holds: an application may be reading '${p.allocation}' through it, and now sees its bits swizzled. Release only the range RangeId names`,
          { ...opts, location: lines.get(h) ?? ctx.returned(call, result, opts.fn) },
        );
      }
    }
    programmed.delete(r.RangeId);
  }
}
