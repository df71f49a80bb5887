// CPU access to allocations, as "Mapping Virtual Addresses to a Memory Segment" describes it.
// pfnLockCb with mode 'aperture' on a CPU-visible allocation: VidMm makes it resident, calls
// DxgkDdiAcquireSwizzlingRange so the driver can set up the aperture for its (possibly swizzled)
// bits, and maps the CPU linearly through the PCI aperture (the allocation's offset in the segment
// is its offset in the BAR). If the driver cannot make it CPU-accessible, VidMm evicts it and the
// CPU uses system memory. If a locked allocation is evicted, DxgkDdiReleaseSwizzlingRange is called,
// the transfer is completed at once and the same CPU virtual address now reaches system memory,
// which must hold exactly the bytes the application saw through the aperture (unswizzled).
//
// The swizzling ranges VidMm holds for CPU mappings, cached between locks, are ./swizzlingRanges.ts's.

import { type MDL, PAGE_SIZE, STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE, statusName } from '../ddi/contract';
import { SwizzlingRanges } from './swizzlingRanges';
import type { Step, PathStep } from '../scenario/types';
import { type D3DDDI_PATCHLOCATIONLIST, type DXGK_ALLOCATIONLIST } from '../ddi/contract';
import type { CommonBuffer } from '../hw/types';
import { encodeInto } from '../../isa/encoding';
import { LocationSpace, OPCODE_BY_MNEMONIC } from '../../isa/opcodes';
import type { Gen, MachineEvent } from './events';
import { patternBytes, surfacePitch } from './allocationContent';
import { KernelError } from './kernelError';
import type { Allocation } from './vidmm';
import { type PathContext } from './pathContext';
import { fillSystemPages, readSystemPages } from './systemPages';
import { MIXED } from '../hw/memory';

interface CpuMapping {
  kind: 'aperture' | 'system';
  /** The CPU virtual address the application got (stays the same across an eviction). */
  va: number;
  barOffset: number;
  /** UseAlternateVA: the alternate virtual address's own pages, where evictions under the lock go. */
  alternate?: { pages: number[]; mdl: MDL; listSize: number };
}

const USER_VA_BASE = 0x7ff0_0000_0000;

export class CpuAccess {
  private readonly mappings = new Map<Allocation, CpuMapping>();
  /** The swizzling ranges VidMm holds, by allocation: under a lock, or cached since one. */
  readonly ranges: SwizzlingRanges;
  private nextVa = USER_VA_BASE;
  private commandBuffer: CommonBuffer | undefined;
  /** Lock counts for the summary and tests. */
  readonly stats = { apertureLocks: 0, systemFallbacks: 0, evictedWhileLocked: 0, cachedRanges: 0 };

  constructor(private readonly w: PathContext) {
    this.ranges = new SwizzlingRanges(w, (a) => this.mappings.get(a)?.kind === 'aperture');
  }

  mapping(a: Allocation): Readonly<CpuMapping> | undefined {
    return this.mappings.get(a);
  }

  /** What the application reads at its CPU address now. */
  read(a: Allocation, offset: number, length: number): Uint8Array {
    const m = this.mappings.get(a);
    if (!m) throw new KernelError('scenario', `'${a.name}' is not locked for direct CPU access`);
    if (m.kind === 'aperture') return this.w.gpu.cpuRead(m.barOffset + offset, length);
    if (!m.alternate) return readSystemPages(this.w.gpu, a, offset, length);
    return this.systemBytes(a, m).slice(offset, offset + length);
  }

  /** A lock VidMm serves from system memory because the allocation cannot be CPU-accessible where it is: evicted, and locked there. */
  private *lockInSystemMemory(a: Allocation, va: number, why: string | undefined, how: string): Gen {
    const k = this.w.kernel;
    this.stats.systemFallbacks++;
    if (why) yield k.event('lock', why, { allocation: a.name });
    yield* k.frame(`evict '${a.name}' (not CPU-accessible where it is)`, this.w.vidmm.evict(a, { keepContent: true }));
    yield* this.w.settle(a, 'to reach system memory for a CPU lock');
    if (a.content === 'fresh') {
      // Never written: the application sees the fill pattern, kept as page fills (not a dense copy of the allocation).
      fillSystemPages(this.w.gpu, a, a.fillPattern);
      a.content = 'valid';
    }
    this.mappings.set(a, { kind: 'system', va, barOffset: -1 });
    a.locked = true;
    yield k.event('lock', `lock '${a.name}' (${how}) at CPU address 0x${va.toString(16)}`, { allocation: a.name, mode: 'system', va });
  }

  *lock(a: Allocation, step: Extract<Step, { op: 'lock' }>): Gen {
    const k = this.w.kernel;
    const vidmm = this.w.vidmm;
    if (a.locked) throw new KernelError('scenario', `'${a.name}' is already locked`);
    if (!a.cpuVisible) {
      // The scenario asks through the private data DxgkDdiCreateAllocation gets; the flag is the driver's answer.
      const asked = (a.info.pPrivateDriverData as { cpuVisible?: unknown } | null)?.cpuVisible === true;
      throw new KernelError(
        'scenario',
        asked
          ? `the driver did not make '${a.name}' CPU-visible: the scenario creates it with "cpuVisible": true (in the private data of DxgkDdiCreateAllocation), but the driver did not set DXGK_ALLOCATIONINFOFLAGS.CpuVisible, so pfnLockCb fails and it cannot be locked with mode '${step.mode}'`
          : `'${a.name}' is not CPU-visible (create it with "cpuVisible": true) and cannot be locked with mode '${step.mode}'`,
      );
    }
    const alternateVA = step.mode === 'alternate-va';
    if (alternateVA && !a.info.Flags.UseAlternateVA) {
      throw new KernelError('scenario', `the driver does not support UseAlternateVA for '${a.name}' (it did not set DXGK_ALLOCATIONINFOFLAGS.UseAlternateVA in DxgkDdiCreateAllocation)`);
    }
    if (a.residency !== 'resident') yield* k.frame(`page in '${a.name}' for a CPU lock`, vidmm.makeResident([a], `CPU lock of '${a.name}'`));
    yield* this.w.settle(a, 'to be idle for a CPU lock');
    const seg = vidmm.segment(a.segmentId)!;
    const hw = this.w.gpu.segments.find((s) => s.id === seg.id)!;
    const va = this.nextVa;
    this.nextVa += Math.ceil(a.size / 0x10000) * 0x10000;
    if (!seg.cpuVisible || hw.barBase === undefined) {
      // No CPU virtual address can map into the segment ("Mapping Virtual Addresses to a Memory
      // Segment": the segment's CpuVisible flag decides): as when the driver cannot make an
      // allocation CPU-accessible, VidMm evicts it and lets the application use system memory.
      return yield* this.lockInSystemMemory(
        a,
        va,
        `'${a.name}' is in segment ${seg.name}, which the CPU cannot reach (its DXGK_SEGMENTDESCRIPTOR has no CpuVisible flag): evicting it so the application accesses it in system memory (segment preferences that name CPU-visible segments first keep a CPU-visible allocation in video memory while it is locked)`,
        'in system memory: its segment is not CPU-visible',
      );
    }
    const { init } = k.driver();
    // A swizzling range for the mapping, one of the DXGK_DRIVERCAPS.NumberOfSwizzlingRanges. A driver
    // that declares none is never asked: a linear allocation is mapped as it is; a swizzled one
    // cannot be seen linearly, so, as when "the hardware possibly ran out of unswizzling aperture",
    // VidMm evicts it and lets the application access it in system memory.
    const acquire = init.DxgkDdiAcquireSwizzlingRange;
    const declared = k.caps?.NumberOfSwizzlingRanges ?? 0;
    const privateData = step.privateDriverData ?? 0;
    let swizzle = this.ranges.held(a);
    if (swizzle && swizzle.privateData !== privateData) {
      // Cached for other private data (another MIP level, say): not this mapping.
      yield k.event('swizzling-range', `the swizzling range cached with '${a.name}' was acquired for PrivateDriverData ${swizzle.privateData}, this lock has ${privateData}: VidMm releases it and asks again`, { allocation: a.name, rangeId: swizzle.id });
      yield* this.ranges.release(a);
      swizzle = undefined;
    }
    const cached = swizzle !== undefined;
    if (acquire && declared === 0 && a.info.Flags.Swizzled) {
      return yield* this.lockInSystemMemory(
        a,
        va,
        `no swizzling range for swizzled '${a.name}' (DXGK_DRIVERCAPS.NumberOfSwizzlingRanges is 0): evicting it so the application accesses it in system memory`,
        'in system memory: the driver has no swizzling ranges',
      );
    }
    if (acquire && declared > 0 && !swizzle) {
      const got = yield* this.ranges.acquire(a, seg.id, seg.descriptor.CpuTranslatedAddress + a.offset, privateData);
      if (typeof got === 'number') {
        // The driver cannot make it CPU-accessible: VidMm evicts it and lets the application use system memory.
        const after = got >>> 0 === STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE ? ' with no swizzling range left in use to release' : '';
        yield k.event('swizzling-range', `DxgkDdiAcquireSwizzlingRange for '${a.name}' failed with ${statusName(got)}${after}: evicting it so the application accesses it in system memory`, { allocation: a.name, status: got });
        return yield* this.lockInSystemMemory(a, va, undefined, 'in system memory after the driver refused a swizzling range');
      }
      swizzle = got;
    }
    const barOffset = hw.barBase + a.offset;
    this.mappings.set(a, { kind: 'aperture', va, barOffset, alternate: alternateVA ? this.alternatePages(a) : undefined });
    a.locked = true;
    this.stats.apertureLocks++;
    if (swizzle && cached) this.stats.cachedRanges++;
    // An eviction under the lock must leave system memory as the application saw it: the verifier
    // notes which driver line wrote each instruction of it, for the report below.
    this.w.verifier?.context.evictionWrites.watch(a.hAllocation);
    yield k.event('lock', `lock '${a.name}' through the PCI aperture: CPU address 0x${va.toString(16)} -> BAR +0x${barOffset.toString(16)} (${seg.name}+0x${a.offset.toString(16)})${swizzle ? `, swizzling range ${swizzle.id}${cached ? ' (cached since an earlier lock: the driver is not asked again)' : ''}` : ''}`, {
      allocation: a.name,
      mode: 'aperture',
      va,
      barOffset,
      segmentId: seg.id,
      offset: a.offset,
    });
  }

  *unlock(a: Allocation): Gen {
    const m = this.mappings.get(a);
    if (!m) return;
    // The swizzling range stays with the allocation (cached) for its next lock.
    if (m.alternate) {
      // Evicted under the lock: its content is at the alternate VA; page it back in from there
      // (a special-lock transfer) before the alternate VA goes away.
      if (a.residency !== 'resident') {
        yield* this.w.kernel.frame(`page in '${a.name}' from its alternate VA`, this.w.vidmm.makeResident([a], `unlock of '${a.name}'`));
        yield* this.w.settle(a, 'to be back from its alternate VA');
      }
      this.w.gpu.freePages(m.alternate.pages);
      this.w.kernel.pageLists.release(m.alternate.mdl.PageListPhysicalAddress, m.alternate.listSize);
    }
    this.mappings.delete(a);
    this.w.verifier?.context.evictionWrites.unwatch(a.hAllocation);
  }

  /**
   * The two-allocation pattern for a surface the application accesses directly but the GPU uses
   * swizzled: Lock submits a command buffer that unswizzles the GPU's allocation into the linear one
   * (pfnRenderCb: DxgkDdiPatch then DxgkDdiSubmitCommand), pfnLockCb waits for it (no
   * D3DDDILOCKCB_DONOTWAIT) and maps the linear allocation for the application.
   */
  *lockSurface(step: Extract<PathStep, { op: 'lock-surface' }>): Gen {
    const k = this.w.kernel;
    const vidmm = this.w.vidmm;
    const swizzled = this.w.alloc(step.id);
    const linear = this.w.alloc(step.linear);
    if (!swizzled.info.Flags.Swizzled) throw new KernelError('scenario', `'${swizzled.name}' is not swizzled (the driver did not set DXGK_ALLOCATIONINFOFLAGS.Swizzled)`);
    if (linear.info.Flags.Swizzled || !linear.cpuVisible) throw new KernelError('scenario', `'${linear.name}' must be a linear, CPU-visible allocation`);
    if (linear.size < swizzled.size) throw new KernelError('scenario', `'${linear.name}' (${linear.size} bytes) is smaller than '${swizzled.name}' (${swizzled.size} bytes)`);
    if (swizzled.locked || linear.locked) throw new KernelError('scenario', `'${swizzled.locked ? swizzled.name : linear.name}' is already locked`);
    yield* k.frame(`make '${swizzled.name}' and '${linear.name}' resident for the unswizzle`, vidmm.makeResident([swizzled, linear], `lock of '${swizzled.name}'`));
    yield* this.w.settle(swizzled, 'to be resident for the unswizzle');
    yield* this.w.settle(linear, 'to be resident for the unswizzle');
    // 1. The user-mode driver's command buffer: unswizzle, with both addresses left for DxgkDdiPatch.
    this.commandBuffer ??= this.w.kernel.commonBuffer(PAGE_SIZE, 'a command buffer for the unswizzle');
    const buf = this.commandBuffer;
    const op = OPCODE_BY_MNEMONIC.get('unswizzle')!;
    const placeholder = { space: LocationSpace.Segment, sub: 0, aux: 0, address: 0 };
    const pitch = surfacePitch(swizzled);
    const end = encodeInto({ op, flags: 0, operands: [placeholder, placeholder, swizzled.size, pitch] }, buf.bytes, 0);
    const engine = k.renderEngine;
    const allocations: DXGK_ALLOCATIONLIST[] = [
      { hDeviceSpecificAllocation: linear.hAllocation, WriteOperation: true, SegmentId: linear.segmentId, PhysicalAddress: vidmm.segmentAddress(linear.segmentId, linear.offset) },
      { hDeviceSpecificAllocation: swizzled.hAllocation, WriteOperation: false, SegmentId: swizzled.segmentId, PhysicalAddress: vidmm.segmentAddress(swizzled.segmentId, swizzled.offset) },
    ];
    const patches: D3DDDI_PATCHLOCATIONLIST[] = [
      { AllocationIndex: 0, SlotId: 0, DriverId: 0, AllocationOffset: 0, PatchOffset: 4, SplitOffset: 0 },
      { AllocationIndex: 1, SlotId: 1, DriverId: 0, AllocationOffset: 0, PatchOffset: 20, SplitOffset: 0 },
    ];
    const entry = yield* k.vidsch.patchAndSubmit(buf, { engine, kind: 'render', physical: buf.physical, start: 0, end, size: buf.size, label: `unswizzle '${swizzled.name}' -> '${linear.name}' for a lock` }, { allocations, patches });
    swizzled.busy[engine] = entry.fenceId;
    linear.busy[engine] = entry.fenceId;
    linear.dirty = true;
    // 2-3. pfnLockCb on the linear allocation waits until the unswizzle is done.
    yield* this.w.settle(linear, 'unswizzled for the lock');
    linear.content = 'valid';
    const shadow = k.shadow.get(linear);
    const source = k.shadow.get(swizzled);
    if (shadow && source) shadow.copyFrom(source);
    // 4. A virtual address for the linear allocation.
    yield* this.lock(linear, { op: 'lock', path: step.path, id: linear.name, mode: 'aperture' });
  }

  /** Pages for an alternate virtual address, and their MDL (VidMm's special-lock transfers use it). */
  private alternatePages(a: Allocation): NonNullable<CpuMapping['alternate']> {
    const gpu = this.w.gpu;
    const pages = gpu.allocatePages(a.size / PAGE_SIZE);
    const list = this.w.kernel.pageLists.store(pages, `'${a.name}''s alternate VA`);
    this.w.vidmm.alternateMdl ??= (x) => this.mappings.get(x)?.alternate?.mdl;
    this.w.vidmm.lockSwizzle ??= (x) => (this.mappings.has(x) ? this.ranges.held(x) : undefined);
    return { pages, listSize: list.size, mdl: { ByteCount: a.size, ByteOffset: 0, PfnArray: pages.map((p) => p / PAGE_SIZE), PageListPhysicalAddress: list.physical } };
  }

  /** The system memory behind the application's address: the alternate VA's pages, else the allocation's own. */
  private systemBytes(a: Allocation, m: CpuMapping): Uint8Array {
    if (!m.alternate) return this.w.readPages(a);
    const out = new Uint8Array(a.size);
    m.alternate.pages.forEach((p, i) => out.set(this.w.gpu.readPhysical(p, PAGE_SIZE), i * PAGE_SIZE));
    return out;
  }

  /**
   * What the application sees of `a` through its aperture mapping, a page at a time: the page's
   * pattern where the segment holds it as one (no bytes read), else its bytes. Through an
   * unswizzling range bytes move between pages, so there every page is read.
   */
  private seenThroughAperture(a: Allocation, m: CpuMapping): (Uint8Array | number)[] {
    const seg = this.w.gpu.segments.find((s) => s.barBase !== undefined && m.barOffset >= s.barBase && m.barOffset < s.barBase + s.size)!;
    const start = m.barOffset - seg.barBase!;
    // The driver may accept a range without programming one (a linear allocation needs none): the hardware's ranges tell.
    const unswizzled = this.w.gpu.swizzlingRanges().some((r) => r.segmentId === seg.id && r.offset < start + a.size && start < r.offset + r.size);
    const out: (Uint8Array | number)[] = [];
    for (let at = 0; at < a.size; at += PAGE_SIZE) {
      const n = Math.min(PAGE_SIZE, a.size - at);
      const pattern = unswizzled ? MIXED : this.w.gpu.uniformPattern(seg.id, start + at, n);
      out.push(pattern !== MIXED ? pattern : this.w.gpu.cpuRead(m.barOffset + at, n));
    }
    return out;
  }

  /** Where the system pages behind the mapping first differ from `saw` (-1: nowhere), the two bytes there, and how many bytes differ. */
  private compareWithSystem(a: Allocation, m: CpuMapping, saw: (Uint8Array | number)[]): { at: number; was: number; now: number; count: number } {
    const pages = m.alternate ? m.alternate.pages : a.pages;
    const r = { at: -1, was: 0, now: 0, count: 0 };
    for (let k = 0; k < saw.length; k++) {
      const n = Math.min(PAGE_SIZE, a.size - k * PAGE_SIZE);
      const seen = saw[k];
      if (typeof seen === 'number' && this.w.gpu.uniformPattern(0, pages[k], n) === seen) continue;
      const before = typeof seen === 'number' ? patternBytes(n, seen) : seen;
      const now = this.w.gpu.readPhysical(pages[k], n);
      for (let i = 0; i < n; i++) {
        if (before[i] === now[i]) continue;
        if (r.at < 0) Object.assign(r, { at: k * PAGE_SIZE + i, was: before[i], now: now[i] });
        r.count++;
      }
    }
    return r;
  }

  /** Whether the allocation has a CPU mapping here. */
  maps(a: Allocation): boolean {
    return this.mappings.has(a);
  }

  cpuWrite(a: Allocation, offset: number, bytes: Uint8Array): boolean {
    const m = this.mappings.get(a);
    if (!m) return false;
    if (m.kind === 'aperture') this.w.gpu.cpuWrite(m.barOffset + offset, bytes);
    else if (m.alternate) {
      for (let done = 0; done < bytes.length; ) {
        const at = offset + done;
        const n = Math.min(PAGE_SIZE - (at % PAGE_SIZE), bytes.length - done);
        this.w.gpu.writePhysical(m.alternate.pages[Math.floor(at / PAGE_SIZE)] + (at % PAGE_SIZE), bytes.subarray(done, done + n));
        done += n;
      }
    } else this.w.writePages(a, offset, bytes);
    a.content = 'valid';
    return true;
  }

  /** Before DxgkDdiDestroyAllocation: the range cached with the allocation goes back first. */
  *destroying(a: Allocation): Gen {
    yield* this.ranges.release(a);
  }

  /**
   * After an eviction or a relocation: a range cached with an allocation that moved no longer shows
   * it, and is released; a locked allocation evicted under the application moves to system memory.
   */
  *onEvent(e: MachineEvent): Gen {
    if (e.kind !== 'kernel' || (e.what !== 'eviction' && e.what !== 'relocation')) return;
    const a = this.w.vidmm.allocations.get(e.data.handle as number);
    if (!a) return;
    const m = this.mappings.get(a);
    if (!m || m.kind !== 'aperture') return yield* this.ranges.release(a);
    if (e.what !== 'eviction') return;
    const k = this.w.kernel;
    this.stats.evictedWhileLocked++;
    // What the application sees now, through the aperture (and the unswizzling range): the segment
    // still holds it, as nothing can have been built into its range before this event. Taken here
    // and not kept from the lock (a lock of a large allocation held a copy of all of it), and page
    // by page: a page the segment holds as a pattern is kept as that pattern.
    const saw = this.seenThroughAperture(a, m);
    yield* this.ranges.release(a);
    // The application may touch the memory at any moment: finish the transfer now.
    yield* this.w.settle(a, 'to reach system memory (evicted while locked)');
    m.kind = 'system';
    m.barOffset = -1;
    const { at, was, now, count } = this.compareWithSystem(a, m, saw);
    yield k.event('lock', `'${a.name}' was evicted while locked: CPU address 0x${m.va.toString(16)} now reaches system memory${m.alternate ? ' (the alternate VA, filled by a special-lock transfer)' : ''}${at >= 0 ? ` (byte ${at} differs from what the application saw)` : ' with the same bytes'}`, {
      allocation: a.name,
      mode: 'system',
      va: m.va,
      differsAt: at,
    });
    // Which instruction the driver wrote put byte `at` there, and at which line (with the verifier on).
    const evictionWrites = this.w.verifier?.context.evictionWrites;
    const writer = at >= 0 ? evictionWrites?.take(a.hAllocation, (m.alternate?.mdl ?? a.mdl).PageListPhysicalAddress, at) : undefined;
    evictionWrites?.unwatch(a.hAllocation);
    if (at >= 0) {
      this.w.report(
        'cpu-view-changed-on-eviction',
        `'${a.name}' was evicted while the application had it locked at CPU address 0x${m.va.toString(16)}; through the aperture byte ${at} read 0x${was.toString(16)}, in system memory after the eviction it reads 0x${now.toString(16)} (${count} of ${a.size} bytes differ). The eviction ${a.lastPagingOperation ?? 'transfer'}${writer ? `, by the \`${writer.mnemonic}\` the driver wrote for byte ${at},` : ''} copied the bits as they lie in the segment${a.info.Flags.Swizzled ? ': the allocation is swizzled, so the transfer to system memory must unswizzle it' : ''}`,
        { ddi: 'DxgkDdiBuildPagingBuffer', location: writer?.location },
      );
    }
  }
}
