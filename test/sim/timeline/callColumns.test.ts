// The moment index's store of DDI calls, column by column: a summary made when asked says what was
// entered (operation, MultipassOffset, the flags set, the cause), the return's moment and status,
// and forgetting the moments after a point forgets the calls entered after it and the returns made
// after it.

import { strict as assert } from 'node:assert';
import { CallColumns } from '../../../src/sim/timeline/callColumns';
import { DXGK_OPERATION_FILL, DXGK_OPERATION_TRANSFER } from '../../../src/sim/ddi/contract';

const STEP = ['step 3: render', 'page in allocation 2'];

function paging(c: CallColumns, id: number, entry: number, flags?: string): void {
  c.enter(id, 'DxgkDdiBuildPagingBuffer', entry, STEP, DXGK_OPERATION_TRANSFER, id - 1, flags);
}

describe('time travel: the calls of the moment index', () => {
  it('summarises a call as entered and as returned', () => {
    const c = new CallColumns();
    paging(c, 1, 10, 'TransferStart|TransferEnd');
    c.enter(2, 'DxgkDdiSubmitCommand', 14, STEP, NaN, NaN, undefined);
    assert.deepEqual(c.summary(1), { id: 1, ddi: 'DxgkDdiBuildPagingBuffer', entry: 10, exit: 0, cause: STEP, operation: 'Transfer', multipassOffset: 0, flags: 'TransferStart|TransferEnd' });
    c.returned(1, 12, 0xc01e0100);
    c.returned(2, 15, 0);
    assert.deepEqual(c.summary(1), { id: 1, ddi: 'DxgkDdiBuildPagingBuffer', entry: 10, exit: 12, cause: STEP, operation: 'Transfer', multipassOffset: 0, flags: 'TransferStart|TransferEnd', status: 0xc01e0100 });
    assert.deepEqual(c.summary(2), { id: 2, ddi: 'DxgkDdiSubmitCommand', entry: 14, exit: 15, cause: STEP, status: 0 });
    assert.equal(c.summary(3), undefined);
    assert.equal(c.summary(0), undefined);
    assert.equal(c.ddiOf(2), 'DxgkDdiSubmitCommand');
    assert.equal(c.statusOf(2), 0);
    assert.equal(c.count, 2);
  });

  it('names an operation it has no name for by its number, and a fill by its name', () => {
    const c = new CallColumns();
    c.enter(1, 'DxgkDdiBuildPagingBuffer', 1, [], 999, NaN, undefined);
    c.enter(2, 'DxgkDdiBuildPagingBuffer', 2, [], DXGK_OPERATION_FILL, NaN, undefined);
    assert.equal(c.summary(1)?.operation, '999');
    assert.equal(c.summary(2)?.operation, 'Fill');
    assert.equal(c.summary(2)?.multipassOffset, undefined);
    assert.equal(c.statusOf(2), undefined, 'not returned');
  });

  it('keeps thousands of calls, and forgets what came after a moment', () => {
    const c = new CallColumns();
    for (let id = 1; id <= 5000; id++) {
      paging(c, id, 2 * id, id % 2 ? 'TransferStart' : undefined);
      if (id < 5000) c.returned(id, 2 * id + 1, 0);
    }
    assert.equal(c.count, 5000);
    assert.equal(c.summary(4999)?.flags, 'TransferStart');
    assert.equal(c.summary(5000)?.flags, undefined);
    assert.equal(c.exitOf(4000), 8001);
    // Moment 8000 is call 4000's entry: it stays, its return (8001) goes; every later call goes.
    c.truncateAfter(8000);
    assert.equal(c.count, 4000);
    assert.equal(c.entryOf(4000), 8000);
    assert.equal(c.exitOf(4000), 0);
    assert.equal(c.statusOf(4000), undefined);
    assert.equal(c.exitOf(3999), 7999);
    assert.equal(c.summary(4001), undefined);
    // Entered again (the run went another way): counted once.
    paging(c, 4001, 8002);
    assert.equal(c.count, 4001);
    assert.equal(c.summary(4001)?.entry, 8002);
  });
});
