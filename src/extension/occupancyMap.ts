// The segment occupancy map: each segment a bar with its resident allocations as blocks at their
// offsets, the free space between them drawn as free, a name on each block wide enough to hold
// one, and a legend of the states. Plain HTML with positions in percent, so the text keeps the
// editor's font and size whatever the side bar's width (an SVG scaled to the width scaled the text
// with it). Pure string building (no `vscode`), so it is unit-tested; colours are the theme's.

import type { AdapterStateResponse, AllocationState } from '../debugger/customRequests';
import { escapeHtml } from '../../media/src/rows';
import { formatBytes, percent } from './format';
import { allocationLabel } from './vramTargets';

export type BlockState = 'resident' | 'locked' | 'busy';

/** Blocks narrower than this share of the bar carry no name (it would not fit). */
const MIN_NAMED_SHARE = 0.12;

/** Allocations named by the GPU work still queued or running (a label quotes them or lists them). */
export function busyNames(state: AdapterStateResponse): Set<string> {
  const out = new Set<string>();
  const inFlight = state.pagingQueue.filter((q) => q.state !== 'done').map((q) => q.operation);
  for (const a of state.allocations) {
    if (!a.name) continue;
    const quoted = `'${a.name}'`;
    const listed = new RegExp(`[\\[,]\\s*${a.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*[,\\]]`);
    if (inFlight.some((op) => op.includes(quoted) || listed.test(op))) out.add(a.name);
  }
  return out;
}

export function blockState(a: AllocationState, busy: ReadonlySet<string>): BlockState {
  return a.locked ? 'locked' : busy.has(a.name) ? 'busy' : 'resident';
}

/**
 * The map's HTML and the rules that place its blocks: the page's Content Security Policy allows
 * only the nonce'd style element, not style attributes.
 */
export function occupancyMap(state: AdapterStateResponse): { html: string; style: string } {
  const busy = busyNames(state);
  const parts: string[] = [];
  const rules: string[] = [];
  for (const seg of state.segments) {
    const allocs = state.allocations
      .filter((a) => a.state === 'resident' && a.segmentId === seg.id && a.offset !== undefined)
      .sort((a, b) => (a.offset as number) - (b.offset as number));
    const free = Math.max(0, seg.size - seg.used);
    parts.push(
      `<section class="segment" data-segment="${seg.id}">`,
      `<div class="heading"><span class="name">${escapeHtml(seg.name)}</span>` +
        `<span class="figures">${formatBytes(seg.used)} used of ${formatBytes(seg.size)} (${percent(seg.used, seg.size)}) · ${formatBytes(free)} free</span></div>`,
      `<div class="bar" title="${escapeHtml(seg.name)}: ${seg.allocations} allocations, ${seg.resident} resident, ${formatBytes(free)} free">`,
    );
    allocs.forEach((a, i) => {
      const share = seg.size > 0 ? a.size / seg.size : 0;
      const left = seg.size > 0 ? ((a.offset as number) / seg.size) * 100 : 0;
      const st = blockState(a, busy);
      const id = `k${rules.length}`;
      // At least a sliver wide, so a small allocation stays visible.
      rules.push(`.${id}{left:${left.toFixed(3)}%;width:max(2px,${(Math.min(share, 1 - left / 100) * 100).toFixed(3)}%)}`);
      const title =
        `${allocationLabel(a)}: ${st}, offset 0x${(a.offset as number).toString(16)}, ${formatBytes(a.size)}` +
        (a.lastPagingOperation ? `, last ${a.lastPagingOperation}` : '');
      parts.push(
        `<div class="block ${st}${i % 2 ? ' odd' : ''} ${id}" title="${escapeHtml(title)}">` +
          (share >= MIN_NAMED_SHARE ? `<span class="block-name">${escapeHtml(a.name || allocationLabel(a))}</span>` : '') +
          `</div>`,
      );
    });
    parts.push('</div></section>');
  }
  const evicted = state.allocations.filter((a) => a.state === 'evicted');
  parts.push(
    '<div class="legend">',
    '<span><i class="swatch resident"></i>resident</span>',
    '<span><i class="swatch locked"></i>locked</span>',
    '<span><i class="swatch busy"></i>busy (GPU work in flight)</span>',
    '<span><i class="swatch free"></i>free</span>',
    `<span title="${escapeHtml(evicted.map(allocationLabel).join(', '))}"><i class="swatch evicted"></i>evicted: ${evicted.length} (not in a segment)</span>`,
    '</div>',
  );
  return { html: `<div class="occupancy" role="img" aria-label="Segment occupancy">${parts.join('')}</div>`, style: rules.join('\n') };
}

/** The page's style: the editor's font at its size, the theme's colours. */
export const OCCUPANCY_STYLE = `
body { color: var(--vscode-foreground); font-family: var(--vscode-editor-font-family, monospace); font-size: var(--vscode-editor-font-size, 13px); padding: 4px 8px; margin: 0; }
.segment { margin: 0 0 10px; }
.heading { display: flex; flex-wrap: wrap; gap: 0 8px; align-items: baseline; margin-bottom: 2px; }
.heading .name { font-weight: 600; }
.heading .figures { color: var(--vscode-descriptionForeground); }
.bar { position: relative; height: 22px; border: 1px solid var(--vscode-panel-border, #8888); box-sizing: border-box;
  background: repeating-linear-gradient(135deg, transparent 0 5px, color-mix(in srgb, var(--vscode-foreground) 10%, transparent) 5px 6px); }
.block { position: absolute; top: 0; bottom: 0; overflow: hidden; box-sizing: border-box; border-right: 1px solid var(--vscode-editor-background, #000); }
.block-name { display: block; padding: 0 3px; line-height: 20px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; color: var(--vscode-editor-background, #fff); }
.resident, .swatch.resident { background: var(--vscode-charts-blue, #3794ff); }
.resident.odd { background: var(--vscode-charts-purple, #b180d7); }
.locked, .swatch.locked { background: var(--vscode-charts-orange, #d18616); }
.busy, .swatch.busy { background: var(--vscode-charts-red, #f14c4c); }
.swatch.free { background: repeating-linear-gradient(135deg, transparent 0 3px, color-mix(in srgb, var(--vscode-foreground) 30%, transparent) 3px 4px); border: 1px solid var(--vscode-panel-border, #8888); }
.swatch.evicted { border: 1px dashed var(--vscode-foreground); }
.legend { display: flex; flex-wrap: wrap; gap: 2px 12px; color: var(--vscode-descriptionForeground); }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; box-sizing: border-box; }
p { color: var(--vscode-descriptionForeground); font-family: var(--vscode-font-family); }`;
