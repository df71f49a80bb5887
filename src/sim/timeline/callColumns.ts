// What the moment index keeps of each DDI call (./moments.ts), in columns by call id: typed arrays
// and a few shared strings, not an object per call. A recorded run keeps every call it made (5,600 in
// random-pressure); an object per call, with its own copy of the operation's flags, was what
// recording added to the young collector's work: its survivors grew by a sixth and its pauses by a
// third. A CallSummary is made when one is asked for.

import { DXGK_OPERATION_NAMES } from '../ddi/contract';
import { grown } from './grown';

/** What a provenance chain says of one DDI call. */
export interface CallSummary {
  id: number;
  ddi: string;
  /** Moment of its entry and of its return (0 until it returned). */
  entry: number;
  exit: number;
  /** DxgkDdiBuildPagingBuffer: the operation's name, MultipassOffset and the flags set in the operation's flags word. */
  operation?: string;
  multipassOffset?: number;
  /** The flags set in the operation's flags word, joined with '|' (none set: absent). */
  flags?: string;
  /** What the kernel was doing, outermost first (scenario step, VidMm operation...). */
  cause: readonly string[];
  status?: number;
}

const START = 1024;

/** A store of strings by number, each kept once (DDI names, flag texts: a handful per run). */
class StringTable {
  readonly list: string[] = [''];
  private readonly numbers = new Map<string, number>();

  /** The string's number (from 1). */
  number(s: string): number {
    let n = this.numbers.get(s);
    if (n === undefined) {
      n = this.list.length;
      this.list.push(s);
      this.numbers.set(s, n);
    }
    return n;
  }
}

export class CallColumns {
  private cap = START;
  /** Entry moment (0: no such call), return moment (0: not returned yet). */
  private entry = new Int32Array(START);
  private exit = new Int32Array(START);
  /** NTSTATUS at the return; NaN until then. */
  private status = new Float64Array(START);
  private operation = new Float64Array(START);
  private multipass = new Float64Array(START);
  /** Numbers in the string tables (flags: 0 for none). */
  private ddi = new Uint16Array(START);
  private flags = new Uint16Array(START);
  private readonly causes: (readonly string[] | undefined)[] = [];
  private readonly ddiNames = new StringTable();
  private readonly flagTexts = new StringTable();
  private present = 0;

  /** Calls held. */
  get count(): number {
    return this.present;
  }

  bytes(): number {
    return this.cap * (4 + 4 + 8 + 8 + 8 + 2 + 2 + 8);
  }

  /**
   * What is known of call `id` at its entry (moment `entry`). `operation` (DXGK_OPERATION_TYPE) and
   * `multipassOffset`: NaN when the call has none. Arguments, not an object: one per call was garbage.
   */
  enter(id: number, ddi: string, entry: number, cause: readonly string[], operation: number, multipassOffset: number, flags: string | undefined): void {
    while (id >= this.cap) this.grow();
    if (this.entry[id] === 0) this.present++;
    this.entry[id] = entry;
    this.exit[id] = 0;
    this.status[id] = NaN;
    this.operation[id] = operation;
    this.multipass[id] = multipassOffset;
    this.ddi[id] = this.ddiNames.number(ddi);
    this.flags[id] = flags === undefined ? 0 : this.flagTexts.number(flags);
    this.causes[id] = cause;
  }

  returned(id: number, moment: number, status: number | undefined): void {
    if (id >= this.cap || this.entry[id] === 0) return;
    this.exit[id] = moment;
    this.status[id] = status ?? NaN;
  }

  /** Forgets the calls entered after `moment`, and the returns after it of those entered before. */
  truncateAfter(moment: number): void {
    for (let id = 1; id < this.cap; id++) {
      if (this.entry[id] === 0) continue;
      if (this.entry[id] > moment) {
        this.entry[id] = 0;
        this.causes[id] = undefined;
        this.present--;
      } else if (this.exit[id] > moment) {
        this.exit[id] = 0;
        this.status[id] = NaN;
      }
    }
  }

  has(id: number): boolean {
    return id > 0 && id < this.cap && this.entry[id] !== 0;
  }

  entryOf(id: number): number {
    return this.has(id) ? this.entry[id] : 0;
  }

  exitOf(id: number): number {
    return this.has(id) ? this.exit[id] : 0;
  }

  ddiOf(id: number): string | undefined {
    return this.has(id) ? this.ddiNames.list[this.ddi[id]] : undefined;
  }

  statusOf(id: number): number | undefined {
    const s = this.has(id) ? this.status[id] : NaN;
    return Number.isNaN(s) ? undefined : s;
  }

  summary(id: number): CallSummary | undefined {
    if (!this.has(id)) return undefined;
    const s: CallSummary = { id, ddi: this.ddiNames.list[this.ddi[id]], entry: this.entry[id], exit: this.exit[id], cause: this.causes[id] ?? [] };
    const op = this.operation[id];
    if (!Number.isNaN(op)) s.operation = DXGK_OPERATION_NAMES[op] ?? String(op);
    if (!Number.isNaN(this.multipass[id])) s.multipassOffset = this.multipass[id];
    if (this.flags[id]) s.flags = this.flagTexts.list[this.flags[id]];
    const status = this.statusOf(id);
    if (status !== undefined) s.status = status;
    return s;
  }

  private grow(): void {
    const cap = this.cap * 2;
    this.entry = grown(this.entry, cap);
    this.exit = grown(this.exit, cap);
    this.status = grown(this.status, cap);
    this.operation = grown(this.operation, cap);
    this.multipass = grown(this.multipass, cap);
    this.ddi = grown(this.ddi, cap);
    this.flags = grown(this.flags, cap);
    this.cap = cap;
  }
}
