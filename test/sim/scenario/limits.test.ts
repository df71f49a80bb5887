// Bounded inputs: steps are streamed (repeat and generate expanded as the run pulls them), and the
// limits the schema documents are enforced at validation with the JSON path and the limit.

import assert from 'node:assert/strict';
import { normalizeScenario, ScenarioError, SCENARIO_LIMITS } from '../../../src/sim/scenario';

function problems(data: unknown): { path: string; message: string }[] {
  try {
    normalizeScenario(data, 'test');
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  assert.fail('the scenario should have been refused');
}

describe('sim/scenario: bounded inputs', function () {
  this.timeout(30000);

  it('a workload of 10^7 steps (a repeat) is streamed: checked and counted without expanding it, its steps made as they are pulled', () => {
    const heap = process.memoryUsage().heapUsed;
    const s = normalizeScenario({ workload: [{ op: 'create', id: 'a', size: '4KiB' }, { op: 'repeat', times: 9_999_999, steps: [{ op: 'write', id: 'a' }] }] }, 'test');
    assert.equal(s.steps.length, 10_000_000);
    let n = 0;
    for (const step of s.steps) {
      if (n === 0) assert.equal(step.op, 'create');
      else assert.deepEqual(step, { op: 'write', path: '/workload/1/steps/0', id: 'a', offset: 0, length: undefined, seed: n + 1 });
      if (++n === 1000) break;
    }
    // 10^7 steps made up front would hold hundreds of MiB (and take seconds): the heap says they were not.
    assert.ok(process.memoryUsage().heapUsed - heap < 64 * 1024 * 1024, 'nothing the size of the workload was kept');
  });

  it('a workload past 10^7 steps is refused with the repeat that makes it so and the limit', () => {
    const p = problems({ workload: [{ op: 'create', id: 'a', size: '4KiB' }, { op: 'repeat', times: 100_000, steps: [{ op: 'repeat', times: 1000, steps: [{ op: 'write', id: 'a' }] }] }] });
    assert.deepEqual(p.map((x) => x.path), ['/workload/1/times']);
    assert.match(p[0].message, /100,000,001 steps .* at most 10,000,000 steps/);
    const big = problems({ workload: [{ op: 'repeat', times: 1e9, steps: [{ op: 'wait' }] }] });
    assert.deepEqual(big.map((x) => x.path), ['/workload/0/times']);
    assert.match(big[0].message, /must be <= 10000000, the largest the simulator supports/);
  });

  it('repeats nested 5,000 deep are refused with the path and the depth limit, not a stack overflow', () => {
    let inner: unknown[] = [{ op: 'wait' }];
    for (let i = 0; i < 5000; i++) inner = [{ op: 'repeat', times: 1, steps: inner }];
    const p = problems({ workload: inner });
    assert.equal(p.length, 1);
    assert.equal(p[0].path, '/workload/0' + '/steps/0'.repeat(SCENARIO_LIMITS.repeatDepth));
    assert.match(p[0].message, /nested 65 deep here; a workload may nest repeats at most 64 deep/);
  });

  it('a repeat body is checked for what its first pass leaves: create inside a repeat of 2 is refused, destroy-then-create is not', () => {
    const p = problems({ workload: [{ op: 'repeat', times: 2, steps: [{ op: 'create', id: 'a', size: 4096 }] }] });
    assert.deepEqual(p, [{ path: '/workload/0/steps/0/id', message: "allocation 'a' already exists" }]);
    const ok = normalizeScenario({ workload: [{ op: 'create', id: 'a', size: 4096 }, { op: 'repeat', times: 3, steps: [{ op: 'destroy', id: 'a' }, { op: 'create', id: 'a', size: 4096 }] }] });
    assert.equal(ok.steps.length, 7);
  });

  it('generate: 10^9 steps are refused with the path and the limit; 10^7 stream without being made up front', () => {
    const p = problems({ generate: { allocations: 10, steps: 1e9 } });
    assert.deepEqual(p.map((x) => x.path), ['/generate/steps']);
    assert.match(p[0].message, /must be <= 10000000, the largest the simulator supports/);
    const heap = process.memoryUsage().heapUsed;
    const s = normalizeScenario({ generate: { allocations: 10, steps: 10_000_000 } }, 'test');
    let n = 0;
    for (const step of s.steps) {
      assert.equal(step.path, `/generate/${n}`);
      if (++n === 100) break;
    }
    assert.ok(process.memoryUsage().heapUsed - heap < 64 * 1024 * 1024, 'the 10^7 generated steps were not made up front');
  });

  it('sizes past what the simulator supports are refused with the JSON path and the largest size', () => {
    const p = problems({
      adapter: {
        segments: [{ name: 'v', kind: 'memory', size: 2 ** 60 }, { name: 'g', kind: 'aperture', size: '2048GiB' }],
        systemMemory: '1000000GiB',
      },
      workload: [{ op: 'create', id: 'a', size: '2GiB' }],
    });
    const byPath = Object.fromEntries(p.map((x) => [x.path, x.message]));
    assert.match(byPath['/adapter/segments/0/size'], /^1152921504606847000 is more than the largest memory segment the simulator supports, 1 TiB \(1,099,511,627,776 bytes\)$/);
    assert.match(byPath['/adapter/segments/1/size'], /'2048GiB' is more than the largest aperture segment the simulator supports, 1 TiB/);
    assert.match(byPath['/adapter/systemMemory'], /'1000000GiB' is more than the largest system memory the simulator supports, 1 TiB/);
    assert.match(byPath['/workload/0/size'], /'2GiB' is more than the largest allocation the simulator supports, 1 GiB/);
    const two = problems({ adapter: { segments: [{ name: 'a', kind: 'memory', size: '1024GiB' }, { name: 'b', kind: 'memory', size: '1024GiB' }] } });
    assert.deepEqual(two.map((x) => x.path), ['/adapter/segments']);
    assert.match(two[0].message, /more than the simulator supports, 1 TiB/);
  });
});
