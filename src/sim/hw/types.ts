// The contract between the simulated hardware (src/sim/hw) and everything that drives it: the
// simulated kernel, the debugger and the command line. The hardware knows nothing of drivers; it
// is what a driver programs. Implementations live beside this file; consumers import only these
// types and the factory `createGpu`.

export const PAGE_SIZE = 4096;

/** How a driver declares a segment, modelled on DXGK_SEGMENTDESCRIPTOR (plus our simulation needs). */
export interface SegmentDescriptor {
  /** 1-based segment id, as the kernel numbers the driver's descriptors. */
  id: number;
  name: string;
  kind: 'memory' | 'aperture';
  /** Size in bytes (a multiple of 4 KiB). */
  size: number;
  /** For memory segments: where the segment starts in VRAM. */
  vramBase?: number;
  /** DXGK_SEGMENTFLAGS.CpuVisible: reachable by the CPU through the PCI aperture (BAR). */
  cpuVisible: boolean;
  /** For CPU-visible segments: the segment's offset in the BAR (linear access: same offsets). */
  barBase?: number;
  /** DXGK_SEGMENTFLAGS.CacheCoherent (aperture segments). */
  cacheCoherent?: boolean;
}

export interface Bandwidths {
  /** Bytes per nanosecond (= GB/s) for VRAM to VRAM copies. */
  vramToVram: number;
  /** Bytes per nanosecond across the bus, system memory to or from VRAM. */
  systemToVram: number;
  /** Bytes per nanosecond for fills. */
  fill: number;
}

export interface GpuConfig {
  vramBytes: number;
  systemMemoryBytes: number;
  segments: SegmentDescriptor[];
  /** Bytes of common-buffer memory the bus-master DMA adapter can hand out. */
  commonBufferBudget: number;
  /** Number of swizzling ranges the CPU aperture unit has. */
  swizzlingRanges: number;
  bandwidths: Bandwidths;
  /** Number of paging engines (GPU threads in the debugger); usually 1. */
  engines: number;
  seed: number;
}

export interface Mdl {
  /** Physical addresses of the 4 KiB pages, in order. */
  pages: number[];
  /** Byte offset of the buffer's start into the first page (MDL ByteOffset). */
  byteOffset: number;
  byteCount: number;
}

export interface CommonBuffer {
  /** Physical (bus) address; contiguous. */
  physical: number;
  size: number;
  /** The host's view of the same bytes (writes are visible to the device, and back). */
  bytes: Uint8Array;
}

export type FaultCause =
  | 'invalid-instruction'
  | 'outside-segment'
  | 'unmapped-aperture-page'
  | 'misaligned-operand'
  | 'bad-location'
  | 'page-fault'
  | 'overlap'
  | 'physical-address';

export interface FaultRecord {
  engine: number;
  /** Physical address of the faulting instruction (in the debug address space too). */
  address: number;
  /** Offset of the faulting instruction from the start of its DMA buffer. */
  offset: number;
  /** Disassembly of the instruction, or `(invalid)` with the reason. */
  instruction: string;
  cause: FaultCause;
  message: string;
  time: number;
}

/** What the hardware reports. Listeners are optional; with none, nothing is built. */
export type HwEvent =
  | { kind: 'instruction'; engine: number; address: number; offset: number; code: number; time: number }
  | { kind: 'write'; engine: number; target: 'vram' | 'system'; address: number; length: number; time: number }
  | { kind: 'fence'; engine: number; value: bigint; monitored: boolean; address?: number; time: number }
  | { kind: 'interrupt'; engine: number; code: number; fenceValue?: bigint; time: number }
  | { kind: 'fault'; fault: FaultRecord }
  | { kind: 'dummy-page-access'; engine: number; segment: number; page: number; write: boolean; time: number }
  | { kind: 'buffer-complete'; engine: number; submissionId: number; time: number };

export interface Submission {
  /** Physical address of the DMA buffer (common-buffer memory). */
  physical: number;
  /** Bytes of instructions to execute. */
  length: number;
  /** Caller's id, echoed in events (VidSch's submission fence id). */
  submissionId: number;
}

export type EngineState = 'idle' | 'ready' | 'waiting' | 'faulted';

export interface EngineView {
  index: number;
  state: EngineState;
  /** The buffer being executed and the next instruction's offset in it. */
  current?: Submission;
  pc: number;
  queued: number;
  pagingFence: bigint;
  fault?: FaultRecord;
  /** Virtual time at which the engine will have finished its current instruction. */
  busyUntil: number;
}

/**
 * The debug address space: one flat space over everything a debugger may look at, so DAP
 * readMemory, writeMemory, disassemble and instruction breakpoints take plain addresses.
 *   [0, systemMemoryBytes)             system physical memory (DMA and paging buffers live here)
 *   segmentId * 2^40 + segment offset  each segment, as the GPU sees it (aperture segments
 *                                      translate through the GART; unmapped pages read the dummy page)
 */
export const DEBUG_SEGMENT_STRIDE = 2 ** 40;

export function debugAddressOfSegment(segmentId: number, offset = 0): number {
  return segmentId * DEBUG_SEGMENT_STRIDE + offset;
}
