// The scenario format: sizes, defaults, repeats, the generator's determinism, and the schema file
// VS Code uses agreeing with what the loader accepts.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateWorkload, normalizeScenario, parseScenario, parseSize } from '../../../src/sim/scenario';

const ROOT = join(__dirname, '..', '..', '..');

describe('sim/scenario', () => {
  it('parses byte counts', () => {
    assert.equal(parseSize('64KiB'), 65536);
    assert.equal(parseSize('8 MiB'), 8 * 1024 * 1024);
    assert.equal(parseSize('1GiB'), 1024 ** 3);
    // The limits go up to 1 TiB (a segment, VRAM, system memory): the unit that says so is taken.
    assert.equal(parseSize('1TiB'), 1024 ** 4);
    assert.equal(normalizeScenario({ adapter: { systemMemory: '1TiB' }, workload: [] }).adapter.systemMemory, 1024 ** 4);
    assert.equal(parseSize('0x1000'), 4096);
    assert.equal(parseSize(12), 12);
    assert.ok(Number.isNaN(parseSize('lots')));
  });

  it('expands repeats with paths into the original file, and takes the default adapter', () => {
    const s = normalizeScenario({
      workload: [{ op: 'create', id: 'a', size: '4KiB' }, { op: 'repeat', times: 3, steps: [{ op: 'render', allocations: ['a'] }] }],
    });
    assert.equal(s.steps.length, 4);
    assert.deepEqual(s.steps.toArray().map((x) => x.path), ['/workload/0', '/workload/1/steps/0', '/workload/1/steps/0', '/workload/1/steps/0']);
    assert.deepEqual(s.adapter.segments.map((x) => x.name), ['vram', 'local', 'gart']);
    assert.equal(s.kernel.pagingBuffers, 4);
  });

  it('the generator is deterministic per seed and only references live allocations', () => {
    const o = { seed: 3, allocations: 10, steps: 200, minSize: 4096, maxSize: 65536, allocationsPerRender: 3, weights: {}, verify: true };
    const a = generateWorkload(o);
    assert.deepEqual(a, generateWorkload(o));
    assert.notDeepEqual(a, generateWorkload({ ...o, seed: 4 }));
    // normalizeScenario checks every reference; a dangling one would throw.
    const s = normalizeScenario({ generate: { seed: 3, allocations: 10, steps: 200 } });
    const steps = s.steps.toArray();
    assert.ok(steps.some((x) => x.op === 'render') && steps.some((x) => x.op === 'destroy'));
    assert.equal(steps[steps.length - 1].op, 'verify');
    assert.equal(s.steps.length, steps.length);
  });

  it('--seed overrides the file\'s seed', () => {
    const text = readFileSync(join(ROOT, 'samples', 'scenarios', 'random-pressure.json'), 'utf8');
    assert.equal(parseScenario(text, 'x').seed, 7);
    const a = parseScenario(text, 'x', 8);
    assert.equal(a.seed, 8);
    assert.notDeepEqual(a.steps.toArray(), parseScenario(text, 'x').steps.toArray());
  });

  it('package.json validates *.scenario.json and the sample scenarios with the shipped schema', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const v = pkg.contributes.jsonValidation.find((j: { url: string }) => j.url === './schemas/scenario.schema.json');
    assert.ok(v && v.fileMatch.includes('*.scenario.json'));
    assert.match(readFileSync(join(ROOT, '.vscodeignore'), 'utf8'), /!schemas\/\*\*/);
  });
});
