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
  /**
   * Where each bank of the segment but the last ends (offsets in the segment), when the hardware
   * divides it into banks: what a driver reports in DXGK_SEGMENTDESCRIPTOR.pBankRangeTable.
   */
  bankEnds?: readonly number[];
}

export interface Bandwidths {
  /** Bytes per nanosecond (= GB/s) for VRAM to VRAM copies. */
  vramToVram: number;
  /** Bytes per nanosecond across the bus, system memory to or from VRAM. */
  systemToVram: number;
  /** Bytes per nanosecond for fills. */
  fill: number;
}

/**
 * Told of every write as numbers, with no event object built (the time-travel recorder): who wrote
 * (an engine index or HOST_ENGINE), VRAM or system memory, the address, the length, the debug
 * address, the virtual time, and for a host write how the host reached the memory (HOST_ACCESS).
 */
export type WriteSink = (engine: number, vram: boolean, address: number, length: number, debugAddress: number, time: number, hostAccess: number) => void;

/**
 * Told of every read of memory's data by a GPU engine (a copy's source, the few bytes an
 * instruction reads) or by bus-master DMA (the side a transfer reads), as numbers: the arguments
 * of a WriteSink. Instruction fetch and the host's own reads (the CPU, the kernel's checks, the
 * debugger) are not reads of this kind. Data breakpoints on reads listen; with none, the datapath
 * tests one flag per run of bytes it moves.
 */
export type ReadSink = WriteSink;

/**
 * Told of the host's submissions and common buffers, through the Gpu's own methods (the
 * time-travel recorder); one at a time (Gpu.observer). A field the Gpu always has rather than its
 * methods replaced: replacing them would give recorded GPUs another shape than the others, and
 * the code they share would deoptimize each time it met the other kind.
 */
export interface GpuObserver {
  /** Before `submission` is queued on `engine`. */
  submitting(engine: number, submission: Submission): void;
  /** A common buffer was allocated. */
  commonBufferAllocated(buffer: CommonBuffer): void;
  /** A common buffer was freed (after). */
  commonBufferFreed(buffer: CommonBuffer): void;
  /** The host wrote [physical, physical + length) of a common buffer directly (Gpu.wroteCommonBuffer). */
  commonBufferWritten(physical: number, length: number): void;
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
  /**
   * Physical page every GART entry points at after reset, as a dummy page (accesses through it
   * are recorded), as if the aperture had been unmapped at adapter start. Omitted: entries start
   * invalid and GPU accesses through them fault with `unmapped-aperture-page` (the default: the
   * kernel is expected to unmap the aperture to its dummy page at start). Page 0 is a good choice:
   * `allocatePages` and common buffers never hand it out.
   */
  gartResetDummyPage?: number;
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
  | {
      kind: 'instruction';
      engine: number;
      address: number;
      offset: number;
      code: number;
      /** When the instruction started; it completed at `end` (its effects are dated `end`). */
      time: number;
      end: number;
      size: number;
    }
  | {
      kind: 'write';
      /** The engine that wrote, or HOST_ENGINE for the CPU / bus-master DMA. */
      engine: number;
      target: 'vram' | 'system';
      /** VRAM address or system physical address. */
      address: number;
      length: number;
      /** The same range in the debug address space (a segment range when written through one). */
      debugAddress: number;
      time: number;
    }
  | {
      kind: 'fence';
      engine: number;
      value: bigint;
      monitored: boolean;
      /** For a monitored fence: where it was written, in the debug address space. */
      address?: number;
      time: number;
    }
  | {
      kind: 'interrupt';
      engine: number;
      /** `dma-completed` from a `fence ..., irq`; `instruction` from the `interrupt` opcode. */
      reason: 'dma-completed' | 'instruction';
      code: number;
      fenceValue?: bigint;
      time: number;
    }
  | { kind: 'fault'; fault: FaultRecord }
  | { kind: 'dummy-page-access'; engine: number; segment: number; page: number; write: boolean; time: number }
  | { kind: 'wait'; engine: number; satisfied: boolean; time: number }
  | { kind: 'buffer-complete'; engine: number; submissionId: number; time: number };

/** The events a host must react to (interrupts, faults, finished buffers): what a control listener hears. */
export type ControlHwEvent = Extract<HwEvent, { kind: 'interrupt' | 'fault' | 'buffer-complete' }>;

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

// The debug address space is defined in the lowest layer (src/isa/debugAddress.ts): the GPU's debug
// access implements it here, and the layers above address memory the same way.
export { DEBUG_SEGMENT_STRIDE, debugAddressOfSegment } from '../../isa/debugAddress';

/** `engine` of events caused by the host (CPU writes, bus-master scatter/gather DMA), not a paging engine. */
export const HOST_ENGINE = -1;

/** What `step` did: ran one instruction, found the engine waiting or faulted, or had nothing to run. */
export type StepOutcome = 'executed' | 'waiting' | 'faulted' | 'idle';

/** One GART entry of an aperture segment. */
export interface GartEntry {
  /** `invalid`: never mapped since reset (GPU accesses fault); `dummy`: pointed at the dummy page. */
  state: 'invalid' | 'mapped' | 'dummy';
  physical: number;
  coherent: boolean;
}

export interface DummyPageAccess {
  engine: number;
  segment: number;
  page: number;
  write: boolean;
  time: number;
}

export interface AddressRange {
  address: number;
  length: number;
}

export interface DebugReadResult {
  /** `length` bytes; unreadable parts read as zero. */
  bytes: Uint8Array;
  /** Ranges (in the debug address space) that could not be read. */
  unreadable: AddressRange[];
}

export interface DebugWriteResult {
  written: number;
  unwritable: AddressRange[];
}

export interface SwizzlingRange {
  handle: number;
  segmentId: number;
  offset: number;
  size: number;
  pitch: number;
}

export interface PageTableEntryView {
  va: number;
  present: boolean;
  readOnly: boolean;
  /** Segment id, or 0 for a system physical address. */
  segmentId: number;
  /** Segment offset or physical address of the page. */
  target: number;
  /** True when this is a translation the TLB holds (asked for through the TLB). */
  cached?: boolean;
}

export interface Random {
  readonly seed: number;
  /** Next 32-bit unsigned integer. */
  nextU32(): number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Fills `words` with the next words.length values of nextU32, in order. */
  fill(words: Uint32Array): void;
}

/**
 * The simulated GPU and the platform around it (system memory, bus-master DMA). Host-side calls
 * given bad arguments throw an Error that says what is wrong; the paging engines never throw, they
 * fault. Everything is deterministic: one virtual clock (`now`, ns) and a seeded `random`.
 */
export interface Gpu {
  readonly config: Readonly<GpuConfig>;
  /** The segments with vramBase/barBase filled in. */
  readonly segments: readonly SegmentDescriptor[];
  /** Virtual time in nanoseconds. */
  readonly now: number;
  readonly random: Random;

  // System memory and bus-master DMA
  allocatePages(count: number): number[];
  freePages(pages: readonly number[]): void;
  /** Hands out no system page at or above `endAddress` from now on (pages, common buffers): what the GPU cannot reach. */
  limitSystemPages(endAddress: number): void;
  readPhysical(address: number, length: number): Uint8Array;
  writePhysical(address: number, bytes: Uint8Array): void;
  /** Fills `length` bytes from a 4-byte aligned address with a 32-bit pattern (little-endian): writePhysical of those bytes, whole pages left uniform. */
  fillPhysical(address: number, length: number, pattern: number): void;
  createMdl(pages: readonly number[], byteOffset: number, byteCount: number): Mdl;
  /** Writes a page list (the layout `mdl(...)` locations read) at `physical`; returns its size in bytes. */
  writePageList(physical: number, pages: readonly number[]): number;
  /** Undefined when the budget cannot cover `size`. */
  allocateCommonBuffer(size: number): CommonBuffer | undefined;
  freeCommonBuffer(buffer: CommonBuffer): void;
  commonBufferUsage(): { used: number; budget: number; buffers: number };
  /** Packet-based DMA between an MDL and a segment; applied now, the channel is busy until `completesAt`. */
  scatterGather(
    mdl: Mdl,
    segmentId: number,
    segmentOffset: number,
    direction: 'to-device' | 'from-device',
  ): { bytes: number; completesAt: number };

  // Segments, GART, CPU aperture
  readSegment(segmentId: number, offset: number, length: number): Uint8Array;
  /** The pattern every byte of the range holds when it is uniform memory (segmentId 0: system physical memory), else -1; reads no byte. */
  uniformPattern(segmentId: number, offset: number, length: number): number;
  writeSegment(segmentId: number, offset: number, bytes: Uint8Array): void;
  gartEntry(segmentId: number, page: number): GartEntry;
  dummyPageAccesses(): { count: number; recent: DummyPageAccess[] };
  cpuRead(barOffset: number, length: number): Uint8Array;
  cpuWrite(barOffset: number, bytes: Uint8Array): void;
  /** Undefined when every swizzling range is in use. */
  acquireSwizzlingRange(segmentId: number, offset: number, size: number, pitch: number): SwizzlingRange | undefined;
  releaseSwizzlingRange(handle: number): void;
  swizzlingRanges(): SwizzlingRange[];
  /** The page table entry of `va`; with `throughTlb`, what an access would reach now (the TLB first), without loading the TLB. */
  pageTableEntry(va: number, throughTlb?: boolean): PageTableEntryView;

  // Paging engines
  submit(engine: number, submission: Submission): void;
  step(engine: number): StepOutcome;
  /** Runs every engine until nothing can run; returns the number of instructions executed. */
  runUntilIdle(): number;
  /** Runs what completes by `time`, then sets the clock to it; returns instructions executed. */
  advance(time: number): number;
  engineView(engine: number): EngineView;
  /** engineView's members one at a time, without a copy: what a scheduler reads at every instruction. */
  engineState(engine: number): EngineState;
  engineBusyUntil(engine: number): number;
  enginePc(engine: number): number;
  engineCurrent(engine: number): Readonly<Submission> | undefined;
  /** Clears a fault and drops the engine's current and queued buffers (an engine reset after a TDR). */
  resetEngine(engine: number): void;

  // Observability
  /**
   * Returns a function that removes the listener. Listeners run synchronously while the engine
   * executes; an exception thrown by one propagates to the caller of step/advance/runUntilIdle.
   */
  onEvent(listener: (event: HwEvent) => void): () => void;
  /**
   * Listens to the control events only (interrupts, faults, finished buffers), in order with the
   * other listeners. Unlike onEvent, it does not make the hardware build every instruction's and
   * every write's event.
   */
  onControlEvent(listener: (event: ControlHwEvent) => void): () => void;
  /**
   * Hears every write (by an engine or the host) as numbers, with the instruction being run in
   * `writingInstruction()`; builds no event object (the time-travel recorder's way to see writes
   * at little cost).
   */
  onWrites(sink: WriteSink): () => void;
  /** Hears every data read by an engine or bus-master DMA (see ReadSink); returns the way to stop. */
  onReads(sink: ReadSink): () => void;
  /** Told of the host's submissions and common buffers (the time-travel recorder); one at a time. */
  observer: GpuObserver | undefined;
  /**
   * The host wrote [physical, physical + length) of a common buffer through its bytes, not through
   * the GPU (the kernel building a DMA buffer): says so to the observer, who would otherwise find
   * the change by comparing the buffer with its copy.
   */
  wroteCommonBuffer(physical: number, length: number): void;
  /** While a write sink hears an engine's write: the physical address of the instruction writing. */
  writingInstruction(): number;
  debugRead(address: number, length: number): DebugReadResult;
  debugWrite(address: number, bytes: Uint8Array): DebugWriteResult;
  /** Bytes of VRAM and system memory actually materialised (a page sharing its bytes with one of the other memory counts in both). */
  residentBytes(): { vram: number; system: number };
  /** Bytes VRAM and system memory hold from the process (slabs and page tables), resident or not. */
  heldBytes(): number;
  /** Bytes copies have carried as fills so far, their source being uniform memory (no byte moved). */
  patternCopiedBytes(): number;
  /** Bytes copies have carried so far by sharing whole pages of written content with their source, copied on write (no byte moved). */
  sharedCopiedBytes(): number;
  /**
   * Empties VRAM and system memory and hands their storage to the next GPU made in this thread.
   * Only for a GPU nobody will read again (a finished run in a sweep).
   */
  releaseMemory(): void;
}
