// The shadow copies the recorder keeps of common buffers (./recorder.ts): bytes written straight
// into a DMA buffer or a paging buffer raise no hardware event, so what changed is found by comparing
// the buffer with its copy, natively, and halving down to the blocks that differ only when
// something did. Also the driver's pending writes through the GPU module's writers, in address order.

/** A common buffer and its shadow copy. */
export interface Shadowed {
  physical: number;
  bytes: Uint8Array;
  shadow: Uint8Array;
  /** The same two as Buffers, for native comparisons. */
  nBytes: Buffer;
  nShadow: Buffer;
}

/** Bytes compared natively at a time when looking for what changed. */
const DIFF_BLOCK = 64;
/** Bytes up to which the shadow takes a write by a loop rather than Buffer.copy. */
const SMALL_COPY = 64;

/** What changedRunsOf answers when nothing changed (shared: never written to). */
const NO_RUNS: readonly [number, number][] = Object.freeze([]) as readonly [number, number][];

/**
 * Appends to `runs` the [start, end) physical ranges of b's bytes [from, to) that differ from its
 * shadow: native comparisons, halving down to the blocks that differ, so a change costs a few compares.
 * `differs`: the caller has compared [from, to) already and found a difference.
 */
function changedIn(b: Shadowed, from: number, to: number, runs: [number, number][], differs = false): void {
  if (!differs && b.nBytes.compare(b.nShadow, from, to, from, to) === 0) return;
  if (to - from > DIFF_BLOCK) {
    const step = Math.ceil((to - from) / 8);
    for (let x = from; x < to; x += step) changedIn(b, x, Math.min(to, x + step), runs);
    return;
  }
  const bytes = b.bytes;
  const shadow = b.shadow;
  const base = b.physical;
  for (let i = from; i < to; ) {
    if (bytes[i] === shadow[i]) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < to && bytes[j] !== shadow[j]) j++;
    const last = runs[runs.length - 1];
    if (last && last[1] === base + i) last[1] = base + j;
    else runs.push([base + i, base + j]);
    i = j;
  }
}

/**
 * The runs of [physical, physical + length) of common buffer `b` that differ from its shadow (bytes
 * nobody reported writing), as [start, end) physical pairs; the shadow is brought up to date.
 */
export function changedRunsOf(b: Shadowed, physical: number, length: number): readonly [number, number][] {
  const lo = physical - b.physical;
  const hi = Math.min(b.bytes.length, lo + length);
  // One native compare when nothing changed (the usual case): no list made.
  if (lo >= hi || b.nBytes.compare(b.nShadow, lo, hi, lo, hi) === 0) return NO_RUNS;
  const runs: [number, number][] = [];
  changedIn(b, lo, hi, runs, true);
  b.nBytes.copy(b.nShadow, lo, lo, hi);
  return runs;
}

/**
 * Bytes [lo, hi) of `b` (offsets in the buffer) into its shadow: written by someone the recorder
 * knows, so not to be found again as a change. An instruction is a few bytes, and for those a loop
 * costs less than Buffer.copy's argument checks; larger ranges go natively, making no view.
 */
export function takeIntoShadow(b: Shadowed, lo: number, hi: number): void {
  if (hi - lo > SMALL_COPY) {
    b.nBytes.copy(b.nShadow, lo, lo, hi);
    return;
  }
  const bytes = b.bytes;
  const shadow = b.shadow;
  for (let k = lo; k < hi; k++) shadow[k] = bytes[k];
}

export function shadowed(physical: number, ab: ArrayBuffer, size: number): Shadowed {
  const shadow = new Uint8Array(size);
  return { physical, bytes: new Uint8Array(ab, 0, size), shadow, nBytes: Buffer.from(ab, 0, size), nShadow: Buffer.from(shadow.buffer) };
}

/**
 * Puts into `out` the writes of `pending`'s first `count` slots ((physical, length) pairs) that
 * start in [from, to) and are not taken yet, in address order (ties in the order made); returns
 * the slots used. The driver writes its instructions in order, so they come sorted: each is
 * checked against the one before, and a call that wrote out of order (rare) is sorted once at the
 * end.
 */
export function writesInto(pending: readonly number[], count: number, from: number, to: number, out: number[]): number {
  let n = 0;
  let sorted = true;
  for (let i = 0; i < count; i += 2) {
    const physical = pending[i];
    // A length of 0: taken already (a submission made during the call).
    if (physical >= from && physical < to && pending[i + 1] > 0) {
      if (n > 0 && out[n - 2] > physical) sorted = false;
      out[n] = physical;
      out[n + 1] = pending[i + 1];
      n += 2;
    }
  }
  if (!sorted) {
    const pairs: [number, number][] = [];
    for (let i = 0; i < n; i += 2) pairs.push([out[i], out[i + 1]]);
    // Array.prototype.sort is stable: writes to one address keep their order.
    pairs.sort((x, y) => x[0] - y[0]);
    for (let i = 0; i < pairs.length; i++) {
      out[2 * i] = pairs[i][0];
      out[2 * i + 1] = pairs[i][1];
    }
  }
  return n;
}
