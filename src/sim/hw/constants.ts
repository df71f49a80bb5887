// The numbers every part of the simulated GPU shares, in one place so that no part imports another
// for a number: fault codes and the causes they stand for, engine states and step results, GART
// entry bits, limits and fixed costs, and the isa's opcode, location-space and flag values.
//
// The isa values are copied into plain module constants: read through a module namespace or a
// property of the isa's objects on every instruction, they would cost more than a small instruction.

import {
  FenceFlags,
  LocationSpace,
  MapApertureFlags,
  Op,
  PAGE_LIST_HEADER_BYTES as PAGE_LIST_HEADER_BYTES_,
  PageListBase,
  PageTableFlags,
} from '../../isa/opcodes';
import {
  DEBUG_SEGMENT_STRIDE as DEBUG_SEGMENT_STRIDE_,
  EngineState,
  FaultCause,
  HOST_ENGINE as HOST_ENGINE_,
  PAGE_SIZE as PAGE_SIZE_,
} from './types';

export const OP_NOP = Op.Nop;
export const OP_COPY = Op.Copy;
export const OP_DISCARD = Op.Discard;
export const OP_FENCE = Op.Fence;
export const OP_FILL = Op.Fill;
export const OP_INTERRUPT = Op.Interrupt;
export const OP_MAP_APERTURE = Op.MapAperture;
export const OP_PAGE_TABLE_UPDATE = Op.PageTableUpdate;
export const OP_READ_PHYSICAL = Op.ReadPhysical;
export const OP_SWIZZLE = Op.Swizzle;
export const OP_TLB_FLUSH = Op.TlbFlush;
export const OP_UNMAP_APERTURE = Op.UnmapAperture;
export const OP_UNSWIZZLE = Op.Unswizzle;
export const OP_WAIT = Op.Wait;
export const OP_WRITE_PHYSICAL = Op.WritePhysical;
export const SPACE_GPU_VIRTUAL = LocationSpace.GpuVirtual;
export const SPACE_MDL = LocationSpace.Mdl;
export const SPACE_PHYSICAL = LocationSpace.Physical;
export const SPACE_SEGMENT = LocationSpace.Segment;
export const FENCE_IRQ = FenceFlags.Irq;
export const FENCE_MONITORED = FenceFlags.Monitored;
export const PT_INVALID = PageTableFlags.Invalid;
export const PT_READ_ONLY = PageTableFlags.ReadOnly;
export const MAP_CACHE_COHERENT = MapApertureFlags.CacheCoherent;
export const LIST_DMA_BUFFER = PageListBase.DmaBuffer;
export const LIST_PHYSICAL = PageListBase.Physical;
export const PAGE_SIZE = PAGE_SIZE_;
export const PAGE_LIST_HEADER_BYTES = PAGE_LIST_HEADER_BYTES_;
export const DEBUG_SEGMENT_STRIDE = DEBUG_SEGMENT_STRIDE_;
export const HOST_ENGINE = HOST_ENGINE_;

/**
 * How the host reached the memory it writes, told to write sinks with each host write: through the
 * CPU (the BAR, a physical address, a segment), as a bus-master DMA transfer, by writing a page list,
 * through the debugger, or otherwise (fills and the rest of the kernel's own writes).
 */
export const HOST_ACCESS = { other: 0, cpu: 1, busMaster: 2, pageList: 3, debugger: 4 } as const;

// Fault codes on the hot path (0 = none); CAUSES names them for fault records.
export const F_INVALID = 1;
export const F_OUTSIDE = 2;
export const F_UNMAPPED = 3;
export const F_MISALIGNED = 4;
export const F_BADLOC = 5;
export const F_PAGEFAULT = 6;
export const F_OVERLAP = 7;
export const F_PHYSICAL = 8;
export const CAUSES: readonly FaultCause[] = [
  'invalid-instruction',
  'invalid-instruction',
  'outside-segment',
  'unmapped-aperture-page',
  'misaligned-operand',
  'bad-location',
  'page-fault',
  'overlap',
  'physical-address',
];
/** Not a fault: what an instruction's check returns when a `wait` stalls the engine. */
export const STALLED = -1;

// Engine states (STATE_NAMES gives their public names) and what executing one instruction did.
export const S_IDLE = 0;
export const S_READY = 1;
export const S_WAITING = 2;
export const S_FAULTED = 3;
export const STATE_NAMES: readonly EngineState[] = ['idle', 'ready', 'waiting', 'faulted'];
export const R_EXECUTED = 0;
export const R_WAITING = 1;
export const R_FAULTED = 2;
export const R_IDLE = 3;
/** The next instruction would end after the time limit: not run. */
export const R_LIMIT = 4;

// GART entry bits of an aperture segment's page.
export const GART_VALID = 1;
export const GART_DUMMY = 2;
export const GART_COHERENT = 4;

// How address translation is asked to reach memory: read the bytes (or, for uniform memory, only
// learn its pattern), write them (materialising uniform pages), or only locate them (which memory,
// which address), for fills and for copies of uniform content. Bit 0 is set for writes.
export const ACCESS_READ = 0;
export const ACCESS_WRITE = 1;
export const LOCATE_READ = 4;
export const LOCATE_WRITE = 5;

/** GPU virtual addresses are 48 bits. */
export const GPU_VA_LIMIT = 2 ** 48;
export const TLB_ENTRIES = 64;
/** Longest run one resolution returns, so one typed-array call never spans more than this. */
export const MAX_RUN_BYTES = 16 * 1024 * 1024;
/** Dummy-page accesses kept for `dummyPageAccesses().recent`. */
export const DUMMY_LOG = 256;
/** Fixed cost of a bus-master scatter/gather transfer and of each of its packets (pages). */
export const SG_SETUP_NS = 500;
export const SG_PACKET_NS = 10;
