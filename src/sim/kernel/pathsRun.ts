// The kernel's run with the memory paths around it (MemoryPaths.run): every event of the kernel's
// passes through; after each one but a GPU instruction the paths react (an eviction or relocation
// moves the CPU's view of the allocation, which may yield events of its own) and the verifier looks;
// once the kernel's run is done the device is stopped. An iterator rather than a generator: every
// event of the run passes through here, and a generator resumed per event was 2 % of the kernel
// stress. If the run ends early (returned, or a reaction throws), the kernel's run is returned so
// its frames and `finally` blocks run, as a generator's `finally` did.

import type { Gen, MachineEvent } from './events';

/** What the memory paths do around the kernel's events. */
export interface PathsHost {
  /** The paths' reaction to `e` when it yields events of its own (else undefined). */
  reaction(e: MachineEvent): Gen | undefined;
  /** Between two events (after any reaction): the verifier's look. */
  between(): void;
  /** Once the kernel's run is done: stopping the device. */
  finish(): Gen;
}

const DONE: IteratorResult<MachineEvent, void> = Object.freeze({ value: undefined, done: true });

export class PathsRun implements Gen {
  /** The event handed out last, whose reaction is still to come. */
  private pending: MachineEvent | undefined;
  private reacting: Gen | undefined;
  private finishing: Gen | undefined;
  /** The kernel's run has ended (its last event handed out, or it threw). */
  private innerDone = false;
  private closed = false;

  constructor(
    private readonly inner: Gen,
    private readonly host: PathsHost,
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<MachineEvent, void> {
    try {
      return this.advance();
    } catch (e) {
      this.close();
      throw e;
    }
  }

  return(): IteratorResult<MachineEvent, void> {
    const r = this.reacting ?? this.finishing;
    try {
      r?.return(undefined);
    } finally {
      this.close();
    }
    return DONE;
  }

  throw(error: unknown): IteratorResult<MachineEvent, void> {
    const r = this.reacting ?? this.finishing;
    if (!r || this.closed) {
      this.close();
      throw error;
    }
    try {
      const res = r.throw(error);
      if (res.done !== true) return res;
      if (r === this.reacting) {
        this.reacting = undefined;
        this.host.between();
      } else {
        this.finishing = undefined;
        this.closed = true;
        return DONE;
      }
      return this.advance();
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private advance(): IteratorResult<MachineEvent, void> {
    for (;;) {
      if (this.closed) return DONE;
      if (this.reacting !== undefined) {
        const r = this.reacting.next();
        if (r.done !== true) return r;
        this.reacting = undefined;
        this.host.between();
      } else if (this.pending !== undefined) {
        const e = this.pending;
        this.pending = undefined;
        // GPU instruction events are the hot path: nothing here reacts to them.
        if (e.kind !== 'instruction') {
          this.reacting = this.host.reaction(e);
          if (this.reacting !== undefined) continue;
          this.host.between();
        }
      }
      if (this.finishing !== undefined) {
        const r = this.finishing.next();
        if (r.done === true) {
          this.finishing = undefined;
          this.closed = true;
          return DONE;
        }
        return r;
      }
      let r: IteratorResult<MachineEvent, void>;
      try {
        r = this.inner.next();
      } catch (e) {
        this.innerDone = true;
        throw e;
      }
      if (r.done !== true) {
        this.pending = r.value;
        return r;
      }
      this.innerDone = true;
      this.finishing = this.host.finish();
    }
  }

  /** Ends the run here: the kernel's run, when it has not ended, is returned (its `finally` blocks run). */
  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = this.reacting = this.finishing = undefined;
    if (!this.innerDone) {
      this.innerDone = true;
      this.inner.return(undefined);
    }
  }
}
