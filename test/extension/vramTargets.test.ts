import assert from 'node:assert/strict';
import { allocationAddress, memoryReferenceOf, overlaysOf, parseMemoryReference, segmentRegions, targetForAddress, targetForAllocation, targetForSegment, viewState } from '../../src/extension/vramTargets';
import type { AdapterStateResponse } from '../../src/debugger/customRequests';

const T = 2 ** 40;
const state: AdapterStateResponse = {
  time: 0,
  segments: [
    { id: 1, name: 'vram', kind: 'memory', size: 0x100000, used: 0x3000, cpuVisible: true, allocations: 2, resident: 1, memoryReference: '0x10000000000' },
    { id: 3, name: 'gart', kind: 'aperture', size: 0x10000, used: 0, cpuVisible: false, allocations: 0, resident: 0, memoryReference: 'seg3' },
  ],
  allocations: [
    { handle: 0x10, name: 'Texture', size: 0x2000, state: 'resident', segmentId: 1, offset: 0x1000, locked: false, lastPagingOperation: 'Transfer', memoryReference: 'alloc16' },
    { handle: 0x11, name: '', size: 0x1000, state: 'evicted', locked: false },
  ],
  fences: [],
  pagingQueue: [],
};

describe('VRAM view targets', () => {
  it('maps segments and resident allocations into the debug address space', () => {
    assert.deepEqual(segmentRegions(state), [
      { name: 'vram', address: T, size: 0x100000 },
      { name: 'gart', address: 3 * T, size: 0x10000 },
    ]);
    assert.equal(allocationAddress(state.allocations[0]), T + 0x1000);
    assert.equal(allocationAddress(state.allocations[1]), undefined);
    assert.deepEqual(overlaysOf(state), [{ name: 'Texture (0x10)', address: T + 0x1000, size: 0x2000 }]);
    assert.equal(viewState(undefined).segments.length, 3, 'the default profile before any stop');
  });

  it('opens on a segment, an allocation or any address', () => {
    assert.deepEqual(targetForSegment(state.segments[0]), { title: 'vram', base: T, size: 0x100000, cursor: T });
    assert.deepEqual(targetForAllocation(state.allocations[0], state), { title: 'Texture (0x10)', base: T, size: 0x100000, cursor: T + 0x1000 });
    assert.throws(() => targetForAllocation(state.allocations[1], state), /evicted, not resident/);
    assert.deepEqual(targetForAddress(0x2000, state), { title: 'system memory', base: 0, size: T, cursor: 0x2000 });
    assert.equal(targetForAddress(3 * T + 4, state, 'x').title, 'x');
    assert.throws(() => targetForAddress(2 * T, state), /in no segment/);
    assert.throws(() => targetForAddress(-1, state), /not an address/);
  });

  it('reads memory references: hex, decimal and the adapter\'s named ones', () => {
    assert.equal(memoryReferenceOf(T + 0x10), '0x10000000010');
    assert.equal(parseMemoryReference('0x10000000010'), T + 0x10);
    assert.equal(parseMemoryReference('4096'), 4096);
    assert.equal(parseMemoryReference('seg3', state), 3 * T);
    assert.equal(parseMemoryReference('alloc16', state), T + 0x1000);
    assert.equal(parseMemoryReference('what', state), undefined);
  });
});
