// The progress counter: every moment of a run has a number. Moment k is where the machine stands
// after producing its k-th event (src/sim/kernel/events.ts: a DDI entry or return, a GPU
// instruction about to execute, a kernel event, a scenario step...); moment 0 is before the first.
// The index keeps, per moment, what kind of event it is and the little a search needs without
// running the machine again (the DDI call, the engine and instruction address), and per DDI call
// what a provenance chain names (the DDI, its operation and MultipassOffset, the VidMm operation
// and scenario step that caused it).

import { CallColumns, type CallSummary } from './callColumns';
import { grown } from './grown';
import type { MachineEvent } from '../kernel/events';
import { DXGK_OPERATION_NAMES } from '../ddi/contract';

export type { CallSummary } from './callColumns';

export const EVENT_KINDS = ['scenario-step', 'ddi-entry', 'ddi-return', 'kernel', 'instruction', 'error', 'done'] as const;
export type IndexedKind = (typeof EVENT_KINDS)[number];
export const KIND_SCENARIO_STEP = 0;
export const KIND_DDI_ENTRY = 1;
export const KIND_DDI_RETURN = 2;
/** EVENT_KINDS' index of 'kernel', also the code of every kind it does not name (the driver's prints). */
export const KIND_KERNEL = 3;
export const KIND_INSTRUCTION = 4;
export const KIND_ERROR = 5;
export const KIND_DONE = 6;

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
  /** By call id (numbered from 1 in the order of the calls). */
  private readonly calls = new CallColumns();

  /** The last moment indexed. */
  get last(): number {
    return this.n;
  }

  bytes(): number {
    return this.kind.length * (1 + 4 + 8 + 8 + 4) + this.calls.bytes() + this.calls.count * 16;
  }

  /** Indexes the event that makes moment `moment` (moments are indexed in order, from 1). */
  add(moment: number, e: MachineEvent): void {
    if (moment !== this.n + 1) throw new Error(`moment ${moment} indexed after ${this.n}`);
    if (moment >= this.kind.length) this.grow();
    const i = moment;
    this.n = moment;
    this.time[i] = e.time;
    // The kind's code set in the switch on it: a switch on the kinds' strings costs less at every
    // event than looking the code up by the string.
    switch (e.kind) {
      case 'ddi-entry': {
        this.kind[i] = KIND_DDI_ENTRY;
        this.aux[i] = e.call.id;
        const call = e.call;
        // The call's cause is the kernel's frames when it was made, shared by the calls made under the same frames: kept, not copied.
        if (call.ddi !== 'DxgkDdiBuildPagingBuffer') {
          this.calls.enter(call.id, call.ddi, moment, call.cause, NaN, NaN, undefined);
          break;
        }
        const a = call.args as Record<string, unknown>;
        const op = a.Operation;
        const mp = a.MultipassOffset;
        const operation = typeof op === 'number' ? op : NaN;
        this.calls.enter(call.id, call.ddi, moment, call.cause, operation, typeof mp === 'number' ? mp : NaN, setFlags(a, operation));
        break;
      }
      case 'ddi-return':
        this.kind[i] = KIND_DDI_RETURN;
        this.aux[i] = e.call.id;
        this.calls.returned(e.call.id, moment, e.call.status);
        break;
      case 'instruction':
        this.kind[i] = KIND_INSTRUCTION;
        this.aux[i] = e.engine;
        this.address[i] = e.address;
        this.submission[i] = e.submissionId;
        break;
      case 'scenario-step':
        this.kind[i] = KIND_SCENARIO_STEP;
        this.aux[i] = e.index;
        break;
      case 'error':
        this.kind[i] = KIND_ERROR;
        break;
      case 'done':
        this.kind[i] = KIND_DONE;
        break;
      default:
        this.kind[i] = KIND_KERNEL;
        break;
    }
  }

  private grow(): void {
    const cap = this.kind.length * 2;
    this.kind = grown(this.kind, cap);
    this.aux = grown(this.aux, cap);
    this.address = grown(this.address, cap);
    this.time = grown(this.time, cap);
    this.submission = grown(this.submission, cap);
  }

  /** Forgets the moments after `moment` (the run went another way from there). */
  truncateAfter(moment: number): void {
    if (moment >= this.n) return;
    this.calls.truncateAfter(moment);
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

  /** What a provenance chain says of call `id` (made when asked). */
  call(id: number): CallSummary | undefined {
    return this.calls.summary(id);
  }

  /** The moment call `id` was entered, 0 when it is not indexed. */
  callEntry(id: number): number {
    return this.calls.entryOf(id);
  }

  /** The moment call `id` returned, 0 when it has not (or is not indexed). */
  callExit(id: number): number {
    return this.calls.exitOf(id);
  }

  callDdi(id: number): string | undefined {
    return this.calls.ddiOf(id);
  }

  callStatus(id: number): number | undefined {
    return this.calls.statusOf(id);
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

/**
 * The flags set in a paging operation's flags word (the member the operation names: Transfer.Flags,
 * Fill.Flags...), as their names joined with '|', or undefined when none is set: a chain names only
 * the flags set. The text made per call dies young; the index keeps one of each.
 */
function setFlags(a: Record<string, unknown>, operation: number): string | undefined {
  const key = DXGK_OPERATION_NAMES[operation];
  if (key === undefined) return undefined;
  try {
    const op = a[key] as { Flags?: unknown } | undefined;
    if (!op || typeof op !== 'object' || !op.Flags || typeof op.Flags !== 'object') return undefined;
    const flags = op.Flags as Record<string, unknown>;
    let text = '';
    for (const k in flags) {
      if (!Object.prototype.hasOwnProperty.call(flags, k)) continue;
      const v = flags[k];
      if (v === true || (typeof v === 'number' && v !== 0)) text = text ? `${text}|${k}` : k;
    }
    return text || undefined;
  } catch {
    // a getter the driver left that throws: the kernel reports it
    return undefined;
  }
}
