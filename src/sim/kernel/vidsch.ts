// VidSch, the GPU scheduler: one DMA-buffer queue per engine, a submission fence id per buffer
// (increasing per engine), DxgkDdiPatch then DxgkDdiSubmitCommand to hand a buffer to the driver,
// and completion when the driver reports a fence through DxgkCbNotifyInterrupt + DxgkCbNotifyDpc.

import type { D3DDDI_PATCHLOCATIONLIST, DXGK_ALLOCATIONLIST, DXGKARG_PATCH, DXGKARG_SUBMITCOMMAND, DRIVER_INITIALIZATION_DATA, HANDLE } from '../ddi/contract';
import { DriverError } from '../driver/errors';
import type { DdiCaller } from './ddiCaller';
import type { Gen } from './events';

export interface QueuedBuffer {
  engine: number;
  fenceId: number;
  kind: 'paging' | 'render';
  /** Bus address of the DMA buffer's first byte, and the submitted range in it. */
  physical: number;
  start: number;
  end: number;
  size: number;
  /** The submitted range of the buffer's private data (paging buffers whose driver asked for some). */
  privateData?: { bytes: Uint8Array; start: number; end: number };
  label: string;
  submittedAt: number;
  onComplete: (() => void)[];
}

export interface EngineQueueState {
  engine: number;
  lastSubmitted: number;
  lastCompleted: number;
  queue: QueuedBuffer[];
}

export class VidSch {
  readonly engines: EngineQueueState[];
  /** Paging buffers submitted with work for a SynchronousPaging allocation, not yet seen complete. */
  private synchronousPaging: { engine: number; fenceId: number }[] = [];

  constructor(
    engineCount: number,
    private readonly ddi: DdiCaller,
    private readonly driver: () => { init: DRIVER_INITIALIZATION_DATA; ctx: HANDLE },
    private readonly now: () => number,
    private readonly waitUntil: (cond: () => boolean, reason: string) => Gen,
  ) {
    this.engines = Array.from({ length: engineCount }, (_, engine) => ({ engine, lastSubmitted: 0, lastCompleted: 0, queue: [] }));
  }

  /** The fence id the next buffer submitted to `engine` will carry (DxgkDdiPatch needs it first). */
  nextFenceId(engine: number): number {
    return this.engines[engine].lastSubmitted + 1;
  }

  isComplete(engine: number, fenceId: number): boolean {
    return this.engines[engine].lastCompleted >= fenceId;
  }

  /** A paging buffer that carries work for a SynchronousPaging allocation was submitted: no non-paging buffer goes before it completes. */
  noteSynchronousPaging(engine: number, fenceId: number): void {
    this.synchronousPaging.push({ engine, fenceId });
  }

  private synchronousPagingDone(): boolean {
    if (this.synchronousPaging.length === 0) return true;
    this.synchronousPaging = this.synchronousPaging.filter((p) => !this.isComplete(p.engine, p.fenceId));
    return this.synchronousPaging.length === 0;
  }

  get idle(): boolean {
    return this.engines.every((e) => e.queue.length === 0);
  }

  /**
   * A DMA buffer to the driver: DxgkDdiPatch (with its allocation and patch-location lists, or none
   * for a paging buffer or one whose addresses are final), then DxgkDdiSubmitCommand. Every buffer
   * goes through both, as on Windows, where the driver may write the buffer's fence from either
   * ("Supplying Fence Identifiers": DxgkDdiPatch at the end of the DMA buffer, DxgkDdiSubmitCommand
   * into its ring).
   */
  *patchAndSubmit(
    buf: { physical: number; bytes: Uint8Array },
    b: Omit<QueuedBuffer, 'fenceId' | 'submittedAt' | 'onComplete'>,
    lists: { allocations: DXGK_ALLOCATIONLIST[]; patches: D3DDDI_PATCHLOCATIONLIST[] } | undefined,
    onComplete?: () => void,
  ): Gen<QueuedBuffer> {
    // DXGK_ALLOCATIONINFOFLAGS.SynchronousPaging: "the video memory manager will wait for a paging
    // operation on a synchronous allocation to complete before the video memory manager allows the
    // driver to submit a non-paging direct memory access (DMA) buffer."
    if (b.kind !== 'paging' && !this.synchronousPagingDone()) {
      yield* this.waitUntil(() => this.synchronousPagingDone(), 'the paging of a SynchronousPaging allocation to complete before a non-paging DMA buffer');
    }
    const { init, ctx } = this.driver();
    const patch = patchArguments(buf, b.size, b.start, b.end, lists, this.nextFenceId(b.engine), b.engine, b.kind === 'paging', b.privateData);
    yield* this.ddi.call('DxgkDdiPatch', patch as unknown as Record<string, unknown>, () => init.DxgkDdiPatch(ctx, patch), 'status', { fn: init.DxgkDdiPatch });
    if (patch.DmaBufferSubmissionStartOffset !== b.start || patch.DmaBufferSubmissionEndOffset !== b.end) {
      const what = b.kind === 'paging' ? 'paging buffer' : 'DMA buffer';
      throw this.ddi.statusError('DxgkDdiPatch', patch, init.DxgkDdiPatch, `DxgkDdiPatch changed the size of the ${what} (DmaBufferSubmissionStartOffset/EndOffset), which it may not do`);
    }
    return yield* this.submit(b, onComplete);
  }

  *submit(b: Omit<QueuedBuffer, 'fenceId' | 'submittedAt' | 'onComplete'>, onComplete?: () => void): Gen<QueuedBuffer> {
    const q = this.engines[b.engine];
    const entry: QueuedBuffer = {
      engine: b.engine,
      kind: b.kind,
      physical: b.physical,
      start: b.start,
      end: b.end,
      size: b.size,
      label: b.label,
      fenceId: q.lastSubmitted + 1,
      submittedAt: this.now(),
      onComplete: onComplete ? [onComplete] : [],
    };
    const args: DXGKARG_SUBMITCOMMAND = {
      hContext: null,
      DmaBufferSegmentId: 0,
      DmaBufferPhysicalAddress: b.physical,
      DmaBufferSize: b.size,
      DmaBufferSubmissionStartOffset: b.start,
      DmaBufferSubmissionEndOffset: b.end,
      DmaBufferPrivateDataSubmissionStartOffset: b.privateData?.start ?? 0,
      DmaBufferPrivateDataSubmissionEndOffset: b.privateData?.end ?? 0,
      SubmissionFenceId: entry.fenceId,
      Flags: { Paging: b.kind === 'paging', Present: false, NullRendering: false },
      EngineOrdinal: 0,
      NodeOrdinal: b.engine,
    };
    const { init, ctx } = this.driver();
    q.lastSubmitted = entry.fenceId;
    q.queue.push(entry);
    yield* this.ddi.call('DxgkDdiSubmitCommand', args as unknown as Record<string, unknown>, () => init.DxgkDdiSubmitCommand(ctx, args), 'status', {
      fn: init.DxgkDdiSubmitCommand,
    });
    yield {
      kind: 'kernel',
      time: this.now(),
      what: 'submission',
      message: `${b.kind} buffer queued on engine ${b.engine} with fence ${entry.fenceId}`,
      data: { engine: b.engine, fenceId: entry.fenceId, kind: b.kind, physical: b.physical, start: b.start, end: b.end, label: b.label },
    };
    return entry;
  }

  /**
   * The driver reported `fenceId` done on `engine` (DMA completed): every buffer up to it is
   * complete. Returns the buffers completed now, oldest first.
   */
  complete(engine: number, fenceId: number): QueuedBuffer[] {
    const q = this.engines[engine];
    if (!q) throw new DriverError('contract', `DxgkCbNotifyInterrupt named engine ${engine}, which does not exist`);
    if (fenceId > q.lastSubmitted) {
      throw new DriverError(
        'contract',
        `DxgkCbNotifyInterrupt reported SubmissionFenceId ${fenceId} on engine ${engine}, but only ${q.lastSubmitted} buffers were submitted there`,
      );
    }
    if (fenceId <= q.lastCompleted) return [];
    q.lastCompleted = fenceId;
    const done: QueuedBuffer[] = [];
    while (q.queue.length && q.queue[0].fenceId <= fenceId) done.push(q.queue.shift()!);
    for (const b of done) for (const f of b.onComplete) f();
    return done;
  }
}

/**
 * DxgkDdiPatch's arguments for `buf`'s bytes [start, end): with its allocation and patch-location
 * lists, or (`lists` undefined) none, as for a paging buffer or one whose addresses are final.
 */
function patchArguments(
  buf: { physical: number; bytes: Uint8Array },
  size: number,
  start: number,
  end: number,
  lists: { allocations: DXGK_ALLOCATIONLIST[]; patches: D3DDDI_PATCHLOCATIONLIST[] } | undefined,
  fenceId: number,
  engine: number,
  paging: boolean,
  privateData?: { bytes: Uint8Array; start: number; end: number },
): DXGKARG_PATCH {
  return {
    hDevice: null,
    hContext: null,
    DmaBufferSegmentId: 0,
    DmaBufferSegmentAddress: buf.physical,
    pDmaBuffer: buf.bytes,
    DmaBufferSize: size,
    DmaBufferSubmissionStartOffset: start,
    DmaBufferSubmissionEndOffset: end,
    pDmaBufferPrivateData: privateData?.bytes ?? null,
    DmaBufferPrivateDataSize: privateData?.bytes.length ?? 0,
    DmaBufferPrivateDataSubmissionStartOffset: privateData?.start ?? 0,
    DmaBufferPrivateDataSubmissionEndOffset: privateData?.end ?? 0,
    pAllocationList: lists ? lists.allocations : null,
    AllocationListSize: lists ? lists.allocations.length : 0,
    pPatchLocationList: lists ? lists.patches : null,
    PatchLocationListSize: lists ? lists.patches.length : 0,
    PatchLocationListSubmissionStart: 0,
    PatchLocationListSubmissionLength: lists ? lists.patches.length : 0,
    SubmissionFenceId: fenceId,
    Flags: { Paging: paging, Present: false },
    EngineOrdinal: 0,
    NodeOrdinal: engine,
  };
}
