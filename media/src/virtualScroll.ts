// Virtual scrolling for the VRAM hex view: which rows to draw for a scroll position, and where to
// scroll to show a row. Pure arithmetic (no DOM), so it runs under plain mocha.
//
// The view is a scroll container holding a spacer of fixed height and a row layer drawn only for
// the viewport. A multi-GiB segment has tens of millions of rows, more pixels than a browser lets
// an element be tall, so the spacer is capped and the scroll range is mapped linearly onto the row
// range ("scaled" mode). In scaled mode, rows snap to the top of the viewport instead of sliding.

/** A safe element height in every engine VS Code's webviews run in (Chromium allows ~33.5M px). */
export const MAX_SPACER_PX = 10_000_000;

export interface ScrollModel {
  /** Number of rows of the whole region. */
  totalRows: number;
  rowHeight: number;
  viewportHeight: number;
  /** Height of the spacer element in px. */
  spacerHeight: number;
  /** True when the spacer is shorter than totalRows * rowHeight. */
  scaled: boolean;
}

export interface VisibleWindow {
  /** First row to draw. */
  firstRow: number;
  /** Rows to draw (one more than fits, for the partly visible row at the bottom). */
  rowCount: number;
  /** Pixels to shift the row layer up, for a smooth sub-row position (0 in scaled mode). */
  offsetPx: number;
}

export function rowCountFor(regionSize: number, bytesPerRow: number): number {
  if (!(bytesPerRow > 0)) throw new Error(`bytes per row must be positive, got ${bytesPerRow}`);
  return Math.ceil(Math.max(0, regionSize) / bytesPerRow);
}

export function scrollModel(totalRows: number, rowHeight: number, viewportHeight: number, maxSpacer = MAX_SPACER_PX): ScrollModel {
  const natural = totalRows * rowHeight;
  const scaled = natural > maxSpacer;
  return { totalRows, rowHeight, viewportHeight, spacerHeight: scaled ? maxSpacer : natural, scaled };
}

/** Whole rows that fit in the viewport. */
export function rowsPerPage(m: ScrollModel): number {
  return Math.max(1, Math.floor(m.viewportHeight / m.rowHeight));
}

/** Largest row that may be at the top of the viewport. */
export function maxFirstRow(m: ScrollModel): number {
  return Math.max(0, m.totalRows - rowsPerPage(m));
}

function maxScrollTop(m: ScrollModel): number {
  return Math.max(0, m.spacerHeight - m.viewportHeight);
}

/** The rows to draw for a scroll position. */
export function visibleWindow(m: ScrollModel, scrollTop: number): VisibleWindow {
  const top = Math.min(Math.max(0, scrollTop), maxScrollTop(m));
  let firstRow: number;
  let offsetPx = 0;
  if (!m.scaled) {
    firstRow = Math.floor(top / m.rowHeight);
    offsetPx = top - firstRow * m.rowHeight;
  } else {
    const range = maxScrollTop(m);
    firstRow = range === 0 ? 0 : Math.round((top / range) * maxFirstRow(m));
  }
  firstRow = Math.min(firstRow, Math.max(0, m.totalRows - 1));
  const wanted = Math.ceil(m.viewportHeight / m.rowHeight) + 1;
  const rowCount = Math.max(0, Math.min(wanted, m.totalRows - firstRow));
  return { firstRow, rowCount, offsetPx };
}

/** The scroll position that puts `row` at the top of the viewport (clamped to the scroll range). */
export function scrollTopForRow(m: ScrollModel, row: number): number {
  const r = Math.min(Math.max(0, Math.floor(row)), maxFirstRow(m));
  if (!m.scaled) return Math.min(r * m.rowHeight, maxScrollTop(m));
  const rows = maxFirstRow(m);
  return rows === 0 ? 0 : (r / rows) * maxScrollTop(m);
}

/**
 * The first row that keeps `row` visible, moving as little as possible from `firstRow` (what a
 * keyboard cursor needs), or undefined when the row is already fully visible.
 */
export function firstRowToReveal(m: ScrollModel, firstRow: number, row: number): number | undefined {
  const page = rowsPerPage(m);
  if (row < firstRow) return Math.max(0, row);
  if (row >= firstRow + page) return Math.min(row - page + 1, maxFirstRow(m));
  return undefined;
}

/**
 * The rows to draw with `firstRow` at the top. In scaled mode one pixel of scrolling spans many
 * rows and the browser rounds scrollTop to whole pixels, so a position set by the program (go to
 * an address, the keyboard cursor) is kept as a row, not re-derived from the rounded scrollTop.
 */
export function windowAtRow(m: ScrollModel, firstRow: number): VisibleWindow {
  const first = Math.min(Math.max(0, Math.floor(firstRow)), maxFirstRow(m));
  const wanted = Math.ceil(m.viewportHeight / m.rowHeight) + 1;
  return { firstRow: first, rowCount: Math.max(0, Math.min(wanted, m.totalRows - first)), offsetPx: 0 };
}
