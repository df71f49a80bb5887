import assert from 'node:assert/strict';
import { ChangeTracker } from '../../media/src/changes';

describe('VRAM view change highlighting', () => {
  it('highlights bytes that differ from the previous stop', () => {
    const t = new ChangeTracker();
    t.record(0x100, [1, 2, 3, 4]);
    assert.equal(t.changedMask(0x100), 0, 'nothing changed before any second stop');
    t.newStop();
    t.record(0x100, [1, 9, 3, 5]);
    assert.deepEqual(t.changedBytes(0x100), [1, 3]);
    assert.equal(t.changedMask(0x100), 0b1010);
    // Another stop with no writes: nothing changed since that stop.
    t.newStop();
    t.record(0x100, [1, 9, 3, 5]);
    assert.deepEqual(t.changedBytes(0x100), []);
  });

  it('does not guess for rows that were not seen at the previous stop', () => {
    const t = new ChangeTracker();
    t.record(0x200, [1, 1]);
    t.newStop();
    t.newStop();
    t.record(0x200, [2, 2]);
    assert.deepEqual(t.changedBytes(0x200), [], 'the baseline is from two stops ago');
    t.record(0x300, [5]);
    assert.deepEqual(t.changedBytes(0x300), []);
  });

  it('treats unreadable bytes as values', () => {
    const t = new ChangeTracker();
    t.record(0, [null, 1]);
    t.newStop();
    t.record(0, [0, 1]);
    assert.deepEqual(t.changedBytes(0), [0]);
  });

  it('re-reads rows touched by a memory event, keeping their values as the next baseline', () => {
    const t = new ChangeTracker();
    for (const row of [0, 4, 8]) t.record(row, [0, 0, 0, 0]);
    t.newStop();
    for (const row of [0, 4, 8]) t.record(row, [0, 0, 0, 0]);
    t.invalidate(5, 2, 4);
    assert.equal(t.hasCurrent(0), true);
    assert.equal(t.hasCurrent(4), false, 'to be read again');
    assert.deepEqual(t.currentRow(4), [0, 0, 0, 0], 'still drawn until then');
    assert.equal(t.hasCurrent(8), true);
    t.record(4, [0, 7, 7, 0]); // the user's write, re-read
    assert.equal(t.hasCurrent(4), true);
    assert.deepEqual(t.changedBytes(4), [1, 2]);
  });

  it('highlights a step\'s writes even when the memory event comes before the stop', () => {
    const t = new ChangeTracker();
    t.record(0x10, [1, 1, 1, 1]);
    // Running: the GPU writes, the adapter sends a memory event; nothing is read while running.
    t.invalidate(0x10, 4, 4);
    t.newStop();
    assert.equal(t.hasCurrent(0x10), false);
    t.record(0x10, [1, 2, 2, 1]);
    assert.deepEqual(t.changedBytes(0x10), [1, 2]);
    t.invalidate(0, 1 << 20, 4); // a large range
    assert.equal(t.hasCurrent(0x10), false);
  });

  it('keeps at most maxRows rows per stop', () => {
    const t = new ChangeTracker(3);
    for (let i = 0; i < 5; i++) t.record(i * 16, [i]);
    assert.equal(t.hasCurrent(0), false);
    assert.equal(t.hasCurrent(16), false);
    assert.equal(t.hasCurrent(64), true);
  });
});
