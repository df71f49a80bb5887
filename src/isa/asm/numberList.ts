// A growable list of numbers in one typed array: the assembler's flat records (names, page-list
// uses, the line map) are a few numbers each, kept here without an object per record.

export class NumberList {
  length = 0;
  data: Float64Array;
  constructor(capacity = 64) {
    this.data = new Float64Array(capacity);
  }
  /** A copy holding exactly the numbers pushed, for a result that outlives the run. */
  compact(): NumberList {
    const l = new NumberList(0);
    l.data = this.data.slice(0, this.length);
    l.length = this.length;
    return l;
  }
  private grow(need: number): void {
    const d = new Float64Array(Math.max(need, this.data.length * 2));
    d.set(this.data);
    this.data = d;
  }
  push3(a: number, b: number, c: number): void {
    if (this.length + 3 > this.data.length) this.grow(this.length + 3);
    const d = this.data;
    const n = this.length;
    d[n] = a;
    d[n + 1] = b;
    d[n + 2] = c;
    this.length = n + 3;
  }
  push4(a: number, b: number, c: number, e: number): void {
    if (this.length + 4 > this.data.length) this.grow(this.length + 4);
    const d = this.data;
    const n = this.length;
    d[n] = a;
    d[n + 1] = b;
    d[n + 2] = c;
    d[n + 3] = e;
    this.length = n + 4;
  }
  /** Makes room for `n` more numbers and returns where they start (the caller writes them). */
  alloc(n: number): number {
    if (this.length + n > this.data.length) this.grow(this.length + n);
    const at = this.length;
    this.length = at + n;
    return at;
  }
  push(...values: number[]): void {
    if (this.length + values.length > this.data.length) this.grow(this.length + values.length);
    this.data.set(values, this.length);
    this.length += values.length;
  }
}
