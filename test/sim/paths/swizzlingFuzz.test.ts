// Seeded random workloads of CPU locks through the aperture, renders, memory pressure, compaction,
// priority changes and destroys, against the reference driver with 1 to 4 swizzling ranges declared
// and a hardware that sometimes answers UNAVAILABLE: every run ends clean, VidMm never holds more
// ranges than declared, and every unswizzling range programmed in the hardware lies over an
// allocation VidMm holds a range for (none is left behind by a release, a move or a destroy).

import assert from 'node:assert/strict';
import { DXGKQAITYPE_DRIVERCAPS, STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE, type DXGK_DRIVERCAPS } from '../../../src/sim/ddi/contract';
import { createRandom } from '../../../src/sim/hw/random';
import type { ScenarioFile } from '../../../src/sim/scenario';
import { createMachine } from '../../../src/sim/machine';
import { scenario, testDriver } from '../kernel/helpers';

type Workload = NonNullable<ScenarioFile['workload']>;

function workload(seed: number): Workload {
  const rnd = createRandom(seed);
  const steps: Workload = [];
  const live: { id: string; locked: boolean }[] = [];
  let next = 0;
  const pick = <T>(xs: T[]): T | undefined => (xs.length ? xs[rnd.int(xs.length)] : undefined);
  for (let i = 0; i < 6; i++) {
    const id = `s${next++}`;
    // The reference driver tiles a swizzled surface in 64 KiB bands; a linear one may be any size.
    const swizzled = rnd.int(3) > 0;
    steps.push({ op: 'create', id, size: swizzled ? '64KiB' : `${16 * (1 + rnd.int(4))}KiB`, cpuVisible: true, privateData: { swizzled } });
    live.push({ id, locked: false });
  }
  for (let i = 0; i < 60; i++) {
    const free = live.filter((a) => !a.locked);
    switch (rnd.int(8)) {
      case 0:
      case 1: {
        const a = pick(free);
        if (a) {
          steps.push({ op: 'lock', id: a.id, mode: 'aperture', privateDriverData: rnd.int(2) });
          a.locked = true;
        }
        break;
      }
      case 2: {
        const a = pick(live.filter((x) => x.locked));
        if (a) {
          steps.push({ op: 'write', id: a.id, offset: 0, length: 64, seed: i });
          steps.push({ op: 'unlock', id: a.id });
          a.locked = false;
        }
        break;
      }
      case 3: {
        const a = pick(free);
        if (a) steps.push({ op: 'render', allocations: [a.id], write: rnd.int(2) ? [a.id] : [] });
        break;
      }
      case 4:
        steps.push({ op: 'pressure', bytes: `${64 * (1 + rnd.int(4))}KiB` });
        break;
      case 5:
        steps.push({ op: 'defragment' });
        break;
      case 6: {
        const a = pick(live);
        if (a) steps.push({ op: 'set-priority', id: a.id, priority: pick(['low', 'normal', 'high'] as const)! });
        break;
      }
      default: {
        const a = pick(free);
        if (a && live.length > 3) {
          steps.push({ op: 'destroy', id: a.id });
          live.splice(live.indexOf(a), 1);
          const id = `s${next++}`;
          steps.push({ op: 'create', id, size: '64KiB', cpuVisible: true, privateData: { swizzled: true } });
          live.push({ id, locked: false });
        }
      }
    }
  }
  for (const a of live.filter((x) => x.locked)) steps.push({ op: 'unlock', id: a.id });
  steps.push({ op: 'verify' });
  return steps;
}

describe('swizzling ranges under seeded random workloads', function () {
  this.timeout(120000);
  for (let seed = 1; seed <= 24; seed++) {
    it(`seed ${seed}: ends clean; VidMm holds at most the declared ranges; no hardware range is left behind`, async () => {
      const declared = 1 + (seed % 4);
      const rnd = createRandom(seed * 7919);
      const driver = await testDriver((init) => ({
        DxgkDdiQueryAdapterInfo(h, q) {
          const st = init.DxgkDdiQueryAdapterInfo(h, q);
          if (q.Type === DXGKQAITYPE_DRIVERCAPS) (q.pOutputData as DXGK_DRIVERCAPS).NumberOfSwizzlingRanges = declared;
          return st;
        },
        // A driver-managed resource that sometimes runs out: UNAVAILABLE, so VidMm releases a range and asks again.
        DxgkDdiAcquireSwizzlingRange: (h, args) => (rnd.int(5) === 0 ? STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE : init.DxgkDdiAcquireSwizzlingRange!(h, args)),
      }));
      let most = 0;
      const machine = await createMachine({
        driver,
        scenario: scenario({
          adapter: { segments: [{ name: 'vram', kind: 'memory', size: '384KiB', cpuVisible: true }, { name: 'local', kind: 'memory', size: '256KiB' }] },
          workload: workload(seed),
        }),
      });
      const result = machine.run((e) => {
        if (e.kind === 'ddi-return' && e.call.ddi === 'DxgkDdiAcquireSwizzlingRange') most = Math.max(most, machine.state().allocations.filter((a) => a.swizzlingRange).length);
      });
      const run = { machine, result };
      assert.equal(run.result.ok, true, run.result.error?.message);
      assert.ok(most <= declared, `VidMm held ${most} ranges, ${declared} declared`);
      const state = run.machine.state();
      for (const r of run.machine.gpu.swizzlingRanges()) {
        const over = state.allocations.find((a) => a.segmentId === r.segmentId && a.offset === r.offset && a.swizzlingRange);
        assert.ok(over, `the hardware range at ${r.segmentId}+0x${r.offset.toString(16)} lies over no allocation VidMm holds a range for`);
      }
    });
  }
});
