// VidSch, the GPU scheduler: one DMA-buffer queue per engine, a submission fence id per buffer
// (increasing per engine), DxgkDdiSubmitCommand to hand a buffer to the driver, and completion
// when the driver reports a fence through DxgkCbNotifyInterrupt + DxgkCbNotifyDpc.

import type { DXGKARG_SUBMITCOMMAND, DRIVER_INITIALIZATION_DATA, HANDLE } from '../ddi/contract';
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

  constructor(
    engineCount: number,
    private readonly ddi: DdiCaller,
    private readonly driver: () => { init: DRIVER_INITIALIZATION_DATA; ctx: HANDLE },
    private readonly now: () => number,
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

  get idle(): boolean {
    return this.engines.every((e) => e.queue.length === 0);
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
      DmaBufferPrivateDataSubmissionStartOffset: 0,
      DmaBufferPrivateDataSubmissionEndOffset: 0,
      SubmissionFenceId: entry.fenceId,
      Flags: { Paging: b.kind === 'paging', Present: false, NullRendering: false },
      EngineOrdinal: b.engine,
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
