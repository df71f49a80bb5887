// The driver's microtasks (promise reactions, code after an `await`) run at the end of the DDI call
// that queued them, before the kernel goes on: the queue is drained only when a promise of the
// driver's realm was made or settled during the call, so each way of queueing one is tried here,
// a reaction queued by settling a promise made in an earlier call included.

import assert from 'node:assert/strict';
import { tempDir } from '../../setup';
import { run, wrapReference } from './drivers';

const dir = tempDir('paging-lab-microtasks-');

describe("sim/driver: the driver's microtasks", () => {
  it('run at the end of the DDI call that queued them, however they were queued', async () => {
    const file = wrapReference(
      dir,
      'microtasks.ts',
      [
        'let calls = 0;',
        'let settle: (() => void) | undefined;',
        'function buildPaging(h: unknown, a: unknown): number {',
        '  const n = ++calls;',
        '  if (settle) { const s = settle; settle = undefined; s(); }',
        '  if (n === 1) new Promise<void>((r) => (settle = r)).then(() => console.log(`reaction of call 1 ran in call ${calls}`));',
        '  if (n === 3) (async () => { await null; console.log(`await in call 3 resumed in call ${calls}`); })();',
        '  if (n === 4) Promise.resolve().then(() => console.log(`then in call 4 ran in call ${calls}`));',
        '  return ref.DxgkDdiBuildPagingBuffer(h, a as never);',
        '}',
      ],
      ['DxgkDdiBuildPagingBuffer: buildPaging as never,'],
    );
    const { result, prints } = await run(file);
    assert.ok(result.ok, result.error?.message);
    const mine = prints.filter((p) => / in call \d+/.test(p));
    assert.deepEqual(
      mine.map((p) => p.replace(/^.*?(reaction|await|then)/, '$1')),
      ['reaction of call 1 ran in call 2', 'await in call 3 resumed in call 3', 'then in call 4 ran in call 4'],
    );
  });
});
