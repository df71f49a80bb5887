// The segment occupancy map: each segment drawn as a bar with its resident allocations as blocks
// at their offsets, as one SVG. Pure string building (no `vscode`), so it is unit-tested; colours
// are the theme's, through CSS variables set by the page.

import type { AdapterStateResponse } from '../debugger/customRequests';
import { escapeHtml } from '../../media/src/rows';
import { formatBytes, percent } from './format';
import { allocationLabel } from './vramTargets';

const WIDTH = 300;
const BAR = 22;
const GAP = 30;

/** Blocks narrower than a pixel are widened to one, so a small allocation stays visible. */
export function occupancySvg(state: AdapterStateResponse): string {
  const parts: string[] = [];
  let y = 0;
  for (const seg of state.segments) {
    const allocs = state.allocations.filter((a) => a.state === 'resident' && a.segmentId === seg.id && a.offset !== undefined);
    parts.push(
      `<text class="label" x="0" y="${y + 12}">${escapeHtml(seg.name)} — ${formatBytes(seg.used)} / ${formatBytes(seg.size)} (${percent(seg.used, seg.size)})</text>`,
      `<rect class="segment" x="0" y="${y + 16}" width="${WIDTH}" height="${BAR}"><title>${escapeHtml(seg.name)}: ${seg.allocations} allocations, ${seg.resident} resident</title></rect>`,
    );
    allocs.forEach((a, i) => {
      const x = ((a.offset as number) / seg.size) * WIDTH;
      const w = Math.max(1, (a.size / seg.size) * WIDTH);
      const cls = a.locked ? 'alloc locked' : i % 2 ? 'alloc odd' : 'alloc';
      parts.push(
        `<rect class="${cls}" x="${x.toFixed(2)}" y="${y + 16}" width="${Math.min(w, WIDTH - x).toFixed(2)}" height="${BAR}">` +
          `<title>${escapeHtml(allocationLabel(a))}: 0x${(a.offset as number).toString(16)}, ${formatBytes(a.size)}${a.locked ? ', locked' : ''}${a.lastPagingOperation ? `, last ${escapeHtml(a.lastPagingOperation)}` : ''}</title></rect>`,
      );
    });
    y += BAR + GAP;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${Math.max(y, 1)}" width="100%" role="img" aria-label="Segment occupancy">${parts.join('')}</svg>`;
}
