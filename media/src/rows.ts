// Row formatting for the VRAM view: the HTML of the visible rows (the offset in the region, a band
// naming the allocations, hex bytes, text column, allocation boundaries, changed bytes, the
// cursor). Pure string building (no DOM), so it runs under plain mocha and in the benchmark; the
// webview assigns it to innerHTML.

import type { RowBytes } from './changes';
import { formatOffset } from './address';

/** An allocation overlaid on the grid, in the debug address space. */
export interface Overlay {
  name: string;
  address: number;
  size: number;
}

export interface RenderInput {
  firstRow: number;
  rowCount: number;
  /** Debug address of row 0. */
  regionBase: number;
  regionSize: number;
  bytesPerRow: number;
  /** The bytes of the row at an address, or undefined while it has not been read yet. */
  rowBytes(rowAddress: number): RowBytes | undefined;
  /** Changed-byte indexes of the row since the last stop. */
  changed(rowAddress: number): readonly number[];
  /** Sorted by address, non-overlapping (see `sortOverlays`). */
  overlays: readonly Overlay[];
  cursor?: number;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const TEXT: string[] = Array.from({ length: 256 }, (_, i) =>
  i >= 0x20 && i < 0x7f ? escapeHtml(String.fromCharCode(i)) : '.',
);

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function sortOverlays(list: readonly Overlay[]): Overlay[] {
  return list.filter((o) => o.size > 0).sort((a, b) => a.address - b.address);
}

/** Index of the first overlay that ends after `address` (binary search). */
export function firstOverlayEndingAfter(overlays: readonly Overlay[], address: number): number {
  let lo = 0;
  let hi = overlays.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (overlays[mid].address + overlays[mid].size <= address) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The HTML of the rows in view. */
export function renderRows(input: RenderInput): string {
  const { bytesPerRow, regionBase, overlays } = input;
  const regionEnd = regionBase + input.regionSize;
  const parts: string[] = [];
  let ov = firstOverlayEndingAfter(overlays, regionBase + input.firstRow * bytesPerRow);
  for (let r = 0; r < input.rowCount; r++) {
    const rowAddr = regionBase + (input.firstRow + r) * bytesPerRow;
    if (rowAddr >= regionEnd) break;
    const bytes = input.rowBytes(rowAddr);
    const changed = input.changed(rowAddr);
    let ci = 0;
    while (ov < overlays.length && overlays[ov].address + overlays[ov].size <= rowAddr) ov++;
    let hex = '';
    let text = '';
    const labels: string[] = [];
    let o = ov;
    for (let i = 0; i < bytesPerRow; i++) {
      const a = rowAddr + i;
      if (a >= regionEnd) break;
      while (o < overlays.length && overlays[o].address + overlays[o].size <= a) o++;
      let cls = 'b';
      if (o < overlays.length && overlays[o].address <= a) {
        cls += o & 1 ? ' a1' : ' a0';
        if (overlays[o].address === a) {
          cls += ' as';
          labels.push(escapeHtml(overlays[o].name));
        }
        if (overlays[o].address + overlays[o].size - 1 === a) cls += ' ae';
      }
      if (ci < changed.length && changed[ci] === i) {
        cls += ' c';
        ci++;
      }
      if (a === input.cursor) cls += ' cur';
      const v = bytes ? bytes[i] : undefined;
      const h = v === undefined ? '  ' : v === null ? '??' : HEX[v];
      hex += `<span class="${cls}" data-o="${i}">${h}</span>`;
      text += v === undefined || v === null ? ' ' : TEXT[v];
    }
    // The band beside the bytes: coloured like the bytes of the allocation the row starts in (or
    // the first one starting in it), with the names of the allocations starting in the row. The
    // top row names the allocation it is inside of, so a scrolled-to offset is never anonymous.
    let band = '<span class="band"></span>';
    if (ov < overlays.length && overlays[ov].address < rowAddr + bytesPerRow) {
      const inside = overlays[ov].address < rowAddr;
      const label = labels.length ? labels.join(', ') : r === 0 && inside ? `\u2191 ${escapeHtml(overlays[ov].name)}` : '';
      band = `<span class="band ${ov & 1 ? 'a1' : 'a0'}${labels.length ? ' bs' : ''}" title="${escapeHtml(overlays[ov].name)}">${label}</span>`;
    }
    parts.push(
      `<div class="row" data-a="${rowAddr}"><span class="addr">${formatOffset(rowAddr - regionBase, input.regionSize)}</span>${band}<span class="hex">${hex}</span>` +
        `<span class="text">${text}</span></div>`,
    );
  }
  return parts.join('');
}
