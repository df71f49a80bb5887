// "If the idle flag is set, the video memory manager guarantees that the allocation that is being
// referenced remains idle for the duration of the call", and "When the content of the allocation
// is filled, the allocation is guaranteed to be idle": a correct driver of our own that checks the
// promise as it runs. It remembers, from DxgkDdiPatch, the last submission (engine and fence) that
// referenced each allocation (render DMA buffers by their allocation list, paging buffers by what
// it wrote into them), and at each call with AllocationIsIdle set, or each Fill, it reads the
// engine's completed fence: a reference not yet complete, or work for the allocation still in an
// unsubmitted paging buffer, is a broken promise.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import {
  type DEVICE_REGISTERS,
  type DXGKARG_BUILDPAGINGBUFFER,
  DXGK_OPERATION_FILL,
  DXGK_OPERATION_NAMES,
  type HANDLE,
} from '../../../src/sim/ddi/contract';
import { parseScenario } from '../../../src/sim/scenario';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario, SAMPLES, scenario, testDriver } from '../kernel/helpers';

interface Checker {
  /** Calls on which VidMm promised the allocation idle (AllocationIsIdle set, or a Fill). */
  promises: number;
  broken: string[];
}

async function idleChecker(): Promise<{ driver: Awaited<ReturnType<typeof testDriver>>; checker: Checker }> {
  const checker: Checker = { promises: 0, broken: [] };
  let registers: DEVICE_REGISTERS | undefined;
  /** Per paging buffer (by bus address): allocations we wrote work for since it was last submitted. */
  const building = new Map<number, Set<HANDLE>>();
  /** Per allocation: the last submission that referenced it. */
  const lastReference = new Map<HANDLE, { engine: number; fence: number }>();
  const driver = await testDriver((init) => ({
    DxgkDdiStartDevice(ctx, info, dxgk) {
      registers = dxgk.DxgkCbGetDeviceInformation(dxgk.DeviceHandle).Registers;
      return init.DxgkDdiStartDevice(ctx, info, dxgk);
    },
    DxgkDdiBuildPagingBuffer(h, args: DXGKARG_BUILDPAGINGBUFFER) {
      const name = DXGK_OPERATION_NAMES[args.Operation];
      const member = (args as unknown as Record<string, { hAllocation?: HANDLE; Flags?: { AllocationIsIdle?: boolean } }>)[name];
      const allocation = member?.hAllocation;
      if (allocation && (member.Flags?.AllocationIsIdle || args.Operation === DXGK_OPERATION_FILL)) {
        checker.promises++;
        const what = `${name}${member.Flags?.AllocationIsIdle ? ' with AllocationIsIdle' : ''}`;
        for (const [buffer, set] of building) {
          if (set.has(allocation)) checker.broken.push(`${what}: work for the allocation is still in paging buffer 0x${buffer.toString(16)}, not yet submitted`);
        }
        const ref = lastReference.get(allocation);
        if (ref && registers!.ReadPagingFence(ref.engine) < ref.fence) {
          checker.broken.push(`${what}: engine ${ref.engine} completed fence ${registers!.ReadPagingFence(ref.engine)}, but fence ${ref.fence} references the allocation`);
        }
      }
      const begin = args.pDmaBuffer.Offset;
      const status = init.DxgkDdiBuildPagingBuffer(h, args);
      if (allocation && args.pDmaBuffer.Offset > begin) {
        const set = building.get(args.pDmaBuffer.PhysicalAddress) ?? new Set();
        set.add(allocation);
        building.set(args.pDmaBuffer.PhysicalAddress, set);
      }
      return status;
    },
    DxgkDdiPatch(h, p) {
      const reference = { engine: p.NodeOrdinal, fence: p.SubmissionFenceId };
      if (p.Flags.Paging) {
        for (const a of building.get(p.DmaBufferSegmentAddress) ?? []) lastReference.set(a, reference);
        building.delete(p.DmaBufferSegmentAddress);
      } else {
        for (const entry of p.pAllocationList ?? []) lastReference.set(entry.hDeviceSpecificAllocation, reference);
      }
      return init.DxgkDdiPatch(h, p);
    },
  }));
  return { driver, checker };
}

describe('VidMm keeps its idle promise (AllocationIsIdle, Fill)', function () {
  this.timeout(60000);

  it('allocation-busy.json: a page-in after a queued eviction is not promised idle; every promise holds when checked against the completed fences', async () => {
    const { driver, checker } = await idleChecker();
    const s = parseScenario(readFileSync(join(SAMPLES, 'allocation-busy.json'), 'utf8'), 'allocation-busy.json');
    const run = await runScenario(driver, s, { keep: () => false });
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.ok(checker.promises > 0, 'VidMm promised idleness at least once');
    assert.deepEqual(checker.broken, []);
  });

  it('every sample scenario: no promise broken', async () => {
    let promises = 0;
    for (const file of readdirSync(SAMPLES).filter((f) => f.endsWith('.json'))) {
      const { driver, checker } = await idleChecker();
      const run = await runScenario(driver, parseScenario(readFileSync(join(SAMPLES, file), 'utf8'), file), { keep: () => false });
      assert.equal(run.result.ok, true, `${file}: ${run.result.error?.message}`);
      assert.deepEqual(checker.broken.slice(0, 3), [], file);
      promises += checker.promises;
    }
    assert.ok(promises > 100, `${promises} promises checked`);
  });

  it('a Fill comes only once the discard of the allocation\'s previous placement has run', async () => {
    const { driver, checker } = await idleChecker();
    const run = await runScenario(
      driver,
      scenario({
        kernel: { pagingBufferSize: 4096 },
        workload: [
          { op: 'create', id: 'a', size: '256KiB', fill: 7 },
          { op: 'create', id: 'b', size: '256KiB', fill: 8 },
          { op: 'render', allocations: ['a', 'b'] },
          { op: 'pressure', bytes: '1MiB' },
          { op: 'render', allocations: ['a', 'b'] },
          { op: 'verify' },
        ],
      }),
      { keep: () => false },
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.ok(run.result.stats.discards >= 2 && run.result.stats.fills >= 4);
    assert.deepEqual(checker.broken, []);
  });
});
