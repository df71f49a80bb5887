// Rules about the calls of one paging operation (VidMm hands the same argument object, with a fresh
// copy of the operation's inputs, to every call of one operation):
//   operation-inputs-changed           the driver changed the operation's inputs (Transfer, Fill...)
//                                      instead of keeping its progress in MultipassOffset
//   insufficient-dma-buffer-with-room  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER, then the rest of the
//                                      operation written in the next call fit the space that was left

import { type DXGKARG_BUILDPAGINGBUFFER, DXGK_OPERATION_NAMES, STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER, STATUS_SUCCESS } from '../ddi/contract';
import type { DdiCall } from '../kernel/events';
import { copyInputs, sameInputs } from '../kernel/pagingBuild';
import type { DdiCallOptions, RuleContext, RuleFamily } from './context';
import { InputsView, MemberWrites } from './memberWrites';

interface Open {
  name: string;
  /** The inputs as the call began (VidMm's own object when the driver got them unchanged), and AllocationIsIdle then. */
  inputs: unknown;
  idle: unknown;
  begin: number;
  dmaSize: number;
  /** The same for the paging buffer's private data (when the driver asked for some). */
  privateBegin: number;
  privateSize: number;
  /** The driver lines that write the operation's inputs during the call, and the stand-in the driver got for them. */
  writes: MemberWrites;
  view?: InputsView;
  member?: unknown;
}

/** Where two copies of an operation's inputs differ: `Transfer.TransferOffset 0 -> 65536`. */
function differences(was: unknown, now: unknown, path: string, out: string[]): void {
  const plain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
  if (plain(was) && plain(now) && !/^h[A-Z]|^pMdl$/.test(path.split('.').pop() ?? '')) {
    for (const k of new Set([...Object.keys(was), ...Object.keys(now)])) if (`${path}.${k}`.slice(-23) !== '.Flags.AllocationIsIdle') differences(was[k], now[k], `${path}.${k}`, out);
    return;
  }
  if (!Object.is(was, now)) out.push(`${path} ${show(was)} -> ${show(now)}`);
}

function show(v: unknown): string {
  if (v === null || v === undefined || typeof v !== 'object') return typeof v === 'string' ? JSON.stringify(v) : String(v);
  return 'PfnArray' in (v as object) ? 'another MDL' : 'another object';
}

/** The kernel's own inputs object again, holding what the driver left in the stand-in (or the object the driver put there instead). */
function putBack(o: Open, call: DdiCall): void {
  if (!o.view) return;
  const args = call.args as Record<string, unknown>;
  o.view.readBack();
  if (args[o.name] === o.view.object) args[o.name] = o.member;
}

export function buildLoopRules(ctx: RuleContext): RuleFamily {
  const open = new Map<number, Open>();
  /** Per operation (its argument object): the space left when the driver last said it ran out. */
  const ranOut = new WeakMap<object, { left: number; privateLeft: number; call: DdiCall; at: ReturnType<RuleContext['returned']> }>();
  return {
    before(call: DdiCall, opts: DdiCallOptions) {
      if (call.ddi !== 'DxgkDdiBuildPagingBuffer') return;
      const args = call.args as unknown as DXGKARG_BUILDPAGINGBUFFER & Record<string, unknown>;
      const name = DXGK_OPERATION_NAMES[args.Operation];
      const member = args[name] as { Flags?: { AllocationIsIdle?: unknown } } | undefined;
      // Usually what VidMm asked for (no copy needed); a copy when something, a debugger, changed it at the entry.
      const asked = opts.inputs;
      const inputs = asked && sameInputs(asked, member, 'AllocationIsIdle') ? asked : copyInputs(member);
      const writes = new MemberWrites(() => ctx.here());
      const view = member && Object.getPrototypeOf(member) === Object.prototype ? InputsView.for(member as Record<string, unknown>, name, writes, 2) : undefined;
      if (view) args[name] = view.object;
      open.set(call.id, { name, inputs, idle: member?.Flags?.AllocationIsIdle, begin: args.pDmaBuffer?.Offset ?? 0, dmaSize: args.DmaSize, privateBegin: args.pDmaBufferPrivateData?.Offset ?? 0, privateSize: args.DmaBufferPrivateDataSize, writes, view, member });
    },
    threw(call: DdiCall) {
      const o = open.get(call.id);
      if (o) putBack(o, call);
      open.delete(call.id);
    },
    after(call: DdiCall, result: unknown, opts: DdiCallOptions) {
      const o = open.get(call.id);
      if (!o) return;
      open.delete(call.id);
      putBack(o, call);
      const args = call.args as unknown as DXGKARG_BUILDPAGINGBUFFER & Record<string, unknown>;
      const changed: string[] = [];
      const now = args[o.name] as { Flags?: { AllocationIsIdle?: unknown } } | undefined;
      if (!sameInputs(o.inputs, now, 'AllocationIsIdle')) differences(o.inputs, now, o.name, changed);
      if (!Object.is(o.idle, now?.Flags?.AllocationIsIdle)) changed.push(`${o.name}.Flags.AllocationIsIdle ${show(o.idle)} -> ${show(now?.Flags?.AllocationIsIdle)}`);
      if (changed.length) {
        throw ctx.violation(
          'operation-inputs-changed',
          call,
          `DxgkDdiBuildPagingBuffer changed the ${o.name} operation's inputs: ${changed.join(', ')}. VidMm hands the same inputs on every call of an operation; the driver's progress between calls belongs in MultipassOffset`,
          { ...opts, location: o.writes.lineOf(changed.map((c) => c.split(' ')[0])) },
        );
      }
      const end = args.pDmaBuffer?.Offset;
      if (typeof end !== 'number') return;
      const privateEnd = args.pDmaBufferPrivateData?.Offset ?? o.privateBegin;
      const previous = ranOut.get(args);
      if (result === STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER) {
        ranOut.set(args, { left: o.begin + o.dmaSize - end, privateLeft: o.privateBegin + o.privateSize - privateEnd, call, at: ctx.returned(call, result, opts.fn) });
        return;
      }
      ranOut.delete(args);
      const wrote = end - o.begin;
      // Out of room in the private data is out of room too.
      const privateWrote = privateEnd - o.privateBegin;
      if (result === STATUS_SUCCESS && previous && wrote <= previous.left && privateWrote <= previous.privateLeft) {
        throw ctx.violation(
          'insufficient-dma-buffer-with-room',
          previous.call,
          `DxgkDdiBuildPagingBuffer returned STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER for ${o.name} with ${previous.left} bytes of the paging buffer left, then completed the operation in the next call by writing ${wrote} bytes: the rest fit where it said there was no room. It may fail only when it runs out of space`,
          { ...opts, location: previous.at },
        );
      }
    },
  };
}
