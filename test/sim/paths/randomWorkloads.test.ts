// Random workloads across the WDK paths, run with the reference driver, which must pass every one:
// renders that write, CPU writes and locks (system, aperture, alternate VA, with pressure inside),
// swizzled surfaces and their linear twins (lock-surface), bus-master DMA both ways, aperture maps
// with GPU physical writes and CPU reads, evictions through an aperture segment (EvictionSegmentSet),
// allocations that keep a system-memory copy while resident (PermanentSysMem) or are told of their
// residency (NotifyResidency), the device paging queue (residency, GPU virtual ranges
// mapped, reserved and made not present, contexts that wait for the paging fence and read through
// a range), defragmentation, destroy and recreate, on one engine or two, with sub-transfers and
// small paging buffers, about a quarter of them on an interrupt line shared with another device.
// The reference driver's variations that the WDK allows (asking VidMm to wait, other multipass
// progress, other segment preferences) must pass them too.
// A failure here is the simulator's (a false verdict), never the driver's: two were found this way
// (a DMA transfer that moved the GPU's clock under the kernel, and the content expected after a
// transfer to the device).

import assert from 'node:assert/strict';
import {
  type DEVICE_REGISTERS,
  type DXGK_DRIVERCAPS,
  type DXGKARG_BUILDPAGINGBUFFER,
  DXGKQAITYPE_DRIVERCAPS,
  DXGK_OPERATION_DISCARD_CONTENT,
  DXGK_OPERATION_FILL,
  DXGK_OPERATION_NOTIFY_RESIDENCY,
  DXGK_OPERATION_SPECIAL_LOCK_TRANSFER,
  DXGK_OPERATION_TRANSFER,
  DXGK_OPERATION_UPDATE_PAGE_TABLE,
  STATUS_GRAPHICS_ALLOCATION_BUSY,
  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER,
  STATUS_SUCCESS,
} from '../../../src/sim/ddi/contract';
import { FenceFlags, instructionSize, physicalLocation, writeInstruction } from '../../../src/sim/ddi/gpu';
import { createRandom } from '../../../src/sim/hw/random';
import { createMachine } from '../../../src/sim/machine';
import { normalizeScenario } from '../../../src/sim/scenario';
import type { ScenarioFile } from '../../../src/sim/scenario/types';
import { segmentOperand, testDriver } from '../kernel/helpers';
import { synchronousChecker } from './synchronousChecker';
import { REFERENCE } from '../verifier/helpers';
import type { MemoryPaths } from '../../../src/sim/kernel/memoryPaths';

const KiB = 1024;
type Step = Record<string, unknown> & { op: string };

interface Live {
  size: number;
  cpuVisible: boolean;
  swizzled: boolean;
  alternateVA: boolean;
  written: boolean;
  /** Overlay or Capture: once paged in, never evicted (no CPU write or lock, which need a GPU-only allocation in system memory; no mapping into the aperture). */
  pinned: boolean;
  /** The allocation's first word while it is known (its fill, or a GPU physical write at offset 0), for a read through a GPU virtual address. */
  first: number | undefined;
}

/** Workload number `k`: the same k gives the same scenario. */
function randomWorkload(k: number): ScenarioFile {
  const r = createRandom(0xfa11 + k);
  const pick = <T>(xs: readonly T[]): T => xs[r.int(xs.length)];
  const vram = pick([512, 1024, 2048]) * KiB;
  const local = pick([512, 1024]) * KiB;
  const twoEngines = r.int(5) < 2;
  const aperture = r.int(2) === 0;
  const segments: unknown[] = [
    { name: 'vram', kind: 'memory', size: vram, cpuVisible: true },
    { name: 'local', kind: 'memory', size: local },
  ];
  if (aperture) segments.push({ name: 'gart', kind: 'aperture', size: '2MiB' });
  const smallest = Math.min(vram, local);
  const live = new Map<string, Live>();
  const w: Step[] = [];
  let n = 0;
  let pinnedOne = false;
  const create = (): void => {
    const id = `a${n++}`;
    const swizzled = r.int(4) === 0;
    let size: number;
    let privateData: Record<string, unknown> | undefined;
    if (swizzled) {
      const pitch = pick([256, 1024]);
      const band = pitch * 64;
      size = band * (1 + r.int(Math.max(1, Math.min(4, Math.floor(smallest / 4 / band)))));
      privateData = { swizzled: true, pitch };
    } else size = 4 * KiB * (1 + r.int(Math.max(1, Math.floor(smallest / (pick([3, 4, 8]) * 4 * KiB)))));
    const cpuVisible = r.int(10) < 3;
    const alternateVA = cpuVisible && !swizzled && r.int(5) < 2;
    if (alternateVA) privateData = { alternateVA: true };
    // Every third allocation asks to be evicted through the aperture segment, where there is one
    // (EvictionSegmentSet); decided without a random draw, so the workloads are otherwise the same.
    if (aperture && !swizzled && n % 3 === 1) privateData = { ...privateData, evictThroughAperture: true };
    // And every fourth CPU-visible one keeps a system-memory copy while resident (PermanentSysMem).
    if (cpuVisible && n % 4 === 2) privateData = { ...privateData, permanentSysMem: true };
    // And every fifth is reached by its physical address and told of its residency (NotifyResidency).
    if (n % 5 === 3) privateData = { ...privateData, accessedPhysically: true, residencyNotification: true };
    // And one GPU-only allocation of each workload is pinned (Overlay or Capture), no larger than half
    // the last fifth of the smaller segment, where pinned allocations go.
    const pinned = !pinnedOne && !cpuVisible && !swizzled && n % 7 === 4;
    if (pinned) {
      pinnedOne = true;
      size = Math.min(size, Math.max(4 * KiB, Math.floor(smallest / 5 / 2 / (4 * KiB)) * 4 * KiB));
      privateData = { ...privateData, ...(k % 2 ? { capture: true } : { overlay: true }) };
    }
    const fill = r.nextU32();
    w.push({ op: 'create', id, size, cpuVisible, fill, ...(privateData ? { privateData } : {}) });
    live.set(id, { size, cpuVisible, swizzled, alternateVA, pinned, written: false, first: fill });
  };
  const write = (id: string, max: number): void => {
    const a = live.get(id)!;
    const offset = r.int(a.size);
    w.push({ op: 'write', id, offset, length: 1 + r.int(Math.min(a.size - offset, max)), seed: r.int(0x7fffffff) });
    a.written = true;
    if (offset < 4) a.first = undefined;
  };
  /** GPU virtual ranges of the device paging queue: first address -> the allocation mapped there. */
  const mapped = new Map<number, string>();
  for (let i = 3 + r.int(6); i > 0; i--) create();
  for (let s = 20 + r.int(60); s > 0; s--) {
    const ids = [...live.keys()];
    const one = pick(ids);
    const a = live.get(one)!;
    const x = r.int(100);
    if (x < 25) {
      let list = [...new Set(Array.from({ length: 1 + r.int(3) }, () => pick(ids)))];
      if (list.reduce((t, id) => t + live.get(id)!.size, 0) > smallest / 2) list = list.slice(0, 1);
      const writes = list.filter(() => r.int(2) === 0);
      for (const id of writes) live.get(id)!.first = undefined;
      w.push({ op: 'render', allocations: list, write: writes });
    } else if (x < 40 && !a.pinned) write(one, 8192);
    else if (x < 50) {
      const direction = a.written && r.int(2) === 0 ? 'to-device' : 'from-device';
      // To the device: the segment then holds the system pages, whatever they hold.
      if (direction === 'to-device') a.first = undefined;
      w.push({ op: 'dma-transfer', id: one, direction });
    }
    else if (x < 60) w.push({ op: 'pressure', bytes: pick([64, 256, 1024]) * KiB });
    else if (x < 65) w.push({ op: 'defragment' });
    else if (x < 75 && !a.pinned) {
      const mode = a.alternateVA && r.int(5) < 3 ? 'alternate-va' : a.cpuVisible ? pick(['system', 'aperture']) : 'system';
      w.push({ op: 'lock', id: one, mode });
      // Under an alternate-VA lock, pressure enough to evict it most of the time (SpecialLockTransfer).
      if (r.int(10) < (mode === 'alternate-va' ? 7 : 3)) w.push({ op: 'pressure', bytes: pick([256, 1024, 4096]) * KiB });
      if (r.int(10) < 7) write(one, 4096);
      w.push({ op: 'unlock', id: one });
    } else if (x < 80) w.push({ op: 'verify' });
    else if (x < 85 && ids.length > 2) {
      w.push({ op: 'destroy', id: one });
      live.delete(one);
      for (const [v, id] of mapped) if (id === one) mapped.delete(v);
      create();
    } else if (x < 90 && aperture && !a.swizzled && !a.pinned) {
      w.push({ op: 'map-aperture', id: one, cached: r.int(2) === 0 });
      const offset = r.int(10) < 3 ? 0 : 4 * r.int(a.size / 4);
      const value = r.nextU32();
      w.push({ op: 'gpu-write-physical', id: one, offset, value });
      if (r.int(2) === 0) w.push({ op: 'cpu-read', id: one, offset, expect: value });
      w.push({ op: 'unmap-aperture', id: one });
      a.written = true;
      if (offset === 0) a.first = value;
    } else if (x < 93 && !a.swizzled) {
      // The device paging queue: residency, GPU virtual ranges mapped, reserved or made not present,
      // and a context that waits for the paging fence and reads through a range.
      const y = r.int(10);
      const va = 0x100000 * (1 + r.int(16));
      if (y < 3) w.push({ op: 'paging-queue', action: 'make-resident', id: one });
      else if (y < 8) {
        w.push({ op: 'paging-queue', action: r.int(10) < 7 ? 'map-va' : 'update-page-table', id: one, va });
        for (const [v, id] of mapped) if (id === one || v === va) mapped.delete(v);
        mapped.set(va, one);
      } else {
        w.push({ op: 'paging-queue', action: pick(['reserve-va', 'update-page-table']), va, pages: 1 + r.int(8) });
        mapped.delete(va);
      }
      const ranges = [...mapped].filter(([, id]) => live.has(id));
      if (ranges.length && r.int(10) < 7) {
        const [v, id] = pick(ranges);
        const b = live.get(id)!;
        // A range reaches its allocation only while it is resident: the workload makes it so first.
        w.push({ op: 'paging-queue', action: 'make-resident', id });
        if (r.int(2) === 0) w.push({ op: 'wait-paging-fence', on: 'gpu', va: v, ...(b.first !== undefined ? { expect: b.first } : {}) });
        else w.push({ op: 'wait-paging-fence', on: 'gpu', va: v + 4 * r.int(b.size / 4) });
      } else if (r.int(2) === 0) w.push({ op: 'wait-paging-fence', on: 'cpu' });
    } else if (x < 96 && a.swizzled) {
      const linear = `l${n++}`;
      w.push({ op: 'create', id: linear, size: a.size, cpuVisible: true }, { op: 'render', allocations: [one] }, { op: 'lock-surface', id: one, linear }, { op: 'unlock', id: linear });
      live.set(linear, { size: a.size, cpuVisible: true, swizzled: false, alternateVA: false, pinned: false, written: false, first: undefined });
    } else w.push({ op: 'wait' });
  }
  w.push({ op: 'verify' });
  // Sub-transfers (and so MdlOffset) and paging buffers too small for a whole operation (MultipassOffset).
  const kernel = {
    ...(r.int(2) === 0 ? { maxTransferSize: pick([4, 16, 64, 256]) * KiB } : {}),
    ...(r.int(10) < 3 ? { pagingBufferSize: pick([256, 1024, 4096]) } : {}),
  };
  // Another device on the interrupt line: the routine must refuse its interrupts whatever the GPU is doing.
  const shared = r.int(3) === 0;
  return {
    name: `random-paths-${k}`,
    seed: 1 + k,
    adapter: { segments, systemMemory: '64MiB', commonBufferBudget: '8MiB', ...(twoEngines ? { engines: 2 } : {}), ...(shared ? { sharedInterruptLine: true } : {}) },
    ...(Object.keys(kernel).length ? { kernel } : {}),
    workload: w,
  } as unknown as ScenarioFile;
}

const COUNT = 80;

/** What the runs did that no step says: evictions through an aperture segment, and for want of room there straight to system memory. */
const reached = { evictionsThrough: 0, evictionsDirect: 0, permanentLocks: 0, permanentDiscards: 0, pinnedResident: 0, pinnedDisturbed: [] as string[] };

async function runAll(driver: Parameters<typeof createMachine>[0]['driver'], count = COUNT): Promise<{ k: number; message: string }[]> {
  const failed: { k: number; message: string }[] = [];
  for (let k = 0; k < count; k++) {
    const machine = await createMachine({ driver, scenario: normalizeScenario(randomWorkload(k), `random-paths-${k}`) });
    const r = machine.run((e) => {
      if (e.kind !== 'kernel') return;
      if (e.what === 'lock' && e.data.permanent === true) reached.permanentLocks++;
      if (e.what === 'eviction' && e.data.by === 'discard' && machine.kernel.byName.get(String(e.data.allocation))?.info.Flags.PermanentSysMem) reached.permanentDiscards++;
      if ((e.what === 'eviction' || e.what === 'relocation') && machine.kernel.byName.get(String(e.data.allocation))?.pinned) reached.pinnedDisturbed.push(`workload ${k}: ${e.message}`);
    });
    for (const a of machine.kernel.byName.values()) if (a.pinned && a.residency === 'resident' && !a.destroyed) reached.pinnedResident++;
    if (!r.ok) failed.push({ k, message: r.error!.message });
    const aperture = (machine.kernel.extension as MemoryPaths | undefined)?.aperture.stats;
    reached.evictionsThrough += aperture?.evictionsThrough ?? 0;
    reached.evictionsDirect += aperture?.evictionsDirect ?? 0;
  }
  return failed;
}

describe('random workloads across the WDK paths', () => {
  it(`the reference driver passes ${COUNT} of them, every kind of step among them`, async () => {
    const kinds = new Set<string>();
    for (let k = 0; k < COUNT; k++) for (const s of randomWorkload(k).workload as Step[]) kinds.add(s.op === 'lock' ? `lock ${String(s.mode)}` : s.op);
    for (let k = 0; k < COUNT; k++) {
      for (const s of randomWorkload(k).workload as Step[]) {
        if (s.op === 'paging-queue') kinds.add(`paging-queue ${String(s.action)}`);
        if (s.op === 'wait-paging-fence') kinds.add(`wait-paging-fence ${String(s.on)}${s.expect !== undefined ? ' expect' : ''}`);
      }
    }
    for (const kind of [
      'render',
      'write',
      'dma-transfer',
      'pressure',
      'defragment',
      'lock system',
      'lock aperture',
      'lock alternate-va',
      'verify',
      'destroy',
      'map-aperture',
      'gpu-write-physical',
      'cpu-read',
      'paging-queue make-resident',
      'paging-queue map-va',
      'paging-queue reserve-va',
      'paging-queue update-page-table',
      'wait-paging-fence cpu',
      'wait-paging-fence gpu',
      'wait-paging-fence gpu expect',
      'lock-surface',
      'wait',
    ]) {
      assert.ok(kinds.has(kind), `no workload has a '${kind}' step`);
    }
    reached.evictionsThrough = reached.evictionsDirect = reached.permanentLocks = reached.permanentDiscards = reached.pinnedResident = 0;
    reached.pinnedDisturbed = [];
    const failed = await runAll(REFERENCE);
    assert.deepEqual(failed, [], failed.map((f) => `workload ${f.k}: ${f.message}`).join('\n'));
    assert.deepEqual(reached.pinnedDisturbed, [], 'an Overlay or Capture allocation was evicted or moved');
    assert.ok(reached.pinnedResident > 10, `${reached.pinnedResident} pinned allocations resident at the end`);
    assert.ok(reached.evictionsThrough > 0, 'some evictions went through an aperture segment');
    assert.ok(reached.permanentLocks > 0 && reached.permanentDiscards > 0, `PermanentSysMem: ${reached.permanentLocks} locks of a resident copy, ${reached.permanentDiscards} clean copies discarded`);
  });

  // The WDK leaves these to the driver; a verdict against any of them would be the simulator's.
  it('choices the WDK leaves to the driver pass too: ALLOCATION_BUSY whenever the idle flag is clear, fills cut into pages across paging buffers, CPU-visible segments preferred, paging on another node, one node', async () => {
    let busy = 0;
    const waiting = await testDriver((init) => ({
      DxgkDdiBuildPagingBuffer: (h, args: DXGKARG_BUILDPAGINGBUFFER) => {
        // "If the idle flag is not set, the driver should always determine that the allocation is
        // either currently busy or might soon become busy": so it may always ask VidMm to wait.
        const flags =
          args.Operation === DXGK_OPERATION_TRANSFER
            ? args.Transfer.Flags
            : args.Operation === DXGK_OPERATION_DISCARD_CONTENT
              ? args.DiscardContent.Flags
              : args.Operation === DXGK_OPERATION_SPECIAL_LOCK_TRANSFER
                ? args.SpecialLockTransfer.Flags
                : undefined;
        if (flags && !flags.AllocationIsIdle) {
          busy++;
          return STATUS_GRAPHICS_ALLOCATION_BUSY;
        }
        return init.DxgkDdiBuildPagingBuffer(h, args);
      },
    }));
    let passes = 0;
    const pageFills = await testDriver((init) => ({
      DxgkDdiBuildPagingBuffer: (h, args: DXGKARG_BUILDPAGINGBUFFER) => {
        if (args.Operation !== DXGK_OPERATION_FILL) return init.DxgkDdiBuildPagingBuffer(h, args);
        // MultipassOffset is the driver's own: here the bytes filled so far, a page per instruction.
        const f = args.Fill;
        const size = instructionSize('fill');
        for (let done = args.MultipassOffset; done < f.FillSize; done += 4096) {
          if (args.DmaSize < size) {
            args.MultipassOffset = done;
            passes++;
            return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
          }
          const at = segmentOperand(h, f.Destination.SegmentId, f.Destination.SegmentAddress, done);
          const n = writeInstruction(args.pDmaBuffer.Bytes, args.pDmaBuffer.Offset, 'fill', [at, Math.min(4096, f.FillSize - done), f.FillPattern]);
          args.pDmaBuffer.Offset += n;
          args.DmaSize -= n;
        }
        return STATUS_SUCCESS;
      },
    }));
    const visibleFirst = await testDriver((init) => ({
      DxgkDdiCreateAllocation: (h, args) => {
        const status = init.DxgkDdiCreateAllocation(h, args);
        for (const info of args.pAllocationInfo) {
          const p = info.PreferredSegment;
          [p.SegmentId0, p.SegmentId1] = [p.SegmentId1 || p.SegmentId0, p.SegmentId1 ? p.SegmentId0 : 0];
        }
        return status;
      },
    }));
    // The nodes the driver exposes and the one it pages on (DXGK_DRIVERCAPS): paging on the last
    // engine, renders on another; or one node for all, however many engines the hardware has.
    const nodes = (set: (caps: DXGK_DRIVERCAPS, engines: number) => void) =>
      testDriver((init) => {
        let engines = 1;
        return {
          DxgkDdiStartDevice: (ctx, info, dxgk) => {
            engines = dxgk.DxgkCbGetDeviceInformation(dxgk.DeviceHandle).Registers.EngineCount;
            return init.DxgkDdiStartDevice(ctx, info, dxgk);
          },
          DxgkDdiQueryAdapterInfo: (h, q) => {
            const status = init.DxgkDdiQueryAdapterInfo(h, q);
            if (q.Type === DXGKQAITYPE_DRIVERCAPS) set(q.pOutputData as DXGK_DRIVERCAPS, engines);
            return status;
          },
        };
      });
    const pagingLast = await nodes((caps, engines) => (caps.MemoryManagementCaps.PagingNode = engines - 1));
    const oneNode = await nodes((caps) => {
      caps.GpuEngineTopology.NbAsymetricProcessingNodes = 1;
      caps.MemoryManagementCaps.PagingNode = 0;
    });
    for (const [name, driver] of [
      ['ALLOCATION_BUSY', waiting],
      ['page fills', pageFills],
      ['CPU-visible first', visibleFirst],
      ['paging on the last node', pagingLast],
      ['one node', oneNode],
    ] as const) {
      const failed = await runAll(driver, 40);
      assert.deepEqual(failed, [], `${name}: ${failed.map((f) => `workload ${f.k}: ${f.message}`).join('\n')}`);
    }
    assert.ok(busy > 100, `ALLOCATION_BUSY returned ${busy} times`);
    assert.ok(passes > 10, `fills cut across paging buffers ${passes} times`);
  });

  // "Supplying Fence Identifiers": the driver may write a buffer's fence from DxgkDdiPatch, at the end
  // of the DMA buffer, or from DxgkDdiSubmitCommand, into its ring; so every buffer, the kernel's own
  // too, goes through both with the same fence id, and VidMm writes no paging buffer itself.
  it('every buffer goes through DxgkDdiPatch, then DxgkDdiSubmitCommand: a driver that writes paging fences from DxgkDdiPatch passes them', async () => {
    const reserve = instructionSize('fence');
    let registers: DEVICE_REGISTERS | undefined;
    let patched: { engine: number; fence: number } | undefined;
    let fenced = 0;
    const patchFences = await testDriver((init) => ({
      DxgkDdiStartDevice: (ctx, info, dxgk) => {
        registers = dxgk.DxgkCbGetDeviceInformation(dxgk.DeviceHandle).Registers;
        return init.DxgkDdiStartDevice(ctx, info, dxgk);
      },
      // Room for the fence at the end of each paging buffer: nops the fence overwrites.
      DxgkDdiBuildPagingBuffer: (h, args: DXGKARG_BUILDPAGINGBUFFER) => {
        if (args.DmaSize < reserve) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
        const before = args.pDmaBuffer.Offset;
        args.DmaSize -= reserve;
        const status = init.DxgkDdiBuildPagingBuffer(h, args);
        args.DmaSize += reserve;
        if ((status === STATUS_SUCCESS || status === STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER) && args.pDmaBuffer.Offset > before) {
          for (let i = 0; i < reserve; i += 4) {
            args.pDmaBuffer.Offset += writeInstruction(args.pDmaBuffer.Bytes, args.pDmaBuffer.Offset, 'nop', []);
            args.DmaSize -= 4;
          }
        }
        return status;
      },
      DxgkDdiPatch: (h, p) => {
        patched = { engine: p.NodeOrdinal, fence: p.SubmissionFenceId };
        if (p.Flags.Paging) {
          writeInstruction(p.pDmaBuffer, p.DmaBufferSubmissionEndOffset - reserve, 'fence', [physicalLocation(0), BigInt(p.SubmissionFenceId)], FenceFlags.Irq);
          fenced++;
        }
        return init.DxgkDdiPatch(h, p);
      },
      DxgkDdiSubmitCommand: (h, s) => {
        if (patched?.engine !== s.NodeOrdinal || patched.fence !== s.SubmissionFenceId) {
          throw new Error(`fence ${s.SubmissionFenceId} on engine ${s.NodeOrdinal} submitted without DxgkDdiPatch (the last patched: ${JSON.stringify(patched)})`);
        }
        patched = undefined;
        if (!s.Flags.Paging) return init.DxgkDdiSubmitCommand(h, s);
        registers!.SubmitDmaBuffer(s.EngineOrdinal, s.DmaBufferPhysicalAddress + s.DmaBufferSubmissionStartOffset, s.DmaBufferSubmissionEndOffset - s.DmaBufferSubmissionStartOffset, s.SubmissionFenceId);
        return STATUS_SUCCESS;
      },
    }));
    const failed = await runAll(patchFences);
    assert.deepEqual(failed, [], failed.map((f) => `workload ${f.k}: ${f.message}`).join('\n'));
    assert.ok(fenced > 1000, `${fenced} paging fences written from DxgkDdiPatch`);
  });

  it('a driver that asks for SynchronousPaging on every allocation has both promises kept, and passes them', async () => {
    const checker = await synchronousChecker();
    const failed = await runAll(checker.driver, 40);
    assert.deepEqual(failed, [], failed.map((f) => `workload ${f.k}: ${f.message}`).join('\n'));
    assert.deepEqual(checker.broken.slice(0, 3), []);
    assert.ok(checker.checks > 500, `${checker.checks} submissions checked`);
  });

  // DXGK_BUILDPAGINGBUFFER_NOTIFYRESIDENCY, checked by a driver as it runs: an allocation it reaches by
  // its physical address is, at every render, where the last notification said, through evictions,
  // page-ins and VidMm's moves (to a preferred segment, compaction).
  it('a driver that reaches allocations by the address NotifyResidency gave finds them there at every render', async () => {
    let checks = 0;
    let moves = 0;
    const notified = new Map<unknown, number>();
    const checking = await testDriver((init) => ({
      DxgkDdiBuildPagingBuffer: (h, args: DXGKARG_BUILDPAGINGBUFFER) => {
        if (args.Operation === DXGK_OPERATION_NOTIFY_RESIDENCY) {
          const n = args.NotifyResidency;
          const before = notified.get(n.hAllocation);
          if (n.Resident && before !== undefined && before !== n.PhysicalAddress) moves++;
          if (n.Resident) notified.set(n.hAllocation, n.PhysicalAddress);
          else notified.delete(n.hAllocation);
        }
        return init.DxgkDdiBuildPagingBuffer(h, args);
      },
      DxgkDdiPatch: (h, p) => {
        for (const entry of p.pAllocationList ?? []) {
          const at = notified.get(entry.hDeviceSpecificAllocation);
          if (at === undefined) continue;
          checks++;
          if (at !== entry.PhysicalAddress) throw new Error(`notified at 0x${at.toString(16)}, rendered at 0x${entry.PhysicalAddress.toString(16)}`);
        }
        return init.DxgkDdiPatch(h, p);
      },
    }));
    const failed = await runAll(checking, 40);
    assert.deepEqual(failed, [], failed.map((f) => `workload ${f.k}: ${f.message}`).join('\n'));
    assert.ok(checks > 100, `${checks} renders of notified allocations checked`);
    assert.ok(moves > 5, `${moves} notified allocations moved while resident`);
  });

  it('they reach sub-transfers: a driver that ignores MdlOffset is caught', async () => {
    const ignoring = await testDriver((init) => ({
      DxgkDdiBuildPagingBuffer: (h, args: DXGKARG_BUILDPAGINGBUFFER) =>
        init.DxgkDdiBuildPagingBuffer(h, args.Operation === DXGK_OPERATION_TRANSFER ? { ...args, Transfer: { ...args.Transfer, MdlOffset: 0 } } : args),
    }));
    const failed = await runAll(ignoring);
    assert.ok(failed.length > 0, 'no workload noticed');
  });

  it('they check the GPU virtual ranges: a driver whose UpdatePageTable drops the Invalid flag is caught', async () => {
    const dropping = await testDriver((init) => ({
      DxgkDdiBuildPagingBuffer: (h, args: DXGKARG_BUILDPAGINGBUFFER) =>
        init.DxgkDdiBuildPagingBuffer(h, args.Operation === DXGK_OPERATION_UPDATE_PAGE_TABLE ? { ...args, UpdatePageTable: { ...args.UpdatePageTable, Invalid: false } } : args),
    }));
    const failed = await runAll(dropping);
    assert.ok(failed.length > 0, 'no workload noticed');
    assert.ok(failed.every((f) => /^GPU VA 0x[0-9a-f]+, page \d+ of the range at 0x[0-9a-f]+ (mapped to '\w+'|made not present through the device paging queue), reaches /.test(f.message)), failed.map((f) => f.message).join('\n'));
  });

  it('they do check the content: a driver whose transfers to the device send one page is caught', async () => {
    const short = await testDriver((init) => ({
      DxgkDdiBusMasterTransfer: (h, args) => init.DxgkDdiBusMasterTransfer!(h, { ...args, Length: Math.min(args.Length, 4096) }),
    }));
    const failed = await runAll(short);
    assert.ok(failed.length > 0, 'no workload noticed');
    assert.ok(failed.every((f) => /^content of '\w+' is wrong at byte \d+/.test(f.message)), failed.map((f) => f.message).join('\n'));
  });

  it('some share the interrupt line: a routine that claims every interrupt is caught on exactly those', async () => {
    const claiming = await testDriver((init) => ({
      DxgkDdiInterruptRoutine: (ctx, n) => {
        init.DxgkDdiInterruptRoutine(ctx, n);
        return true;
      },
    }));
    const failed = await runAll(claiming);
    const shared = [...Array(COUNT).keys()].filter((k) => (randomWorkload(k).adapter as { sharedInterruptLine?: boolean }).sharedInterruptLine);
    assert.ok(shared.length >= COUNT / 5, `${shared.length} of ${COUNT} share the line`);
    assert.deepEqual(failed.map((f) => f.k), shared);
    assert.ok(failed.every((f) => /^verifier: interrupt-claimed-foreign: /.test(f.message)), failed.map((f) => f.message).join('\n'));
  });
});

