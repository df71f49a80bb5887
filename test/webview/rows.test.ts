import assert from 'node:assert/strict';
import { renderRows, sortOverlays, type RenderInput } from '../../media/src/rows';
import { typeHexDigit, moveCursor } from '../../media/src/editing';
import { isViewToHost, bytesToBase64, base64ToBytes } from '../../media/src/protocol';

function input(over: Partial<RenderInput> = {}): RenderInput {
  return {
    firstRow: 0,
    rowCount: 2,
    regionBase: 0x1000,
    regionSize: 0x100,
    bytesPerRow: 8,
    rowBytes: (a) => Array.from({ length: 8 }, (_, i) => (a + i) & 0xff),
    changed: () => [],
    overlays: [],
    ...over,
  };
}

const cells = (html: string) => [...html.matchAll(/<span class="([^"]*)" data-o="(\d+)">([^<]*)<\/span>/g)].map((m) => ({ cls: m[1], o: +m[2], text: m[3] }));

describe('VRAM view row formatting', () => {
  it('formats address, hex and text columns', () => {
    const html = renderRows(input({ rowBytes: () => [0x41, 0x3c, 0, 255, null, 0x7e, 1, 2] , rowCount: 1 }));
    // The offset in the region, 0x and as many digits as the region's last offset (at least 4).
    assert.match(html, /<div class="row" data-a="4096"><span class="addr">0x0000<\/span>/);
    assert.deepEqual(cells(html).map((c) => c.text), ['41', '3c', '00', 'ff', '??', '7e', '01', '02']);
    assert.match(html, /<span class="text">A&lt;\.\. ~\.\.<\/span>/);
  });

  it('marks changed bytes, the cursor, and rows not read yet', () => {
    const html = renderRows(input({ changed: (a) => (a === 0x1008 ? [0, 7] : []), cursor: 0x1009, rowBytes: (a) => (a === 0x1000 ? undefined : [1, 2, 3, 4, 5, 6, 7, 8]) }));
    const c = cells(html);
    assert.equal(c[0].text, '  ');
    assert.match(c[8].cls, /\bc\b/);
    assert.match(c[15].cls, /\bc\b/);
    assert.doesNotMatch(c[10].cls, /\bc\b/);
    assert.match(c[9].cls, /\bcur\b/);
  });

  it('overlays allocation boundaries with escaped names', () => {
    const overlays = sortOverlays([
      { name: 'B<x>', address: 0x100a, size: 4 },
      { name: 'A', address: 0x1002, size: 3 },
      { name: 'empty', address: 0x1000, size: 0 },
    ]);
    assert.deepEqual(overlays.map((o) => o.name), ['A', 'B<x>']);
    const html = renderRows(input({ overlays }));
    const c = cells(html);
    assert.match(c[2].cls, /a0 as/);
    assert.match(c[4].cls, /a0 ae/);
    assert.doesNotMatch(c[5].cls, /a[01]/);
    assert.match(c[10].cls, /a1 as/);
    assert.match(c[13].cls, /a1 ae/);
    // The band beside the bytes: coloured like the allocation, named on the row it starts in.
    const bands = [...html.matchAll(/<span class="(band[^"]*)"[^>]*>([^<]*)<\/span>/g)].map((m) => ({ cls: m[1], text: m[2] }));
    assert.deepEqual(bands, [
      { cls: 'band a0 bs', text: 'A' },
      { cls: 'band a1 bs', text: 'B&lt;x&gt;' },
    ]);
  });

  it('names the allocation the top row is inside of, and stops at the region end', () => {
    const overlays = [{ name: 'Big', address: 0x1000, size: 0x100 }];
    const html = renderRows(input({ firstRow: 4, overlays }));
    assert.match(html, /<span class="band a0" title="Big">\u2191 Big<\/span>/);
    assert.match(html, /<span class="band a0" title="Big"><\/span>/, 'the rows below carry the band without the name');
    assert.match(renderRows(input({ firstRow: 0x18, rowCount: 1, regionSize: 0x10000 })), /<span class="addr">0x00c0<\/span>/);
    const tail = renderRows(input({ firstRow: 31, rowCount: 5 }));
    assert.equal((tail.match(/class="row"/g) ?? []).length, 1);
  });
});

describe('VRAM view editing and navigation', () => {
  it('types two hex digits into a byte, then moves on', () => {
    const r1 = typeHexDigit({ cursor: 0x10, nibble: 0 }, 0x34, 'a', 0x100)!;
    assert.deepEqual(r1.write, { address: 0x10, value: 0xa4 });
    const r2 = typeHexDigit(r1.state, 0xa4, 'F', 0x100)!;
    assert.deepEqual(r2.write, { address: 0x10, value: 0xaf });
    assert.deepEqual(r2.state, { cursor: 0x11, nibble: 0 });
    assert.equal(typeHexDigit({ cursor: 0, nibble: 0 }, 0, 'g', 0x100), undefined);
  });

  it('moves the cursor with arrows, pages, home and end, staying in the region', () => {
    const o = { base: 0x100, size: 0x100, bytesPerRow: 16, pageRows: 4 };
    assert.equal(moveCursor(0x105, 'ArrowRight', o), 0x106);
    assert.equal(moveCursor(0x100, 'ArrowLeft', o), 0x100);
    assert.equal(moveCursor(0x105, 'ArrowUp', o), 0x105);
    assert.equal(moveCursor(0x125, 'ArrowUp', o), 0x115);
    assert.equal(moveCursor(0x105, 'PageDown', o), 0x145);
    assert.equal(moveCursor(0x1f5, 'PageDown', o), 0x1f5);
    assert.equal(moveCursor(0x125, 'Home', o), 0x120);
    assert.equal(moveCursor(0x125, 'End', o), 0x12f);
    assert.equal(moveCursor(0x125, 'End', { ...o, ctrl: true }), 0x1ff);
  });
});

describe('VRAM view messages', () => {
  it('accepts well-formed messages from the webview only', () => {
    assert.equal(isViewToHost({ type: 'read', id: 1, address: 0x1000, count: 64 }), true);
    assert.equal(isViewToHost({ type: 'read', id: 1, address: '0x1000', count: 64 }), false);
    assert.equal(isViewToHost({ type: 'write', address: 4, base64: 'AA==' }), true);
    assert.equal(isViewToHost({ type: 'shell' }), false);
    assert.equal(isViewToHost(null), false);
  });

  it('round-trips bytes through base64', () => {
    const b = new Uint8Array([0, 1, 254, 255, 65]);
    assert.equal(bytesToBase64(b), Buffer.from(b).toString('base64'));
    assert.deepEqual(base64ToBytes(bytesToBase64(b)), b);
  });
});
