// VidMm's records: an allocation as the kernel tracks it, a segment's state, the paging policy and
// the paging statistics. Apart from vidmm.ts so the paging-buffer builder (pagingBuild.ts), which
// VidMm drives, can name them without the two files importing each other.

import type { DXGK_ALLOCATIONINFO, DXGK_SEGMENTDESCRIPTOR, HANDLE, MDL } from '../ddi/contract';
import type { Gen } from './events';
import type { RangeAllocator } from './rangeAllocator';

export interface Allocation {
  /** The kernel's handle (1-based). */
  handle: number;
  /** The scenario's name for it. */
  name: string;
  size: number;
  alignment: number;
  /** The driver's DXGK_ALLOCATIONINFO as it filled it in. */
  info: DXGK_ALLOCATIONINFO;
  hAllocation: HANDLE;
  /** Memory segments it may live in, most preferred first. */
  candidates: number[];
  /** The size of the smallest of them (a render checks its allocations against it without visiting each segment). */
  smallestCandidate: number;
  /**
   * DXGK_ALLOCATIONINFO.HintedBank, when its most preferred segment (SegmentId0) uses banking: the
   * banks (1-based) to page it in there, most preferred first, and whether each is scanned from the
   * top. Empty: no hint.
   */
  bankHints: readonly BankHint[];
  /** An overlay or capture allocation (./pinned.ts): never in the eviction order, never moved. */
  pinned: boolean;
  cpuVisible: boolean;
  fillPattern: number;
  /** `fresh`: the content is still the fill pattern (nothing written), so eviction may discard it. */
  content: 'fresh' | 'valid';
  /**
   * Written in its segment since it was paged in (a render that writes it): its system pages are
   * behind. Read for Flags.PermanentSysMem, whose eviction discards a clean copy.
   */
  dirty: boolean;
  residency: 'system' | 'resident';
  segmentId: number;
  offset: number;
  /** The system pages backing it (its content lives here while evicted). */
  pages: number[];
  mdl: MDL;
  pageListSize: number;
  locked: boolean;
  /** Last submission referencing it, by engine (fence ids; 0 where none has, a fence complete from the start). */
  busy: number[];
  /** The paging buffer (engine, fence; fence 0 when none) that last moved its content. */
  lastPagingEngine: number;
  lastPagingFence: number;
  lastPagingOperation: string | undefined;
  destroyed: boolean;
  /** Its priority level (DXGK_ALLOCATIONINFO.AllocationPriority to start with): lower levels are evicted first. */
  priority: number;
  /** Its place in VidMm's eviction order (evictionOrder.ts): the stamp of its last use, and the level it is filed under. */
  lruStamp: number;
  lruPriority: number;
}

/**
 * Eviction through an aperture segment (DXGK_ALLOCATIONINFO.EvictionSegmentSet: "VidMm attempts to
 * allocate resources in those aperture segments to accelerate the eviction process").
 */
export interface EvictionAperture {
  /** Maps `a`'s system pages into an aperture segment its EvictionSegmentSet names: where, or undefined when none has room. */
  map(a: Allocation): Gen<{ segmentId: number; offset: number } | undefined>;
  /** Once the transfer into the mapping is done: unmaps it again. */
  unmap(a: Allocation): Gen;
}

export interface BankHint {
  bank: number;
  topDown: boolean;
}

export interface SegmentState {
  id: number;
  name: string;
  kind: 'memory' | 'aperture';
  /** The bytes VidMm may commit in it: its Size, or an aperture segment's lower CommitLimit (placements use the first `size` bytes). */
  size: number;
  cpuVisible: boolean;
  descriptor: DXGK_SEGMENTDESCRIPTOR;
  ranges: RangeAllocator;
  resident: Set<Allocation>;
  /** With DXGK_SEGMENTFLAGS.UseBanking: its banks, [start, end) offsets, from the descriptor's pBankRangeTable. */
  banks: readonly { start: number; end: number }[] | undefined;
}

export interface VidMmPolicy {
  pagingBufferSize: number;
  /** The driver's PagingBufferPrivateDataSize: private data bytes kept with each paging buffer. */
  pagingBufferPrivateDataSize: number;
  maxTransferSize: number;
  pagingBuffers: number;
  pagingEngine: number;
  renderEngine: number;
}

export interface PagingStats {
  evictions: number;
  /** Moves of resident allocations to their preferred segment. */
  relocations: number;
  pageIns: number;
  transfers: number;
  subTransfers: number;
  fills: number;
  discards: number;
  buildCalls: number;
  insufficientDmaBuffer: number;
  /** Page-ins placed in a bank the allocation's HintedBank names. */
  bankPlacements: number;
  allocationBusy: number;
  pagingBuffersSubmitted: number;
  bytesIn: number;
  bytesOut: number;
}

/** Paging statistics before anything has happened. */
export function emptyPagingStats(): PagingStats {
  return {
    evictions: 0,
    relocations: 0,
    pageIns: 0,
    transfers: 0,
    subTransfers: 0,
    fills: 0,
    discards: 0,
    buildCalls: 0,
    insufficientDmaBuffer: 0,
    bankPlacements: 0,
    allocationBusy: 0,
    pagingBuffersSubmitted: 0,
    bytesIn: 0,
    bytesOut: 0,
  };
}
