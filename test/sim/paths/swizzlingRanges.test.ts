// Swizzling ranges as DxgkDdiAcquireSwizzlingRange's page has VidMm keep them: cached with the
// allocation after the unlock, released when it is evicted, moved or destroyed, and taken from
// another allocation (then asked for again) when none is free or the driver answers
// STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE, until none is left to release.

import assert from 'node:assert/strict';
import {
  DXGKQAITYPE_DRIVERCAPS,
  STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE,
  STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNSUPPORTED,
  STATUS_SUCCESS,
  type DXGK_DRIVERCAPS,
  type DXGKARG_ACQUIRESWIZZLINGRANGE,
  type NTSTATUS,
} from '../../../src/sim/ddi/contract';
import type { MachineEvent } from '../../../src/sim/machine';
import type { MemoryPaths } from '../../../src/sim/kernel/memoryPaths';
import type { ScenarioFile } from '../../../src/sim/scenario';
import { ddiReturns, referenceDriver, runScenario, scenario, testDriver } from '../kernel/helpers';

type KernelEvent = Extract<MachineEvent, { kind: 'kernel' }>;
type Workload = NonNullable<ScenarioFile['workload']>;

const swizzled = (id: string) => ({ op: 'create' as const, id, size: '64KiB', cpuVisible: true, privateData: { swizzled: true } });
const lock = (id: string) => ({ op: 'lock' as const, id, mode: 'aperture' as const });
const unlock = (id: string) => ({ op: 'unlock' as const, id });

/** The swizzling-range DDI calls in order, as "Acquire a 0" / "Release a 0" (allocation by name, RangeId), with the status when it is not success. */
function rangeCalls(run: { events: MachineEvent[] }): string[] {
  // The driver's handle of each allocation: its DxgkDdiCreateAllocation, then the kernel's event naming it.
  const names = new Map<unknown, string>();
  let created: unknown;
  return run.events.flatMap((e) => {
    if (e.kind === 'ddi-return' && e.call.ddi === 'DxgkDdiCreateAllocation') created = (e.call.args as { pAllocationInfo: { hAllocation: unknown }[] }).pAllocationInfo[0].hAllocation;
    if (e.kind === 'kernel' && e.what === 'allocation-created') names.set(created, e.data.allocation as string);
    if (e.kind !== 'ddi-return' || !/SwizzlingRange$/.test(e.call.ddi)) return [];
    const args = e.call.args as { hAllocation: unknown; RangeId: number };
    const status = e.call.status === STATUS_SUCCESS ? '' : ` 0x${((e.call.status as number) >>> 0).toString(16)}`;
    return [`${e.call.ddi.replace(/^DxgkDdi|SwizzlingRange$/g, '')} ${names.get(args.hAllocation)} ${args.RangeId}${status}`];
  });
}

const lockOf = (events: MachineEvent[], name: string) => events.filter((e): e is KernelEvent => e.kind === 'kernel' && e.what === 'lock' && e.data.allocation === name && e.data.mode !== undefined);

async function run(workload: Workload, driver?: Awaited<ReturnType<typeof referenceDriver>>) {
  const r = await runScenario(driver ?? (await referenceDriver()), scenario({ workload }));
  assert.equal(r.result.ok, true, r.result.error?.message);
  return r;
}

describe('swizzling ranges: cached with the allocation, released when it moves or goes, taken when another needs one', () => {
  it('a range is cached after the unlock: the next lock uses it without asking the driver, and it is released before DxgkDdiDestroyAllocation', async () => {
    const r = await run([swizzled('a'), lock('a'), unlock('a'), lock('a'), unlock('a'), { op: 'destroy', id: 'a' }]);
    assert.deepEqual(rangeCalls(r), ['Acquire a 0', 'Release a 0']);
    const locks = lockOf(r.events, 'a');
    assert.equal(locks.length, 2);
    assert.match(locks[1].message, /swizzling range 0 \(cached since an earlier lock: the driver is not asked again\)$/);
    const release = r.events.findIndex((e) => e.kind === 'ddi-return' && e.call.ddi === 'DxgkDdiReleaseSwizzlingRange');
    const destroy = r.events.findIndex((e) => e.kind === 'ddi-entry' && e.call.ddi === 'DxgkDdiDestroyAllocation');
    assert.ok(release >= 0 && release < destroy, 'released before the allocation is destroyed');
    assert.equal(r.machine.gpu.swizzlingRanges().length, 0);
  });

  it('the cache is keyed by the lock\'s PrivateDriverData too: the same value uses the cached range, another has it released and acquired again', async () => {
    const lockWith = (privateDriverData: number) => ({ ...lock('a'), privateDriverData });
    const r = await run([swizzled('a'), lockWith(7), unlock('a'), lockWith(7), unlock('a'), lockWith(9), unlock('a')]);
    assert.deepEqual(rangeCalls(r), ['Acquire a 0', 'Release a 0', 'Acquire a 0']);
    const priv = r.events.flatMap((e) => (e.kind === 'ddi-return' && /SwizzlingRange$/.test(e.call.ddi) ? [(e.call.args as { PrivateDriverData: number }).PrivateDriverData] : []));
    assert.deepEqual(priv, [7, 7, 9], 'the release names the private data the range was acquired for');
    const note = r.events.find((e): e is KernelEvent => e.kind === 'kernel' && e.what === 'swizzling-range');
    assert.match(note?.message ?? '', /acquired for PrivateDriverData 7, this lock has 9: VidMm releases it and asks again/);
    assert.match(lockOf(r.events, 'a')[1].message, /cached since an earlier lock/);
  });

  it('a cached range is released when its allocation is evicted, and when compaction moves it', async () => {
    const evicted = await run([swizzled('a'), lock('a'), unlock('a'), { op: 'pressure', bytes: '1MiB' }]);
    const eviction = evicted.events.findIndex((e) => e.kind === 'kernel' && e.what === 'eviction' && e.data.allocation === 'a');
    const release = evicted.events.findIndex((e) => e.kind === 'ddi-return' && e.call.ddi === 'DxgkDdiReleaseSwizzlingRange');
    assert.ok(eviction >= 0 && release > eviction);
    assert.equal(evicted.machine.gpu.swizzlingRanges().length, 0);

    const moved = await run([
      { op: 'create', id: 'x', size: '64KiB', cpuVisible: true },
      swizzled('a'),
      { op: 'render', allocations: ['x', 'a'] },
      lock('a'),
      unlock('a'),
      { op: 'destroy', id: 'x' },
      { op: 'defragment', segment: 'vram' },
      lock('a'),
    ]);
    const relocation = moved.events.findIndex((e) => e.kind === 'kernel' && e.what === 'relocation' && e.data.allocation === 'a');
    assert.ok(relocation >= 0, 'compaction moved a');
    // Released after the move, then acquired again at the new place for the next lock.
    assert.deepEqual(rangeCalls(moved), ['Acquire a 0', 'Release a 0', 'Acquire a 0']);
    const [first, second] = ddiReturns(moved.events, 'DxgkDdiAcquireSwizzlingRange').map((e) => e.call.args as unknown as DXGKARG_ACQUIRESWIZZLINGRANGE);
    assert.notEqual(second.SegmentAddress, first.SegmentAddress);
    assert.equal(second.SegmentAddress, moved.machine.kernel.byName.get('a')!.offset);
  });

  it('with no range free, a cached range is taken before any lock\'s: no eviction', async () => {
    const driver = await testDriver((init) => ({
      DxgkDdiQueryAdapterInfo(h, q) {
        const st = init.DxgkDdiQueryAdapterInfo(h, q);
        if (q.Type === DXGKQAITYPE_DRIVERCAPS) (q.pOutputData as DXGK_DRIVERCAPS).NumberOfSwizzlingRanges = 2;
        return st;
      },
    }));
    const r = await run([swizzled('a'), swizzled('b'), swizzled('c'), lock('a'), unlock('a'), lock('b'), lock('c')], driver);
    assert.deepEqual(rangeCalls(r), ['Acquire a 0', 'Acquire b 1', 'Release a 0', 'Acquire c 0']);
    const taken = r.events.filter((e): e is KernelEvent => e.kind === 'kernel' && e.what === 'swizzling-range');
    assert.equal(taken.length, 1);
    assert.match(taken[0].message, /VidMm releases swizzling range 0 of 'a' \(cached since its unlock\) for 'c'/);
    assert.ok(!r.events.some((e) => e.kind === 'kernel' && e.what === 'eviction'), 'nothing evicted');
    assert.equal(lockOf(r.events, 'c')[0].data.mode, 'aperture');
    assert.equal((r.machine.kernel.extension as MemoryPaths).cpu.mapping(r.machine.kernel.byName.get('b')!)?.kind, 'aperture');
    // What a debugger shows of each allocation: the range VidMm holds for it, and whether a lock uses it.
    const view = (name: string) => r.machine.state().allocations.find((a) => a.name === name)!;
    assert.equal(view('a').swizzlingRange, undefined);
    assert.deepEqual(view('b').swizzlingRange, { id: 1, data: view('b').swizzlingRange!.data, privateData: 0, inUse: true });
    assert.equal(view('c').swizzlingRange?.id, 0);
  });

  it('UNAVAILABLE after every range is released: VidMm gives up, and the application uses system memory', async () => {
    let asked = 0;
    // A driver whose hardware resource runs out after its first range.
    const driver = await testDriver((init) => ({
      DxgkDdiAcquireSwizzlingRange: (h, args): NTSTATUS => (asked++ === 0 ? init.DxgkDdiAcquireSwizzlingRange!(h, args) : STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE),
    }));
    const r = await run([swizzled('a'), swizzled('b'), lock('a'), lock('b'), { op: 'write', id: 'b', seed: 5 }, unlock('b'), unlock('a'), { op: 'verify' }], driver);
    const u = STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE.toString(16);
    assert.deepEqual(rangeCalls(r), ['Acquire a 0', `Acquire b 1 0x${u}`, 'Release a 0', `Acquire b 0 0x${u}`]);
    const notes = r.events.filter((e): e is KernelEvent => e.kind === 'kernel' && e.what === 'swizzling-range').map((e) => e.message);
    assert.match(notes[0], /^DxgkDdiAcquireSwizzlingRange answered STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE: VidMm releases swizzling range 0 of 'a' \(locked: VidMm evicts it under the lock/);
    assert.match(notes[1], /failed with STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE with no swizzling range left in use to release: evicting it/);
    assert.equal(lockOf(r.events, 'b')[0].data.mode, 'system');
    assert.ok(lockOf(r.events, 'a').some((e) => e.data.mode === 'system' && /evicted while locked/.test(e.message)), "a's application went on in system memory");
  });

  it('UNSUPPORTED: VidMm fails "without making further attempts" and takes no range from another lock', async () => {
    let asked = 0;
    const driver = await testDriver((init) => ({
      DxgkDdiAcquireSwizzlingRange: (h, args): NTSTATUS => (asked++ === 0 ? init.DxgkDdiAcquireSwizzlingRange!(h, args) : STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNSUPPORTED),
    }));
    const r = await run([swizzled('a'), swizzled('b'), lock('a'), lock('b'), unlock('b'), unlock('a')], driver);
    assert.deepEqual(rangeCalls(r), ['Acquire a 0', `Acquire b 1 0x${STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNSUPPORTED.toString(16)}`]);
    assert.equal(lockOf(r.events, 'a')[0].data.mode, 'aperture');
    assert.equal(lockOf(r.events, 'b')[0].data.mode, 'system');
    assert.ok(!r.events.some((e) => e.kind === 'kernel' && e.what === 'eviction' && e.data.allocation === 'a'));
  });
});
