// swizzling-range-changed: DxgkDdiAcquireSwizzlingRange sets up the aperture for the allocation where
// it is: "The driver can change neither the offset into the PCI aperture where the allocation is
// accessed nor the amount of space that the allocation takes up in the aperture." Checked at the
// return: the arguments that say where the allocation is, and every unswizzling range the driver
// programmed during the call.

import type { DXGKARG_ACQUIRESWIZZLINGRANGE } from '../ddi/contract';
import { NT_SUCCESS } from '../ddi/contract';
import type { DdiCall } from '../kernel/events';
import type { DdiCallOptions, RuleContext, RuleFamily } from './context';
import { MemberWrites } from './memberWrites';

const PLACE = ['SegmentId', 'SegmentAddress', 'RangeSize', 'CPUTranslatedAddress'] as const;

export function swizzlingRule(ctx: RuleContext): RuleFamily {
  const open = new Map<number, { place: Record<string, unknown>; ranges: Set<number>; writes: MemberWrites }>();
  return {
    before(call: DdiCall) {
      if (call.ddi !== 'DxgkDdiAcquireSwizzlingRange') return;
      const a = call.args as unknown as DXGKARG_ACQUIRESWIZZLINGRANGE;
      const writes = new MemberWrites(() => ctx.here());
      writes.watch(a, '', PLACE, 0);
      open.set(call.id, { place: Object.fromEntries(PLACE.map((k) => [k, a[k]])), ranges: new Set(ctx.kernel.gpu.swizzlingRanges().map((r) => r.handle)), writes });
    },
    threw(call: DdiCall) {
      open.get(call.id)?.writes.restore();
      open.delete(call.id);
    },
    after(call: DdiCall, result: unknown, opts: DdiCallOptions) {
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
    },
  };
}
