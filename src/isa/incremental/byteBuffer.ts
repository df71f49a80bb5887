// The bytes of the incremental analysis: one buffer that lines are encoded into in place, and that
// is rebuilt by block copies when an edit moves the lines after it.

/** A move of `length` bytes from `from` in the old buffer to `to` in the new one. */
export interface ByteMove {
  from: number;
  to: number;
  length: number;
}

export class ByteBuffer {
  bytes = new Uint8Array(4096);
  view = new DataView(this.bytes.buffer);

  /** Makes the buffer at least `size` bytes long, keeping its contents. */
  reserve(size: number): void {
    if (size <= this.bytes.length) return;
    const b = new Uint8Array(Math.max(size, this.bytes.length * 2));
    b.set(this.bytes);
    this.bytes = b;
    this.view = new DataView(b.buffer);
  }

  /** Zeroes [from, from + length). */
  clear(from: number, length: number): void {
    if (length > 0) this.bytes.fill(0, from, from + length);
  }

  /**
   * Lays the buffer out again at `total` bytes: the bytes `moves` name go where they say (sorted by
   * `to`, not overlapping there); every other byte becomes zero, to be written again.
   */
  relayout(total: number, moves: readonly ByteMove[]): void {
    const old = this.bytes;
    const b = new Uint8Array(Math.max(total, 4096, old.length > total * 4 ? total : old.length));
    for (const m of moves) b.set(old.subarray(m.from, m.from + m.length), m.to);
    this.bytes = b;
    this.view = new DataView(b.buffer);
  }
}
