// The simulated GPU and the platform around it, assembled from one part per piece of hardware, the
// way an emulator keeps one file per device:
//   memory.ts       the page store behind VRAM and system memory (uniform or materialised pages)
//   segments.ts     memory segments and aperture segments with their GART
//   pageTable.ts    GPU virtual addresses: page table and TLB
//   translate.ts    address translation of `loc` operands to runs of backing bytes
//   hostAccess.ts   the host's reads and writes of physical memory and segments
//   cpuAperture.ts  the CPU's view: the BAR and its swizzling ranges
//   systemMemory.ts system pages, MDLs and page lists
//   busMaster.ts    bus-master DMA: common buffers and scatter/gather
//   datapath.ts     the engines' byte movers (copy, fill, read, write, retile)
//   pagingOps.ts    one handler per paging opcode
//   engine.ts       the paging engines: fetch, decode, time, fault, run
//   debugAccess.ts  the debugger's flat address space
// sharing constants.ts (numbers), state.ts (memories, clock, write bookkeeping) and events.ts
// (HwEvents, built only while someone listens). This class wires them and is the `Gpu` its users see.

import { OPCODE_BY_CODE } from '../../isa/opcodes';
import { BusMasterDma } from './busMaster';
import { HOST_ACCESS, PAGE_SIZE } from './constants';
import { layoutSegments } from './config';
import { CpuAperture } from './cpuAperture';
import { Datapath } from './datapath';
import { DebugAccess } from './debugAccess';
import { PagingEngines } from './engine';
import { HostAccess } from './hostAccess';
import { GpuPageTable } from './pageTable';
import { createRandom } from './random';
import { GpuState } from './state';
import { SystemMemory } from './systemMemory';
import { Resolver } from './translate';
import type {
  CommonBuffer,
  ControlHwEvent,
  DebugReadResult,
  DebugWriteResult,
  DummyPageAccess,
  EngineState,
  EngineView,
  GartEntry,
  Gpu,
  GpuConfig,
  GpuObserver,
  HwEvent,
  Mdl,
  PageTableEntryView,
  Random,
  SegmentDescriptor,
  StepOutcome,
  Submission,
  SwizzlingRange,
  WriteSink,
  ReadSink,
} from './types';

export { GPU_VA_LIMIT } from './constants';

export class SimGpu implements Gpu {
  readonly config: Readonly<GpuConfig>;
  readonly segments: readonly SegmentDescriptor[];
  readonly random: Random;
  private readonly state: GpuState;
  private readonly pageTable = new GpuPageTable();
  private readonly host: HostAccess;
  private readonly cpu: CpuAperture;
  private readonly memory: SystemMemory;
  private readonly dma: BusMasterDma;
  private readonly engines: PagingEngines;
  private readonly debug: DebugAccess;
  /** Told of the host's submissions and common buffers (see GpuObserver); one at a time. */
  observer: GpuObserver | undefined = undefined;

  /**
   * Says how the host reaches the memory it is about to write or read (told to write and read sinks);
   * returns what it was, for the caller to put back when its write is done.
   */
  private hostAccess(access: number): number {
    const ev = this.state.events;
    const was = ev.hostAccess;
    ev.hostAccess = access;
    return was;
  }

  constructor(config: GpuConfig) {
    const segments = layoutSegments(config);
    this.config = Object.freeze({ ...config, segments });
    this.segments = segments;
    this.random = createRandom(config.seed ?? 1);
    const state = (this.state = new GpuState(this.config));
    const res = new Resolver(state, this.pageTable);
    this.host = new HostAccess(state, res);
    this.cpu = new CpuAperture(state.segments, this.host, config.swizzlingRanges);
    this.memory = new SystemMemory(state, this.host);
    this.dma = new BusMasterDma(state, this.host, this.memory);
    this.engines = new PagingEngines(state, res, new Datapath(state, res), this.pageTable);
    this.debug = new DebugAccess(state, this.host);
  }

  get now(): number {
    return this.state.clock;
  }

  // System memory and bus-master DMA
  allocatePages(count: number): number[] {
    return this.memory.allocatePages(count);
  }
  freePages(pages: readonly number[]): void {
    this.memory.freePages(pages);
  }
  limitSystemPages(endAddress: number): void {
    this.memory.pages.limit(Math.floor(endAddress / PAGE_SIZE));
  }
  readPhysical(address: number, length: number): Uint8Array {
    return this.host.readPhysical(address, length);
  }
  writePhysical(address: number, bytes: Uint8Array): void {
    const was = this.hostAccess(HOST_ACCESS.cpu);
    try {
      this.host.writePhysical(address, bytes);
    } finally {
      this.state.events.hostAccess = was;
    }
  }
  fillPhysical(address: number, length: number, pattern: number): void {
    this.host.fillPhysical(address, length, pattern);
  }
  createMdl(pages: readonly number[], byteOffset: number, byteCount: number): Mdl {
    return this.memory.createMdl(pages, byteOffset, byteCount);
  }
  writePageList(physical: number, pages: readonly number[]): number {
    const was = this.hostAccess(HOST_ACCESS.pageList);
    try {
      return this.memory.writePageList(physical, pages);
    } finally {
      this.state.events.hostAccess = was;
    }
  }
  allocateCommonBuffer(size: number): CommonBuffer | undefined {
    const b = this.dma.allocateCommonBuffer(size);
    if (b) this.observer?.commonBufferAllocated(b);
    return b;
  }
  freeCommonBuffer(buffer: CommonBuffer): void {
    this.dma.freeCommonBuffer(buffer);
    this.observer?.commonBufferFreed(buffer);
  }
  wroteCommonBuffer(physical: number, length: number): void {
    this.observer?.commonBufferWritten(physical, length);
  }
  commonBufferUsage(): { used: number; budget: number; buffers: number } {
    return this.dma.commonBufferUsage();
  }
  scatterGather(mdl: Mdl, segmentId: number, segmentOffset: number, direction: 'to-device' | 'from-device'): { bytes: number; completesAt: number } {
    const was = this.hostAccess(HOST_ACCESS.busMaster);
    try {
      return this.dma.scatterGather(mdl, segmentId, segmentOffset, direction);
    } finally {
      this.state.events.hostAccess = was;
    }
  }

  // Segments, GART, CPU aperture
  readSegment(segmentId: number, offset: number, length: number): Uint8Array {
    return this.host.readSegment(segmentId, offset, length);
  }
  uniformPattern(segmentId: number, offset: number, length: number): number {
    return this.host.uniformPattern(segmentId, offset, length);
  }
  writeSegment(segmentId: number, offset: number, bytes: Uint8Array): void {
    const was = this.hostAccess(HOST_ACCESS.cpu);
    try {
      this.host.writeSegment(segmentId, offset, bytes);
    } finally {
      this.state.events.hostAccess = was;
    }
  }
  gartEntry(segmentId: number, page: number): GartEntry {
    return this.state.segments.gartEntry(segmentId, page);
  }
  dummyPageAccesses(): { count: number; recent: DummyPageAccess[] } {
    return this.state.events.dummyPageAccesses();
  }
  cpuRead(barOffset: number, length: number): Uint8Array {
    const was = this.hostAccess(HOST_ACCESS.cpu);
    try {
      return this.cpu.read(barOffset, length);
    } finally {
      this.state.events.hostAccess = was;
    }
  }
  cpuWrite(barOffset: number, bytes: Uint8Array): void {
    const was = this.hostAccess(HOST_ACCESS.cpu);
    try {
      this.cpu.write(barOffset, bytes);
    } finally {
      this.state.events.hostAccess = was;
    }
  }
  acquireSwizzlingRange(segmentId: number, offset: number, size: number, pitch: number): SwizzlingRange | undefined {
    return this.cpu.acquire(segmentId, offset, size, pitch);
  }
  releaseSwizzlingRange(handle: number): void {
    this.cpu.release(handle);
  }
  swizzlingRanges(): SwizzlingRange[] {
    return this.cpu.ranges();
  }
  pageTableEntry(va: number, throughTlb = false): PageTableEntryView {
    return this.pageTable.view(va, throughTlb);
  }

  // Paging engines
  submit(engine: number, submission: Submission): void {
    this.observer?.submitting(engine, submission);
    this.engines.submit(engine, submission);
  }
  step(engine: number): StepOutcome {
    return this.engines.step(engine);
  }
  runUntilIdle(): number {
    return this.engines.runUntilIdle();
  }
  advance(time: number): number {
    return this.engines.advance(time);
  }
  engineView(engine: number): EngineView {
    return this.engines.view(engine);
  }
  engineState(engine: number): EngineState {
    return this.engines.stateOf(engine);
  }
  engineBusyUntil(engine: number): number {
    return this.engines.busyUntilOf(engine);
  }
  enginePc(engine: number): number {
    return this.engines.pcOf(engine);
  }
  engineCurrent(engine: number): Readonly<Submission> | undefined {
    return this.engines.currentOf(engine);
  }
  resetEngine(engine: number): void {
    this.engines.reset(engine);
  }

  // Observability
  onEvent(listener: (event: HwEvent) => void): () => void {
    return this.state.events.on(listener);
  }
  onControlEvent(listener: (event: ControlHwEvent) => void): () => void {
    return this.state.events.onControl(listener);
  }
  onWrites(sink: WriteSink): () => void {
    return this.state.events.onWrites(sink);
  }

  onReads(sink: ReadSink): () => void {
    return this.state.events.onReads(sink);
  }
  writingInstruction(): number {
    return this.state.events.instruction;
  }
  debugRead(address: number, length: number): DebugReadResult {
    return this.debug.read(address, length);
  }
  debugWrite(address: number, bytes: Uint8Array): DebugWriteResult {
    const was = this.hostAccess(HOST_ACCESS.debugger);
    try {
      return this.debug.write(address, bytes);
    } finally {
      this.state.events.hostAccess = was;
    }
  }
  residentBytes(): { vram: number; system: number } {
    return { vram: this.state.vram.residentBytes(), system: this.state.sys.residentBytes() };
  }
  /** Bytes copies have carried as fills so far, their source being uniform memory (no byte moved). */
  patternCopiedBytes(): number {
    return this.state.patternCopied;
  }
  /** Bytes copies have carried by sharing whole pages of written content (no byte moved). */
  sharedCopiedBytes(): number {
    return this.state.pageShared;
  }
  heldBytes(): number {
    const st = this.state;
    return st.vram.tableBytes() + st.sys.tableBytes() + st.store.heldBytes();
  }
  releaseMemory(): void {
    this.state.vram.recycle();
    this.state.sys.recycle();
  }
}

/** The opcode's table entry, for callers formatting codes from events. */
export function mnemonicOf(code: number): string {
  return OPCODE_BY_CODE[code]?.mnemonic ?? `0x${code.toString(16)}`;
}
