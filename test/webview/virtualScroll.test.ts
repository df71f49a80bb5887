import assert from 'node:assert/strict';
import { rowCountFor, scrollModel, visibleWindow, scrollTopForRow, firstRowToReveal, windowAtRow, maxFirstRow, MAX_SPACER_PX } from '../../media/src/virtualScroll';

describe('VRAM view virtual scrolling', () => {
  it('counts rows, including a partial last row', () => {
    assert.equal(rowCountFor(4096, 16), 256);
    assert.equal(rowCountFor(4097, 16), 257);
    assert.throws(() => rowCountFor(16, 0), /bytes per row must be positive/);
  });

  it('draws only the rows of the viewport for a small region, sliding by pixels', () => {
    const m = scrollModel(1000, 20, 200);
    assert.equal(m.scaled, false);
    assert.equal(m.spacerHeight, 20000);
    assert.deepEqual(visibleWindow(m, 0), { firstRow: 0, rowCount: 11, offsetPx: 0 });
    assert.deepEqual(visibleWindow(m, 415), { firstRow: 20, rowCount: 11, offsetPx: 15 });
    // The end: no rows past the last one.
    const end = visibleWindow(m, 1e9);
    assert.equal(end.firstRow + end.rowCount <= 1000, true);
    assert.equal(end.firstRow, 990);
  });

  it('caps the spacer for a 1 GiB segment and still reaches every row', () => {
    const rows = rowCountFor(2 ** 30, 16); // 67,108,864 rows
    const m = scrollModel(rows, 20, 600);
    assert.equal(m.scaled, true);
    assert.equal(m.spacerHeight, MAX_SPACER_PX);
    assert.equal(visibleWindow(m, 0).firstRow, 0);
    const last = visibleWindow(m, m.spacerHeight);
    assert.equal(last.firstRow, maxFirstRow(m));
    assert.equal(last.firstRow + 30, rows); // the last page is fully visible
    assert.equal(last.offsetPx, 0);
    // Round trip: scrolling to an arbitrary row shows that row at the top.
    for (const row of [1, 12345, 33_554_432, rows - 31]) {
      assert.equal(visibleWindow(m, scrollTopForRow(m, row)).firstRow, row, `row ${row}`);
    }
    assert.ok(visibleWindow(m, 300).rowCount <= 31);
  });

  it('reveals a row only when it is outside the page', () => {
    const m = scrollModel(1000, 20, 200); // 10 rows per page
    assert.equal(firstRowToReveal(m, 100, 105), undefined);
    assert.equal(firstRowToReveal(m, 100, 99), 99);
    assert.equal(firstRowToReveal(m, 100, 110), 101);
    assert.equal(firstRowToReveal(m, 990, 999), undefined);
  });

  it('keeps a row set by the program exact where a pixel spans many rows', () => {
    const rows = rowCountFor(2 ** 30, 16);
    const m = scrollModel(rows, 20, 600);
    const row = 41_234_567;
    // The browser keeps whole pixels: deriving the row back from a rounded scrollTop misses it.
    const rounded = Math.round(scrollTopForRow(m, row));
    assert.notEqual(visibleWindow(m, rounded).firstRow, row, 'one pixel is several rows here');
    assert.deepEqual(windowAtRow(m, row), { firstRow: row, rowCount: 31, offsetPx: 0 });
    // The cursor moving one row past the page moves the window by exactly one row.
    assert.equal(firstRowToReveal(m, row, row + 30), row + 1);
    assert.equal(windowAtRow(m, rows + 5).firstRow, maxFirstRow(m));
  });

  it('handles an empty region and a viewport taller than the content', () => {
    assert.deepEqual(visibleWindow(scrollModel(0, 20, 200), 0), { firstRow: 0, rowCount: 0, offsetPx: 0 });
    const w = visibleWindow(scrollModel(3, 20, 200), 50);
    assert.deepEqual(w, { firstRow: 0, rowCount: 3, offsetPx: 0 });
  });
});
