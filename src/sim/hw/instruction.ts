// One instruction in flight on a paging engine, as its opcode's handler (pagingOps.ts) sees it: the
// registers of the engine running it, its decoded operands (the decoder's slots), its two prepared
// locations, its timing (start, cost, end) and the devices it reaches. The engine fills one of
// these per instruction and reuses it, so executing allocates nothing.

import { S_IDLE } from './constants';
import type { Datapath } from './datapath';
import type { GpuPageTable } from './pageTable';
import type { GpuState } from './state';
import { Loc, Resolver } from './translate';
import type { FaultRecord, Submission } from './types';

/** A paging engine's registers: its queue, the buffer it executes and where, its state and fence. */
export class EngineRec {
  state = S_IDLE;
  queue: Submission[] = [];
  /** Index of the next queued submission (the queue is compacted now and then). */
  qHead = 0;
  cur: Submission | undefined = undefined;
  pc = 0;
  /** The current buffer's bytes when one buffer holds them (a common buffer), else fetched per instruction. */
  buf: Uint8Array | undefined = undefined;
  dv: DataView | undefined = undefined;
  busyUntil = 0;
  /** The paging fence, as two 32-bit halves. */
  fenceLo = 0;
  fenceHi = 0;
  fault: FaultRecord | undefined = undefined;
  /** A waiting engine looks at its wait again on the next run, even if memory did not change. */
  recheck = false;
  /** The memory-write count when the engine stalled on a wait. */
  waitEpoch = -1;
  constructor(readonly index: number) {}
}

export class Instruction {
  /** The engine executing it. */
  e: EngineRec = new EngineRec(-1);
  /** Decoded operand slots (see SLOT_LAYOUT in the isa's encoding) and flags. */
  s: Float64Array;
  flags = 0;
  /** Physical address of the DMA buffer it was fetched from. */
  dmaBase = 0;
  /** When it starts (a satisfied wait may move this later), what it costs, when it ends. */
  start = 0;
  cost = 0;
  end = 0;
  readonly a = new Loc();
  readonly b = new Loc();
  /** Room for the bytes of a physical read or write, a fence value or a wait's comparand. */
  readonly small = new Uint8Array(8);

  constructor(
    slots: Float64Array,
    readonly state: GpuState,
    readonly res: Resolver,
    readonly data: Datapath,
    readonly pageTable: GpuPageTable,
  ) {
    this.s = slots;
  }
}
