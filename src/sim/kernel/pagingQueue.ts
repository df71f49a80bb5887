// The device paging queue ("Device Paging Queues"): VidMm services make-resident, reserve-GPU-VA,
// map-GPU-VA and page-table updates asynchronously. Each queued operation gets the next value of the
// device's monitored paging fence, signaled when the paging buffer that carries it completes; one
// done at once returns 0. Waits are on the CPU (the kernel runs the GPU until the fence reaches the
// value) or on the GPU: a `wait` on the fence queued into a context before the work that depends on
// the operation (here a copy through the GPU virtual address, translated by the page tables the
// paging engine wrote with `ptupdate` and `tlbflush`).

import { DXGK_OPERATION_FLUSH_TLB, DXGK_OPERATION_UPDATE_PAGE_TABLE, PAGE_SIZE } from '../ddi/contract';
import type { CommonBuffer } from '../hw/types';
import { encodeInto } from '../../isa/encoding';
import { LocationSpace, OPCODE_BY_MNEMONIC } from '../../isa/opcodes';
import type { PathStep } from '../scenario/types';
import type { Gen } from './events';
import { KernelError } from './kernelError';
import type { Allocation } from './vidmm';
import type { PathContext } from './pathContext';

export interface PagingQueueOperation {
  action: string;
  fenceValue: number;
  /** Virtual time it was queued and signaled (undefined while pending). */
  queuedAt: number;
  signaledAt?: number;
}

export class DevicePagingQueue {
  /** The monitored fence: 8 bytes of common-buffer memory the GPU can read (and a context buffer next to it). */
  private memory: CommonBuffer | undefined;
  private lastValue = 0;
  private signaled = 0;
  readonly operations: PagingQueueOperation[] = [];
  /** The value the last queued operation got (what a wait without a value waits for). */
  lastFence = 0;
  /** GPU virtual ranges mapped to each allocation: VidMm re-points them when it moves or evicts it. */
  readonly mappings = new Map<Allocation, Set<number>>();
  /** Ranges made not present (reserve-va, update-page-table with no allocation): first address -> pages. */
  private readonly unmapped = new Map<number, number>();

  constructor(private readonly w: PathContext) {}

  private fence(): CommonBuffer {
    this.memory ??= this.w.kernel.commonBuffer(PAGE_SIZE, 'the device paging fence');
    return this.memory;
  }

  /** The paging fence's bus address (a GPU `wait` polls it). */
  fenceAddress(): number {
    return this.fence().physical;
  }

  /** The fence value in memory, as a CPU or GPU waiter sees it. */
  value(): number {
    const b = this.fence().bytes;
    return Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
  }

  private signal(op: PagingQueueOperation): void {
    if (op.fenceValue <= this.signaled) return;
    this.signaled = op.fenceValue;
    op.signaledAt = this.w.gpu.now;
    const b = this.fence().bytes;
    new DataView(b.buffer, b.byteOffset).setBigUint64(0, BigInt(op.fenceValue), true);
  }

  *queue(step: Extract<PathStep, { op: 'paging-queue' }>): Gen {
    const k = this.w.kernel;
    const vidmm = this.w.vidmm;
    this.fence();
    const a = step.id === undefined ? undefined : this.w.alloc(step.id);
    let work = false;
    if (step.action === 'make-resident') {
      if (a!.residency !== 'resident') {
        yield* k.frame(`paging queue: make '${a!.name}' resident`, vidmm.makeResident([a!], 'the device paging queue'));
        work = true;
      }
    } else {
      const va = step.va!;
      let pages = step.pages;
      let target: { SegmentId: number; PhysicalAddress: number; Invalid: boolean } = { SegmentId: 0, PhysicalAddress: 0, Invalid: true };
      if (step.action === 'map-va' || (step.action === 'update-page-table' && a)) {
        if (a!.residency !== 'resident') yield* k.frame(`paging queue: make '${a!.name}' resident to map it`, vidmm.makeResident([a!], 'the device paging queue'));
        pages = a!.size / PAGE_SIZE;
        target = { SegmentId: a!.segmentId, PhysicalAddress: vidmm.segmentAddress(a!.segmentId, a!.offset), Invalid: false };
      }
      // The range leaves whatever it was mapped to; allocations left with no range, or destroyed, are forgotten.
      for (const [mapped, vas] of this.mappings) if (vas.delete(va) && (vas.size === 0 || mapped.destroyed)) this.mappings.delete(mapped);
      if (target.Invalid) this.unmapped.set(va, pages);
      else {
        this.unmapped.delete(va);
        this.mappings.set(a!, (this.mappings.get(a!) ?? new Set()).add(va));
        vidmm.placeChanged ??= (moved) => this.remap(moved);
      }
      yield* this.updatePageTable(a, va, pages!, target);
      work = true;
    }
    const op: PagingQueueOperation = { action: step.action, fenceValue: 0, queuedAt: this.w.gpu.now };
    if (work) {
      op.fenceValue = ++this.lastValue;
      const engine = vidmm.policy.pagingEngine;
      const before = k.vidsch.engines[engine].lastSubmitted;
      yield* vidmm.submitCurrent();
      const q = k.vidsch.engines[engine];
      const entry = q.lastSubmitted > before ? q.queue.find((b) => b.fenceId === q.lastSubmitted) : undefined;
      if (entry) entry.onComplete.push(() => this.signal(op));
      else this.signal(op);
    }
    this.operations.push(op);
    this.lastFence = op.fenceValue || this.lastFence;
    yield k.event(
      'paging-queue',
      `paging queue: ${step.action}${a ? ` '${a.name}'` : ''}${step.va !== undefined ? ` va 0x${step.va.toString(16)}` : ''} -> paging fence value ${op.fenceValue}${op.fenceValue === 0 ? ' (done at once)' : ''}`,
      { action: step.action, allocation: a?.name, va: step.va, fenceValue: op.fenceValue },
    );
  }

  private *updatePageTable(a: Allocation | undefined, va: number, pages: number, target: { SegmentId: number; PhysicalAddress: number; Invalid: boolean }): Gen {
    const vidmm = this.w.vidmm;
    yield* vidmm.build(
      { Operation: DXGK_OPERATION_UPDATE_PAGE_TABLE, UpdatePageTable: { VirtualAddress: va, NumberOfPages: pages, ...target } },
      a,
      `UpdatePageTable 0x${va.toString(16)} (${pages} pages) ${target.Invalid ? 'not present' : `-> segment ${target.SegmentId}+0x${(a?.offset ?? 0).toString(16)}`}`,
    );
    yield* vidmm.build({ Operation: DXGK_OPERATION_FLUSH_TLB, FlushTlb: { VirtualAddress: va, NumberOfPages: pages } }, a, `FlushTlb 0x${va.toString(16)} (${pages} pages)`);
  }

  /**
   * VidMm moved, paged in or evicted `a`: every GPU virtual range mapped to it is pointed at its new
   * place, or made not present while it is out of its segments (a GPU access then faults instead of
   * reading whatever took its old place), in the paging buffer that carries the move, so nothing the
   * GPU runs after the move sees the old mapping.
   */
  *remap(a: Allocation): Gen {
    const vas = this.mappings.get(a);
    if (!vas || vas.size === 0) return;
    if (a.destroyed) {
      this.mappings.delete(a);
      return;
    }
    const resident = a.residency === 'resident';
    const target = resident ? { SegmentId: a.segmentId, PhysicalAddress: this.w.vidmm.segmentAddress(a.segmentId, a.offset), Invalid: false } : { SegmentId: 0, PhysicalAddress: 0, Invalid: true };
    for (const va of vas) {
      yield* this.w.kernel.frame(`paging queue: ${resident ? 're-map' : 'unmap'} GPU VA 0x${va.toString(16)} of '${a.name}'`, this.updatePageTable(a, va, a.size / PAGE_SIZE, target));
    }
  }

  /**
   * What a `verify` step checks of the GPU's virtual ranges, once the GPU has run everything queued:
   * each page of a range mapped to an allocation reaches that page of it where it is now, and is not
   * present while it is evicted or for a range reserved or made not present; seen through the TLB,
   * as the next access would see it. A page two live ranges cover is left out (which one holds it
   * depends on the order of their updates). Content checks only see a page table a context reads;
   * this finds an UpdatePageTable that wrote fewer pages or dropped the Invalid flag, and a FlushTlb
   * that left translations behind, wherever they are.
   */
  verifyMappings(): void {
    const owners = new Map<number, { a: Allocation; va: number; page: number } | null>();
    for (const [a, vas] of this.mappings) {
      if (a.destroyed) continue;
      for (const va of vas) {
        const first = va / PAGE_SIZE;
        for (let page = 0; page < a.size / PAGE_SIZE; page++) owners.set(first + page, owners.has(first + page) ? null : { a, va, page });
      }
    }
    const gpu = this.w.gpu;
    const hex = (n: number): string => `0x${n.toString(16)}`;
    const reaches = (e: ReturnType<typeof gpu.pageTableEntry>): string =>
      e.present ? `${e.segmentId ? `segment ${e.segmentId} at ${hex(e.target)}` : `system memory at ${hex(e.target)}`}${e.cached ? ' (a translation the TLB kept)' : ''}` : 'nothing (not present)';
    const rule =
      "The driver's UpdatePageTable must write all NumberOfPages entries from VirtualAddress, to SegmentId/PhysicalAddress or, with Invalid, not present; its FlushTlb must drop the TLB's translations of every page it names";
    for (const [vpn, owner] of owners) {
      if (!owner) continue;
      const { a, va, page } = owner;
      const e = gpu.pageTableEntry(vpn * PAGE_SIZE, true);
      const resident = a.residency === 'resident';
      if (resident ? e.present && e.segmentId === a.segmentId && e.target === a.offset + page * PAGE_SIZE : !e.present) continue;
      throw new KernelError(
        'verify',
        `GPU VA ${hex(vpn * PAGE_SIZE)}, page ${page} of the range at ${hex(va)} mapped to '${a.name}', reaches ${reaches(e)}; '${a.name}' is ${resident ? `in segment ${a.segmentId} at ${hex(a.offset)}, so the page should reach ${hex(a.offset + page * PAGE_SIZE)}` : 'evicted, so the page should be not present'} (last paging operation: ${a.lastPagingOperation ?? 'none'}). ${rule}`,
      );
    }
    for (const [va, pages] of this.unmapped) {
      for (let page = 0; page < pages; page++) {
        const vpn = va / PAGE_SIZE + page;
        if (owners.has(vpn)) continue;
        const e = gpu.pageTableEntry(vpn * PAGE_SIZE, true);
        if (!e.present) continue;
        throw new KernelError('verify', `GPU VA ${hex(vpn * PAGE_SIZE)}, page ${page} of the range at ${hex(va)} made not present through the device paging queue, reaches ${reaches(e)}. ${rule}`);
      }
    }
  }

  *wait(step: Extract<PathStep, { op: 'wait-paging-fence' }>): Gen {
    const k = this.w.kernel;
    const value = step.value ?? this.lastFence;
    if (value > this.lastValue) throw new KernelError('scenario', `paging fence value ${value} was never handed out (the last is ${this.lastValue})`);
    if (step.on === 'cpu') {
      yield* this.w.vidmm.submitCurrent();
      yield* k.waitUntil(() => this.value() >= value, `the device paging fence to reach ${value}`);
      yield k.event('paging-fence', `CPU wait: device paging fence reached ${this.value()} (waited for ${value})`, { on: 'cpu', value, fence: this.value() });
      return;
    }
    // A GPU wait queued into a context, then the work that depends on the paging operation.
    const mem = this.fence();
    const at = 256;
    const result = mem.physical + 128;
    const wait = OPCODE_BY_MNEMONIC.get('wait')!;
    const copy = OPCODE_BY_MNEMONIC.get('copy')!;
    let n = encodeInto({ op: wait, flags: 0, operands: [{ space: LocationSpace.Physical, sub: 0, aux: 0, address: mem.physical }, BigInt(value)] }, mem.bytes, at);
    n += encodeInto(
      {
        op: copy,
        flags: 0,
        operands: [
          { space: LocationSpace.Physical, sub: 0, aux: 0, address: result },
          { space: LocationSpace.GpuVirtual, sub: 0, aux: 0, address: step.va! },
          4,
        ],
      },
      mem.bytes,
      at + n,
    );
    const engine = k.renderEngine;
    const entry = yield* k.vidsch.patchAndSubmit(mem, { engine, kind: 'render', physical: mem.physical, start: at, end: at + n, size: mem.size, label: `context: wait for paging fence ${value}, then read GPU VA 0x${step.va!.toString(16)}` }, undefined);
    yield* this.w.vidmm.submitCurrent();
    const waitedBefore = this.value() < value;
    yield* this.runUntil(() => k.vidsch.isComplete(engine, entry.fenceId), `the context that waits for paging fence ${value}`);
    const bytes = this.w.gpu.readPhysical(result, 4);
    const read = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
    yield k.event('paging-fence', `GPU wait on engine ${engine}: ${waitedBefore ? 'stalled until' : 'found'} paging fence ${value}, then read 0x${read.toString(16)} through GPU VA 0x${step.va!.toString(16)}`, {
      on: 'gpu',
      value,
      stalled: waitedBefore,
      read,
    });
    if (step.expect !== undefined && read !== step.expect) {
      throw new KernelError('verify', `the context read 0x${read.toString(16)} through GPU VA 0x${step.va!.toString(16)}, expected 0x${step.expect.toString(16)}`);
    }
  }

  /** Runs the GPU until `cond`, also stepping engines that wait on memory (the kernel's own loop leaves those alone). */
  private *runUntil(cond: () => boolean, reason: string): Gen {
    const k = this.w.kernel;
    yield k.event('wait', `waiting for ${reason}`, { reason });
    let stalls = 0;
    while (!cond()) {
      let stepped = false;
      for (let e = 0; e < k.registers.EngineCount && !stepped; e++) {
        if (this.w.gpu.engineState(e) === 'ready') {
          yield* k.stepEngine(e);
          stepped = true;
        }
      }
      for (let e = 0; e < k.registers.EngineCount && !stepped; e++) {
        if (this.w.gpu.engineState(e) === 'waiting') {
          yield* k.stepEngine(e);
          stepped = this.w.gpu.engineState(e) !== 'waiting';
        }
      }
      if (stepped) stalls = 0;
      else if (++stalls > 2) {
        // The paging fence is signaled when the paging buffer is reported complete, and the context
        // is done when its own fence is: an engine that ran its work and stopped with a fence never
        // reported is the driver's fault, not the workload's.
        throw k.unreportedFenceError(reason) ?? new KernelError('scenario', `nothing can run while waiting for ${reason}: the GPU waits on a paging fence value that is never signaled`);
      }
    }
  }
}
