// VidMm's paging buffers and the DxgkDdiBuildPagingBuffer loop for one operation, exactly as the
// WDK describes it:
//   - MultipassOffset is zeroed before the first call of an operation and left alone between calls;
//     the operation's own inputs (Transfer, Fill...) are handed over unchanged on every call, so a
//     driver that keeps its progress there instead finds it gone (the verifier says so);
//   - STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER: submit the partial paging buffer, acquire a new one,
//     call again with the same arguments;
//   - AllocationIsIdle is set only when no GPU work, paging or render, submitted or still being
//     built, references the allocation; STATUS_GRAPHICS_ALLOCATION_BUSY: submit what is built, wait
//     until the GPU is done with every reference, call again (then with AllocationIsIdle set);
//   - one operation gets a bounded number of calls: a driver that never completes it is stopped
//     with a verdict naming the operation and the count, as a hung paging operation would be
//     reset by timeout detection and recovery; one that runs out of room writing exactly what it
//     wrote in an earlier call, from the same MultipassOffset to the same MultipassOffset, is
//     going round in circles and is stopped (with the verifier on, after one more call, watched:
//     the verdict names the line that set MultipassOffset back, else the `return` that asked for
//     another call);
//   - before submission, DxgkDdiPatch with no patch-location list, then DxgkDdiSubmitCommand.

import {
  type DXGKARG_BUILDPAGINGBUFFER,
  type DRIVER_INITIALIZATION_DATA,
  type DdiName,
  type HANDLE,
  DXGK_OPERATION_NAMES,
  STATUS_GRAPHICS_ALLOCATION_BUSY,
  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER,
  STATUS_SUCCESS,
} from '../ddi/contract';
import { mayWriteNothing } from '../ddi/emptyOperations';
import type { SourceLocation } from '../driver/errors';
import type { CommonBuffer } from '../hw/types';
import type { RuleId } from '../verifier/rules';
import type { DdiCaller } from './ddiCaller';
import type { Gen, KernelEvent, KernelEventKind } from './events';
import type { Allocation, PagingStats, VidMmPolicy } from './vidmmRecords';
import type { VidSch } from './vidsch';

export interface PagingBuffer {
  buffer: CommonBuffer;
  /** Bytes VidMm lets the driver use (the driver's PagingBufferSize, or less by policy). */
  limit: number;
  /** Where the unsubmitted part starts and where the driver's next write goes. */
  start: number;
  write: number;
  /** The private data VidMm keeps with it for the driver (PagingBufferPrivateDataSize), and where the driver's next write there goes. */
  privateData: Uint8Array | undefined;
  privateWrite: number;
  state: 'free' | 'building' | 'submitted';
  touched: Set<Allocation>;
  /** Operations written into the unsubmitted part ([begin, end) byte offsets), for error reports and traces. */
  operations: { label: string; begin: number; end: number }[];
}

export interface PagingBuildHost {
  ddi: DdiCaller;
  vidsch: VidSch;
  stats: PagingStats;
  policy: VidMmPolicy;
  driver(): { init: DRIVER_INITIALIZATION_DATA; ctx: HANDLE };
  waitUntil(cond: () => boolean, reason: string): Gen;
  event(what: KernelEventKind, message: string, data?: Record<string, unknown>): KernelEvent;
  frame<R>(label: string, body: Gen<R>): Gen<R>;
  /** The GPU has, or will have, work that references `a` (VidMm.referenced). */
  referenced(a: Allocation): boolean;
  /** A common buffer for the kernel's own use; throws the error that says whose use exhausted the budget. */
  commonBuffer(size: number, what: string): CommonBuffer;
  /** A rule the kernel cannot go on past: the verifier's violation when it is on (at `location`, the driver's guilty line, if known), else a driver error. */
  driverFault(rule: RuleId, ddi: DdiName, fn: unknown, message: string, args?: unknown, location?: SourceLocation): Error;
  /** How to find the driver's guilty line, with the verifier on (off: a verdict names the DDI). */
  driverLines(): DriverLines | undefined;
}

/** The verifier's ways to a driver line: the one running now (from an accessor), the `return` that gave a status. */
export interface DriverLines {
  here(): SourceLocation | undefined;
  returned(ddi: DdiName, status: unknown, fn: unknown): SourceLocation | undefined;
}

/**
 * Watches one call's writes of MultipassOffset with an accessor of the kernel's own: the first that
 * sets it below what the call began with is the line that threw the operation's progress away.
 * Armed only for a call already suspected of going round in circles, so a correct driver pays
 * nothing. The returned function makes the member plain again and gives that line.
 */
function watchMultipass(args: Record<string, unknown>, here: () => SourceLocation | undefined): () => SourceLocation | undefined {
  const entry = args.MultipassOffset;
  let value = entry;
  let line: SourceLocation | undefined;
  Object.defineProperty(args, 'MultipassOffset', {
    get: () => value,
    set: (v: unknown) => {
      if (!line && typeof v === 'number' && typeof entry === 'number' && v < entry) line = here();
      value = v;
    },
    enumerable: true,
    configurable: true,
  });
  return () => {
    Object.defineProperty(args, 'MultipassOffset', { value, writable: true, enumerable: true, configurable: true });
    return line;
  };
}

/** Stands in for the paging buffer until the first call of an operation is given one (never seen by the driver). */
const NO_DMA_BUFFER = { Bytes: new Uint8Array(0), Offset: 0, PhysicalAddress: 0 };

/** Members of an operation's inputs that are the same objects on every call: handles and MDLs. */
function byReference(key: string): boolean {
  const c = key.charCodeAt(1);
  return key === 'pMdl' || (key.charCodeAt(0) === 104 /* h */ && c >= 65 && c <= 90);
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);

/** A copy of an operation's inputs: nested records copied, handles and MDLs kept (they are the same objects on every call). */
export function copyInputs<T>(value: T): T {
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k in value) {
    const x = value[k];
    out[k] = isRecord(x) && !byReference(k) ? copyInputs(x) : x;
  }
  return out as T;
}

/** Whether two copies of an operation's inputs are the same (`skip`: a member of `Flags` not to compare). */
export function sameInputs(a: unknown, b: unknown, skip?: string): boolean {
  if (!isRecord(a) || !isRecord(b)) return Object.is(a, b);
  let n = 0;
  for (const k in a) {
    n++;
    if (k === skip) continue;
    const x = a[k];
    if (!(k in b) || !(isRecord(x) && !byReference(k) ? sameInputs(x, b[k], k === 'Flags' ? skip : undefined) : Object.is(x, b[k]))) return false;
  }
  // b's own keys counted in place: Object.keys made an array at each level, three comparisons a call.
  let m = 0;
  for (const k in b) if (hasOwn.call(b, k)) m++;
  return n === m;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Two 32-bit FNV-1a hashes of bytes [begin, end): what a call wrote, to tell a repeat (no allocation, unlike a digest). */
function fingerprint(b: Uint8Array, begin: number, end: number): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = begin; i < end; i++) {
    h1 = Math.imul(h1 ^ b[i], 0x01000193);
    h2 = Math.imul(h2 ^ b[i], 0x5bd1e995) ^ (h2 >>> 15);
  }
  return `${(h1 >>> 0).toString(36)}.${(h2 >>> 0).toString(36)}`;
}

/**
 * How many DxgkDdiBuildPagingBuffer calls one operation may take. A driver writes at least one
 * instruction into a new, empty paging buffer (else it is stopped sooner), so a call that runs out
 * of room is followed by one that makes progress; an instruction moves at least 64 bytes (a tile
 * row). A correct driver needs at most two calls per 64 bytes, plus a margin.
 */
export function buildCallLimit(bytes: number): number {
  return 64 + 2 * Math.ceil(Math.max(0, bytes) / 64);
}

export class PagingBuilder {
  private readonly buffers: PagingBuffer[] = [];
  private current: PagingBuffer | undefined;

  constructor(private readonly host: PagingBuildHost) {}

  /** True when the paging buffer being built (not yet submitted) holds work for `a`. */
  touches(a: Allocation): boolean {
    return this.current !== undefined && this.current.touched.has(a);
  }

  /** The DxgkDdiBuildPagingBuffer loop for one operation (one sub-transfer for transfers). */
  *build(op: { Operation: number } & Record<string, unknown>, a: Allocation | undefined, label: string): Gen {
    const host = this.host;
    const { init, ctx } = host.driver();
    const name = DXGK_OPERATION_NAMES[op.Operation];
    const inputs = op[name] as Record<string, unknown> | undefined;
    const args = {
      pDmaBuffer: NO_DMA_BUFFER,
      DmaSize: 0,
      pDmaBufferPrivateData: null,
      DmaBufferPrivateDataSize: 0,
      MultipassOffset: 0,
      hSystemContext: null,
      ...op,
    } as unknown as DXGKARG_BUILDPAGINGBUFFER & Record<string, unknown>;
    const size = Number((inputs?.TransferSize ?? inputs?.FillSize ?? 0) as number);
    const limit = buildCallLimit(size);
    const fn = init.DxgkDdiBuildPagingBuffer;
    let emptyRefills = 0;
    /** Calls that ran out of room, by what they did: MultipassOffset in and out, and the bytes written. */
    let rounds: Map<string, number> | undefined;
    /** The copy of the inputs the driver got last. */
    let handed: Record<string, unknown> | undefined;
    const lines = host.driverLines();
    /** A call that repeated an earlier one (first, then again): the next call is watched for the guilty line before the verdict. */
    let repeated: { earlier: number; calls: number } | undefined;
    /** The guilty line of the last watched call: where it set MultipassOffset back, else the `return` that asked for another call. */
    let blamed: SourceLocation | undefined;
    for (let calls = 1; ; calls++) {
      if (calls > limit) {
        throw host.driverFault(
          'build-loop-limit',
          'DxgkDdiBuildPagingBuffer',
          fn,
          `DxgkDdiBuildPagingBuffer was called ${limit} times for one operation, ${label}, without completing it; an operation of ${size} bytes needs at most ${limit} calls (MultipassOffset was ${String(args.MultipassOffset)} at the last return). The driver never finishes it, as if every call started over: receiving TransferStart again does not start a new transfer, continue from MultipassOffset. On real hardware the paging operation would never complete: a timeout detection and recovery (TDR)`,
          args,
          blamed,
        );
      }
      const buf = this.current ?? (yield* this.currentBuffer());
      const begin = buf.write;
      args.pDmaBuffer = { Bytes: buf.buffer.bytes, Offset: begin, PhysicalAddress: buf.buffer.physical };
      args.DmaSize = buf.limit - begin;
      const privateBegin = buf.privateWrite;
      if (buf.privateData) {
        args.pDmaBufferPrivateData = { Bytes: buf.privateData, Offset: privateBegin };
        args.DmaBufferPrivateDataSize = buf.privateData.length - privateBegin;
      }
      // The same inputs on every call: what VidMm asked for, copied again if the driver changed it.
      if (inputs && !(handed && sameInputs(inputs, handed, 'AllocationIsIdle'))) handed = copyInputs(inputs);
      const member = handed as { Flags?: { AllocationIsIdle?: boolean } } | undefined;
      if (inputs) args[name] = member;
      // The promise: set only when nothing on the GPU (or about to be submitted) references it.
      const idle = a !== undefined && !host.referenced(a);
      if (member?.Flags && 'AllocationIsIdle' in member.Flags) member.Flags.AllocationIsIdle = idle;
      host.stats.buildCalls++;
      const multipassIn = args.MultipassOffset;
      // The last call before the limit, or the one after a repeat, is watched for the guilty line.
      const watch = lines && (repeated || calls === limit) ? watchMultipass(args, () => lines.here()) : undefined;
      let status: unknown;
      try {
        status = yield* host.ddi.call('DxgkDdiBuildPagingBuffer', args, () => init.DxgkDdiBuildPagingBuffer(ctx, args), 'status', { operation: op.Operation, fn, inputs });
      } finally {
        const rewound = watch?.();
        if (watch) blamed = rewound;
      }
      if (watch && !blamed && status === STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER) blamed = lines?.returned('DxgkDdiBuildPagingBuffer', status, fn);
      const end = args.pDmaBuffer?.Offset;
      if (typeof end !== 'number' || !Number.isInteger(end) || end < begin || end > buf.limit) {
        throw host.ddi.statusError(
          'DxgkDdiBuildPagingBuffer',
          args,
          fn,
          `DxgkDdiBuildPagingBuffer left pDmaBuffer.Offset at ${String(end)}, outside the space it was given [${begin}, ${buf.limit}] (DmaSize was ${buf.limit - begin})`,
        );
      }
      if (buf.privateData) {
        const privateEnd = args.pDmaBufferPrivateData?.Offset;
        if (typeof privateEnd !== 'number' || !Number.isInteger(privateEnd) || privateEnd < privateBegin || privateEnd > buf.privateData.length) {
          throw host.ddi.statusError(
            'DxgkDdiBuildPagingBuffer',
            args,
            fn,
            `DxgkDdiBuildPagingBuffer left pDmaBufferPrivateData.Offset at ${String(privateEnd)}, outside the private data it was given [${privateBegin}, ${buf.privateData.length}] (DmaBufferPrivateDataSize was ${buf.privateData.length - privateBegin})`,
          );
        }
        buf.privateWrite = privateEnd;
      }
      buf.write = end;
      if (end > begin) {
        buf.operations.push({ label, begin, end });
        if (a) buf.touched.add(a);
      }
      if (status === STATUS_SUCCESS) {
        if (end === begin && !mayWriteNothing(op.Operation)) {
          throw host.ddi.statusError('DxgkDdiBuildPagingBuffer', args, fn, `DxgkDdiBuildPagingBuffer returned STATUS_SUCCESS for ${name} without writing anything (pDmaBuffer.Offset did not advance)`);
        }
        return;
      }
      if (status === STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER) {
        host.stats.insufficientDmaBuffer++;
        if (end === begin && begin === buf.start) {
          if (++emptyRefills >= 2) {
            throw host.ddi.statusError(
              'DxgkDdiBuildPagingBuffer',
              args,
              fn,
              `DxgkDdiBuildPagingBuffer returned STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER for ${name} twice on an empty ${buf.limit}-byte paging buffer: it can never make progress`,
            );
          }
        } else emptyRefills = 0;
        if (end > begin) {
          const round = `${String(multipassIn)}>${String(args.MultipassOffset)}:${end - begin}:${fingerprint(buf.buffer.bytes, begin, end)}`;
          const earlier = rounds?.get(round);
          // The first repeat is a verdict at once with the verifier off; with it on, one more call
          // (watched) tells which line of the driver threw the progress away.
          if (earlier !== undefined && (!lines || repeated)) {
            const first = repeated ?? { earlier, calls };
            throw host.driverFault(
              'build-loop-limit',
              'DxgkDdiBuildPagingBuffer',
              fn,
              `DxgkDdiBuildPagingBuffer call ${first.calls} for one operation, ${label}, wrote exactly what call ${first.earlier} wrote (${end - begin} bytes, MultipassOffset ${String(multipassIn)} before and ${String(args.MultipassOffset)} after) and ran out of room again${repeated ? `, and so did call ${calls}` : ''}: the operation makes no progress and would never complete. Receiving TransferStart again does not start a new transfer: continue from MultipassOffset. On real hardware the paging operation would never complete: a timeout detection and recovery (TDR)`,
              args,
              blamed,
            );
          }
          repeated = earlier !== undefined ? { earlier, calls } : undefined;
          (rounds ??= new Map()).set(round, calls);
        } else repeated = undefined;
        // Submit what is there so the GPU can start on the partial transfer, then get a new buffer.
        yield* host.frame('STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER: submit the partial paging buffer', this.submitCurrent());
        continue;
      }
      if (status === STATUS_GRAPHICS_ALLOCATION_BUSY) {
        host.stats.allocationBusy++;
        if (!a || idle || !member?.Flags) {
          throw host.ddi.statusError('DxgkDdiBuildPagingBuffer', args, fn, 'DxgkDdiBuildPagingBuffer returned STATUS_GRAPHICS_ALLOCATION_BUSY although AllocationIsIdle was set');
        }
        yield host.event('allocation-busy', `STATUS_GRAPHICS_ALLOCATION_BUSY for '${a.name}': waiting until the GPU is done with every reference to it`, { allocation: a.name, handle: a.handle });
        // What is already built may be what the allocation waits for: submit it first.
        yield* this.submitCurrent();
        yield* host.waitUntil(() => !host.referenced(a), `'${a.name}' to be idle (STATUS_GRAPHICS_ALLOCATION_BUSY)`);
        continue;
      }
    }
  }

  private *currentBuffer(): Gen<PagingBuffer> {
    if (this.current) return this.current;
    const policy = this.host.policy;
    let buf = this.buffers.find((b) => b.state === 'free');
    if (!buf && this.buffers.length < policy.pagingBuffers) {
      const buffer = this.host.commonBuffer(policy.pagingBufferSize, `a ${policy.pagingBufferSize}-byte paging buffer`);
      const privateData = policy.pagingBufferPrivateDataSize > 0 ? new Uint8Array(policy.pagingBufferPrivateDataSize) : undefined;
      buf = { buffer, limit: policy.pagingBufferSize, start: 0, write: 0, privateData, privateWrite: 0, state: 'free', touched: new Set(), operations: [] };
      this.buffers.push(buf);
    }
    if (!buf) {
      yield* this.host.waitUntil(() => this.buffers.some((b) => b.state === 'free'), 'a paging buffer to complete');
      buf = this.buffers.find((b) => b.state === 'free')!;
    }
    buf.state = 'building';
    buf.start = 0;
    buf.write = 0;
    buf.privateWrite = 0;
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
    const host = this.host;
    const engine = host.policy.pagingEngine;
    const ops = buf.operations.map((o) => o.label);
    const ranges = buf.operations.map((o) => ({ label: o.label, physical: buf.buffer.physical + o.begin, length: o.end - o.begin }));
    // DXGK_ALLOCATIONINFOFLAGS.SynchronousPaging: "the video memory manager will wait until the
    // allocation is no longer busy (that is, ... until the GPU reports all of the fences that
    // reference the allocation) before the video memory manager submits a paging buffer that
    // references the allocation." (This buffer no longer counts as being built: `referenced` is
    // what was submitted before it.)
    // Looked for without building a list: every paging buffer passes here, few hold such an allocation.
    let synchronous: Allocation[] | undefined;
    for (const a of buf.touched) if (a.info.Flags.SynchronousPaging === true) (synchronous ??= []).push(a);
    if (synchronous?.some((a) => host.referenced(a))) {
      const waiting = synchronous;
      yield* host.waitUntil(
        () => !waiting.some((a) => host.referenced(a)),
        `${waiting.map((a) => `'${a.name}'`).join(', ')} (SynchronousPaging) to be idle before the paging buffer that references it is submitted`,
      );
    }
    buf.state = 'submitted';
    const submitted = yield* host.vidsch.patchAndSubmit(
      buf.buffer,
      {
        engine,
        kind: 'paging',
        physical: buf.buffer.physical,
        start: buf.start,
        end: buf.write,
        size: buf.limit,
        ...(buf.privateData ? { privateData: { bytes: buf.privateData, start: 0, end: buf.privateWrite } } : {}),
        label: ops.join('; '),
      },
      undefined,
      () => {
        buf.state = 'free';
      },
    );
    for (const a of buf.touched) {
      a.lastPagingEngine = engine;
      a.lastPagingFence = submitted.fenceId;
    }
    if (synchronous) host.vidsch.noteSynchronousPaging(engine, submitted.fenceId);
    host.stats.pagingBuffersSubmitted++;
    yield host.event(
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
