// Settling the driver contexts the collector took: a full collection runs only when one was taken
// (seen directly, or when the list was pruned), and no context made afterwards has a `gc`. The crash
// it prevents (the inspector entering a collected context) is reached by the driver line walk test.

import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { settleTakenContexts, trackDriverContext } from '../../../src/sim/driver/takenContexts';

/** A full collection for the test itself, once the current job is over (a WeakRef keeps its object alive until then). */
async function collectGarbage(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  v8.setFlagsFromString('--no-expose-gc');
  gc();
}

/** Contexts made and tracked, with no reference kept here. */
function makeContexts(n: number): void {
  for (let i = 0; i < n; i++) trackDriverContext(vm.runInContext('globalThis', vm.createContext(Object.create(null) as object)) as object);
}

describe('driver contexts the collector took', () => {
  beforeEach(async () => {
    await collectGarbage();
    settleTakenContexts();
  });

  it('collects only when a tracked context was taken', async () => {
    assert.equal(settleTakenContexts(), false, 'nothing was taken since the last settling');
    const kept = vm.createContext(Object.create(null) as object);
    trackDriverContext(vm.runInContext('globalThis', kept) as object);
    await collectGarbage();
    assert.equal(settleTakenContexts(), false, 'a context still referenced was not taken');
    makeContexts(1);
    await collectGarbage();
    assert.equal(settleTakenContexts(), true, 'the dropped context was taken');
    assert.equal(settleTakenContexts(), false, 'and is settled once');
    assert.ok(kept);
  });

  it('remembers a context found taken while the list was pruned', async () => {
    makeContexts(40);
    await collectGarbage();
    makeContexts(200); // pruning happens on the way, and finds the first ones taken
    assert.equal(settleTakenContexts(), true);
  });

  it('leaves no gc function to contexts made afterwards', async () => {
    makeContexts(1);
    await collectGarbage();
    assert.equal(settleTakenContexts(), true);
    assert.equal(vm.runInNewContext('typeof gc'), 'undefined');
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, process.execArgv.includes('--expose-gc') ? 'function' : 'undefined');
  });
});
