// DXGK_DRIVERCAPS.HighestAcceptableAddress: the highest physical address the GPU can reach. VidMm
// gives the GPU no system page above it (allocations' pages, paging buffers, page lists, DMA
// buffers); a workload that needs more than lies below it does not fit the adapter.
// MaxAllocationListSlotId: the allocation slots a DMA buffer's patch locations may use; the kernel,
// which builds the renders here, names no more allocations in one than the driver has slots.

import assert from 'node:assert/strict';
import { DXGKQAITYPE_DRIVERCAPS, type DXGK_DRIVERCAPS } from '../../../src/sim/ddi/contract';
import { runScenario, scenario, testDriver } from './helpers';

const MiB = 1024 * 1024;

/** The reference driver, with `change` made to the DXGK_DRIVERCAPS it reports. */
const capsSet = (change: (caps: DXGK_DRIVERCAPS) => void) =>
  testDriver((init) => ({
    DxgkDdiQueryAdapterInfo(h, q) {
      const st = init.DxgkDdiQueryAdapterInfo(h, q);
      if (q.Type === DXGKQAITYPE_DRIVERCAPS) change(q.pOutputData as DXGK_DRIVERCAPS);
      return st;
    },
  }));

/** The reference driver, reporting `highest` as HighestAcceptableAddress. */
const reaching = (highest: unknown) => capsSet((caps) => (caps.HighestAcceptableAddress = highest as number));

const workload = (allocations: number) =>
  scenario({
    workload: [
      ...Array.from({ length: allocations }, (_, i) => ({ op: 'create' as const, id: `a${i}`, size: '256KiB', fill: i + 1 })),
      ...Array.from({ length: allocations }, (_, i) => ({ op: 'write' as const, id: `a${i}`, seed: i + 1 })),
      { op: 'pressure' as const, bytes: '1MiB' },
      { op: 'render' as const, allocations: ['a0', 'a1'], write: ['a0'] },
      { op: 'verify' as const },
    ],
  });

describe('DXGK_DRIVERCAPS: HighestAcceptableAddress, MaxAllocationListSlotId', () => {
  it('VidMm gives the GPU no system page above it: a workload that would reach above no longer fits, and says why', async () => {
    const pagesOf = (run: Awaited<ReturnType<typeof runScenario>>) => [...run.machine.kernel.byName.values()].flatMap((a) => a.pages);
    // With all of system memory reachable, this workload's pages go above 2 MiB.
    const all = await runScenario(await reaching(Number.MAX_SAFE_INTEGER), workload(12));
    assert.equal(all.result.ok, true, all.result.error?.message);
    assert.ok(Math.max(...pagesOf(all)) > 2 * MiB, 'the workload reaches above 2 MiB');
    // Held below 2 MiB, it does not fit.
    const held = await runScenario(await reaching(2 * MiB - 1), workload(12));
    assert.equal(held.result.ok, false);
    assert.equal(held.result.error!.category, 'scenario');
    assert.match(held.result.error!.message, /below the GPU's highest acceptable address 0x1fffff \(DXGK_DRIVERCAPS\.HighestAcceptableAddress\); the driver lets the GPU reach no more/);
    // Below 4 MiB it fits, every page under the limit.
    const highest = 4 * MiB - 1;
    const fits = await runScenario(await reaching(highest), workload(12));
    assert.equal(fits.result.ok, true, fits.result.error?.message);
    assert.ok(pagesOf(fits).every((p) => p + 4096 - 1 <= highest));
  });

  it('MaxAllocationListSlotId: a render naming more allocations than the driver has slots is refused, saying to split it', async () => {
    const slots = (n: unknown) => capsSet((caps) => (caps.MaxAllocationListSlotId = n as number));
    const render = (n: number) =>
      scenario({
        workload: [
          ...Array.from({ length: n }, (_, i) => ({ op: 'create' as const, id: `a${i}`, size: '16KiB', fill: i + 1 })),
          { op: 'render' as const, allocations: Array.from({ length: n }, (_, i) => `a${i}`), write: ['a0'] },
          { op: 'verify' as const },
        ],
      });
    const over = await runScenario(await slots(2), render(3));
    assert.equal(over.result.ok, false);
    assert.equal(over.result.error!.category, 'scenario');
    assert.match(over.result.error!.message, /the render names 3 allocations, but the driver's DXGK_DRIVERCAPS\.MaxAllocationListSlotId is 2: .*split the render/);
    for (const [n, count] of [[2, 2], [0, 5]] as const) {
      const run = await runScenario(await slots(n), render(count), { keep: () => false });
      assert.equal(run.result.ok, true, `${n} slots, ${count} allocations: ${run.result.error?.message}`);
    }
    const bad = await runScenario(await slots(-1), render(1), { keep: () => false });
    assert.match(bad.result.error?.message ?? '', /^DXGK_DRIVERCAPS\.MaxAllocationListSlotId is -1: /);
  });

  it('left unset (0), or below 64 KiB, is the driver\'s error, saying what to set', async () => {
    for (const highest of [0, 4095, '0x1000000']) {
      const run = await runScenario(await reaching(highest), workload(2));
      assert.equal(run.result.ok, false, String(highest));
      assert.equal(run.result.error!.category, 'driver');
      assert.match(run.result.error!.message, /^DXGK_DRIVERCAPS\.HighestAcceptableAddress is .*: set it to the highest physical address the GPU can reach/);
    }
  });
});
