// Banked segments (DXGK_SEGMENTDESCRIPTOR UseBanking, NbOfBanks, pBankRangeTable) and the bank
// hints of an allocation (DXGK_ALLOCATIONINFO.HintedBank): a segment's banks from its descriptor, and
// room for an allocation in the banks its hint names. "VidMm uses banking information about the most
// preferred segment, which is specified by the SegmentId0 member": only there, in the order of
// preference, each bank scanned from the bottom (Direction 0) or the top (Direction 1). VidMm places
// the allocation anywhere in the segment when none of them has room.

import type { DXGK_SEGMENTDESCRIPTOR } from '../ddi/contract';
import type { Allocation, SegmentState } from './vidmmRecords';

/** A banked segment's banks as [start, end) offsets: pBankRangeTable's ends (the last, if left out, is the segment's end). */
export function bankRanges(d: DXGK_SEGMENTDESCRIPTOR, size: number): { start: number; end: number }[] {
  const table = d.pBankRangeTable ?? [];
  const out: { start: number; end: number }[] = [];
  for (let i = 0; i < d.NbOfBanks; i++) {
    const start = i === 0 ? 0 : table[i - 1];
    out.push({ start, end: Math.min(i < table.length ? table[i] : size, size) });
  }
  return out;
}

/** Room for `a` in segment `s` in a bank its hint names (taken: the offset), or -1 (no hint there, or none of them has room). */
export function placeInBanks(a: Allocation, s: SegmentState, align: number): number {
  if (!a.bankHints.length || !s.banks || s.id !== a.candidates[0]) return -1;
  for (const h of a.bankHints) {
    const b = s.banks[h.bank - 1];
    const offset = b ? s.ranges.allocateIn(b.start, b.end, a.size, align, h.topDown) : -1;
    if (offset >= 0) return offset;
  }
  return -1;
}

/** The bank of segment `s` that holds `offset` (1-based), or 0 when `s` has no banks. */
export function bankAt(s: SegmentState, offset: number): number {
  return s.banks ? s.banks.findIndex((b) => offset >= b.start && offset < b.end) + 1 : 0;
}

/**
 * Where compaction moves `a`, whose range in `s` (at `from`) it has just released: the lowest free
 * range of the bank its hint names that holds it now, so compaction does not undo what the hint
 * asked for (down, as compaction packs, whatever the hint's direction: a move up that overlaps would
 * copy over bytes it has not read yet); -1 when it lies in no bank its hint names (compaction then
 * takes the segment's lowest hole).
 */
export function compactInBank(a: Allocation, s: SegmentState, from: number, align: number): number {
  if (!a.bankHints.length || !s.banks || s.id !== a.candidates[0]) return -1;
  const bank = bankAt(s, from);
  const h = a.bankHints.find((x) => x.bank === bank);
  const b = s.banks[bank - 1];
  if (!h || !b || from + a.size > b.end) return -1;
  return s.ranges.allocateIn(b.start, b.end, a.size, align, false);
}
