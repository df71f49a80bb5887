// The scenario's workload steps as the kernel runs them: creating and destroying allocations
// (DxgkDdiCreateAllocation, DxgkDdiDestroyAllocation), CPU locks and writes, render submissions
// (the allocation list made resident by VidMm, a DMA buffer patched with DxgkDdiPatch and submitted
// by VidSch), memory pressure and waits. The kernel (kernel.ts) owns the state they change and the
// GPU they wait on; the WDK extension (extension.ts) runs the steps of the other memory paths.

import {
  type D3DDDI_PATCHLOCATIONLIST,
  type DdiName,
  type DRIVER_INITIALIZATION_DATA,
  type DXGK_DRIVERCAPS,
  type HANDLE,
  type DXGK_ALLOCATIONINFO,
  type DXGK_ALLOCATIONLIST,
  type DXGKARG_CREATEALLOCATION,
  type DXGKARG_DESTROYALLOCATION,
  NT_SUCCESS,
  PAGE_SIZE,
  statusName,
} from '../ddi/contract';
import type { SourceLocation } from '../driver/errors';
import { createRandom } from '../hw/random';
import type { CommonBuffer, Gpu } from '../hw/types';
import { encodeInto } from '../../isa/encoding';
import { LocationSpace, OPCODE_BY_MNEMONIC, TILE_ROWS, TILE_WIDTH_BYTES } from '../../isa/opcodes';
import type { Scenario, Step } from '../scenario/types';
import type { RuleId } from '../verifier/rules';
import { linearOffset, patternBytes, randomBytes, swizzledPitch } from './allocationContent';
import { bankHintsOf, segmentsNamedBy, checkAllocationFlags, checkAllocationPriority, checkAllocationSegments, checkAllocationSizes, type AllocationInfoHost } from './allocationInfoRules';
import { ContentShadow } from './contentShadow';
import { residencyLimit } from './residencyLimit';
import { isPinned, pinnedBy, pinnedRoom } from './pinned';
import { priorityName } from '../ddi/priorities';
import type { DdiCaller } from './ddiCaller';
import type { Gen, KernelEvent, KernelEventKind } from './events';
import type { KernelExtension } from './extension';
import { KernelError } from './kernelError';
import type { PageListArena } from './pageLists';
import { fillSystemPages, writeSystemPages } from './systemPages';
import type { VidMm } from './vidmm';
import type { Allocation } from './vidmmRecords';
import type { VidSch } from './vidsch';

/** The kernel as the steps use it: kernel.ts implements it (an interface, so the two files do not import each other). */
export interface StepsKernel {
  readonly gpu: Gpu;
  readonly ddi: DdiCaller;
  readonly vidmm: VidMm;
  readonly vidsch: VidSch;
  readonly pageLists: PageListArena;
  readonly scenario: Scenario;
  readonly byName: Map<string, Allocation>;
  readonly shadow: Map<Allocation, ContentShadow>;
  readonly shadowOn: boolean;
  readonly caps: DXGK_DRIVERCAPS | undefined;
  readonly extension: KernelExtension | undefined;
  readonly verifier: { readonly context: { allocationInfoWrites: { writes: { lineOf(members: RegExp): SourceLocation | undefined } } | undefined } } | undefined;
  readonly renderEngine: number;
  readonly pagingEngine: number;
  /** Bytes of system memory the GPU reaches. */
  readonly gpuReach: number;
  renders: number;
  driver(): { init: DRIVER_INITIALIZATION_DATA; ctx: HANDLE };
  alloc(id: string): Allocation;
  event(what: KernelEventKind, message: string, data?: Record<string, unknown>): KernelEvent;
  frame<R>(label: string, body: Gen<R>): Gen<R>;
  waitUntil(cond: () => boolean, reason: string): Gen;
  runFor(ns: number): Gen;
  verify(ids: string[] | undefined, when?: string): Gen;
  driverFault(rule: RuleId, ddi: DdiName, fn: unknown, message: string, args?: unknown, location?: SourceLocation): Error;
  commonBuffer(size: number, what: string): CommonBuffer;
}

/** The bytes a render fills in a written allocation (one 4 KiB tile). */
const FILL_TILE = 4096;

export class WorkloadSteps {
  private readonly renderBuffers: { physical: number; bytes: Uint8Array; size: number; free: boolean }[] = [];

  constructor(private readonly k: StepsKernel) {}

  /**
   * Runs one step of the workload (a step of the other memory paths through the WDK extension).
   * The commonest steps hand back their own generator: a generator here that only passed theirs on
   * was one more level that every event of theirs went through.
   */
  run(s: Step): Gen {
    switch (s.op) {
      case 'create':
        return this.create(s);
      case 'write':
        return this.write(s);
      case 'render':
        return this.render(s);
      default:
        return this.runOther(s);
    }
  }

  private *runOther(s: Step): Gen {
    switch (s.op) {
      case 'destroy':
        return yield* this.destroy(this.k.alloc(s.id));
      case 'lock': {
        const a = this.k.alloc(s.id);
        // PermanentSysMem: "A call to pfnLockCb on the allocation always returns the system memory backing store."
        if (s.mode && s.mode !== 'system' && this.k.extension && !a.info.Flags.PermanentSysMem) return yield* this.k.extension.lock(a, s);
        return yield* this.lock(a);
      }
      case 'unlock': {
        const a = this.k.alloc(s.id);
        if (!a.locked) throw new KernelError('scenario', `'${s.id}' is not locked`);
        if (this.k.extension) yield* this.k.extension.unlock(a);
        return yield* this.unlocked(a);
      }
      case 'pressure': {
        const n = yield* this.k.vidmm.trim(s.bytes);
        yield* this.k.vidmm.submitCurrent();
        yield this.k.event('pressure', `memory pressure: ${n} allocations evicted to free ${s.bytes} bytes`, { bytes: s.bytes, evicted: n });
        return;
      }
      case 'set-priority': {
        const a = this.k.alloc(s.id);
        const was = a.priority;
        this.k.vidmm.setPriority(a, s.priority);
        yield this.k.event('priority', `pfnSetPriorityCb: '${a.name}' priority ${priorityName(was)} -> ${priorityName(s.priority)}`, { allocation: a.name, from: was, priority: s.priority });
        return;
      }
      case 'wait':
        yield* this.k.vidmm.submitCurrent();
        if (s.ns === undefined) return yield* this.k.waitUntil(() => this.k.vidsch.idle, 'the GPU to go idle');
        return yield* this.k.runFor(s.ns);
      case 'verify':
        return yield* this.k.verify(s.ids);
      default:
        if (this.k.extension) return yield* this.k.extension.runStep(s);
        throw new KernelError('scenario', `step '${s.op}' needs the WDK extension (createMachine attaches it)`);
    }
  }

  private *create(s: Extract<Step, { op: 'create' }>): Gen {
    const { init, ctx } = this.k.driver();
    const privateData = { size: s.size, cpuVisible: s.cpuVisible, ...s.privateData };
    const info: DXGK_ALLOCATIONINFO = {
      pPrivateDriverData: privateData,
      PrivateDriverDataSize: JSON.stringify(privateData).length,
      Alignment: 0,
      Size: 0,
      PitchAlignedSize: 0,
      HintedBank: { Bank0: 0, Direction0: 0, Bank1: 0, Direction1: 0, Bank2: 0, Direction2: 0, Bank3: 0, Direction3: 0 },
      PreferredSegment: { SegmentId0: 0, SegmentId1: 0, SegmentId2: 0, SegmentId3: 0, SegmentId4: 0 },
      SupportedReadSegmentSet: 0,
      SupportedWriteSegmentSet: 0,
      EvictionSegmentSet: 0,
      hAllocation: null,
      Flags: { CpuVisible: false, Swizzled: false, Cached: false, PermanentSysMem: false, FromEndOfSegment: false, Overlay: false, Capture: false, AccessedPhysically: false, ExplicitResidencyNotification: false, SynchronousPaging: false, UseAlternateVA: false },
      AllocationPriority: 0,
    };
    const args: DXGKARG_CREATEALLOCATION = {
      pPrivateDriverData: null,
      PrivateDriverDataSize: 0,
      NumAllocations: 1,
      pAllocationInfo: [info],
      hResource: null,
      Flags: { Resource: false },
    };
    const st = yield* this.k.ddi.call('DxgkDdiCreateAllocation', args as unknown as Record<string, unknown>, () => init.DxgkDdiCreateAllocation(ctx, args), 'status', {
      fn: init.DxgkDdiCreateAllocation,
    });
    if (!NT_SUCCESS(st)) throw new KernelError('scenario', `the driver refused to create '${s.id}' (${s.size} bytes): ${statusName(st)}`);
    const bad = (why: string): never => {
      throw this.k.ddi.statusError('DxgkDdiCreateAllocation', args, init.DxgkDdiCreateAllocation, `DxgkDdiCreateAllocation for '${s.id}': ${why}`);
    };
    if (!(info.Size >= s.size)) bad(`DXGK_ALLOCATIONINFO.Size is ${info.Size}, less than the ${s.size} bytes asked for`);
    if (info.hAllocation === null || info.hAllocation === undefined) bad('DXGK_ALLOCATIONINFO.hAllocation was not set');
    const size = Math.ceil(info.Size / PAGE_SIZE) * PAGE_SIZE;
    if (info.Flags.CpuVisible && info.Flags.Swizzled) {
      const apertures = segmentsNamedBy(this.k.vidmm.segments, info).filter((x) => x.kind === 'aperture');
      if (apertures.length) {
        throw this.k.driverFault(
          'swizzled-cpu-visible-aperture',
          'DxgkDdiCreateAllocation',
          init.DxgkDdiCreateAllocation,
          `DxgkDdiCreateAllocation for '${s.id}': the allocation is CPU-visible and swizzled, and its segment preferences or supported sets name aperture segment ${apertures.map((x) => `${x.name} (segment ${x.id})`).join(', ')}. An application reaches a CPU-visible allocation in an aperture segment in system memory, where nothing unswizzles it: keep it out of aperture segments, or make the surface two allocations (a swizzled one for the GPU, a linear CPU-visible one for the application)`,
          args,
          // The line that last wrote the segment sets or preferences, or the flags.
          this.k.verifier?.context.allocationInfoWrites?.writes.lineOf(/^pAllocationInfo\[0\]\.(Supported\w*SegmentSet|PreferredSegment\b.*|Flags\.(CpuVisible|Swizzled))$/),
        );
      }
    }
    const rules: AllocationInfoHost = {
      segment: (id) => this.k.vidmm.segment(id),
      fault: (rule, message, location) => this.k.driverFault(rule, 'DxgkDdiCreateAllocation', init.DxgkDdiCreateAllocation, message, args, location),
      lineOf: (member) => this.k.verifier?.context.allocationInfoWrites?.writes.lineOf(member),
    };
    checkAllocationSegments(rules, s.id, info);
    checkAllocationSizes(rules, s.id, info);
    checkAllocationPriority(rules, s.id, info);
    checkAllocationFlags(rules, s.id, info);
    if (info.Flags.ExplicitResidencyNotification && !info.Flags.AccessedPhysically) {
      bad('Flags.ExplicitResidencyNotification is set without Flags.AccessedPhysically ("The flag can only be set when the AccessedPhysically flag is set"): set both, or neither');
    }
    const candidates = this.k.vidmm.candidatesFor(info);
    if (!candidates.length) {
      bad(`no memory segment in SupportedReadSegmentSet/SupportedWriteSegmentSet (0x${(info.SupportedReadSegmentSet >>> 0).toString(16)}/0x${(info.SupportedWriteSegmentSet >>> 0).toString(16)})`);
    }
    const banked = bankHintsOf(info, info.PreferredSegment.SegmentId0 ? this.k.vidmm.segment(info.PreferredSegment.SegmentId0) : undefined);
    if ('problem' in banked) bad(banked.problem);
    const bankHints = 'hints' in banked ? banked.hints : [];
    const sizes = candidates.map((id) => this.k.vidmm.segment(id)!.size);
    if (isPinned(info) && candidates.every((id) => size > pinnedRoom(this.k.vidmm.segment(id)!))) {
      throw new KernelError(
        'scenario',
        `'${s.id}' (${size} bytes) is pinned (${pinnedBy(info)}), and "overlay allocations are limited and cannot occupy more than the last 20 percent of a segment": the last fifth of ${candidates.map((id) => this.k.vidmm.segment(id)!.name).join(', ')} is smaller; make it smaller or the segments larger`,
      );
    }
    const largest = Math.max(...sizes);
    if (size > largest) {
      throw new KernelError(
        'scenario',
        `'${s.id}' needs ${size} bytes but the largest segment it may use (${candidates.map((id) => this.k.vidmm.segment(id)!.name).join(', ')}) holds ${largest}: it can never be resident`,
      );
    }
    let pages: number[];
    try {
      pages = this.k.gpu.allocatePages(size / PAGE_SIZE);
    } catch (e) {
      const advice = this.k.gpuReach < this.k.gpu.config.systemMemoryBytes ? 'the driver lets the GPU reach no more (or make the workload smaller)' : 'raise adapter.systemMemory';
      throw new KernelError('scenario', `system memory is exhausted creating '${s.id}' (${size} bytes): ${(e as Error).message}; ${advice}`);
    }
    const list = this.k.pageLists.store(pages, `'${s.id}'`);
    const a: Allocation = {
      handle: this.k.vidmm.newHandle(),
      name: s.id,
      size,
      alignment: Math.max(info.Alignment || PAGE_SIZE, s.alignment),
      info,
      hAllocation: info.hAllocation,
      candidates,
      smallestCandidate: Math.min(...sizes),
      bankHints,
      pinned: isPinned(info),
      cpuVisible: info.Flags.CpuVisible,
      fillPattern: s.fill >>> 0,
      content: 'fresh',
      residency: 'system',
      segmentId: 0,
      offset: 0,
      pages,
      mdl: { ByteCount: size, ByteOffset: 0, PfnArray: pages.map((p) => p / PAGE_SIZE), PageListPhysicalAddress: list.physical },
      pageListSize: list.size,
      locked: false,
      busy: new Array<number>(this.k.vidsch.engines.length).fill(0),
      // Every member from the start, so all records share one shape (a member added later gives
      // the kernel's hot paths a second shape to handle, and V8 throws away their compiled code).
      lastPagingEngine: 0,
      lastPagingFence: 0,
      lastPagingOperation: undefined,
      dirty: false,
      destroyed: false,
      priority: info.AllocationPriority >>> 0,
      lruStamp: 0,
      lruPriority: 0,
    };
    this.k.vidmm.register(a);
    this.k.byName.set(s.id, a);
    if (this.k.shadowOn) this.k.shadow.set(a, new ContentShadow(size, a.fillPattern));
    yield this.k.event('allocation-created', `create '${a.name}' (${size} bytes, segments ${candidates.map((id) => this.k.vidmm.segment(id)!.name).join(' > ')})`, {
      allocation: a.name,
      handle: a.handle,
      size,
      candidates,
    });
  }

  private *destroy(a: Allocation): Gen {
    yield* this.k.vidmm.submitCurrent();
    // Its memory may be reused only once the GPU no longer touches it.
    yield* this.k.waitUntil(() => !this.k.vidmm.isBusy(a) && this.k.vidmm.pagingDone(a), `'${a.name}' to be idle before it is destroyed`);
    this.k.vidmm.release(a);
    if (this.k.extension?.destroying) yield* this.k.extension.destroying(a);
    const { init, ctx } = this.k.driver();
    const args: DXGKARG_DESTROYALLOCATION = { NumAllocations: 1, pAllocationList: [a.hAllocation], hResource: null, Flags: { DestroyResource: false } };
    const st = yield* this.k.ddi.call('DxgkDdiDestroyAllocation', args as unknown as Record<string, unknown>, () => init.DxgkDdiDestroyAllocation(ctx, args), 'status', {
      fn: init.DxgkDdiDestroyAllocation,
    });
    // "or an appropriate error result if the allocations are not successfully released": the
    // driver's own records; VidMm has released its memory already, and goes on.
    if (!NT_SUCCESS(st)) yield this.k.event('allocation-not-released', `DxgkDdiDestroyAllocation for '${a.name}' failed with ${statusName(st)}: the driver did not release its records of it (VidMm has freed its memory)`, { allocation: a.name, status: st });
    this.k.gpu.freePages(a.pages);
    this.k.pageLists.release(a.mdl.PageListPhysicalAddress, a.pageListSize);
    a.destroyed = true;
    this.k.vidmm.allocations.delete(a.handle);
    this.k.byName.delete(a.name);
    this.k.shadow.delete(a);
    yield this.k.event('allocation-destroyed', `destroy '${a.name}'`, { allocation: a.name, handle: a.handle });
  }

  /** pfnLockCb: the content must be in system memory, where the CPU writes it. */
  private *lock(a: Allocation): Gen {
    if (a.locked) throw new KernelError('scenario', `'${a.name}' is already locked`);
    const permanent = a.info.Flags.PermanentSysMem === true && a.residency === 'resident';
    if (permanent) {
      // PermanentSysMem: the CPU gets the system copy and the allocation stays resident; a copy the
      // GPU wrote since it was paged in is brought up to date first.
      if (a.dirty) yield* this.k.frame(`bring the system copy of '${a.name}' up to date for a CPU lock (PermanentSysMem)`, this.k.vidmm.copyResident(a, 'out'));
    } else if (a.residency === 'resident') {
      yield* this.k.frame(`evict '${a.name}' for a CPU lock`, this.k.vidmm.evict(a, { keepContent: true }));
    }
    yield* this.k.vidmm.submitCurrent();
    yield* this.k.waitUntil(() => this.k.vidmm.pagingDone(a) && !this.k.vidmm.isBusy(a), `'${a.name}' to reach system memory for a CPU lock`);
    if (a.content === 'fresh') {
      // Never written and never resident: the CPU sees the initial content. Written as fills
      // where nothing maps it, so its pages stay uniform (not 448 KiB of pattern bytes
      // materialised, to be copied byte by byte by every later page-in); same bytes, same events.
      if (this.k.extension?.cpuMaps(a)) this.writePages(a, 0, patternBytes(a.size, a.fillPattern));
      else fillSystemPages(this.k.gpu, a, a.fillPattern);
      a.content = 'valid';
    }
    a.locked = true;
    yield this.k.event('lock', `lock '${a.name}' (${permanent ? `its system-memory copy, PermanentSysMem: it stays resident in ${this.k.vidmm.segment(a.segmentId)!.name}` : 'in system memory'})`, { allocation: a.name, permanent });
  }

  /**
   * pfnUnlockCb done: "If the allocation is located in a memory segment when the user-mode display
   * driver calls pfnUnlockCb, the memory segment resource for the allocation is updated with the
   * new content" (PermanentSysMem: the CPU wrote its system copy).
   */
  private *unlocked(a: Allocation): Gen {
    if (a.info.Flags.PermanentSysMem === true && a.residency === 'resident') {
      yield* this.k.frame(`update '${a.name}' in its segment from the system copy the CPU wrote (PermanentSysMem)`, this.k.vidmm.copyResident(a, 'in'));
    }
    a.locked = false;
    yield this.k.event('unlock', `unlock '${a.name}'`, { allocation: a.name });
  }

  private *write(s: Extract<Step, { op: 'write' }>): Gen {
    const a = this.k.alloc(s.id);
    const length = s.length ?? a.size - s.offset;
    if (s.offset + length > a.size) throw new KernelError('scenario', `write of [${s.offset}, ${s.offset + length}) is outside '${a.name}' (${a.size} bytes)`);
    const implicit = !a.locked;
    if (implicit) yield* this.lock(a);
    const bytes = randomBytes(length, s.seed);
    this.writePages(a, s.offset, bytes);
    this.k.shadow.get(a)?.write(bytes, s.offset);
    yield this.k.event('cpu-write', `CPU writes ${length} bytes to '${a.name}' at +${s.offset}`, { allocation: a.name, offset: s.offset, length });
    if (implicit) yield* this.unlocked(a);
  }

  private writePages(a: Allocation, offset: number, bytes: Uint8Array): void {
    if (this.k.extension?.cpuWrite(a, offset, bytes)) return;
    writeSystemPages(this.k.gpu, a, offset, bytes);
  }


  private *render(s: Extract<Step, { op: 'render' }>): Gen {
    const list = s.allocations.map((id) => this.k.alloc(id));
    for (const a of list) if (a.locked) throw new KernelError('scenario', `'${a.name}' is locked by the CPU: unlock it before a render references it`);
    // The render's patch locations name an allocation slot each (D3DDDI_PATCHLOCATIONLIST.SlotId):
    // no more than the driver's DXGK_DRIVERCAPS.MaxAllocationListSlotId (0: the driver sets none).
    const slots = this.k.caps?.MaxAllocationListSlotId ?? 0;
    if (slots > 0 && list.length > slots) {
      throw new KernelError(
        'scenario',
        `the render names ${list.length} allocations, but the driver's DXGK_DRIVERCAPS.MaxAllocationListSlotId is ${slots}: a DMA buffer's patch locations use allocation slots 0 to ${slots - 1}; split the render into renders of at most ${slots} allocations`,
      );
    }
    const limit = residencyLimit(list, (id) => this.k.vidmm.segment(id));
    if (limit) throw new KernelError('scenario', `the render can never be made resident: ${limit}`);
    this.k.renders++;
    yield* this.k.frame('make the allocation list resident', this.k.vidmm.makeResident(list, `render ${this.k.renders}`));
    yield* this.k.vidmm.submitCurrent();
    if (this.k.renderEngine !== this.k.pagingEngine) {
      yield* this.k.waitUntil(() => list.every((a) => this.k.vidmm.pagingDone(a)), 'the paging buffers this render depends on');
    }
    yield* this.k.frame(`submit render ${this.k.renders}`, this.submitRender(list, new Set(s.write.map((id) => this.k.alloc(id)))));
  }

  private renderBuffer(): { physical: number; bytes: Uint8Array; size: number; free: boolean } | undefined {
    let b = this.renderBuffers.find((x) => x.free);
    if (!b) {
      // With none to wait for, the budget must hold one.
      const cb = this.renderBuffers.length ? this.k.gpu.allocateCommonBuffer(this.k.caps!.DmaBufferSize) : this.k.commonBuffer(this.k.caps!.DmaBufferSize, `a ${this.k.caps!.DmaBufferSize}-byte render DMA buffer`);
      if (!cb) return undefined;
      b = { physical: cb.physical, bytes: cb.bytes, size: cb.size, free: true };
      this.renderBuffers.push(b);
    }
    return b;
  }

  /** Builds the render DMA buffer (a read or a 4 KiB-tile fill per allocation, addresses left for DxgkDdiPatch), patches and submits it. */
  private *submitRender(list: Allocation[], writes: Set<Allocation>): Gen {
    let buf = this.renderBuffer();
    if (!buf) {
      yield* this.k.waitUntil(() => this.renderBuffers.some((b) => b.free), 'a render DMA buffer to complete');
      buf = this.renderBuffer()!;
    }
    buf.free = false;
    const pread = OPCODE_BY_MNEMONIC.get('pread')!;
    const fill = OPCODE_BY_MNEMONIC.get('fill')!;
    const placeholder = { space: LocationSpace.Segment, sub: 0, aux: 0, address: 0 };
    const patches: D3DDDI_PATCHLOCATIONLIST[] = [];
    const allocationList: DXGK_ALLOCATIONLIST[] = [];
    const tiles: { a: Allocation; offset: number; pattern: number }[] = [];
    let at = 0;
    const rnd = createRandom((this.k.scenario.seed * 7919 + this.k.renders) >>> 0);
    list.forEach((a, index) => {
      const write = writes.has(a);
      allocationList.push({ hDeviceSpecificAllocation: a.hAllocation, WriteOperation: write, SegmentId: a.segmentId, PhysicalAddress: this.k.vidmm.segmentAddress(a.segmentId, a.offset) });
      const tileOffset = write ? rnd.int(Math.max(1, a.size / FILL_TILE)) * FILL_TILE : 0;
      const size = Math.min(FILL_TILE, a.size - tileOffset);
      const pattern = rnd.nextU32();
      const op = write ? fill : pread;
      if (at + op.size > buf!.size) throw new KernelError('scenario', `the render's allocation list does not fit a ${buf!.size}-byte DMA buffer`);
      encodeInto({ op, flags: 0, operands: write ? [placeholder, size, pattern] : [placeholder, 4] }, buf!.bytes, at);
      patches.push({ AllocationIndex: index, SlotId: index, DriverId: 0, AllocationOffset: tileOffset, PatchOffset: at + 4, SplitOffset: 0 });
      if (write) tiles.push({ a, offset: tileOffset, pattern });
      at += op.size;
    });
    this.k.gpu.wroteCommonBuffer(buf.physical, at);
    const engine = this.k.renderEngine;
    const b = buf;
    const entry = yield* this.k.vidsch.patchAndSubmit(
      buf,
      { engine, kind: 'render', physical: buf.physical, start: 0, end: at, size: buf.size, label: `render ${this.k.renders} [${list.map((a) => a.name).join(', ')}]` },
      { allocations: allocationList, patches },
      () => {
        b.free = true;
      },
    );
    for (const a of list) a.busy[engine] = entry.fenceId;
    for (const a of writes) a.dirty = true;
    for (const t of tiles) {
      t.a.content = 'valid';
      const shadow = this.k.shadow.get(t.a);
      // Without a shadow copy (content checks off) nothing reads the tile's bytes.
      if (!shadow) continue;
      const pitch = swizzledPitch(t.a);
      // The GPU wrote one 4 KiB tile in the segment; a swizzled allocation's tile is TILE_ROWS rows
      // of TILE_WIDTH_BYTES bytes in the layout the application sees.
      if (pitch === undefined) shadow.fill(t.offset, Math.min(FILL_TILE, t.a.size - t.offset), t.pattern);
      else for (let row = 0; row < TILE_ROWS; row++) shadow.fill(linearOffset(t.offset + row * TILE_WIDTH_BYTES, pitch), TILE_WIDTH_BYTES, t.pattern, row * TILE_WIDTH_BYTES);
    }
    yield this.k.event('render', `render ${this.k.renders} submitted to engine ${engine} with fence ${entry.fenceId}: ${list.map((a) => `${a.name}${writes.has(a) ? ' (write)' : ''}`).join(', ')}`, {
      engine,
      fenceId: entry.fenceId,
      physical: buf.physical,
      length: at,
      allocations: list.map((a) => a.name),
      writes: [...writes].map((a) => a.name),
    });
  }
}
