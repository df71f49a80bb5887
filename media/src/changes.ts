// Change highlighting for the VRAM view: which bytes differ from what they were at the previous
// stop. Pure (no DOM), so it runs under plain mocha.
//
// Every read while stopped is remembered per row for the current stop ("epoch"). At the next stop,
// those rows become the baseline, and rows read afterwards are compared byte by byte with it. A row
// that was not read during the previous stop has no baseline: nothing is highlighted there rather
// than guessing. Memory is bounded: each epoch keeps at most `maxRows` rows (oldest dropped).

export type RowBytes = ReadonlyArray<number | null>;

export class ChangeTracker {
  private baseline = new Map<number, RowBytes>();
  private current = new Map<number, RowBytes>();
  /** Rows whose current value may be out of date (a memory event): read again, but kept as the baseline-to-be. */
  private readonly stale = new Set<number>();
  private epochNumber = 0;

  constructor(private readonly maxRows = 65536) {}

  get epoch(): number {
    return this.epochNumber;
  }

  /** The debuggee stopped again: what was seen until now becomes the baseline. */
  newStop(): void {
    // Rows seen in the previous epoch but not re-read in this one keep their older baseline value
    // only if nothing newer exists; carrying them over would report changes from two stops ago.
    this.baseline = this.current;
    this.current = new Map();
    this.stale.clear();
    this.epochNumber++;
  }

  /** Forgets everything (e.g. a new debug session). */
  reset(): void {
    this.baseline = new Map();
    this.current = new Map();
    this.stale.clear();
    this.epochNumber = 0;
  }

  /** Records the bytes of a row (keyed by its address) as read now. */
  record(rowAddress: number, bytes: RowBytes): void {
    this.stale.delete(rowAddress);
    if (this.current.has(rowAddress)) this.current.delete(rowAddress);
    this.current.set(rowAddress, bytes);
    if (this.current.size > this.maxRows) {
      const oldest = this.current.keys().next().value as number;
      this.current.delete(oldest);
      this.stale.delete(oldest);
    }
  }

  /**
   * A bit mask per byte of the row: bit i set when byte i differs from the baseline. 0 when the
   * row has no baseline or no current value. Rows up to 32 bytes fit a 32-bit mask; wider rows
   * use `changedBytes`.
   */
  changedMask(rowAddress: number): number {
    const before = this.baseline.get(rowAddress);
    const now = this.current.get(rowAddress);
    if (!before || !now) return 0;
    let mask = 0;
    const n = Math.min(before.length, now.length, 32);
    for (let i = 0; i < n; i++) if (before[i] !== now[i]) mask |= 1 << i;
    return mask >>> 0;
  }

  /** Indexes of the changed bytes of a row (any width). */
  changedBytes(rowAddress: number): number[] {
    const before = this.baseline.get(rowAddress);
    const now = this.current.get(rowAddress);
    if (!before || !now) return [];
    const out: number[] = [];
    const n = Math.min(before.length, now.length);
    for (let i = 0; i < n; i++) if (before[i] !== now[i]) out.push(i);
    return out;
  }

  /** True when the row was read during the current stop and not invalidated since (no need to read it again). */
  hasCurrent(rowAddress: number): boolean {
    return this.current.has(rowAddress) && !this.stale.has(rowAddress);
  }

  currentRow(rowAddress: number): RowBytes | undefined {
    return this.current.get(rowAddress);
  }

  /**
   * Marks rows overlapping [address, address + length) to be read again (a memory event). Their
   * last values stay: memory events also arrive while the debuggee runs, and the values seen at
   * the stop are what the next stop must compare with.
   */
  invalidate(address: number, length: number, bytesPerRow: number): void {
    const first = Math.floor(address / bytesPerRow) * bytesPerRow;
    const end = address + length;
    if (length / bytesPerRow > this.current.size) {
      for (const row of this.current.keys()) if (row + bytesPerRow > address && row < end) this.stale.add(row);
      return;
    }
    for (let row = first; row < end; row += bytesPerRow) if (this.current.has(row)) this.stale.add(row);
  }
}
