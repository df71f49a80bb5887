// "Device Paging Queues" on samples/scenarios/paging-queue.json (two engines) with the reference driver.

import assert from 'node:assert/strict';
import type { MemoryPaths } from '../../../src/sim/kernel/memoryPaths';
import { createMachine, type MachineEvent } from '../../../src/sim/machine';
import { Steps } from '../../../src/sim/scenario';
import { testDriver } from '../kernel/helpers';
import { REFERENCE, sampleScenario } from '../verifier/helpers';

type KernelEvent = Extract<MachineEvent, { kind: 'kernel' }>;

describe('device paging queue', () => {
  it('each operation gets a unique fence value, 0 when done at once; a GPU wait queued into a context stalls until the fence, then the context reads through the page tables; a CPU wait', async () => {
    const machine = await createMachine({ driver: REFERENCE, scenario: sampleScenario('paging-queue') });
    const wdk = machine.kernel.extension as MemoryPaths;
    const events: MachineEvent[] = [];
    let queuedAsync = false;
    const r = machine.run((e) => {
      if (e.kind === 'instruction') return;
      events.push(e);
      // Serviced asynchronously: the step returns before the paging engine has run the operation.
      if (e.kind === 'kernel' && e.what === 'paging-queue' && (e.data.fenceValue as number) > 0 && wdk.pagingQueue.value() < (e.data.fenceValue as number)) queuedAsync = true;
    });
    assert.equal(r.ok, true, r.error?.message);
    const queued = events.filter((e): e is KernelEvent => e.kind === 'kernel' && e.what === 'paging-queue').map((e) => [e.data.action, e.data.fenceValue]);
    assert.deepEqual(queued, [
      ['make-resident', 1],
      ['make-resident', 0],
      ['map-va', 2],
      ['reserve-va', 3],
    ]);
    assert.ok(queuedAsync, 'operations return a fence value before they complete');
    const waits = events.filter((e): e is KernelEvent => e.kind === 'kernel' && e.what === 'paging-fence');
    assert.equal(waits[0].data.on, 'gpu');
    assert.equal(waits[0].data.stalled, true, 'the context reached its wait before the paging engine signaled');
    assert.equal(waits[0].data.read, 287454020, 'read the allocation\'s fill pattern through GPU VA 0x100000');
    assert.equal(waits[1].data.on, 'cpu');
    assert.equal(wdk.pagingQueue.value(), 3);
    // The page tables as the paging engine left them.
    const a = machine.kernel.byName.get('tiles')!;
    const mapped = machine.gpu.pageTableEntry(0x100000);
    assert.deepEqual({ present: mapped.present, segmentId: mapped.segmentId, target: mapped.target }, { present: true, segmentId: a.segmentId, target: a.offset });
    assert.equal(machine.gpu.pageTableEntry(0x200000).present, false, 'a reserved range is not present');
    for (const op of wdk.pagingQueue.operations.filter((o) => o.fenceValue > 0)) assert.ok(op.signaledAt !== undefined && op.signaledAt >= op.queuedAt);
  });

  it('a GPU wait whose context the driver never reports complete blames the driver, not the workload', async () => {
    // Completions of engine 1 (the render engine, where the context that waits runs) are dropped:
    // the paging fence is signaled and the context reads, but its own fence is never reported.
    const silent = await testDriver((init) => ({
      DxgkDdiStartDevice: (ctx, info, dxgk) =>
        init.DxgkDdiStartDevice(ctx, info, {
          ...dxgk,
          DxgkCbNotifyInterrupt: (h, args) => ('DmaCompleted' in args && args.DmaCompleted.NodeOrdinal === 1 ? undefined : dxgk.DxgkCbNotifyInterrupt(h, args)),
        }),
    }));
    const machine = await createMachine({ driver: silent, scenario: sampleScenario('paging-queue') });
    const r = machine.run();
    // Set when the adapter started, from the driver's PagingNode and node count.
    assert.deepEqual([machine.kernel.pagingEngine, machine.kernel.renderEngine], [0, 1]);
    assert.equal(r.ok, false);
    assert.equal(r.error!.category, 'driver', r.error!.message);
    assert.match(r.error!.message, /^the GPU is idle but engine 1 never reported fence 1 complete \(last reported: 0\) while the kernel waited for the context that waits for paging fence 2\./);
  });

  it('a GPU wait on a value never handed out is a scenario error', async () => {
    const s = sampleScenario('paging-queue');
    const list = s.steps.toArray();
    list.splice(1, 0, { op: 'wait-paging-fence', path: '/workload/x', on: 'cpu', value: 9, va: undefined, expect: undefined });
    s.steps = Steps.of(list);
    const machine = await createMachine({ driver: REFERENCE, scenario: s });
    const r = machine.run();
    assert.equal(r.ok, false);
    assert.match(r.error!.message, /paging fence value 9 was never handed out/);
  });
});
