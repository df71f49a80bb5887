// "Mapping Virtual Addresses to a Memory Segment": locking a CPU-visible allocation through the
// PCI aperture (samples/scenarios/cpu-access.json with the reference driver).

import assert from 'node:assert/strict';
import type { DXGK_DRIVERCAPS, DXGKARG_ACQUIRESWIZZLINGRANGE } from '../../../src/sim/ddi/contract';
import { DXGKQAITYPE_DRIVERCAPS, STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE, STATUS_SUCCESS } from '../../../src/sim/ddi/contract';
import type { MachineEvent } from '../../../src/sim/machine';
import type { MemoryPaths } from '../../../src/sim/kernel/memoryPaths';
import { runScenario, scenario, testDriver } from '../kernel/helpers';
import { REFERENCE, sampleScenario } from '../verifier/helpers';
import { createMachine } from '../../../src/sim/machine';
import { Steps, type Step } from '../../../src/sim/scenario';

type KernelEvent = Extract<MachineEvent, { kind: 'kernel' }>;

async function start() {
  const machine = await createMachine({ driver: REFERENCE, scenario: sampleScenario('cpu-access') });
  const wdk = machine.kernel.extension as MemoryPaths;
  const events: MachineEvent[] = [];
  const until = (p: (e: MachineEvent) => boolean): MachineEvent => {
    for (let e = machine.next(); e; e = machine.next()) {
      if (e.kind !== 'instruction') events.push(e);
      assert.notEqual(e.kind, 'error', e.kind === 'error' ? e.error.message : '');
      if (p(e)) return e;
    }
    assert.fail('the run ended first');
  };
  return { machine, wdk, events, until };
}

/** The reference driver, declaring `n` swizzling ranges (DXGK_DRIVERCAPS.NumberOfSwizzlingRanges). */
const declaringRanges = (n: number) =>
  testDriver((init) => ({
    DxgkDdiQueryAdapterInfo(h, q) {
      const st = init.DxgkDdiQueryAdapterInfo(h, q);
      if (q.Type === DXGKQAITYPE_DRIVERCAPS) (q.pOutputData as DXGK_DRIVERCAPS).NumberOfSwizzlingRanges = n;
      return st;
    },
  }));

const isLock = (name: string, mode?: string) => (e: MachineEvent) =>
  e.kind === 'kernel' && e.what === 'lock' && e.data.allocation === name && (mode === undefined || e.data.mode === mode);

describe('CPU access through the PCI aperture', () => {
  it('DxgkDdiAcquireSwizzlingRange comes before the mapping, at the allocation\'s fixed place in the aperture; the CPU sees the swizzled surface linearly', async () => {
    const { machine, wdk, events, until } = await start();
    const lock = until(isLock('surface', 'aperture')) as KernelEvent;
    const a = machine.kernel.byName.get('surface')!;
    const acquire = events.filter((e) => e.kind === 'ddi-return' && e.call.ddi === 'DxgkDdiAcquireSwizzlingRange').pop();
    assert.ok(acquire && acquire.kind === 'ddi-return' && events.indexOf(acquire) < events.indexOf(lock));
    const args = acquire.call.args as unknown as DXGKARG_ACQUIRESWIZZLINGRANGE;
    assert.equal(acquire.call.status, STATUS_SUCCESS);
    assert.equal(args.SegmentId, a.segmentId);
    assert.equal(args.SegmentAddress, a.offset);
    assert.equal(args.RangeSize, a.size);
    // Linear access: the allocation's offset in the segment is its offset in the BAR.
    const bar = machine.gpu.segments.find((s) => s.id === a.segmentId)!.barBase!;
    assert.equal(lock.data.barOffset, bar + a.offset);
    assert.equal(machine.gpu.swizzlingRanges().length, 1);
    // Through the aperture the application sees what it wrote; in the segment the bits are tiled.
    const expected = machine.kernel.shadow.get(a)!.bytes();
    assert.deepEqual(wdk.cpu.read(a, 0, a.size), expected);
    assert.notDeepEqual(machine.gpu.readSegment(a.segmentId, a.offset, a.size), expected);
  });

  it('an eviction under the lock is invisible: same CPU address, same bytes, now in system memory; ReleaseSwizzlingRange is called', async () => {
    const { machine, wdk, events, until } = await start();
    const first = until(isLock('surface', 'aperture')) as KernelEvent;
    until((e) => e.kind === 'scenario-step' && e.step.op === 'write');
    until(isLock('linear', 'aperture'));
    const a = machine.kernel.byName.get('surface')!;
    const before = wdk.cpu.read(a, 0, a.size);
    const moved = until(isLock('surface', 'system')) as KernelEvent;
    assert.equal(moved.data.va, first.data.va, 'the same CPU virtual address');
    assert.equal(moved.data.differsAt, -1);
    assert.equal(a.residency, 'system');
    assert.deepEqual(wdk.cpu.read(a, 0, a.size), before);
    assert.ok(events.some((e) => e.kind === 'ddi-return' && e.call.ddi === 'DxgkDdiReleaseSwizzlingRange'));
    // "The zero-based identifier of the swizzling range": the surface took range 0, the linear
    // allocation locked while it was held range 1, and the release names the surface's.
    const ranges = (ddi: string) => events.flatMap((e) => (e.kind === 'ddi-return' && e.call.ddi === ddi ? [(e.call.args as { RangeId: number }).RangeId] : []));
    assert.deepEqual(ranges('DxgkDdiAcquireSwizzlingRange').slice(0, 2), [0, 1]);
    assert.equal(ranges('DxgkDdiReleaseSwizzlingRange')[0], 0);
    // The reference driver unswizzled on the way out.
    const out = events.filter((e) => e.kind === 'ddi-return' && e.call.ddi === 'DxgkDdiBuildPagingBuffer').pop();
    assert.ok(out && out.kind === 'ddi-return');
    const bytes = machine.gpu.readPhysical((out.call.args as { pDmaBuffer: { PhysicalAddress: number } }).pDmaBuffer.PhysicalAddress, 1);
    assert.equal(bytes[0], 0x14, 'the eviction is an `unswizzle` (opcode 0x14), not a plain copy');
    // Later CPU writes go to system memory at the same address.
    until((e) => e.kind === 'kernel' && e.what === 'cpu-write' && e.data.allocation === 'surface' && e.data.offset === 8192);
    assert.deepEqual(wdk.cpu.read(a, 8192, 100), machine.kernel.shadow.get(a)!.bytes(8192, 100));
    assert.equal(wdk.cpu.stats.evictedWhileLocked, 2);
    machine.run();
    assert.equal(machine.result().ok, true, machine.result().error?.message);
  });

  it('with every swizzling range the driver declared held, VidMm releases the oldest lock\'s (evicting it under the lock) and asks for it again', async () => {
    const { machine, wdk, events, until } = await start();
    for (const s of ['s1', 's2', 's3', 's4']) until(isLock(s, 'aperture'));
    assert.equal(machine.gpu.swizzlingRanges().length, 4);
    const s1 = machine.kernel.byName.get('s1')!;
    const s1Before = wdk.cpu.read(s1, 0, s1.size);
    const mapped = until(isLock('surface')) as KernelEvent;
    assert.equal(mapped.data.mode, 'aperture');
    assert.match(mapped.message, /swizzling range 0$/);
    const taken = events.filter((e): e is KernelEvent => e.kind === 'kernel' && e.what === 'swizzling-range').pop()!;
    assert.match(taken.message, /^every one of the 4 swizzling ranges \(DXGK_DRIVERCAPS\.NumberOfSwizzlingRanges\) is held: VidMm releases swizzling range 0 of 's1' \(locked: VidMm evicts it under the lock/);
    // Released before it is given again, and s1's application goes on in system memory with the same bytes.
    const calls = events.slice(events.indexOf(taken)).flatMap((e) => (e.kind === 'ddi-return' && /SwizzlingRange$/.test(e.call.ddi) ? [`${e.call.ddi} ${(e.call.args as { RangeId: number }).RangeId}`] : []));
    assert.deepEqual(calls, ['DxgkDdiReleaseSwizzlingRange 0', 'DxgkDdiAcquireSwizzlingRange 0']);
    assert.equal(wdk.cpu.mapping(s1)?.kind, 'system');
    assert.equal(s1.residency, 'system');
    assert.deepEqual(wdk.cpu.read(s1, 0, s1.size), s1Before);
    assert.equal(wdk.cpu.ranges.stats.taken, 1);
    machine.run();
    assert.equal(machine.result().ok, true, machine.result().error?.message);
  });

  it('a driver that declares more ranges than its hardware has answers UNAVAILABLE; VidMm releases a range in use and asks again', async () => {
    const more = await declaringRanges(8);
    const machine = await createMachine({ driver: more, scenario: sampleScenario('cpu-access') });
    const events: MachineEvent[] = [];
    const until = (p: (e: MachineEvent) => boolean): MachineEvent => {
      for (let e = machine.next(); e; e = machine.next()) {
        if (e.kind !== 'instruction') events.push(e);
        if (p(e)) return e;
      }
      return assert.fail('the run ended first');
    };
    for (const s of ['s1', 's2', 's3', 's4']) until(isLock(s, 'aperture'));
    const mapped = until(isLock('surface')) as KernelEvent;
    assert.equal(mapped.data.mode, 'aperture');
    const acquires = events.filter((e) => e.kind === 'ddi-return' && e.call.ddi === 'DxgkDdiAcquireSwizzlingRange').slice(-2);
    const [refused, granted] = acquires.map((e) => (e.kind === 'ddi-return' ? e.call : assert.fail()));
    assert.equal(refused.status, STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE);
    assert.equal((refused.args as unknown as DXGKARG_ACQUIRESWIZZLINGRANGE).RangeId, 4);
    assert.equal(granted.status, STATUS_SUCCESS);
    assert.equal((granted.args as unknown as DXGKARG_ACQUIRESWIZZLINGRANGE).RangeId, 0, 'the range VidMm released');
    const evicted = events.filter((e): e is KernelEvent => e.kind === 'kernel' && e.what === 'eviction').pop()!;
    assert.equal(evicted.data.allocation, 's1');
    machine.run();
    assert.equal(machine.result().ok, true, machine.result().error?.message);
  });

  it('a driver that supports no swizzling ranges is never asked for one: linear allocations map as they are, swizzled ones go to system memory', async () => {
    const none = await declaringRanges(0);
    const run = await runScenario(none, sampleScenario('cpu-access'));
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.equal(run.events.filter((e) => e.kind === 'ddi-return' && e.call.ddi === 'DxgkDdiAcquireSwizzlingRange').length, 0);
    const locks = run.events.filter((e): e is KernelEvent => e.kind === 'kernel' && e.what === 'lock' && e.data.mode !== undefined);
    const modeOf = (name: string) => locks.find((e) => e.data.allocation === name)?.data.mode;
    assert.equal(modeOf('linear'), 'aperture');
    assert.equal(modeOf('surface'), 'system');
  });

  it('a CPU-visible allocation the driver let into a segment the CPU cannot reach is evicted for the lock, and the application uses system memory', async () => {
    // The driver prefers the local (not CPU-visible) segment for every allocation, CPU-visible or not.
    const driver = await testDriver((init) => ({
      DxgkDdiCreateAllocation(h, args) {
        const st = init.DxgkDdiCreateAllocation(h, args);
        for (const info of args.pAllocationInfo) {
          info.PreferredSegment.SegmentId0 = 2;
          info.PreferredSegment.SegmentId1 = 1;
          info.SupportedReadSegmentSet = info.SupportedWriteSegmentSet = 0b11;
        }
        return st;
      },
    }));
    const run = await runScenario(
      driver,
      scenario({
        workload: [
          { op: 'create', id: 'a', size: '64KiB', cpuVisible: true, fill: 0x01020304 },
          { op: 'render', allocations: ['a'], write: ['a'] },
          { op: 'lock', id: 'a', mode: 'aperture' },
          { op: 'write', id: 'a', offset: 100, length: 5000, seed: 7 },
          { op: 'unlock', id: 'a' },
          { op: 'render', allocations: ['a'], write: ['a'] },
          { op: 'verify' },
        ],
      }),
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    const locks = run.events.filter((e): e is KernelEvent => e.kind === 'kernel' && e.what === 'lock').map((e) => e.message);
    assert.match(locks[0], /^'a' is in segment local, which the CPU cannot reach \(its DXGK_SEGMENTDESCRIPTOR has no CpuVisible flag\): evicting it so the application accesses it in system memory/);
    assert.match(locks[1], /^lock 'a' \(in system memory: its segment is not CPU-visible\) at CPU address 0x/);
    assert.ok(run.events.some((e) => e.kind === 'kernel' && e.what === 'eviction' && e.data.allocation === 'a'));
  });
});

describe('special-lock transfers (UseAlternateVA)', () => {
  it('an eviction under an alternate-VA lock goes to the alternate VA by SpecialLockTransfer, and the unlock pages it back from there', async () => {
    const machine = await createMachine({ driver: REFERENCE, scenario: sampleScenario('special-lock') });
    const events: MachineEvent[] = [];
    const r = machine.run((e) => e.kind !== 'instruction' && events.push(e));
    assert.equal(r.ok, true, r.error?.message);
    const a = machine.kernel.byName.get('staging')!;
    const special = events
      .filter((e): e is Extract<MachineEvent, { kind: 'ddi-return' }> => e.kind === 'ddi-return' && e.call.ddi === 'DxgkDdiBuildPagingBuffer' && (e.call.args as { Operation: number }).Operation === 7)
      .map((e) => (e.call.args as unknown as { SpecialLockTransfer: { Source: { SegmentId: number; pMdl: unknown }; Destination: { SegmentId: number; pMdl: unknown }; TransferSize: number } }).SpecialLockTransfer);
    assert.equal(special.length, 2);
    assert.equal(special[0].Destination.SegmentId, 0, 'out to system memory');
    assert.ok(special[0].Destination.pMdl && special[0].Destination.pMdl !== a.mdl, 'to the alternate VA, not the backing store');
    assert.equal(special[1].Source.SegmentId, 0, 'back in from system memory');
    assert.equal(special[1].Source.pMdl, special[0].Destination.pMdl, 'from the same alternate VA');
    const moved = events.find((e) => e.kind === 'kernel' && e.what === 'lock' && e.data.mode === 'system');
    assert.ok(moved && moved.kind === 'kernel' && moved.data.differsAt === -1, 'the application saw the same bytes');
  });

  it('a SpecialLockTransfer names the swizzling range the lock holds: its RangeId and the driver\'s SwizzlingRangeData', async () => {
    const marking = await testDriver((init) => ({
      DxgkDdiAcquireSwizzlingRange(h, args) {
        const st = init.DxgkDdiAcquireSwizzlingRange!(h, args);
        args.SwizzlingRangeData = 0xabc0 + args.RangeId;
        return st;
      },
    }));
    const run = await runScenario(marking, sampleScenario('special-lock'));
    assert.equal(run.result.ok, true, run.result.error?.message);
    const acquired = run.events.flatMap((e) => (e.kind === 'ddi-return' && e.call.ddi === 'DxgkDdiAcquireSwizzlingRange' ? [(e.call.args as unknown as DXGKARG_ACQUIRESWIZZLINGRANGE).RangeId] : []));
    const special = run.events.flatMap((e) =>
      e.kind === 'ddi-return' && e.call.ddi === 'DxgkDdiBuildPagingBuffer' && (e.call.args as { Operation: number }).Operation === 7
        ? [(e.call.args as unknown as { SpecialLockTransfer: { SwizzlingRangeId: number; SwizzlingRangeData: number } }).SpecialLockTransfer]
        : [],
    );
    assert.ok(special.length > 0 && acquired.length > 0);
    // The eviction under the lock names the lock's range.
    assert.equal(special[0].SwizzlingRangeId, acquired[0]);
    assert.equal(special[0].SwizzlingRangeData, 0xabc0 + acquired[0]);
  });

  it('a driver that did not opt in to UseAlternateVA is never asked for one', async () => {
    const s = sampleScenario('special-lock');
    const steps = s.steps.toArray();
    (steps[0] as Extract<Step, { op: 'create' }>).privateData = {};
    s.steps = Steps.of(steps);
    const machine = await createMachine({ driver: REFERENCE, scenario: s });
    const r = machine.run();
    assert.equal(r.ok, false);
    assert.match(r.error!.message, /does not support UseAlternateVA for 'staging'/);
    assert.equal(r.error!.category, 'scenario');
  });
});

describe('a surface as two allocations (swizzled for the GPU, linear for the application)', () => {
  it('Lock unswizzles into the linear allocation through a patched command buffer, waits for it, and maps the linear one', async () => {
    const machine = await createMachine({ driver: REFERENCE, scenario: sampleScenario('two-allocation-lock') });
    const wdk = machine.kernel.extension as MemoryPaths;
    const events: MachineEvent[] = [];
    let e: MachineEvent | undefined;
    for (e = machine.next(); e && !isLock('texture-linear', 'aperture')(e); e = machine.next()) if (e.kind !== 'instruction') events.push(e);
    assert.ok(e, 'the linear allocation was locked');
    const texture = machine.kernel.byName.get('texture')!;
    const linear = machine.kernel.byName.get('texture-linear')!;
    const written = machine.kernel.shadow.get(texture)!.bytes();
    assert.deepEqual(wdk.cpu.read(linear, 0, linear.size), written, 'the application sees what it wrote, linearly');
    assert.notDeepEqual(machine.gpu.readSegment(texture.segmentId, texture.offset, texture.size), written, 'the GPU\'s copy is swizzled');
    const patch = events.filter((x) => x.kind === 'ddi-return' && x.call.ddi === 'DxgkDdiPatch').pop()!;
    assert.ok(patch.kind === 'ddi-return');
    assert.equal((patch.call.args as { PatchLocationListSize: number }).PatchLocationListSize, 2);
    const done = events.filter((x): x is Extract<MachineEvent, { kind: 'kernel' }> => x.kind === 'kernel' && x.what === 'fence-completed').pop()!;
    assert.match(String(done.data.label), /unswizzle 'texture' -> 'texture-linear'/);
    machine.run();
    assert.equal(machine.result().ok, true, machine.result().error?.message);
  });
});

describe('an allocation mapped for the application is evicted by a transfer, never discarded', () => {
  it('locked through the aperture before anything was written, then evicted under the lock: Transfer to system memory, the application still sees the fill pattern', async () => {
    const s = sampleScenario('cpu-access');
    s.steps = Steps.of([
      { op: 'create', path: '/w/0', id: 'fresh', size: 64 * 1024, alignment: 4096, cpuVisible: true, fill: 0x5a5a1234, privateData: {} },
      { op: 'lock', path: '/w/1', id: 'fresh', mode: 'aperture' },
      { op: 'pressure', path: '/w/2', bytes: 2 * 1024 * 1024 },
      { op: 'unlock', path: '/w/3', id: 'fresh' },
      { op: 'verify', path: '/w/4', ids: undefined },
    ]);
    const machine = await createMachine({ driver: REFERENCE, scenario: s });
    const events: MachineEvent[] = [];
    const r = machine.run((e) => e.kind !== 'instruction' && events.push(e));
    assert.equal(r.ok, true, r.error?.message);
    const eviction = events.find((e): e is KernelEvent => e.kind === 'kernel' && e.what === 'eviction')!;
    assert.equal(eviction.data.by, 'transfer');
    assert.equal(r.stats.discards, 0);
    const moved = events.find((e): e is KernelEvent => e.kind === 'kernel' && e.what === 'lock' && e.data.mode === 'system')!;
    assert.equal(moved.data.differsAt, -1, 'the same bytes at the same CPU address');
  });
});

describe('a CPU-visible swizzled allocation stays out of aperture segments', () => {
  it('aperture-surfaces.json: the reference driver keeps the swizzled CPU-visible surface in CPU-visible VRAM, and the linear buffer goes through the aperture segment', async () => {
    const machine = await createMachine({ driver: REFERENCE, scenario: sampleScenario('aperture-surfaces') });
    const events: MachineEvent[] = [];
    const r = machine.run((e) => e.kind !== 'instruction' && events.push(e));
    assert.equal(r.ok, true, r.error?.message);
    const surface = machine.kernel.byName.get('surface')!;
    assert.deepEqual(surface.candidates.map((id) => machine.kernel.vidmm.segment(id)!.name), ['vram']);
    assert.ok(events.some((e) => e.kind === 'kernel' && e.what === 'aperture-map' && e.data.allocation === 'staging'));
  });

  it('mapping a CPU-visible swizzled allocation into an aperture segment is refused with the WDK\'s sentence and the step', async () => {
    const s = sampleScenario('aperture-surfaces');
    const steps = s.steps.toArray();
    const at = steps.findIndex((x) => x.op === 'map-aperture');
    steps[at] = { ...(steps[at] as Extract<Step, { op: 'map-aperture' }>), id: 'surface' };
    s.steps = Steps.of(steps);
    const r = (await createMachine({ driver: REFERENCE, scenario: s })).run();
    assert.equal(r.ok, false);
    assert.equal(r.error!.category, 'scenario');
    assert.equal(r.error!.path, steps[at].path);
    assert.match(r.error!.message, /'surface' is CPU-visible and swizzled: it cannot be placed in aperture segment gart\. "A CPU-accessible allocation located in an aperture-space segment cannot be swizzled if it is accessed directly by an application"/);
  });
});

describe('a lock of content already in system memory', () => {
  it('pfnLockCb of an allocation in system memory hands the application its pages: the driver is not involved', async () => {
    const s = sampleScenario('cpu-access');
    s.steps = Steps.of([
      { op: 'create', path: '/w/0', id: 'a', size: 16 * 1024, alignment: 4096, cpuVisible: false, fill: 7, privateData: {} },
      { op: 'lock', path: '/w/1', id: 'a' },
      { op: 'unlock', path: '/w/2', id: 'a' },
      { op: 'verify', path: '/w/3', ids: undefined },
    ]);
    const machine = await createMachine({ driver: REFERENCE, scenario: s });
    let step = '';
    const during: string[] = [];
    const r = machine.run((e) => {
      if (e.kind === 'scenario-step') step = e.step.op;
      if (e.kind === 'ddi-entry' && step === 'lock') during.push(e.call.ddi);
    });
    assert.equal(r.ok, true, r.error?.message);
    assert.deepEqual(during, []);
  });
});
