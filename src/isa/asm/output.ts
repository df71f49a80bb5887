// The bytes of one run. Passes 1 and 2 write into the workspace's output buffer, shared by every
// run, so a run does not allocate and fault in a fresh multi-megabyte buffer; the result gets an
// exact-size copy and the shared buffer is zeroed again for the next run.

import { OUTPUT_KEEP_MAX, WORKSPACE } from './workspace';

/** Where encoded bytes are written: a buffer, its view, and a way to make it long enough. */
export interface ByteSink {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  reserve(size: number): void;
}

export class OutputBuffer implements ByteSink {
  bytes = new Uint8Array(0);
  view = new DataView(this.bytes.buffer);

  /** `textLength`: the source's length, from which the first buffer is sized. */
  constructor(private readonly textLength: number) {}

  /** Grows the buffer to at least `size` bytes (pass 1 writes instructions before the total size is known). */
  reserve(size: number): void {
    if (size <= this.bytes.length) return;
    const shared = WORKSPACE.output;
    // The first buffer is sized from the text (pgasm produces about a byte per character), so a large
    // program is not copied through a dozen doublings.
    const first = this.bytes.length === 0 ? Math.min(this.textLength + (this.textLength >> 2), 1 << 28) : 0;
    if (this.bytes.length === 0 && shared.bytes.length >= Math.max(size, first)) {
      // The buffer of earlier runs, big enough: zero except where a run that did not finish wrote.
      if (shared.dirty) shared.bytes.fill(0, 0, shared.dirty);
      this.bytes = shared.bytes;
      this.view = shared.view;
    } else {
      const b = new Uint8Array(Math.max(size, this.bytes.length * 2, first, 4096));
      b.set(this.bytes);
      this.bytes = b;
      this.view = new DataView(b.buffer);
      // A very large buffer is not kept once the run is over.
      if (b.length > OUTPUT_KEEP_MAX) return;
      shared.bytes = b;
      shared.view = this.view;
    }
    shared.dirty = this.bytes.length;
  }

  /** Ends the run at `length` bytes: the buffer becomes an exact-size copy of its own, and the shared one is cleared. */
  finish(length: number): void {
    const shared = WORKSPACE.output;
    if (this.bytes === shared.bytes) {
      const b = this.bytes;
      this.bytes = b.slice(0, length);
      b.fill(0, 0, length);
      shared.dirty = 0;
    } else if (this.bytes.length !== length) this.bytes = this.bytes.slice(0, length);
    this.view = new DataView(this.bytes.buffer);
  }
}
