// ddi-status: a DDI returns only what its WDK reference page lists (src/sim/ddi/statusRules.ts
// holds the lists); STATUS_GRAPHICS_ALLOCATION_BUSY only for operations on an allocation the GPU may
// be using, and never once VidMm has said the allocation is idle.

import { type DXGKARG_BUILDPAGINGBUFFER, DXGK_OPERATION_NAMES, STATUS_GRAPHICS_ALLOCATION_BUSY, statusName } from '../ddi/contract';
import { describeAllowed, errorConsequence, isAllowedStatus } from '../ddi/statusRules';
import type { DdiCall } from '../kernel/events';
import type { DdiCallOptions, RuleContext, RuleFamily } from './context';

const NOT_STATUS = new Set(['DxgkDdiInterruptRoutine', 'DxgkDdiDpcRoutine']);

export function statusRule(ctx: RuleContext): RuleFamily {
  return {
    after(call: DdiCall, result: unknown, opts: DdiCallOptions) {
      if (NOT_STATUS.has(call.ddi) || typeof result !== 'number' || !Number.isInteger(result)) return;
      if (!isAllowedStatus(call.ddi, result, opts.operation)) {
        const allowed = describeAllowed(call.ddi);
        const op = opts.operation !== undefined ? `; for ${DXGK_OPERATION_NAMES[opts.operation]} the only failures are running out of paging-buffer space${opts.operation === 0 || opts.operation === 2 || opts.operation === 7 ? ' and an allocation the GPU is still using' : ''}` : '';
        throw ctx.violation('ddi-status', call, `${call.ddi} returned ${statusName(result)}, which it may not return here (allowed: ${allowed})${op}${errorConsequence(call.ddi, result)}`, { ...opts, location: ctx.returned(call, result, opts.fn) });
      }
      if (call.ddi === 'DxgkDdiBuildPagingBuffer' && result >>> 0 === STATUS_GRAPHICS_ALLOCATION_BUSY) {
        const args = call.args as unknown as DXGKARG_BUILDPAGINGBUFFER & Record<string, { Flags?: { AllocationIsIdle?: boolean } }>;
        const member = args[DXGK_OPERATION_NAMES[args.Operation]];
        if (member?.Flags?.AllocationIsIdle) {
          throw ctx.violation('ddi-status', call, 'DxgkDdiBuildPagingBuffer returned STATUS_GRAPHICS_ALLOCATION_BUSY although AllocationIsIdle was set (VidMm guarantees the allocation stays idle for the call)', { ...opts, location: ctx.returned(call, result, opts.fn) });
        }
      }
    },
  };
}
