// Every write to simulated memory in a run, in order, as flat typed arrays (no object per write):
// which moment it happened at, where (VRAM or system memory, and the same range in the debug address
// space), how many bytes, and who wrote (a GPU instruction, the CPU, bus-master DMA, the driver
// writing a DMA buffer, the kernel, the debugger). Provenance (who wrote this byte?), the history of
// a range, reverse data breakpoints and the property test all read this one log.
//
// A write's moment is the number of the event the machine produced right after it (src/sim/timeline
// /moments.ts): the write is visible at that moment and later, not before.

import { grown } from './grown';

export const SPACE_VRAM = 0;
export const SPACE_SYSTEM = 1;

/** Who wrote. The numbers are stored; the names are what users read. */
export const WRITER = {
  gpu: 0,
  cpu: 1,
  dma: 2,
  driver: 3,
  kernel: 4,
  debugger: 5,
  released: 6,
} as const;
export type WriterKind = keyof typeof WRITER;
export const WRITER_NAMES: readonly WriterKind[] = ['gpu', 'cpu', 'dma', 'driver', 'kernel', 'debugger', 'released'];

/** One write, as a query returns it. */
export interface WriteRecord {
  /** Its index in the log (writes are numbered in the order they happened). */
  index: number;
  moment: number;
  space: 'vram' | 'system';
  /** VRAM address or system physical address. */
  address: number;
  length: number;
  /** The same range in the debug address space (a segment range when written through one). */
  debugAddress: number;
  writer: WriterKind;
  /** GPU writes: the engine; -1 otherwise. */
  engine: number;
  /** GPU writes: the bus address of the instruction that wrote. */
  instruction: number;
  /** The DDI call in progress (driver writes: the call that wrote), 0 when none. */
  callId: number;
  /** Virtual time (ns) of the write. */
  time: number;
  /** Index into the log's details (driver write sites, kernel frames...), -1 when none. */
  detail: number;
}

const START = 1024;

export class WriteLog {
  private n = 0;
  private cap = START;
  private moment: Float64Array<ArrayBuffer> = new Float64Array(START);
  private address: Float64Array<ArrayBuffer> = new Float64Array(START);
  private debug: Float64Array<ArrayBuffer> = new Float64Array(START);
  private length: Float64Array<ArrayBuffer> = new Float64Array(START);
  private time: Float64Array<ArrayBuffer> = new Float64Array(START);
  private instruction: Float64Array<ArrayBuffer> = new Float64Array(START);
  private callId: Int32Array<ArrayBuffer> = new Int32Array(START);
  private detail: Int32Array<ArrayBuffer> = new Int32Array(START);
  private engine: Int16Array<ArrayBuffer> = new Int16Array(START);
  private space: Uint8Array<ArrayBuffer> = new Uint8Array(START);
  private writer: Uint8Array<ArrayBuffer> = new Uint8Array(START);
  /** Extra facts some writes carry (driver write sites, kernel frames), by index; a run of writes with the same one shares it. */
  readonly details: unknown[] = [];
  private lastDetail: unknown;
  /** Writes before this index are not extended by the next one (`seal`). */
  private sealedAt = 0;

  get size(): number {
    return this.n;
  }

  /** Bytes the log holds (its arrays and details), for memory budgets and benchmarks. */
  bytes(): number {
    return this.cap * (7 * 8 + 2 * 4 + 2 + 2) + this.details.length * 64;
  }

  add(moment: number, space: number, address: number, length: number, debugAddress: number, writer: number, engine: number, instruction: number, callId: number, time: number, detail?: unknown): number {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.moment[i] = moment;
    this.space[i] = space;
    this.address[i] = address;
    this.length[i] = length;
    this.debug[i] = debugAddress;
    this.writer[i] = writer;
    this.engine[i] = engine;
    this.instruction[i] = instruction;
    this.callId[i] = callId;
    this.time[i] = time;
    if (detail === undefined) this.detail[i] = -1;
    else if (detail === this.lastDetail) this.detail[i] = this.details.length - 1;
    else {
      this.detail[i] = this.details.length;
      this.details.push(detail);
      this.lastDetail = detail;
    }
    return i;
  }

  /** Extends the last write when this one continues it (same moment, writer and instruction): runs of pages come as pieces. */
  addOrExtend(moment: number, space: number, address: number, length: number, debugAddress: number, writer: number, engine: number, instruction: number, callId: number, time: number): void {
    const j = this.n - 1;
    if (
      j >= this.sealedAt &&
      this.moment[j] === moment &&
      this.space[j] === space &&
      this.writer[j] === writer &&
      this.engine[j] === engine &&
      this.instruction[j] === instruction &&
      this.detail[j] === -1 &&
      this.address[j] + this.length[j] === address &&
      this.debug[j] + this.length[j] === debugAddress
    ) {
      this.length[j] += length;
      return;
    }
    this.add(moment, space, address, length, debugAddress, writer, engine, instruction, callId, time);
  }

  /** The writes logged so far end here: the next one starts an entry of its own (an edit's writes are forgotten or kept as a whole). */
  seal(): void {
    this.sealedAt = this.n;
  }

  private grow(): void {
    const cap = this.cap * 2;
    this.moment = grown(this.moment, cap);
    this.address = grown(this.address, cap);
    this.debug = grown(this.debug, cap);
    this.length = grown(this.length, cap);
    this.time = grown(this.time, cap);
    this.instruction = grown(this.instruction, cap);
    this.callId = grown(this.callId, cap);
    this.detail = grown(this.detail, cap);
    this.engine = grown(this.engine, cap);
    this.space = grown(this.space, cap);
    this.writer = grown(this.writer, cap);
    this.cap = cap;
  }

  /**
   * Drops the writes made at moments after `moment` (the run went another way from there), but the
   * first `keep` of the log (the writes of edits made at that moment, dated the moment after).
   */
  truncateAfter(moment: number, keep = 0): void {
    let n = this.n;
    while (n > 0 && this.moment[n - 1] > moment) n--;
    this.truncateTo(Math.max(n, keep));
  }

  /** Keeps the first `n` writes. */
  truncateTo(n: number): void {
    if (n >= this.n) return;
    this.sealedAt = Math.min(this.sealedAt, n);
    let d = this.details.length;
    for (let i = n; i < this.n; i++) if (this.detail[i] >= 0) d = Math.min(d, this.detail[i]);
    // A run of writes sharing one detail may go on past the cut: the writes kept keep theirs (the
    // details are numbered in the log's order, so the last kept write with one has the highest).
    for (let i = n - 1; i >= 0; i--) {
      if (this.detail[i] < 0) continue;
      d = Math.max(d, this.detail[i] + 1);
      break;
    }
    this.details.length = d;
    this.lastDetail = undefined;
    this.n = n;
  }

  get(i: number): WriteRecord {
    return {
      index: i,
      moment: this.moment[i],
      space: this.space[i] === SPACE_VRAM ? 'vram' : 'system',
      address: this.address[i],
      length: this.length[i],
      debugAddress: this.debug[i],
      writer: WRITER_NAMES[this.writer[i]],
      engine: this.engine[i],
      instruction: this.instruction[i],
      callId: this.callId[i],
      time: this.time[i],
      detail: this.detail[i],
    };
  }

  momentOf(i: number): number {
    return this.moment[i];
  }

  /** Whether write i touches [address, address + length) of `space`. */
  overlaps(i: number, space: number, address: number, length: number): boolean {
    return this.space[i] === space && this.address[i] < address + length && this.address[i] + this.length[i] > address;
  }

  /** Whether write i touches [address, address + length) of the debug address space. */
  overlapsDebug(i: number, address: number, length: number): boolean {
    return this.debug[i] < address + length && this.debug[i] + this.length[i] > address;
  }

  /** The index of the first write made at `moment` or later (the log is in moment order). */
  firstAtOrAfter(moment: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.moment[mid] < moment) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
