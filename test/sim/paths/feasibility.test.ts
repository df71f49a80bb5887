// Workloads that cannot run: the generator makes only renders that fit the segments they may use
// (CPU-visible allocations only where the CPU sees them), and a hand-written render that cannot fit
// is refused up front with the limit it hits, instead of failing later as "too fragmented".

import assert from 'node:assert/strict';
import { normalizeScenario } from '../../../src/sim/scenario';
import { packer, packs } from '../../../src/sim/scenario/generate';
import { createRandom } from '../../../src/sim/hw/random';
import { referenceDriver, runScenario, scenario } from '../kernel/helpers';

const SMALL_VISIBLE = {
  segments: [
    { name: 'vram', kind: 'memory' as const, size: '64KiB', cpuVisible: true },
    { name: 'local', kind: 'memory' as const, size: '1MiB' },
  ],
  systemMemory: '64MiB',
};

describe('feasible workloads', function () {
  this.timeout(120000);

  it('the generator makes only renders that fit: 64 KiB of CPU-visible memory, allocations up to 64 KiB, 4 per render, 8 seeds', async () => {
    const driver = await referenceDriver();
    for (let seed = 1; seed <= 8; seed++) {
      const s = normalizeScenario({ seed, adapter: SMALL_VISIBLE, generate: { allocations: 16, steps: 60, minSize: '16KiB', maxSize: '64KiB', allocationsPerRender: 4 } }, `seed ${seed}`);
      assert.ok(s.steps.toArray().some((x) => x.op === 'create' && x.cpuVisible), 'some allocations are CPU-visible');
      const run = await runScenario(driver, s, { keep: () => false });
      assert.equal(run.result.ok, true, `seed ${seed}: ${run.result.error?.message}`);
    }
  });

  it('a render whose CPU-visible allocations exceed the CPU-visible memory is refused with that limit and the step', async () => {
    const run = await runScenario(
      await referenceDriver(),
      normalizeScenario(
        {
          adapter: SMALL_VISIBLE,
          workload: [
            { op: 'create', id: 'a', size: '48KiB', cpuVisible: true },
            { op: 'create', id: 'b', size: '32KiB', cpuVisible: true },
            { op: 'create', id: 'c', size: '32KiB' },
            { op: 'render', allocations: ['a', 'b', 'c'] },
          ],
        },
        'x.json',
      ),
      { keep: () => false },
    );
    assert.equal(run.result.error?.category, 'scenario');
    assert.equal(run.result.error!.path, '/workload/3');
    assert.match(run.result.error!.message, /the render can never be made resident: the CPU-visible allocations 'a', 'b' need 81920 bytes together but may only use vram \(the CPU-visible memory\), which holds 65536 bytes/);
  });

  it('allocations that fit by total size but do not pack into the segments say so, naming the one left without room', async () => {
    // 896 KiB in 1 MiB, and the CPU-visible 'v' fits vram: but 'p' and 'q' cannot both go beside it.
    const run = await runScenario(
      await referenceDriver(),
      scenario({
        workload: [
          { op: 'create', id: 'p', size: '320KiB' },
          { op: 'create', id: 'q', size: '320KiB' },
          { op: 'create', id: 'v', size: '256KiB', cpuVisible: true },
          { op: 'render', allocations: ['p', 'q', 'v'] },
        ],
      }),
      { keep: () => false },
    );
    assert.equal(run.result.error?.category, 'scenario');
    assert.equal(run.result.error!.path, '/workload/3');
    assert.match(run.result.error!.message, /placed largest first into empty segments, 'q' \(327680 bytes\) finds no room in local \(largest hole 196608 of 524288 bytes\), vram \(largest hole 262144 of 524288 bytes\); their sizes do not pack/);
    assert.equal(packs([{ size: 320 * 1024, cpuVisible: false }, { size: 320 * 1024, cpuVisible: false }, { size: 256 * 1024, cpuVisible: true }], [{ size: 512 * 1024, cpuVisible: true }, { size: 512 * 1024, cpuVisible: false }]), false, 'the generator would not make it');
  });

  it('packs: largest first, CPU-visible ones only in CPU-visible segments', () => {
    const segs = [
      { size: 64 * 1024, cpuVisible: true },
      { size: 128 * 1024, cpuVisible: false },
    ];
    assert.equal(packs([{ size: 64 * 1024, cpuVisible: true }, { size: 128 * 1024, cpuVisible: false }], segs), true);
    assert.equal(packs([{ size: 32 * 1024, cpuVisible: true }, { size: 48 * 1024, cpuVisible: true }], segs), false);
    assert.equal(packs([{ size: 160 * 1024, cpuVisible: false }], segs), false);
  });

  it('packer (what the generator asks, small renders answered without placing them) says what packs says', () => {
    const rnd = createRandom(14);
    let small = 0;
    for (let round = 0; round < 4000; round++) {
      const segs = Array.from({ length: rnd.int(4) }, () => ({ size: (1 + rnd.int(16)) * 64 * 1024, cpuVisible: rnd.int(2) === 0 }));
      const list = Array.from({ length: 1 + rnd.int(5) }, () => ({ size: (1 + rnd.int(8)) * 32 * 1024, cpuVisible: rnd.int(3) === 0 }));
      const fast = packer(segs)(list);
      assert.equal(fast, packs(list, segs), JSON.stringify({ segs, list }));
      if (segs.length && list.reduce((n, a) => n + a.size, 0) <= Math.min(...segs.map((x) => x.size))) small++;
    }
    assert.ok(small > 100, `the shortcut was taken ${small} times`);
  });
});
