// What a data breakpoint on an MDL watches: the bytes it describes, as ranges of system memory (as
// many as its pages are scattered), carried in the breakpoint's id.

import { strict as assert } from 'node:assert';
import { mdlDataId, mdlLabel, mdlRanges, parseMdlDataId, rangesBytes, touchesRanges } from '../../src/debugger/gpu/mdlWatch';

describe('data breakpoints on an MDL: the memory it describes', () => {
  it('lays its pages end to end: ByteOffset into the first, ByteCount in all, scattered pages as ranges in address order', () => {
    // Pages 5, 9, 6, 7: bytes 0x100.. of page 5, pages 9 and 6 whole, 0x200 bytes of page 7; 5, 6 and 7
    // are side by side in memory.
    const r = mdlRanges([5, 9, 6, 7], 0x100, 0x1000 - 0x100 + 0x2000 + 0x200)!;
    assert.deepEqual(r, [
      [0x5100, 0x7200],
      [0x9000, 0xa000],
    ]);
    assert.equal(rangesBytes(r), 0x3100);
    // Contiguous pages make one range.
    assert.deepEqual(mdlRanges([0x30, 0x31, 0x32], 0, 0x3000), [[0x30000, 0x33000]]);
  });

  it('refuses what describes no memory: no bytes, more bytes than pages, a page that is not a page number', () => {
    assert.equal(mdlRanges([1], 0, 0), undefined);
    assert.equal(mdlRanges([1], 0x800, 0x1000), undefined);
    assert.equal(mdlRanges([1, -2], 0, 0x2000), undefined);
    assert.equal(mdlRanges([1, 2.5], 0, 0x2000), undefined);
  });

  it('carries its ranges in its id and reads them back; refuses an id it did not make', () => {
    const r = mdlRanges([0x10, 0x40, 0x41, 0x11], 0, 0x4000)!;
    const id = mdlDataId(r);
    assert.equal(id, 'mdl:10000+2000,40000+2000');
    assert.deepEqual(parseMdlDataId(id), r);
    for (const bad of ['mem:0x1000:4', 'mdl:', 'mdl:zz+1', 'mdl:1000+0', 'mdl:2000+10,1000+10', 'mdl:1000+10,1008+10']) assert.equal(parseMdlDataId(bad), undefined, bad);
    assert.match(mdlLabel(r), /^MDL of 16384 bytes from 0x10000 \(2 ranges of system memory\)$/);
  });

  it('is touched by a write into any of its ranges, not by one between them', () => {
    const r = mdlRanges([0x10, 0x40, 0x11], 0x10, 0x3000 - 0x20)!;
    assert.deepEqual(r, [
      [0x10010, 0x11ff0],
      [0x40000, 0x41000],
    ]);
    assert.equal(touchesRanges(r, 0x10000, 0x10), false, 'before the first byte');
    assert.equal(touchesRanges(r, 0x10000, 0x11), true);
    assert.equal(touchesRanges(r, 0x12000, 0x1000), false, 'between the ranges');
    assert.equal(touchesRanges(r, 0x13000, 0x30000), true, 'over the second range');
    assert.equal(touchesRanges(r, 0x40fff, 1), true);
    assert.equal(touchesRanges(r, 0x41000, 0x1000), false, 'past the last');
  });
});
