// The memory an MDL describes, for a data breakpoint on it: bytes [ByteOffset, ByteOffset +
// ByteCount) of its pages laid end to end, which in physical memory are as many ranges as its
// pages are scattered (an allocation's backing store seldom has two pages side by side). The ranges
// travel in the data breakpoint's id, so that a breakpoint set again later (a restart, a reload)
// watches the same bytes whatever the MDL's object is by then.

import { hex } from '../../isa/hex';
import { PAGE_SIZE as PAGE } from '../../sim/ddi/contract';

const PREFIX = 'mdl:';

/** Physical [start, end) ranges in address order, none touching another. */
export type Ranges = readonly (readonly [number, number])[];

/** The physical ranges of the bytes an MDL describes, or undefined when it describes none. */
export function mdlRanges(pfns: readonly number[], byteOffset: number, byteCount: number): Ranges | undefined {
  if (!(byteCount > 0) || !(byteOffset >= 0) || !Number.isSafeInteger(byteOffset + byteCount)) return undefined;
  const end = byteOffset + byteCount;
  if (Math.ceil(end / PAGE) > pfns.length) return undefined;
  const out: [number, number][] = [];
  for (let page = Math.floor(byteOffset / PAGE); page * PAGE < end; page++) {
    const pfn = pfns[page];
    if (!Number.isSafeInteger(pfn) || pfn < 0) return undefined;
    const lo = pfn * PAGE + Math.max(byteOffset, page * PAGE) - page * PAGE;
    const hi = pfn * PAGE + Math.min(end, (page + 1) * PAGE) - page * PAGE;
    out.push([lo, hi]);
  }
  out.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of out) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** The data breakpoint id of an MDL's ranges: `mdl:` then start+length pairs in hex. */
export function mdlDataId(ranges: Ranges): string {
  return PREFIX + ranges.map(([a, b]) => `${a.toString(16)}+${(b - a).toString(16)}`).join(',');
}

/** The ranges of an id mdlDataId made; undefined when `dataId` is not one. */
export function parseMdlDataId(dataId: string): Ranges | undefined {
  if (!dataId.startsWith(PREFIX)) return undefined;
  const out: [number, number][] = [];
  for (const part of dataId.slice(PREFIX.length).split(',')) {
    const m = /^([0-9a-f]+)\+([0-9a-f]+)$/i.exec(part);
    if (!m) return undefined;
    const start = parseInt(m[1], 16);
    const length = parseInt(m[2], 16);
    if (!Number.isSafeInteger(start + length) || length <= 0 || (out.length && start <= out[out.length - 1][1])) return undefined;
    out.push([start, start + length]);
  }
  return out.length ? out : undefined;
}

/** Whether [address, address + length) touches one of `ranges` (a binary search). */
export function touchesRanges(ranges: Ranges, address: number, length: number): boolean {
  let lo = 0;
  let hi = ranges.length;
  // The first range ending after `address`.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ranges[mid][1] <= address) lo = mid + 1;
    else hi = mid;
  }
  return lo < ranges.length && ranges[lo][0] < address + length;
}

/** Bytes the ranges hold. */
export function rangesBytes(ranges: Ranges): number {
  let n = 0;
  for (const [a, b] of ranges) n += b - a;
  return n;
}

/** How a data breakpoint on an MDL names what it watches. */
export function mdlLabel(ranges: Ranges): string {
  const bytes = rangesBytes(ranges);
  return `MDL of ${bytes} byte${bytes === 1 ? '' : 's'} from ${hex(ranges[0][0])} (${ranges.length} range${ranges.length === 1 ? '' : 's'} of system memory)`;
}
