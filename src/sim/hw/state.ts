// What every part of the simulated GPU reads or writes, in one object handed to each of them: the
// two memories, the segments, the event hub, the virtual clock, the bookkeeping a waiting engine
// watches (a count of memory writes and the time of the latest), and the message of the last fault
// found. The parts share this instead of importing each other.

import { EventHub } from './events';
import { SparseMemory } from './memory';
import { SlabStore } from './slabStore';
import { SegmentTable } from './segments';
import type { GpuConfig } from './types';
import { hex, UPPER } from '../../isa/hex';

export class GpuState {
  /** The bytes behind both memories: one store, so a page copied whole between them can be shared. */
  readonly store = new SlabStore();
  readonly vram: SparseMemory;
  readonly sys: SparseMemory;
  readonly sysBytes: number;
  readonly segments: SegmentTable;
  readonly events = new EventHub();
  /** Virtual time in nanoseconds. */
  clock = 0;
  /** Counts memory writes, so an engine stalled on a `wait` knows when to look again. */
  epoch = 0;
  /** Latest time at which memory was written, so a wait satisfied by a write cannot end before it. */
  memTime = 0;
  /** Why the last resolution or check failed; read when it returned a fault code. */
  faultMessage = '';
  /** Bytes that copies carried as a fill because their source was uniform (no byte moved); read by the kernel bench. */
  patternCopied = 0;
  /** Bytes that copies carried by sharing whole pages of written content with the source (no byte moved); read by the kernel bench. */
  pageShared = 0;

  constructor(readonly config: Readonly<GpuConfig>) {
    this.vram = new SparseMemory(config.vramBytes, this.store);
    this.sys = new SparseMemory(config.systemMemoryBytes, this.store);
    this.sysBytes = config.systemMemoryBytes;
    this.segments = new SegmentTable(config.segments, config.gartResetDummyPage);
  }

  /** Memory was written at virtual time `time`. */
  wrote(time: number): void {
    this.epoch++;
    if (time > this.memTime) this.memTime = time;
  }

  /**
   * Fails a host call that got a bad range: `what` names the call, `limit` is the size of the space
   * the range must lie in.
   */
  checkRange(what: string, address: number, length: number, limit: number): void {
    if (!Number.isSafeInteger(address) || address < 0) throw new Error(`${what}: address must be a non-negative integer, got ${address}`);
    if (!Number.isSafeInteger(length) || length < 0) throw new Error(`${what}: length must be a non-negative integer, got ${length}`);
    if (address + length > limit) throw new Error(`${what}: ${hex(address, UPPER)}+${hex(length, UPPER)} is outside the range (${hex(limit, UPPER)} bytes)`);
  }
}

