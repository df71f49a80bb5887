// patch-changed-size: DxgkDdiPatch may rewrite bytes of the buffer it is given but not its size or
// the submitted range. Judged at the return, and reported at the `return` (accessors on the kernel's
// DXGKARG_PATCH, to catch the write itself, cost 15 % of a paging-heavy run: it is called for every
// buffer submitted).

import type { DXGKARG_PATCH } from '../ddi/contract';
import type { DdiCall } from '../kernel/events';
import type { DdiCallOptions, RuleContext, RuleFamily } from './context';

export function patchRule(ctx: RuleContext): RuleFamily {
  const open = new Map<number, { start: number; end: number; size: number; length: number }>();
  return {
    before(call: DdiCall) {
      if (call.ddi !== 'DxgkDdiPatch') return;
      const p = call.args as unknown as DXGKARG_PATCH;
      open.set(call.id, { start: p.DmaBufferSubmissionStartOffset, end: p.DmaBufferSubmissionEndOffset, size: p.DmaBufferSize, length: p.pDmaBuffer?.length ?? 0 });
    },
    after(call: DdiCall, result: unknown, opts: DdiCallOptions) {
      const was = open.get(call.id);
      if (!was) return;
      open.delete(call.id);
      const p = call.args as unknown as DXGKARG_PATCH;
      const now = { start: p.DmaBufferSubmissionStartOffset, end: p.DmaBufferSubmissionEndOffset, size: p.DmaBufferSize, length: p.pDmaBuffer?.length ?? 0 };
      if (now.start !== was.start || now.end !== was.end || now.size !== was.size || now.length !== was.length) {
        const kind = p.Flags?.Paging ? 'paging buffer' : 'DMA buffer';
        throw ctx.violation(
          'patch-changed-size',
          call,
          `DxgkDdiPatch changed the size of the ${kind} (DmaBufferSubmissionStartOffset/EndOffset [${was.start}, ${was.end}) -> [${now.start}, ${now.end}), DmaBufferSize ${was.size} -> ${now.size}), which it may not do`,
          { ...opts, location: ctx.returned(call, result, opts.fn) },
        );
      }
    },
  };
}
