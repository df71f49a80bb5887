// The bytes behind a machine's memories: 4 KiB slots in 64 KiB slabs, handed out to pages and given
// back. A machine's VRAM and system memory draw on one store, so that a page copied whole from one
// to the other (an eviction to an MDL page, a page-in from one) can hold the same slot in both,
// copied on write: the copy moves no byte, and the first write to either page takes a slot of its
// own then, copying the 4 KiB unless the write covers them all. A slot's share count is the number
// of pages holding it beyond the first.
//
// Slot s is at byte (s % 16) * 4 KiB of slab s / 16. Slabs are small because a machine holds at
// least one partly used, and a parked machine (a time-travel checkpoint) costs what it holds.
// Slots are handed out in order, reusing given-back ones first (lowest address first when a range
// was given back), so pages written one after another usually sit side by side and a bulk access
// takes them as one run.
//
// A slab can also be a window of a caller's ArrayBuffer (`install`), which is how a common buffer's
// host view and the device's view of the same physical memory stay the same bytes; such slots are
// never shared, since the host writes them without the store knowing.
//
// A finished store gives its slabs back (`recycle`), zeroed, to the next store made in the same
// thread: a sweep runs hundreds of machines one after another, and fresh slabs per run were paid in
// page faults and, because V8 counts array buffers as external memory, in a full garbage
// collection after almost every run.

export const PAGE_SHIFT = 12;
export const PAGE_BYTES = 1 << PAGE_SHIFT;
export const SLAB_SHIFT = 4;
export const SLAB_SLOTS = 1 << SLAB_SHIFT;
const SLAB_BYTES = SLAB_SLOTS * PAGE_BYTES;

/** Zeroed slabs given back by finished stores of this thread, for the next stores to carve. */
const slabPool: Uint8Array[] = [];
/** At most this many slabs (128 MiB) are kept for reuse; a larger store gives the rest to the collector. */
const SLAB_POOL_MAX = (128 * 1024 * 1024) / SLAB_BYTES;
/** Slabs this thread took from the process rather than the pool: each costs the first touch of fresh memory. */
let freshSlabs = 0;

/** How many 64 KiB slabs the stores of this thread have taken from the process so far (the benchmarks report it). */
export function freshSlabsTaken(): number {
  return freshSlabs;
}

export class SlabStore {
  /** Slabs by number: their bytes, the same as 32-bit words (for fills), and whether installed. */
  readonly slabs: (Uint8Array | undefined)[] = [];
  readonly slabWords: (Uint32Array | undefined)[] = [];
  readonly installed: boolean[] = [];
  /** Slab numbers free for installing. */
  private readonly freeSlabs: number[] = [];
  /** Slots given back, taken from the end. */
  private readonly spare: number[] = [];
  /** Next never-used slot of the slab being carved (its slab is full when it reaches a multiple of SLAB_SLOTS). */
  private nextFresh = 0;
  /** Pages beyond the first holding each slot. */
  private shares = new Int32Array(SLAB_SLOTS * 16);
  /** Whether the slot `take` returned last holds zeros (new, or from a zeroed slab) rather than a given-back slot's old bytes. */
  tookZeros = false;

  /** A slot for a page: a given-back one if any, else the next of the slab being carved. */
  take(): number {
    if (this.spare.length > 0) {
      this.tookZeros = false;
      return this.spare.pop()!;
    }
    this.tookZeros = true;
    if ((this.nextFresh & (SLAB_SLOTS - 1)) === 0) {
      // The current slab is full (or there is none): start a new one.
      const k = this.slabs.length;
      let bytes = slabPool.pop();
      if (!bytes) {
        bytes = new Uint8Array(SLAB_BYTES);
        freshSlabs++;
      }
      this.add(k, bytes, new Uint32Array(bytes.buffer), false);
      this.nextFresh = k << SLAB_SHIFT;
    }
    return this.nextFresh++;
  }

  /** A page lets go of slot `s`: the slot is free once no page holds it. */
  give(s: number): void {
    if (this.shares[s] > 0) this.shares[s]--;
    else this.spare.push(s);
  }

  /** One more page holds slot `s`. */
  share(s: number): void {
    this.shares[s]++;
  }

  isShared(s: number): boolean {
    return this.shares[s] > 0;
  }

  /** A slot of its own for a page about to write shared slot `s`: with s's bytes, unless the write covers them all (`overwritten`). */
  unshare(s: number, overwritten: boolean): number {
    const t = this.take();
    this.shares[s]--;
    if (!overwritten) {
      const from = (s & (SLAB_SLOTS - 1)) << PAGE_SHIFT;
      this.slabs[t >>> SLAB_SHIFT]!.set(this.slabs[s >>> SLAB_SHIFT]!.subarray(from, from + PAGE_BYTES), (t & (SLAB_SLOTS - 1)) << PAGE_SHIFT);
    }
    return t;
  }

  /** Makes a slab a window of `pages` pages of `buffer` from byte `at`: its number. */
  install(buffer: ArrayBuffer, at: number, pages: number): number {
    const k = this.freeSlabs.pop() ?? this.slabs.length;
    this.add(k, new Uint8Array(buffer, at, pages * PAGE_BYTES), new Uint32Array(buffer, at, (pages * PAGE_BYTES) >>> 2), true);
    return k;
  }

  /** Drops installed slab `k` (its buffer stays the caller's). */
  uninstall(k: number): void {
    this.slabs[k] = undefined;
    this.slabWords[k] = undefined;
    this.installed[k] = false;
    this.freeSlabs.push(k);
  }

  /** Bytes the store holds from the process: its own slabs, not installed buffers. */
  heldBytes(): number {
    let n = this.shares.byteLength;
    for (let k = 0; k < this.slabs.length; k++) if (this.slabs[k] && !this.installed[k]) n += this.slabs[k]!.byteLength;
    return n;
  }

  /**
   * Gives the store's own slabs, zeroed where they were used, to the next store this thread makes,
   * and empties it. For a store whose memories nobody reads any more (they are emptied too).
   */
  recycle(): void {
    const current = this.nextFresh === 0 ? -1 : (this.nextFresh - 1) >>> SLAB_SHIFT;
    for (let k = 0; k < this.slabs.length; k++) {
      const bytes = this.slabs[k];
      if (!bytes || this.installed[k] || slabPool.length >= SLAB_POOL_MAX) continue;
      const used = k === current ? ((this.nextFresh - 1) & (SLAB_SLOTS - 1)) + 1 : SLAB_SLOTS;
      bytes.fill(0, 0, used * PAGE_BYTES);
      slabPool.push(bytes);
    }
    this.slabs.length = 0;
    this.slabWords.length = 0;
    this.installed.length = 0;
    this.freeSlabs.length = 0;
    this.spare.length = 0;
    this.nextFresh = 0;
    this.shares.fill(0);
  }

  private add(k: number, bytes: Uint8Array, words: Uint32Array, installed: boolean): void {
    this.slabs[k] = bytes;
    this.slabWords[k] = words;
    this.installed[k] = installed;
    const slots = this.slabs.length << SLAB_SHIFT;
    if (slots > this.shares.length) {
      const grown = new Int32Array(Math.max(slots, this.shares.length * 2));
      grown.set(this.shares);
      this.shares = grown;
    }
  }
}
