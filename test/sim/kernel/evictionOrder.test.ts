// VidMm's eviction order: lowest priority first ("the likelihood that the allocation remains
// resident", pfnSetPriorityCb), least recently used within a priority; the driver's
// DXGK_ALLOCATIONINFO.AllocationPriority decides, as a run shows.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { D3DDDI_ALLOCATIONPRIORITY_HIGH, D3DDDI_ALLOCATIONPRIORITY_LOW, D3DDDI_ALLOCATIONPRIORITY_NORMAL, type DXGKARG_CREATEALLOCATION } from '../../../src/sim/ddi/contract';
import { priorityName } from '../../../src/sim/ddi/priorities';
import { EvictionOrder } from '../../../src/sim/kernel/evictionOrder';
import { parseScenario } from '../../../src/sim/scenario';
import { referenceDriver, runScenario, SAMPLES, scenario, testDriver } from './helpers';

interface Item {
  name: string;
  priority: number;
  lruStamp: number;
  lruPriority: number;
}

const item = (name: string, priority: number): Item => ({ name, priority, lruStamp: 0, lruPriority: 0 });

function order(o: EvictionOrder<Item>): string[] {
  const out: string[] = [];
  o.first((x) => {
    out.push(x.name);
    return false;
  });
  return out;
}

describe('EvictionOrder', () => {
  it('walks the lowest priority first, least recently used within each; a priority change files the member again', () => {
    const o = new EvictionOrder<Item>();
    const [a, b, c, d] = [item('a', D3DDDI_ALLOCATIONPRIORITY_NORMAL), item('b', D3DDDI_ALLOCATIONPRIORITY_LOW), item('c', D3DDDI_ALLOCATIONPRIORITY_HIGH), item('d', D3DDDI_ALLOCATIONPRIORITY_NORMAL)];
    for (const x of [a, b, c, d]) o.touch(x);
    o.touch(a);
    o.touch(b);
    assert.deepEqual(order(o), ['b', 'd', 'a', 'c']);
    // Raised above everything: last, and its old entry is gone.
    b.priority = D3DDDI_ALLOCATIONPRIORITY_HIGH + 1;
    o.touch(b);
    assert.deepEqual(order(o), ['d', 'a', 'c', 'b']);
    o.delete(c);
    assert.deepEqual(order(o), ['d', 'a', 'b']);
    assert.equal(o.first((x) => x.name !== 'd')?.name, 'a');
  });

  it('one priority is the plain order of use, through thousands of uses and removals', () => {
    let seed = 11;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const items = Array.from({ length: 40 }, (_, i) => item(String(i), D3DDDI_ALLOCATIONPRIORITY_NORMAL));
    const o = new EvictionOrder<Item>();
    const map = new Map<Item, true>();
    for (let i = 0; i < 10000; i++) {
      const x = items[rnd(items.length)];
      map.delete(x);
      if (rnd(4) === 0) o.delete(x);
      else {
        o.touch(x);
        map.set(x, true);
      }
    }
    assert.deepEqual(order(o), [...map.keys()].map((m) => m.name));
  });

  it('with several levels, the first is always the lowest priority, least recently used: against a brute-force pick over 20,000 random changes', () => {
    let seed = 5;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const levels = [D3DDDI_ALLOCATIONPRIORITY_LOW, D3DDDI_ALLOCATIONPRIORITY_NORMAL, D3DDDI_ALLOCATIONPRIORITY_HIGH];
    const items = Array.from({ length: 30 }, (_, i) => item(String(i), levels[i % 3]));
    const o = new EvictionOrder<Item>();
    /** When each member was last used at its current level (undefined: not in the order). */
    const used = new Map<Item, number>();
    for (let t = 1; t <= 20000; t++) {
      const x = items[rnd(items.length)];
      const what = rnd(6);
      if (what === 0) {
        o.delete(x);
        used.delete(x);
      } else if (what === 1) {
        // pfnSetPriorityCb: a member is filed again as just used; one out of the order only changes level.
        x.priority = levels[rnd(3)];
        if (used.has(x)) {
          o.touch(x);
          used.set(x, t);
        }
      } else {
        o.touch(x);
        used.set(x, t);
      }
      const expected = [...used].sort(([a, ta], [b, tb]) => a.priority - b.priority || ta - tb)[0]?.[0];
      assert.equal(o.first(() => true), expected, `after change ${t}`);
    }
  });

  it('names the D3dukmdt.h levels, and others in hex', () => {
    assert.equal(priorityName(D3DDDI_ALLOCATIONPRIORITY_LOW), 'D3DDDI_ALLOCATIONPRIORITY_LOW');
    assert.equal(priorityName(0x78000001), '0x78000001');
  });

  it('a run: the driver\'s low-priority allocation is evicted first though it was used last, then the least recently used', async () => {
    // The driver gives D3DDDI_ALLOCATIONPRIORITY_LOW to allocations whose private data asks for it.
    const driver = await testDriver((init) => ({
      DxgkDdiCreateAllocation(h, args: DXGKARG_CREATEALLOCATION) {
        const st = init.DxgkDdiCreateAllocation(h, args);
        for (const info of args.pAllocationInfo) if ((info.pPrivateDriverData as { low?: boolean }).low) info.AllocationPriority = D3DDDI_ALLOCATIONPRIORITY_LOW;
        return st;
      },
    }));
    const run = await runScenario(
      driver,
      scenario({
        adapter: { segments: [{ name: 'vram', kind: 'memory', size: '256KiB', cpuVisible: true }] },
        workload: [
          { op: 'create', id: 'a', size: '64KiB' },
          { op: 'create', id: 'b', size: '64KiB', privateData: { low: true } },
          { op: 'create', id: 'c', size: '64KiB' },
          { op: 'create', id: 'd', size: '64KiB' },
          { op: 'create', id: 'e', size: '64KiB' },
          { op: 'create', id: 'f', size: '64KiB' },
          { op: 'render', allocations: ['a'] },
          { op: 'render', allocations: ['c'] },
          { op: 'render', allocations: ['d'] },
          { op: 'render', allocations: ['b'] },
          { op: 'render', allocations: ['e'] },
          { op: 'render', allocations: ['f'] },
        ],
      }),
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    const evictions = run.events.filter((e) => e.kind === 'kernel' && e.what === 'eviction');
    assert.deepEqual(evictions.map((e) => (e.kind === 'kernel' ? e.data.allocation : '')), ['b', 'a']);
    assert.match(evictions[0].kind === 'kernel' ? evictions[0].message : '', /^eviction 'b' \(65536 bytes, priority D3DDDI_ALLOCATIONPRIORITY_LOW\) from vram/);
    assert.doesNotMatch(evictions[1].kind === 'kernel' ? evictions[1].message : '', /priority/);
  });
});

describe('the set-priority step (pfnSetPriorityCb)', () => {
  const workload = (priority: unknown) => [
    { op: 'create', id: 'a', size: '64KiB' },
    { op: 'create', id: 'b', size: '64KiB' },
    { op: 'create', id: 'c', size: '64KiB' },
    { op: 'create', id: 'd', size: '64KiB' },
    { op: 'create', id: 'e', size: '64KiB' },
    { op: 'render', allocations: ['a'] },
    { op: 'render', allocations: ['b'] },
    { op: 'render', allocations: ['c'] },
    { op: 'render', allocations: ['d'] },
    { op: 'set-priority', id: 'a', priority },
    { op: 'render', allocations: ['e'] },
  ];
  const small = { segments: [{ name: 'vram', kind: 'memory' as const, size: '256KiB', cpuVisible: true }] };

  it('a raised priority keeps the least recently used allocation resident: the next one at the lower level goes', async () => {
    const run = await runScenario(await referenceDriver(), scenario({ adapter: small, workload: workload('high') as never }));
    assert.equal(run.result.ok, true, run.result.error?.message);
    const kernel = run.events.filter((e) => e.kind === 'kernel');
    const set = kernel.find((e) => e.kind === 'kernel' && e.what === 'priority');
    assert.equal(set?.kind === 'kernel' && set.message, "pfnSetPriorityCb: 'a' priority D3DDDI_ALLOCATIONPRIORITY_NORMAL -> D3DDDI_ALLOCATIONPRIORITY_HIGH");
    assert.deepEqual(kernel.filter((e) => e.kind === 'kernel' && e.what === 'eviction').map((e) => (e.kind === 'kernel' ? e.data.allocation : '')), ['b']);
    // A number between the levels, by its value.
    const between = await runScenario(await referenceDriver(), scenario({ adapter: small, workload: workload(0x28000001) as never }));
    assert.deepEqual(between.events.filter((e) => e.kind === 'kernel' && e.what === 'eviction').map((e) => (e.kind === 'kernel' ? e.data.allocation : '')), ['a']);
    assert.ok(between.events.some((e) => e.kind === 'kernel' && e.what === 'eviction' && / priority 0x28000001\)/.test(e.message)));
  });

  it('a level that is not one, or an allocation that does not exist, is refused with where and why', () => {
    assert.throws(() => scenario({ adapter: small, workload: workload('urgent') as never }), /workload\/9\/priority/);
    assert.throws(() => scenario({ adapter: small, workload: workload(0) as never }), /workload\/9\/priority/);
    assert.throws(() => scenario({ adapter: small, workload: [{ op: 'set-priority', id: 'x', priority: 'low' }] }), /workload\/0\/id.*'x'/);
  });
});

describe('samples/scenarios/priorities.json', () => {
  it('the high-priority render target stays resident while textures take turns; the low-priority staging buffer goes first', async () => {
    const file = join(SAMPLES, 'priorities.json');
    const run = await runScenario(await referenceDriver(), parseScenario(readFileSync(file, 'utf8'), file));
    assert.equal(run.result.ok, true, run.result.error?.message);
    const evicted = run.events.flatMap((e) => (e.kind === 'kernel' && e.what === 'eviction' ? [e.data.allocation] : []));
    assert.deepEqual(evicted, ['staging', 'texture0', 'texture1']);
  });
});
