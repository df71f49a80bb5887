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
   * Lays the buffer out again at `total` bytes (it held `oldTotal`): the bytes `moves` name go where
   * they say (sorted by `to`, not overlapping there, and in the same order of `from`, as layout
   * keeps lines in order); every other byte becomes zero, to be written again.
   */
  relayout(total: number, moves: readonly ByteMove[], oldTotal: number): void {
    const old = this.bytes;
    if (total > old.length || old.length > Math.max(total * 4, 4096)) {
      const b = new Uint8Array(Math.max(total, 4096));
      for (const m of moves) b.set(old.subarray(m.from, m.from + m.length), m.to);
      this.bytes = b;
      this.view = new DataView(b.buffer);
      return;
    }
    // In place: a new buffer of a large program each edit cost more than the moves (fresh memory to
    // fault in, and garbage). A move down is done first to last and a move up last to first, so
    // that none overwrites bytes a move still to come has to read.
    for (const m of moves) if (m.to <= m.from) old.copyWithin(m.to, m.from, m.from + m.length);
    for (let i = moves.length - 1; i >= 0; i--) {
      const m = moves[i];
      if (m.to > m.from) old.copyWithin(m.to, m.from, m.from + m.length);
    }
    let at = 0;
    for (const m of moves) {
      if (m.to > at) old.fill(0, at, m.to);
      at = m.to + m.length;
    }
    const end = Math.max(total, oldTotal);
    if (at < end) old.fill(0, at, end);
  }
}
