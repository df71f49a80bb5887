// The progress counter: every moment of a run has a number. Moment k is where the machine stands
// after producing its k-th event (src/sim/kernel/events.ts: a DDI entry or return, a GPU
// instruction about to execute, a kernel event, a scenario step...); moment 0 is before the first.
// The index keeps, per moment, what kind of event it is and the little a search needs without
// running the machine again (the DDI call, the engine and instruction address), and per DDI call
// what a provenance chain names (the DDI, its operation and MultipassOffset, the VidMm operation
// and scenario step that caused it).

import { DXGK_OPERATION_NAMES } from '../ddi/contract';
import type { MachineEvent } from '../kernel/events';

export const EVENT_KINDS = ['scenario-step', 'ddi-entry', 'ddi-return', 'kernel', 'instruction', 'error', 'done'] as const;
export type IndexedKind = (typeof EVENT_KINDS)[number];
/** EVENT_KINDS' index of each kind, as an object's properties: cheaper than a map by string at every event. */
const KIND_CODE: Readonly<Record<string, number>> = Object.fromEntries(EVENT_KINDS.map((k, i) => [k, i]));
/** The code of a kind ('kernel' for any other). */
const kindCode = (kind: string): number => KIND_CODE[kind] ?? 3;
export const KIND_DDI_ENTRY = 1;
export const KIND_DDI_RETURN = 2;
export const KIND_INSTRUCTION = 4;

/** What a provenance chain says of one DDI call. */
export interface CallSummary {
  id: number;
  ddi: string;
  /** Moment of its entry and of its return (0 until it returned). */
  entry: number;
  exit: number;
  /** DxgkDdiBuildPagingBuffer: the operation's name, MultipassOffset and the operation's flags word. */
  operation?: string;
  multipassOffset?: number;
  flags?: Record<string, unknown>;
  /** What the kernel was doing, outermost first (scenario step, VidMm operation...). */
  cause: readonly string[];
  status?: number;
}

/** An instruction moment: the engine and the bus address of the instruction about to execute. */
export interface InstructionMoment {
  engine: number;
  address: number;
  submissionId: number;
}

const START = 4096;

export class MomentIndex {
  private n = 0;
  private kind = new Uint8Array(START);
  /** ddi events: call id; instructions: engine; scenario steps: step index. */
  private aux = new Int32Array(START);
  /** instructions: bus address; everything: virtual time in `time`. */
  private address = new Float64Array(START);
  private time = new Float64Array(START);
  private submission = new Int32Array(START);
  /**
   * By call id. Ids are numbered from 1 in the order of the calls, so a list does, and costs less
   * than a map's inserts at the thousands of calls a run makes.
   */
  private readonly calls: (CallSummary | undefined)[] = [];
  private callCount = 0;

  /** The last moment indexed. */
  get last(): number {
    return this.n;
  }

  bytes(): number {
    return this.kind.length * (1 + 4 + 8 + 8 + 4) + this.callCount * 200;
  }

  /** Indexes the event that makes moment `moment` (moments are indexed in order, from 1). */
  add(moment: number, e: MachineEvent): void {
    if (moment !== this.n + 1) throw new Error(`moment ${moment} indexed after ${this.n}`);
    if (moment >= this.kind.length) this.grow();
    const i = moment;
    this.n = moment;
    this.kind[i] = kindCode(e.kind);
    this.time[i] = e.time;
    switch (e.kind) {
      case 'ddi-entry': {
        this.aux[i] = e.call.id;
        const a = e.call.args as Record<string, unknown>;
        // The call's cause is its own copy of the kernel's frames, taken at the call and never changed: shared, not copied again.
        const s: CallSummary = { id: e.call.id, ddi: e.call.ddi, entry: moment, exit: 0, cause: e.call.cause };
        if (e.call.ddi === 'DxgkDdiBuildPagingBuffer') {
          if (typeof a.Operation === 'number') s.operation = DXGK_OPERATION_NAMES[a.Operation] ?? String(a.Operation);
          if (typeof a.MultipassOffset === 'number') s.multipassOffset = a.MultipassOffset;
          const flags = operationFlags(a);
          if (flags) s.flags = flags;
        }
        if (!this.calls[e.call.id]) this.callCount++;
        this.calls[e.call.id] = s;
        break;
      }
      case 'ddi-return': {
        this.aux[i] = e.call.id;
        const s = this.calls[e.call.id];
        if (s) {
          s.exit = moment;
          s.status = e.call.status;
        }
        break;
      }
      case 'instruction':
        this.aux[i] = e.engine;
        this.address[i] = e.address;
        this.submission[i] = e.submissionId;
        break;
      case 'scenario-step':
        this.aux[i] = e.index;
        break;
      default:
        break;
    }
  }

  private grow(): void {
    const cap = this.kind.length * 2;
    const k = new Uint8Array(cap);
    k.set(this.kind);
    this.kind = k;
    const a = new Int32Array(cap);
    a.set(this.aux);
    this.aux = a;
    const ad = new Float64Array(cap);
    ad.set(this.address);
    this.address = ad;
    const t = new Float64Array(cap);
    t.set(this.time);
    this.time = t;
    const s = new Int32Array(cap);
    s.set(this.submission);
    this.submission = s;
  }

  /** Forgets the moments after `moment` (the run went another way from there). */
  truncateAfter(moment: number): void {
    if (moment >= this.n) return;
    for (let id = 0; id < this.calls.length; id++) {
      const c = this.calls[id];
      if (!c) continue;
      if (c.entry > moment) {
        this.calls[id] = undefined;
        this.callCount--;
      }
      else if (c.exit > moment) {
        c.exit = 0;
        c.status = undefined;
      }
    }
    this.n = Math.max(0, moment);
  }

  kindAt(moment: number): IndexedKind | undefined {
    return moment >= 1 && moment <= this.n ? EVENT_KINDS[this.kind[moment]] : undefined;
  }

  timeAt(moment: number): number {
    return moment >= 1 && moment <= this.n ? this.time[moment] : 0;
  }

  /** The DDI call of a ddi-entry or ddi-return moment. */
  callAt(moment: number): number | undefined {
    const k = this.kind[moment];
    return moment >= 1 && moment <= this.n && (k === KIND_DDI_ENTRY || k === KIND_DDI_RETURN) ? this.aux[moment] : undefined;
  }

  instructionAt(moment: number): InstructionMoment | undefined {
    if (!(moment >= 1 && moment <= this.n) || this.kind[moment] !== KIND_INSTRUCTION) return undefined;
    return { engine: this.aux[moment], address: this.address[moment], submissionId: this.submission[moment] };
  }

  call(id: number): CallSummary | undefined {
    return this.calls[id];
  }

  /**
   * The latest moment in [from, to] (searching down from `to`) that satisfies `match`, given the
   * kind code, aux and address of each; undefined when none does.
   */
  findBackward(from: number, to: number, match: (kind: number, aux: number, address: number, moment: number) => boolean): number | undefined {
    for (let m = Math.min(to, this.n); m >= Math.max(1, from); m--) {
      if (match(this.kind[m], this.aux[m], this.address[m], m)) return m;
    }
    return undefined;
  }
}

/** The flags word of a paging operation, for the chain: Transfer.Flags, Fill... whichever the operation has. */
function operationFlags(a: Record<string, unknown>): Record<string, unknown> | undefined {
  for (const key of ['Transfer', 'Fill', 'DiscardContent', 'MapApertureSegment', 'UnmapApertureSegment', 'SpecialLockTransfer', 'ReadPhysical', 'WritePhysical']) {
    const op = a[key] as { Flags?: unknown } | undefined;
    if (op && typeof op === 'object' && op.Flags && typeof op.Flags === 'object') {
      try {
        return { ...(op.Flags as Record<string, unknown>) };
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
