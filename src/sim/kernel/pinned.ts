// Allocations VidMm pins in memory (DXGK_ALLOCATIONINFOFLAGS.Overlay and .Capture): "Overlay
// allocations are pinned in memory, and the video memory manager cannot evict them unless the
// Timeout Detection and Recovery (TDR) process, Plug and Play (PnP) stop, or level three
// synchronization occurs ... By default, overlay allocations are limited and cannot occupy more
// than the last 20 percent of a segment"; "Capture allocations are pinned in memory similarly to
// overlay allocations." Once paged in, a pinned allocation leaves the eviction order and stays
// where it is (compaction does not move it either); it is placed only in the last fifth of a
// segment.

import { PAGE_SIZE, type DXGK_ALLOCATIONINFO } from '../ddi/contract';
import type { SegmentState } from './vidmmRecords';

/** Whether the driver asked for an overlay or capture allocation (pinned once resident). */
export function isPinned(info: DXGK_ALLOCATIONINFO): boolean {
  return info.Flags.Overlay === true || info.Flags.Capture === true;
}

/** The flag that pins it, for messages. */
export function pinnedBy(info: DXGK_ALLOCATIONINFO): string {
  return info.Flags.Overlay === true ? 'Flags.Overlay' : 'Flags.Capture';
}

/** The bytes of segment `s` a pinned allocation may use (pinnedRegion's length). */
export function pinnedRoom(s: SegmentState): number {
  const r = pinnedRegion(s);
  return r.end - r.start;
}

/** Where in segment `s` a pinned allocation may lie: its last 20 percent, in whole pages. */
export function pinnedRegion(s: SegmentState): { start: number; end: number } {
  const fifth = Math.floor(s.size / 5 / PAGE_SIZE) * PAGE_SIZE;
  return { start: s.size - fifth, end: s.size };
}
