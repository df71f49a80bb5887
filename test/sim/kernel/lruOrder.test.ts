// VidMm's order of use: the same order a Map kept by deleting and setting again on every use,
// through removals, uses again and the compaction of stale entries.

import assert from 'node:assert/strict';
import { LruOrder } from '../../../src/sim/kernel/lruOrder';

interface Item {
  name: number;
  lruStamp: number;
}

function order(lru: LruOrder<Item>): number[] {
  const out: number[] = [];
  lru.first((x) => {
    out.push(x.name);
    return false;
  });
  return out;
}

describe('LruOrder', () => {
  it('walks members least recently used first, a use moving one to the end and a removal dropping it', () => {
    const items = [0, 1, 2, 3].map((name) => ({ name, lruStamp: 0 }));
    const lru = new LruOrder<Item>();
    for (const x of items) lru.touch(x);
    lru.touch(items[1]);
    lru.delete(items[2]);
    assert.deepEqual(order(lru), [0, 3, 1]);
    lru.touch(items[2]);
    assert.deepEqual(order(lru), [0, 3, 1, 2]);
    assert.equal(lru.first((x) => x.name % 2 === 1)?.name, 3);
    lru.delete(items[0]);
    lru.delete(items[0]);
    assert.equal(lru.first(() => true)?.name, 3);
  });

  it('keeps the order of a Map through thousands of random uses and removals (compaction included)', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const items = Array.from({ length: 50 }, (_, name) => ({ name, lruStamp: 0 }));
    const lru = new LruOrder<Item>();
    const map = new Map<Item, true>();
    for (let i = 0; i < 20000; i++) {
      const x = items[rnd(items.length)];
      if (rnd(5) === 0) {
        lru.delete(x);
        map.delete(x);
      } else {
        lru.touch(x);
        map.delete(x);
        map.set(x, true);
      }
      if (i % 997 === 0) assert.deepEqual(order(lru), [...map.keys()].map((m) => m.name), `after ${i + 1} changes`);
    }
    assert.deepEqual(order(lru), [...map.keys()].map((m) => m.name));
    // Stale entries do not pile up: the list stays within twice the members, plus a little.
    assert.ok((lru as unknown as { items: Item[] }).items.length <= 2 * map.size + 65);
  });

  it('does not grow without bound when one member is used again and again between walks', () => {
    const lru = new LruOrder<Item>();
    const x = { name: 0, lruStamp: 0 };
    for (let i = 0; i < 10000; i++) {
      lru.touch(x);
      assert.equal(lru.first(() => true), x);
    }
    assert.ok((lru as unknown as { items: Item[] }).items.length <= 66);
  });
});
