// Where DxgkDdiCreateAllocation wrote each member of the DXGK_ALLOCATIONINFO it filled in: the kernel
// judges what the driver returned there (swizzled-cpu-visible-aperture, preferred-segment-unsupported,
// eviction-segment-not-aperture, pitch-aligned-size-below-size, allocation-priority-zero and
// allocation-flags-need-cpu-visible, in workloadSteps.ts), and names the line that last wrote the
// members that broke a rule. Only the
// members those rules judge are watched, and their lines are mapped only when a rule asks: a line
// is a stack taken at the write, and mapping one at every write of every member took 6% of a
// sweep's run time.

import type { DdiCall } from '../kernel/events';
import type { RuleContext, RuleFamily } from './context';
import { MemberWrites } from './memberWrites';

/** The members the kernel's rules on DXGK_ALLOCATIONINFO judge (workloadSteps.ts asks for the line of these). */
const JUDGED = /^pAllocationInfo\[\d+\]\.(Supported\w*SegmentSet|PreferredSegment\b.*|EvictionSegmentSet|PitchAlignedSize|Size|AllocationPriority|Flags\.(CpuVisible|Swizzled|Cached|PermanentSysMem))$/;

export function allocationInfoWrites(ctx: RuleContext): RuleFamily {
  const open = new Map<number, MemberWrites>();
  const done = (call: DdiCall): void => {
    const writes = open.get(call.id);
    if (!writes) return;
    open.delete(call.id);
    writes.restore();
    ctx.allocationInfoWrites = { callId: call.id, writes };
  };
  return {
    before(call: DdiCall) {
      if (call.ddi !== 'DxgkDdiCreateAllocation') return;
      const infos = (call.args as { pAllocationInfo?: unknown }).pAllocationInfo;
      if (!Array.isArray(infos)) return;
      const writes = new MemberWrites(() => ctx.hereLater(), 'last', JUDGED);
      infos.forEach((info, i) => writes.watch(info, `pAllocationInfo[${i}]`, undefined, 1));
      open.set(call.id, writes);
    },
    threw: done,
    after: done,
  };
}
