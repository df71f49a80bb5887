import assert from 'node:assert/strict';
import { ddiBufferPointer, ddiBufferReference, withDdiBuffer } from '../../src/debugger/kernel/ddiBuffer';
import type { MachineEvent } from '../../src/sim/machine';

describe('the DMA buffer pointer of a DDI frame', () => {
  it('is the write pointer in DxgkDdiBuildPagingBuffer, the submission start in DxgkDdiPatch and DxgkDdiSubmitCommand', () => {
    assert.equal(ddiBufferPointer('DxgkDdiBuildPagingBuffer', { pDmaBuffer: { PhysicalAddress: 0x240000, Offset: 0x2c } }), 0x24002c);
    assert.equal(ddiBufferPointer('DxgkDdiPatch', { DmaBufferSegmentAddress: 0x250000, DmaBufferSubmissionStartOffset: 0x40 }), 0x250040);
    assert.equal(ddiBufferPointer('DxgkDdiSubmitCommand', { DmaBufferPhysicalAddress: 0x260000, DmaBufferSubmissionStartOffset: 0 }), 0x260000);
    assert.equal(Number(ddiBufferReference('DxgkDdiSubmitCommand', { DmaBufferPhysicalAddress: 0x260000, DmaBufferSubmissionStartOffset: 0x10 })), 0x260010);
  });

  it('is absent for other DDIs and for what the driver left unreadable', () => {
    assert.equal(ddiBufferPointer('DxgkDdiCreateAllocation', { pDmaBuffer: { PhysicalAddress: 1, Offset: 0 } }), undefined);
    assert.equal(ddiBufferPointer('DxgkDdiBuildPagingBuffer', { pDmaBuffer: { PhysicalAddress: 0x1000, Offset: -4 } }), undefined);
    const trap = { get pDmaBuffer(): unknown { throw new Error('driver getter'); } };
    assert.equal(ddiBufferPointer('DxgkDdiBuildPagingBuffer', trap), undefined);
  });

  it('adds the bytes DxgkDdiBuildPagingBuffer wrote so far as a code region, in place of an empty one', () => {
    const at = (Offset: number) => ({ kind: 'ddi-return', call: { ddi: 'DxgkDdiBuildPagingBuffer', args: { pDmaBuffer: { PhysicalAddress: 0x240000, Offset } } } }) as unknown as MachineEvent;
    const kernel = [{ start: 0x100000, length: 0x40, name: 'paging buffer 0' }, { start: 0x240000, length: 0, name: 'paging buffer 1' }];
    assert.deepEqual(withDdiBuffer(kernel, at(0xb0), undefined), [kernel[0], { start: 0x240000, length: 0xb0, name: 'paging buffer being built' }]);
    assert.equal(withDdiBuffer(kernel, at(0), undefined), kernel, 'nothing written yet: nothing added');
    assert.equal(withDdiBuffer(kernel, undefined, undefined), kernel);
  });
});
