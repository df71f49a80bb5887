// A scenario's steps as a stream: `repeat` and `generate` are expanded as the run pulls them, so a
// workload of millions of steps costs the memory of one step (and of the generator's pool of
// allocations), not of the whole list. The same steps come out on every pass (a run, a count).
// Generic over the step, so the format (types.ts, which names `Steps<Step>`) and the stream do not
// import each other.

export class Steps<Step> implements Iterable<Step> {
  private counted: number | undefined;

  constructor(
    private readonly source: () => Iterator<Step>,
    /** The number of steps, or how to count them (by one pass that keeps nothing). */
    count: number | (() => number),
  ) {
    if (typeof count === 'number') this.counted = count;
    else this.countSteps = count;
  }

  private countSteps: (() => number) | undefined;

  /** Steps given as a list (tests, programs that build scenarios). */
  static of<Step>(list: readonly Step[]): Steps<Step> {
    const copy = list.slice();
    return new Steps(() => copy[Symbol.iterator](), copy.length);
  }

  [Symbol.iterator](): Iterator<Step> {
    return this.source();
  }

  /** How many steps there are (counted once, without keeping them, when generated). */
  get length(): number {
    if (this.counted === undefined) {
      this.counted = this.countSteps!();
      this.countSteps = undefined;
    }
    return this.counted;
  }

  /** The steps as an array (for small scenarios and tests: it holds every step at once). */
  toArray(): Step[] {
    return [...this];
  }

  /** Steps `start` to `end` (exclusive) of this stream, as a stream. */
  slice(start: number, end = Infinity): Steps<Step> {
    const n = Math.max(0, Math.min(end, this.length) - start);
    return new Steps(() => sliced(this, start, end), n);
  }
}

function* sliced<Step>(steps: Iterable<Step>, start: number, end: number): Generator<Step> {
  let i = 0;
  for (const s of steps) {
    if (i >= end) return;
    if (i++ >= start) yield s;
  }
}
