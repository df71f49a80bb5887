// Settling the driver contexts the collector took: a full collection runs only when one was taken
// (seen directly, or when the list was pruned), and no context made afterwards has a `gc`. The crash
// it prevents (the inspector entering a collected context) is reached by the driver line walk test.
// Each test has a tracker of its own: the thread's holds the contexts of machines other tests made,
// which the collector may take at any time (one taken during the first test failed it in CI).

import assert from 'node:assert/strict';
import vm from 'node:vm';
import { TakenContexts } from '../../../src/sim/driver/takenContexts';
import { fullCollection } from '../../../src/sim/runtime/fullCollection';

/** A full collection for the test itself, once the current job is over (a WeakRef keeps its object alive until then). */
async function collectGarbage(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  fullCollection();
}

/** Contexts made and tracked by `contexts`, with no reference kept here. */
function makeContexts(contexts: TakenContexts, n: number): void {
  for (let i = 0; i < n; i++) contexts.track(vm.runInContext('globalThis', vm.createContext(Object.create(null) as object)) as object);
}

describe('driver contexts the collector took', () => {
  let contexts: TakenContexts;
  beforeEach(() => {
    contexts = new TakenContexts();
  });

  it('collects only when a tracked context was taken', async () => {
    assert.equal(contexts.settle(), false, 'nothing tracked, nothing taken');
    const kept = vm.createContext(Object.create(null) as object);
    contexts.track(vm.runInContext('globalThis', kept) as object);
    await collectGarbage();
    assert.equal(contexts.settle(), false, 'a context still referenced was not taken');
    makeContexts(contexts, 1);
    await collectGarbage();
    assert.equal(contexts.settle(), true, 'the dropped context was taken');
    assert.equal(contexts.settle(), false, 'and is settled once');
    assert.ok(kept);
  });

  it('remembers a context found taken while the list was pruned', async () => {
    makeContexts(contexts, 40);
    await collectGarbage();
    makeContexts(contexts, 200); // pruning happens on the way, and finds the first ones taken
    assert.equal(contexts.settle(), true);
  });

  it('leaves no gc function to contexts made afterwards', async () => {
    makeContexts(contexts, 1);
    await collectGarbage();
    assert.equal(contexts.settle(), true);
    assert.equal(vm.runInNewContext('typeof gc'), 'undefined');
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, process.execArgv.includes('--expose-gc') ? 'function' : 'undefined');
  });
});
