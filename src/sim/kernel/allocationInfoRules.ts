// What VidMm requires of the segment and size members of a DXGK_ALLOCATIONINFO that
// DxgkDdiCreateAllocation filled in (DXGK_ALLOCATIONINFO, d3dkmddi.h): a preferred segment must be
// one the allocation supports ("VidMm asserts if the driver attempts to set preferences for
// unsupported segments"), EvictionSegmentSet may name aperture segments only, a nonzero
// PitchAlignedSize is at least Size, AllocationPriority is not 0, and Cached and PermanentSysMem
// come with CpuVisible (DXGK_ALLOCATIONINFOFLAGS). Each broken rule stops the
// run at the line that last wrote the member (the verifier's allocationInfoWrites). And the bank
// hints (HintedBank), read for the allocation's most preferred segment when that uses banking.

import type { DXGK_ALLOCATIONINFO } from '../ddi/contract';
import type { SourceLocation } from '../driver/errors';
import type { RuleId } from '../verifier/rules';
import type { BankHint, SegmentState } from './vidmmRecords';

/** What the check needs of the kernel: the segments, how it stops the run, and where a member was last written. */
export interface AllocationInfoHost {
  segment(id: number): SegmentState | undefined;
  fault(rule: RuleId, message: string, location: SourceLocation | undefined): Error;
  lineOf(member: RegExp): SourceLocation | undefined;
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

function named(s: SegmentState | undefined, id: number): string {
  return s ? `segment ${id} (${s.name}, ${s.kind === 'aperture' ? 'an aperture segment' : 'a memory segment'})` : `segment ${id}, which the adapter does not have`;
}

/** Throws the rule the segment members of `info` break, if any, for the allocation named `what`. */
export function checkAllocationSegments(host: AllocationInfoHost, what: string, info: DXGK_ALLOCATIONINFO): void {
  const supported = (info.SupportedReadSegmentSet | info.SupportedWriteSegmentSet) >>> 0;
  const p = info.PreferredSegment;
  const preferred = [p.SegmentId0, p.SegmentId1, p.SegmentId2, p.SegmentId3, p.SegmentId4];
  for (let k = 0; k < preferred.length; k++) {
    const id = preferred[k];
    // The preferences end at the first 0, as VidMm reads them.
    if (!id) break;
    const s = host.segment(id);
    if (s && supported & (1 << (id - 1))) continue;
    throw host.fault(
      'preferred-segment-unsupported',
      `DxgkDdiCreateAllocation for '${what}': PreferredSegment.SegmentId${k} names ${named(s, id)}, which neither SupportedReadSegmentSet (${hex(info.SupportedReadSegmentSet)}) nor SupportedWriteSegmentSet (${hex(info.SupportedWriteSegmentSet)}) includes. Add the segment to the supported sets, or leave it out of the preferences`,
      host.lineOf(new RegExp(`^pAllocationInfo\\[0\\]\\.(PreferredSegment\\.SegmentId${k}|Supported\\w*SegmentSet)$`)),
    );
  }
  const eviction = info.EvictionSegmentSet >>> 0;
  // The set bits, lowest first (most allocations name none).
  for (let rest = eviction; rest !== 0; rest &= rest - 1) {
    const bit = 31 - Math.clz32(rest & -rest);
    const s = host.segment(bit + 1);
    if (s?.kind === 'aperture') continue;
    throw host.fault(
      'eviction-segment-not-aperture',
      `DxgkDdiCreateAllocation for '${what}': EvictionSegmentSet (${hex(eviction)}) names ${named(s, bit + 1)}. Only aperture segments may be named there; 0 has VidMm evict the allocation straight to system memory`,
      host.lineOf(/^pAllocationInfo\[0\]\.EvictionSegmentSet$/),
    );
  }
}

/** Throws the rule PitchAlignedSize breaks against Size, if it does, for the allocation named `what`. */
export function checkAllocationSizes(host: AllocationInfoHost, what: string, info: DXGK_ALLOCATIONINFO): void {
  const pitched = info.PitchAlignedSize;
  if (typeof pitched !== 'number' || pitched === 0 || pitched >= info.Size) return;
  throw host.fault(
    'pitch-aligned-size-below-size',
    `DxgkDdiCreateAllocation for '${what}': PitchAlignedSize is ${pitched}, less than Size (${info.Size}). A nonzero PitchAlignedSize is the allocation's size in a pitch-aligned segment and must be at least Size; set 0 when the allocation is not supported in a pitch-aligned segment (this adapter has none)`,
    host.lineOf(/^pAllocationInfo\[0\]\.(PitchAlignedSize|Size)$/),
  );
}

/** Throws the rule Cached or PermanentSysMem without CpuVisible breaks (DXGK_ALLOCATIONINFOFLAGS), if one does, for the allocation named `what`. */
export function checkAllocationFlags(host: AllocationInfoHost, what: string, info: DXGK_ALLOCATIONINFO): void {
  const f = info.Flags;
  if (f.CpuVisible) return;
  const set = (['Cached', 'PermanentSysMem'] as const).filter((k) => f[k]);
  if (!set.length) return;
  throw host.fault(
    'allocation-flags-need-cpu-visible',
    `DxgkDdiCreateAllocation for '${what}': Flags.${set.join(' and Flags.')} ${set.length > 1 ? 'are' : 'is'} set without Flags.CpuVisible. ${set.includes('Cached') ? 'A cached backing store is for allocations the CPU reads' : 'A permanent system-memory copy is what pfnLockCb hands the CPU'}: set CpuVisible with ${set.length > 1 ? 'them' : 'it'}, or leave ${set.length > 1 ? 'them' : 'it'} clear`,
    host.lineOf(/^pAllocationInfo\[0\]\.Flags\.(Cached|PermanentSysMem|CpuVisible)$/),
  );
}

/** Throws the rule AllocationPriority breaks, if it does, for the allocation named `what`. */
export function checkAllocationPriority(host: AllocationInfoHost, what: string, info: DXGK_ALLOCATIONINFO): void {
  if (info.AllocationPriority !== 0) return;
  throw host.fault(
    'allocation-priority-zero',
    `DxgkDdiCreateAllocation for '${what}': AllocationPriority is 0, an invalid initial priority. Set a priority level; when priority is not an issue to the driver, D3DDDI_ALLOCATIONPRIORITY_NORMAL (0x78000000, exported by 'paging-lab/ddi')`,
    host.lineOf(/^pAllocationInfo\[0\]\.AllocationPriority$/),
  );
}

/**
 * DXGK_SEGMENTBANKPREFERENCE: the banks HintedBank names, most preferred first, when `segment0` (the
 * segment PreferredSegment.SegmentId0 names) uses banking ("VidMm uses banking information about the
 * most preferred segment"); none otherwise. Identifiers are one-based, 1 to 127, and "the driver can
 * specify less than four preferences by setting the lower priority preferences of bank identifiers
 * to zero": the list ends at the first 0. A bank the segment does not have, or a Direction other
 * than 0 or 1, is the problem returned.
 */
export function bankHintsOf(info: DXGK_ALLOCATIONINFO, segment0: SegmentState | undefined): { hints: BankHint[] } | { problem: string } {
  const h = info.HintedBank;
  if (!segment0?.banks || !h || typeof h !== 'object') return { hints: [] };
  const hints: BankHint[] = [];
  const banks = [h.Bank0, h.Bank1, h.Bank2, h.Bank3];
  const directions = [h.Direction0, h.Direction1, h.Direction2, h.Direction3];
  for (let k = 0; k < 4; k++) {
    const bank = banks[k];
    if (bank === 0) break;
    if (!Number.isInteger(bank) || bank < 0 || bank > segment0.banks.length) {
      return { problem: `HintedBank.Bank${k} is ${String(bank)}, but ${segment0.name} (segment ${segment0.id}, PreferredSegment.SegmentId0) has banks 1 to ${segment0.banks.length}; 0 ends the list` };
    }
    const d = directions[k];
    if (d !== 0 && d !== 1) return { problem: `HintedBank.Direction${k} is ${String(d)}: 0 scans bank ${bank} from its low addresses up, 1 from its high addresses down` };
    hints.push({ bank, topDown: d === 1 });
  }
  return { hints };
}

/** Every segment of `segments` the driver's DXGK_ALLOCATIONINFO names, in a preference or in a supported set. */
export function segmentsNamedBy(segments: readonly SegmentState[], info: DXGK_ALLOCATIONINFO): SegmentState[] {
  const supported = (info.SupportedReadSegmentSet | info.SupportedWriteSegmentSet) >>> 0;
  const p = info.PreferredSegment;
  const preferred = [p.SegmentId0, p.SegmentId1, p.SegmentId2, p.SegmentId3, p.SegmentId4];
  return segments.filter((s) => supported & (1 << (s.id - 1)) || preferred.includes(s.id));
}
