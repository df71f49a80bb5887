// The paging engines: each takes submitted DMA buffers in order and executes their paging opcodes in
// virtual time. An instruction is fetched from the buffer, decoded into slots, checked and timed by
// its opcode's handler (pagingOps.ts), and its effects applied, dated when it completes. An engine
// never throws: a bad instruction or operand is a fault that stops it until reset. With several
// engines, the one whose next instruction starts first runs first.

import { decode, decodeInto, DecodedSlots } from '../../isa/encoding';
import {
  CAUSES,
  F_BADLOC,
  F_INVALID,
  F_MISALIGNED,
  F_PHYSICAL,
  FENCE_MONITORED,
  OP_FENCE,
  OP_NOP,
  OP_WRITE_PHYSICAL,
  R_EXECUTED,
  R_FAULTED,
  R_IDLE,
  R_LIMIT,
  R_WAITING,
  S_FAULTED,
  S_IDLE,
  S_READY,
  S_WAITING,
  SPACE_PHYSICAL,
  STALLED,
  STATE_NAMES,
} from './constants';
import type { Datapath } from './datapath';
import { ListenerError } from './events';
import { formatInstructionAt } from './format';
import { EngineRec, Instruction } from './instruction';
import { PAGE_BYTES } from './memory';
import { classifyRejected, FIXED_NS } from './operandChecks';
import { PAGING_OPS } from './pagingOps';
import type { GpuPageTable } from './pageTable';
import type { GpuState } from './state';
import type { Resolver } from './translate';
import type { EngineState, EngineView, FaultRecord, StepOutcome, Submission } from './types';
import { hex, UPPER } from '../../isa/hex';

export class PagingEngines {
  private readonly engines: EngineRec[];
  private running = false;

  // Decoder state and scratch, reused.
  private readonly slots = new DecodedSlots();
  private readonly fetchBuf = new Uint8Array(64);
  private readonly fetchView = new DataView(this.fetchBuf.buffer);
  private readonly x: Instruction;

  constructor(
    private readonly state: GpuState,
    res: Resolver,
    data: Datapath,
    pageTable: GpuPageTable,
  ) {
    this.engines = Array.from({ length: state.config.engines }, (_, i) => new EngineRec(i));
    this.x = new Instruction(this.slots.slot, state, res, data, pageTable);
  }

  submit(engine: number, submission: Submission): void {
    const e = this.engine(engine);
    const { physical, length, submissionId } = submission ?? ({} as Submission);
    if (!Number.isSafeInteger(physical) || physical < 0) throw new Error(`submit: physical must be a non-negative integer, got ${physical}`);
    if (!Number.isSafeInteger(length) || length < 0) throw new Error(`submit: length must be a non-negative integer, got ${length}`);
    if (!Number.isSafeInteger(submissionId)) throw new Error(`submit: submissionId must be an integer, got ${submissionId}`);
    e.queue.push({ physical, length, submissionId });
    if (e.state === S_IDLE) e.state = S_READY;
  }

  private engine(i: number): EngineRec {
    const e = this.engines[i];
    if (e === undefined) throw new Error(`engine ${i} does not exist (the adapter has ${this.engines.length})`);
    return e;
  }

  private startNext(e: EngineRec): Submission {
    const s = e.queue[e.qHead++];
    if (e.qHead > 64 && e.qHead * 2 > e.queue.length) {
      e.queue.splice(0, e.qHead);
      e.qHead = 0;
    }
    e.cur = s;
    e.pc = 0;
    const st = this.state;
    const view = s.physical + s.length <= st.sysBytes ? st.sys.contiguousView(s.physical, s.length) : undefined;
    e.buf = view;
    e.dv = view ? new DataView(view.buffer, view.byteOffset, view.byteLength) : undefined;
    e.state = S_READY;
    return s;
  }

  private completeBuffer(e: EngineRec, time: number): void {
    const s = e.cur!;
    e.cur = undefined;
    e.buf = undefined;
    e.dv = undefined;
    e.pc = 0;
    e.state = e.qHead < e.queue.length ? S_READY : S_IDLE;
    const events = this.state.events;
    if (events.control) events.emitControl({ kind: 'buffer-complete', engine: e.index, submissionId: s.submissionId, time });
  }

  private raiseFault(e: EngineRec, code: number, message: string, bytes: Uint8Array, off: number, lim: number, time: number): number {
    const events = this.state.events;
    if (events.writes) events.flushWrite();
    const cur = e.cur!;
    let text: string;
    try {
      text = formatInstructionAt(bytes, off, lim, this.state.segments.name);
    } catch {
      text = '(unreadable)';
    }
    const fault: FaultRecord = {
      engine: e.index,
      address: cur.physical + e.pc,
      offset: e.pc,
      instruction: text,
      cause: CAUSES[code],
      message,
      time,
    };
    e.fault = fault;
    e.state = S_FAULTED;
    if (events.control) events.emitControl({ kind: 'fault', fault });
    return R_FAULTED;
  }

  /**
   * Executes the next instruction of `e` if it completes by `limit`. Effects happen at once; they
   * are dated at the instruction's completion time.
   */
  private execOne(e: EngineRec, limit: number): number {
    const st = this.state;
    let cur: Submission;
    for (;;) {
      if (e.state === S_FAULTED) return R_FAULTED;
      if (e.cur === undefined) {
        if (e.qHead >= e.queue.length) {
          e.state = S_IDLE;
          return R_IDLE;
        }
        this.startNext(e);
      }
      cur = e.cur!;
      if (e.pc < cur.length) break;
      this.completeBuffer(e, Math.max(st.clock, e.busyUntil));
    }
    const start = e.busyUntil > st.clock ? e.busyUntil : st.clock;
    let bytes: Uint8Array;
    let view: DataView;
    let off: number;
    let lim: number;
    if (e.buf !== undefined) {
      bytes = e.buf;
      view = e.dv!;
      off = e.pc;
      lim = cur.length;
    } else {
      // A buffer not held in one piece: fetch the next (at most 64-byte) instruction.
      const n = Math.min(64, cur.length - e.pc);
      const phys = cur.physical + e.pc;
      bytes = this.fetchBuf;
      view = this.fetchView;
      off = 0;
      lim = n;
      if (phys + n > st.sysBytes) {
        bytes.fill(0);
        return this.raiseFault(e, F_PHYSICAL, `the DMA buffer at ${hex(cur.physical, UPPER)}+${hex(cur.length, UPPER)} runs past system memory`, bytes, 0, 0, start);
      }
      st.sys.read(phys, bytes, 0, n);
    }
    const slots = this.slots;
    const size = decodeInto(bytes, view, off, lim, slots);
    if (size < 0) {
      const r = decode(bytes, off, lim);
      const reason = r.ok ? 'an operand is not valid' : r.reason;
      const kind = classifyRejected(bytes, off, lim);
      const fcode = kind === 'misaligned' ? F_MISALIGNED : kind === 'bad-location' ? F_BADLOC : F_INVALID;
      return this.raiseFault(e, fcode, `invalid instruction: ${reason}`, bytes, off, lim, start);
    }
    const code = slots.code;
    const op = PAGING_OPS[code]!;
    const events = st.events;
    const x = this.x;
    x.e = e;
    x.flags = slots.flags;
    x.dmaBase = cur.physical;
    x.start = start;
    x.cost = FIXED_NS[code];

    // Phase 1: operands, bounds and cost. Nothing changes yet.
    events.actor = e.index;
    events.time = start;
    let f = op.check(x);
    if (f === STALLED) return R_WAITING;
    if (f !== 0) return this.raiseFault(e, f, st.faultMessage, bytes, off, lim, x.start);
    const end = x.start + x.cost;
    if (end > limit) return R_LIMIT;

    // Phase 2: effects, dated `end`.
    x.end = end;
    events.actor = e.index;
    events.time = end;
    const wr = events.writes;
    if (wr) {
      events.instruction = cur.physical + e.pc;
      if (events.listening) {
        events.emit({ kind: 'instruction', engine: e.index, address: cur.physical + e.pc, offset: e.pc, code, time: x.start, end, size });
        if (e.state === S_WAITING) events.emit({ kind: 'wait', engine: e.index, satisfied: true, time: end });
      }
    }
    e.state = S_READY;
    f = op.apply(x);
    if (wr) events.flushWrite();
    // A fault part-way (after some bytes moved) is dated, like any fault, when the engine reached the instruction.
    if (f !== 0) return this.raiseFault(e, f, st.faultMessage, bytes, off, lim, x.start);
    e.pc += size;
    e.busyUntil = end;
    if (e.pc >= cur.length) this.completeBuffer(e, end);
    return R_EXECUTED;
  }

  /** Runs execOne, turning internal errors into faults and passing listener errors on. */
  private guarded(e: EngineRec, limit: number): number {
    try {
      return this.execOne(e, limit);
    } catch (err) {
      return this.internalFault(e, err);
    }
  }

  private internalFault(e: EngineRec, err: unknown): number {
    if (err instanceof ListenerError) throw err.inner;
    const cur = e.cur;
    const fault: FaultRecord = {
      engine: e.index,
      address: cur ? cur.physical + e.pc : 0,
      offset: e.pc,
      instruction: '(unknown)',
      cause: 'invalid-instruction',
      message: `internal error: ${err instanceof Error ? err.message : String(err)}`,
      time: this.state.clock,
    };
    e.fault = fault;
    e.state = S_FAULTED;
    return R_FAULTED;
  }

  /**
   * Runs one engine until it stops or its next instruction would end after `limit`. While nobody
   * listens, runs of the smallest instructions (nop, paging fence, a physical write within one
   * page) are executed inline here; anything else, and any problem, goes through execOne, which
   * has the whole semantics (the fast path only ever does a subset of what execOne would do).
   */
  private runEngine(e: EngineRec, limit: number): number {
    const st = this.state;
    let n = 0;
    try {
      for (;;) {
        const buf = e.buf;
        if (buf !== undefined && !st.events.control && e.state === S_READY) {
          const cur = e.cur!;
          const len = cur.length;
          const dv = e.dv!;
          const slots = this.slots;
          const s = slots.slot;
          const sysBytes = st.sysBytes;
          const startPc = e.pc;
          let pc = startPc;
          let t = e.busyUntil > st.clock ? e.busyUntil : st.clock;
          while (pc < len) {
            const size = decodeInto(buf, dv, pc, len, slots);
            if (size < 0) break;
            const code = slots.code;
            const end = t + FIXED_NS[code];
            if (end > limit) break;
            if (code === OP_NOP) {
              // nothing
            } else if (code === OP_FENCE && (slots.flags & FENCE_MONITORED) === 0) {
              // An irq is only observable as an event, and nobody listens.
              e.fenceLo = s[4];
              e.fenceHi = s[5];
            } else if (code === OP_WRITE_PHYSICAL && s[0] === SPACE_PHYSICAL) {
              const addr = s[3];
              const count = s[4];
              if (addr + count > sysBytes) break;
              const page = Math.floor(addr / PAGE_BYTES);
              const po = addr - page * PAGE_BYTES;
              if (po + count > PAGE_BYTES) break;
              const c = st.sys.pageForWrite(page);
              const co = st.sys.at + po;
              const lo = s[5];
              const hi = s[6];
              for (let i = 0; i < count; i++) c[co + i] = i < 4 ? (lo >>> (i * 8)) & 0xff : (hi >>> ((i - 4) * 8)) & 0xff;
              st.wrote(end);
            } else break;
            pc += size;
            t = end;
            n++;
          }
          if (pc !== startPc) {
            e.busyUntil = t;
            e.pc = pc;
            if (pc >= len) {
              this.completeBuffer(e, t);
              continue;
            }
          }
        }
        const r = this.execOne(e, limit);
        if (r !== R_EXECUTED) return n;
        n++;
      }
    } catch (err) {
      this.internalFault(e, err);
      return n;
    }
  }

  private enter(): void {
    if (this.running) throw new Error('the GPU is already running (step/advance/runUntilIdle called from an event listener)');
    this.running = true;
    for (const e of this.engines) if (e.state === S_WAITING) e.recheck = true;
  }

  step(engine: number): StepOutcome {
    const e = this.engine(engine);
    this.enter();
    try {
      const r = this.guarded(e, Infinity);
      if (r === R_EXECUTED && e.busyUntil > this.state.clock) this.state.clock = e.busyUntil;
      return r === R_EXECUTED ? 'executed' : r === R_WAITING ? 'waiting' : r === R_FAULTED ? 'faulted' : 'idle';
    } finally {
      this.running = false;
    }
  }

  advance(time: number): number {
    if (typeof time !== 'number' || Number.isNaN(time)) throw new Error(`advance: time must be a number, got ${time}`);
    this.enter();
    let n = 0;
    try {
      n = this.engines.length === 1 ? this.runEngine(this.engines[0], time) : this.runMany(time);
    } finally {
      this.running = false;
    }
    if (time !== Infinity && time > this.state.clock) this.state.clock = time;
    return n;
  }

  runUntilIdle(): number {
    const n = this.advance(Infinity);
    for (const e of this.engines) if (e.busyUntil > this.state.clock) this.state.clock = e.busyUntil;
    return n;
  }

  /** Several engines: always run the one whose next instruction starts first (lowest index on ties). */
  private runMany(limit: number): number {
    const blocked = new Set<EngineRec>();
    let n = 0;
    for (;;) {
      let best: EngineRec | undefined;
      let bestStart = Infinity;
      for (const e of this.engines) {
        if (blocked.has(e) || e.state === S_FAULTED || e.state === S_IDLE) continue;
        if (e.state === S_WAITING && !e.recheck && e.waitEpoch === this.state.epoch) continue;
        const st = Math.max(this.state.clock, e.busyUntil);
        if (st < bestStart) {
          best = e;
          bestStart = st;
        }
      }
      if (best === undefined) return n;
      const r = this.guarded(best, limit);
      if (r === R_EXECUTED) n++;
      else if (r === R_LIMIT || r === R_FAULTED || r === R_IDLE) blocked.add(best);
    }
  }

  // What the kernel's scheduler reads once per instruction: one member each, nothing copied
  // (view() copies the current submission and makes the fence a BigInt).
  stateOf(engine: number): EngineState {
    return STATE_NAMES[this.engine(engine).state];
  }
  busyUntilOf(engine: number): number {
    return this.engine(engine).busyUntil;
  }
  pcOf(engine: number): number {
    return this.engine(engine).pc;
  }
  currentOf(engine: number): Readonly<Submission> | undefined {
    return this.engine(engine).cur;
  }

  view(engine: number): EngineView {
    const e = this.engine(engine);
    return {
      index: e.index,
      state: STATE_NAMES[e.state],
      current: e.cur ? { ...e.cur } : undefined,
      pc: e.pc,
      queued: e.queue.length - e.qHead,
      pagingFence: e.fenceHi === 0 ? BigInt(e.fenceLo) : (BigInt(e.fenceHi) << 32n) | BigInt(e.fenceLo),
      fault: e.fault,
      busyUntil: e.busyUntil,
    };
  }

  reset(engine: number): void {
    const e = this.engine(engine);
    e.queue = [];
    e.qHead = 0;
    e.cur = undefined;
    e.buf = undefined;
    e.dv = undefined;
    e.pc = 0;
    e.fault = undefined;
    e.state = S_IDLE;
  }
}
