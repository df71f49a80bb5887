// DXGK_OPERATION_NOTIFY_RESIDENCY (DXGK_BUILDPAGINGBUFFER_NOTIFYRESIDENCY): "issued only for
// allocations, for which the kernel mode driver sets the ExplicitResidencyNotification and
// AccessedPhysically flags ... after FillVirtual or TransferVirtual operations when the allocation
// is committed to a memory segment (Resident == 1) ... before TransferVirtual operation when the
// allocation is evicted (Resident == 0) ... only once during allocation eviction/commitment". Here
// the commit and eviction operations are Transfer, Fill and DiscardContent; the reference driver
// writes nothing for the notification and notes the address.

import assert from 'node:assert/strict';
import { DXGK_OPERATION_NAMES, type DXGKARG_CREATEALLOCATION, type DXGKARG_PATCH } from '../../../src/sim/ddi/contract';
import type { MachineEvent } from '../../../src/sim/machine';
import { REFERENCE } from '../verifier/helpers';
import { runScenario, scenario, testDriver } from './helpers';

const workload = (privateData: Record<string, unknown>) =>
  scenario({
    seed: 5,
    adapter: { segments: [{ name: 'vram', kind: 'memory', size: '256KiB', cpuVisible: true }], systemMemory: '64MiB', commonBufferBudget: '4MiB' },
    workload: [
      { op: 'create', id: 'ring', size: '128KiB', privateData },
      { op: 'create', id: 'b', size: '128KiB' },
      { op: 'create', id: 'c', size: '128KiB' },
      { op: 'write', id: 'ring', offset: 0, length: 4096, seed: 1 },
      { op: 'render', allocations: ['ring', 'b'] },
      { op: 'render', allocations: ['b', 'c'] },
      { op: 'render', allocations: ['ring'] },
      { op: 'verify' },
    ],
  });

/** The paging operations built for the allocation whose driver handle is `h`, in order: name, and for NotifyResidency its members. */
function operationsOf(events: MachineEvent[], h: unknown): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.kind !== 'ddi-entry' || e.call.ddi !== 'DxgkDdiBuildPagingBuffer') continue;
    const args = e.call.args as Record<string, { hAllocation?: unknown; Resident?: number; PhysicalAddress?: number } | number>;
    const name = DXGK_OPERATION_NAMES[args.Operation as number];
    const member = args[name];
    if (typeof member !== 'object' || member.hAllocation !== h) continue;
    out.push(name === 'NotifyResidency' ? `NotifyResidency Resident=${member.Resident} PhysicalAddress=0x${member.PhysicalAddress!.toString(16)}` : name);
  }
  return out;
}

describe('NotifyResidency', () => {
  it('comes after the operations that commit the allocation and before those that evict it, once each, with its address', async () => {
    const run = await runScenario(REFERENCE, workload({ accessedPhysically: true, residencyNotification: true }));
    assert.equal(run.result.ok, true, run.result.error?.message);
    const k = run.machine.kernel;
    const ring = k.byName.get('ring')!;
    const base = k.vidmm.segment(1)!.descriptor.BaseAddress;
    assert.deepEqual(operationsOf(run.events, ring.hAllocation), [
      'Transfer',
      `NotifyResidency Resident=1 PhysicalAddress=0x${base.toString(16)}`,
      `NotifyResidency Resident=0 PhysicalAddress=0x0`,
      'Transfer',
      'Transfer',
      `NotifyResidency Resident=1 PhysicalAddress=0x${(base + ring.offset).toString(16)}`,
    ]);
    assert.equal(ring.offset, 0x20000, 'committed the second time at another place, which the notification gave');
    // Allocations that did not ask are not notified.
    assert.ok(!operationsOf(run.events, k.byName.get('b')!.hAllocation).includes('NotifyResidency'));
  });

  // The promise, checked by a driver as it runs: an allocation it reaches by its physical address is,
  // at every render that uses it, where the last NotifyResidency said, also after VidMm moved it.
  const checking = () =>
    testDriver((init) => ({
      DxgkDdiPatch(h, args: DXGKARG_PATCH) {
        for (const entry of args.pAllocationList ?? []) {
          // The reference driver notes the address of the allocations that asked (undefined for the others, and while evicted).
          const mine = entry.hDeviceSpecificAllocation as { physicalAddress: number | undefined } | null;
          if (mine?.physicalAddress !== undefined && mine.physicalAddress !== entry.PhysicalAddress) {
            throw new Error(`notified at 0x${mine.physicalAddress.toString(16)}, rendered at 0x${entry.PhysicalAddress.toString(16)}`);
          }
        }
        return init.DxgkDdiPatch(h, args);
      },
    }));

  it('follows a move to the preferred segment: the driver finds the allocation where it was told, at each render', async () => {
    const moved = scenario({
      seed: 7,
      adapter: {
        segments: [
          { name: 'vram', kind: 'memory', size: '256KiB', cpuVisible: true },
          { name: 'local', kind: 'memory', size: '256KiB' },
        ],
        systemMemory: '64MiB',
        commonBufferBudget: '4MiB',
      },
      workload: [
        // The reference driver prefers 'local' for both: 'big' fills it, so 'ring' is placed in 'vram'; once 'big' is gone, 'ring' moves.
        { op: 'create', id: 'big', size: '256KiB' },
        { op: 'create', id: 'ring', size: '64KiB', privateData: { accessedPhysically: true, residencyNotification: true } },
        { op: 'write', id: 'ring', offset: 0, length: 4096, seed: 3 },
        { op: 'render', allocations: ['big', 'ring'] },
        { op: 'destroy', id: 'big' },
        { op: 'render', allocations: ['ring'] },
        { op: 'verify' },
      ],
    });
    const run = await runScenario(await checking(), moved);
    assert.equal(run.result.ok, true, run.result.error?.message);
    const k = run.machine.kernel;
    const ring = k.byName.get('ring')!;
    assert.equal(k.vidmm.segment(ring.segmentId)!.name, 'local', 'moved to its preferred segment');
    assert.ok(run.events.some((e) => e.kind === 'kernel' && e.what === 'relocation'), 'a move happened');
    const ops = operationsOf(run.events, ring.hAllocation);
    assert.equal(ops.at(-1), `NotifyResidency Resident=1 PhysicalAddress=0x${k.vidmm.segmentAddress(ring.segmentId, ring.offset).toString(16)}`, ops.join(', '));
  });

  it('follows a compaction move', async () => {
    const compacted = scenario({
      seed: 7,
      workload: [
        { op: 'create', id: 'x', size: '32KiB' },
        { op: 'create', id: 'ring', size: '64KiB', privateData: { accessedPhysically: true, residencyNotification: true } },
        { op: 'write', id: 'ring', seed: 4 },
        { op: 'render', allocations: ['x', 'ring'] },
        { op: 'destroy', id: 'x' },
        { op: 'defragment', segment: 'local' },
        { op: 'render', allocations: ['ring'] },
        { op: 'verify' },
      ],
    });
    const run = await runScenario(await checking(), compacted);
    assert.equal(run.result.ok, true, run.result.error?.message);
    const ring = run.machine.kernel.byName.get('ring')!;
    assert.equal(ring.offset, 0, 'moved down into the hole');
    // Compaction moves raw bytes (a Transfer with hAllocation NULL): only the notification names the allocation.
    const at = (offset: number) => `NotifyResidency Resident=1 PhysicalAddress=0x${run.machine.kernel.vidmm.segmentAddress(ring.segmentId, offset).toString(16)}`;
    assert.deepEqual(operationsOf(run.events, ring.hAllocation), ['Transfer', at(0x8000), at(0)]);
  });

  it('is not issued for AccessedPhysically alone', async () => {
    const run = await runScenario(REFERENCE, workload({ accessedPhysically: true }));
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.deepEqual(operationsOf(run.events, run.machine.kernel.byName.get('ring')!.hAllocation), ['Transfer', 'Transfer', 'Transfer']);
  });

  it('ExplicitResidencyNotification without AccessedPhysically is refused at DxgkDdiCreateAllocation', async () => {
    const driver = await testDriver((init) => ({
      DxgkDdiCreateAllocation(h, args: DXGKARG_CREATEALLOCATION) {
        const st = init.DxgkDdiCreateAllocation(h, args);
        for (const info of args.pAllocationInfo) info.Flags.ExplicitResidencyNotification = true;
        return st;
      },
    }));
    const run = await runScenario(driver, workload({}));
    assert.equal(run.result.ok, false);
    assert.match(run.result.error!.message, /DxgkDdiCreateAllocation for 'ring': Flags\.ExplicitResidencyNotification is set without Flags\.AccessedPhysically/);
  });
});
