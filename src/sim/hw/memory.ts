// The page store behind VRAM and system memory: memory in 4 KiB pages, each in one of two states:
//   uniform       no bytes behind it; every 4 bytes hold the page's 32-bit pattern (0 for memory
//                 never written);
//   materialised  4 KiB of real bytes in a slot of a slab.
// A write materialises a page (starting from its pattern); a fill that covers a whole page makes it
// uniform again and gives its slot back. So a 16 GiB VRAM costs only the pages written with data, a
// zero fill of untouched memory costs nothing, and filling or copying content that was only ever
// filled moves no bytes at all.
//
// The slots behind materialised pages come from a SlabStore (slabStore.ts), which a machine's two
// memories share: a page copied whole from one memory to the other can hold the same slot, copied on
// write (`shareFrom`). A page's slot is kept in an Int32Array (no object per page, and the index of
// a huge, mostly untouched memory stays mostly unmapped).

import { ACCESS_WRITE, MAX_RUN_BYTES } from './constants';
import { PAGE_BYTES, PAGE_SHIFT, SLAB_SHIFT, SLAB_SLOTS, SlabStore } from './slabStore';

export { freshSlabsTaken, PAGE_BYTES, PAGE_SHIFT } from './slabStore';

/** Tables of a memory up to this size (8 GiB of memory) are touched whole when it is made. */
const TOUCHED_TABLE_BYTES = 16 * 1024 * 1024;

/** Not a pattern: the run just resolved holds bytes. */
export const MIXED = -1;

/** Where `SparseMemory.run` leaves a run: `len` bytes of `arr` from `off`, or the run's pattern. */
export interface RunResult {
  arr: Uint8Array;
  off: number;
  len: number;
  /** The pattern when the run is uniform memory (arr and off are then not set), else MIXED. */
  pattern: number;
}

/** The byte at `address` of memory filled with `pattern` (little-endian, from a 4-byte boundary). */
export function patternByte(pattern: number, address: number): number {
  return (pattern >>> ((address & 3) * 8)) & 0xff;
}

/**
 * The pattern that, laid from 4-byte boundaries at the destination, gives the bytes of `pattern`
 * laid from 4-byte boundaries at a source `delta` bytes further on.
 */
export function rotatePattern(pattern: number, delta: number): number {
  const r = ((delta % 4) + 4) % 4;
  return r === 0 ? pattern : ((pattern >>> (8 * r)) | (pattern << (32 - 8 * r))) >>> 0;
}

export class SparseMemory {
  readonly pageCount: number;
  /** Slot + 1 of each materialised page; 0 where the page is uniform. */
  private readonly slotOf: Int32Array;
  /** Pattern of each uniform page (0: zeros). Meaningless where the page is materialised. */
  private readonly patterns: Uint32Array;
  /** The store's slabs by number (the same arrays as the store's, kept here for the hot paths). */
  private readonly slabs: (Uint8Array | undefined)[];
  private readonly slabWords: (Uint32Array | undefined)[];
  private readonly slabInstalled: boolean[];
  private materialised = 0;
  /** Byte offset in its slab of the page returned by the last pageForWrite. */
  at = 0;

  /** `store`: where the pages' bytes live; a machine's memories share one, so pages can be shared between them. */
  constructor(
    readonly size: number,
    readonly store = new SlabStore(),
  ) {
    this.pageCount = Math.ceil(size / PAGE_BYTES);
    this.slotOf = new Int32Array(this.pageCount);
    this.patterns = new Uint32Array(this.pageCount);
    // Both tables are touched here, in order, rather than where a run first writes them: at random
    // places (a page-in to anywhere in VRAM), where each first write to a 4 KiB page of a table is
    // a page fault of the host in the middle of an engine operation, about 10 us each in the kernel
    // stress against 1-2 us each here. Only up to a size: a memory of hundreds of GiB keeps tables
    // of hundreds of MiB, resident only where written. A checkpoint's budget counts the tables
    // whole either way (Gpu.heldBytes).
    if (this.pageCount * 8 <= TOUCHED_TABLE_BYTES) {
      this.slotOf.fill(0);
      this.patterns.fill(0);
    }
    this.slabs = store.slabs;
    this.slabWords = store.slabWords;
    this.slabInstalled = store.installed;
  }

  /** Bytes of materialised pages (a page sharing its slot with another counts in both). */
  residentBytes(): number {
    return this.materialised * PAGE_BYTES;
  }

  /** Bytes of this memory's page tables; its pages' bytes are the store's (SlabStore.heldBytes). */
  tableBytes(): number {
    return this.slotOf.byteLength + this.patterns.byteLength;
  }

  /**
   * Empties this memory (every page reads as zeros again) and recycles its store (SlabStore.recycle),
   * emptying the other memory of the store too: call it on each. For memories nobody reads any
   * more: a view taken from one before would show the next memory's bytes.
   */
  recycle(): void {
    this.store.recycle();
    this.slotOf.fill(0);
    this.patterns.fill(0);
    this.materialised = 0;
  }

  isMaterialised(page: number): boolean {
    return this.slotOf[page] !== 0;
  }

  /**
   * The slab holding page `page`'s bytes (at `this.at`), materialising it if it is uniform: with
   * its pattern, unless the caller is about to overwrite all of it (`whole`).
   */
  pageForWrite(page: number, whole = false): Uint8Array {
    const store = this.store;
    let s = this.slotOf[page] - 1;
    if (s < 0) {
      s = store.take();
      this.slotOf[page] = s + 1;
      this.materialised++;
      const p = this.patterns[page];
      // A fresh slot is zeros already; a reused one holds old bytes.
      if (!whole && (p !== 0 || !store.tookZeros)) {
        const w = (s & (SLAB_SLOTS - 1)) << (PAGE_SHIFT - 2);
        this.slabWords[s >>> SLAB_SHIFT]!.fill(p, w, w + (PAGE_BYTES >>> 2));
      }
    } else if (store.isShared(s)) {
      s = store.unshare(s, whole);
      this.slotOf[page] = s + 1;
    }
    this.at = (s & (SLAB_SLOTS - 1)) << PAGE_SHIFT;
    return this.slabs[s >>> SLAB_SHIFT]!;
  }

  /**
   * Points `out` at the run of bytes from `address`: its page, extended over following pages whose
   * slots follow in the same slab, up to `want` bytes (and MAX_RUN_BYTES). A read of uniform memory
   * gives the pattern instead, for as many following pages as have the same one.
   */
  run(out: RunResult, address: number, mode: number, want: number): void {
    const page = Math.floor(address / PAGE_BYTES);
    const po = address - page * PAGE_BYTES;
    let len = PAGE_BYTES - po;
    const slotOf = this.slotOf;
    let s = slotOf[page] - 1;
    if (s < 0 && mode !== ACCESS_WRITE) {
      const p = this.patterns[page];
      const patterns = this.patterns;
      for (let k = page + 1; len < want && len < MAX_RUN_BYTES && k < this.pageCount; k++) {
        if (slotOf[k] !== 0 || patterns[k] !== p) break;
        len += PAGE_BYTES;
      }
      out.pattern = p;
      out.len = len < want ? len : want;
      return;
    }
    out.pattern = MIXED;
    const store = this.store;
    if (s < 0 || (mode === ACCESS_WRITE && store.isShared(s))) {
      out.arr = this.pageForWrite(page, po === 0 && want >= PAGE_BYTES);
      s = slotOf[page] - 1;
    } else {
      out.arr = this.slabs[s >>> SLAB_SHIFT]!;
    }
    out.off = ((s & (SLAB_SLOTS - 1)) << PAGE_SHIFT) + po;
    // Following pages whose slots follow in the same slab (a write takes only those materialised and not shared).
    const slabEnd = (s | (SLAB_SLOTS - 1)) + 1;
    for (let k = page + 1, next = s + 1; len < want && len < MAX_RUN_BYTES && next < slabEnd && k < this.pageCount; k++, next++) {
      if (slotOf[k] !== next + 1 || (mode === ACCESS_WRITE && store.isShared(next))) break;
      len += PAGE_BYTES;
    }
    out.len = len < want ? len : want;
  }

  /**
   * Makes the `length` bytes at `address` hold what `from` holds at `fromAddress` by giving these
   * pages the same slots (copied on write: see SlabStore), moving no byte. Whole pages only, both
   * addresses page aligned. False, changing nothing, when some page cannot be shared: `from` keeps
   * its bytes in another store, one of its pages is uniform or installed, one of these is
   * installed, or the ranges overlap in one memory; the caller then copies bytes.
   */
  shareFrom(address: number, from: SparseMemory, fromAddress: number, length: number): boolean {
    if (address % PAGE_BYTES !== 0 || fromAddress % PAGE_BYTES !== 0 || length % PAGE_BYTES !== 0) {
      throw new Error('pages are shared whole: page-aligned addresses and length');
    }
    if (from.store !== this.store || (from === this && address < fromAddress + length && fromAddress < address + length)) return false;
    const first = address / PAGE_BYTES;
    const source = fromAddress / PAGE_BYTES;
    const pages = length / PAGE_BYTES;
    const installed = this.slabInstalled;
    for (let i = 0; i < pages; i++) {
      const s = from.slotOf[source + i] - 1;
      if (s < 0 || installed[s >>> SLAB_SHIFT]) return false;
      const d = this.slotOf[first + i] - 1;
      if (d >= 0 && installed[d >>> SLAB_SHIFT]) return false;
    }
    const store = this.store;
    for (let i = 0; i < pages; i++) {
      const s = from.slotOf[source + i] - 1;
      const d = this.slotOf[first + i] - 1;
      if (d === s) continue;
      if (d >= 0) store.give(d);
      else this.materialised++;
      store.share(s);
      this.slotOf[first + i] = s + 1;
    }
    return true;
  }

  /** Makes pages [first, end) uniform with `pattern`, giving their slots back (installed ones are filled in place). */
  private makeUniform(first: number, end: number, pattern: number): void {
    // Given back from the last page down, so that they are reused lowest first.
    for (let page = end - 1; page >= first; page--) {
      const s = this.slotOf[page] - 1;
      if (s >= 0) {
        const k = s >>> SLAB_SHIFT;
        if (this.slabInstalled[k]) {
          const w = (s & (SLAB_SLOTS - 1)) << (PAGE_SHIFT - 2);
          this.slabWords[k]!.fill(pattern, w, w + (PAGE_BYTES >>> 2));
          continue;
        }
        this.store.give(s);
        this.slotOf[page] = 0;
        this.materialised--;
      }
      this.patterns[page] = pattern;
    }
  }

  /**
   * Fills `length` bytes at `address` with a 32-bit pattern laid from 4-byte boundaries (the byte at
   * address a is byte a % 4 of the pattern, little-endian). Whole pages become uniform; the caller
   * checks bounds.
   */
  fill(address: number, length: number, pattern: number): void {
    pattern >>>= 0;
    const end = address + length;
    const firstWhole = Math.ceil(address / PAGE_BYTES);
    const endWhole = Math.floor(end / PAGE_BYTES);
    let a = address;
    const headEnd = Math.min(end, firstWhole * PAGE_BYTES);
    if (headEnd > a) {
      this.fillPart(a, headEnd - a, pattern);
      a = headEnd;
    }
    if (firstWhole < endWhole) {
      this.makeUniform(firstWhole, endWhole, pattern);
      a = endWhole * PAGE_BYTES;
    }
    if (end > a) this.fillPart(a, end - a, pattern);
  }

  /** Fills `n` bytes at `address`, inside one page. */
  private fillPart(address: number, n: number, pattern: number): void {
    const page = Math.floor(address / PAGE_BYTES);
    if (this.slotOf[page] === 0 && this.patterns[page] === pattern) return;
    const arr = this.pageForWrite(page);
    const s = this.slotOf[page] - 1;
    const o = this.at + (address - page * PAGE_BYTES);
    let i = 0;
    while (i < n && ((address + i) & 3) !== 0) {
      arr[o + i] = patternByte(pattern, address + i);
      i++;
    }
    const words = (n - i) >>> 2;
    if (words > 0) {
      const w = (o + i) >>> 2;
      this.slabWords[s >>> SLAB_SHIFT]!.fill(pattern, w, w + words);
      i += words * 4;
    }
    for (; i < n; i++) arr[o + i] = patternByte(pattern, address + i);
  }

  /** Copies `length` bytes at `address` into `out` at `outOffset`. The caller checks bounds. */
  read(address: number, out: Uint8Array, outOffset: number, length: number): void {
    while (length > 0) {
      const page = Math.floor(address / PAGE_BYTES);
      const off = address - page * PAGE_BYTES;
      const n = Math.min(length, PAGE_BYTES - off);
      const s = this.slotOf[page] - 1;
      if (s < 0) fillPattern(out, outOffset, n, this.patterns[page], address);
      else {
        const at = ((s & (SLAB_SLOTS - 1)) << PAGE_SHIFT) + off;
        out.set(this.slabs[s >>> SLAB_SHIFT]!.subarray(at, at + n), outOffset);
      }
      address += n;
      outOffset += n;
      length -= n;
    }
  }

  write(address: number, src: Uint8Array, srcOffset: number, length: number): void {
    while (length > 0) {
      const page = Math.floor(address / PAGE_BYTES);
      const off = address - page * PAGE_BYTES;
      const n = Math.min(length, PAGE_BYTES - off);
      const dst = this.pageForWrite(page, n === PAGE_BYTES);
      dst.set(src.subarray(srcOffset, srcOffset + n), this.at + off);
      address += n;
      srcOffset += n;
      length -= n;
    }
  }

  readU32(address: number): number {
    const page = Math.floor(address / PAGE_BYTES);
    const off = address - page * PAGE_BYTES;
    if (off + 4 <= PAGE_BYTES) {
      const s = this.slotOf[page] - 1;
      if (s < 0) {
        const p = this.patterns[page];
        return (address & 3) === 0 ? p : (patternByte(p, address) | (patternByte(p, address + 1) << 8) | (patternByte(p, address + 2) << 16) | (patternByte(p, address + 3) << 24)) >>> 0;
      }
      const c = this.slabs[s >>> SLAB_SHIFT]!;
      const o = ((s & (SLAB_SLOTS - 1)) << PAGE_SHIFT) + off;
      return (c[o] | (c[o + 1] << 8) | (c[o + 2] << 16) | (c[o + 3] << 24)) >>> 0;
    }
    const tmp = new Uint8Array(4);
    this.read(address, tmp, 0, 4);
    return (tmp[0] | (tmp[1] << 8) | (tmp[2] << 16) | (tmp[3] << 24)) >>> 0;
  }

  /** Reads a little-endian u64 as a number (exact below 2^53; larger values lose low bits). */
  readU64(address: number): number {
    return this.readU32(address + 4) * 0x100000000 + this.readU32(address);
  }

  /**
   * Backs the pages of [address, address + buffer.byteLength) with `buffer` (page aligned), so the
   * caller's view and the memory are the same bytes. Whatever the pages held before is dropped.
   */
  install(address: number, buffer: ArrayBuffer): void {
    if (address % PAGE_BYTES !== 0 || buffer.byteLength % PAGE_BYTES !== 0) {
      throw new Error('installed memory must be page aligned');
    }
    const first = address / PAGE_BYTES;
    const pages = buffer.byteLength / PAGE_BYTES;
    this.release(address, buffer.byteLength);
    for (let w = 0; w * SLAB_SLOTS < pages; w++) {
      const n = Math.min(SLAB_SLOTS, pages - w * SLAB_SLOTS);
      const k = this.store.install(buffer, w * SLAB_SLOTS * PAGE_BYTES, n);
      for (let i = 0; i < n; i++) this.slotOf[first + w * SLAB_SLOTS + i] = (k << SLAB_SHIFT) + i + 1;
      this.materialised += n;
    }
  }

  /** Drops the pages of a range: they read as zeros again (installed ones are uninstalled). */
  release(address: number, length: number): void {
    const first = Math.floor(address / PAGE_BYTES);
    const end = Math.ceil((address + length) / PAGE_BYTES);
    for (let page = end - 1; page >= first; page--) {
      const s = this.slotOf[page] - 1;
      if (s >= 0) {
        const k = s >>> SLAB_SHIFT;
        if (this.slabInstalled[k]) {
          // The window goes when its first page does (a window is only ever released whole).
          if ((s & (SLAB_SLOTS - 1)) === 0) this.store.uninstall(k);
        } else {
          this.store.give(s);
        }
        this.slotOf[page] = 0;
        this.materialised--;
      }
      this.patterns[page] = 0;
    }
  }

  /**
   * A single view of [address, address + length) if it lies in one installed buffer (a common
   * buffer), else undefined. Only installed bytes stay put: other pages may become uniform and
   * their slots be reused.
   */
  contiguousView(address: number, length: number): Uint8Array | undefined {
    if (length <= 0) return undefined;
    const first = Math.floor(address / PAGE_BYTES);
    const last = Math.floor((address + length - 1) / PAGE_BYTES);
    const s0 = this.slotOf[first] - 1;
    if (s0 < 0 || !this.slabInstalled[s0 >>> SLAB_SHIFT]) return undefined;
    const b0 = this.slabs[s0 >>> SLAB_SHIFT]!;
    const start = b0.byteOffset + ((s0 & (SLAB_SLOTS - 1)) << PAGE_SHIFT);
    for (let page = first + 1; page <= last; page++) {
      const s = this.slotOf[page] - 1;
      if (s < 0) return undefined;
      const b = this.slabs[s >>> SLAB_SHIFT]!;
      if (b.buffer !== b0.buffer || b.byteOffset + ((s & (SLAB_SLOTS - 1)) << PAGE_SHIFT) !== start + (page - first) * PAGE_BYTES) return undefined;
    }
    return new Uint8Array(b0.buffer, start + (address - first * PAGE_BYTES), length);
  }
}

/**
 * Writes into out[at, at + n) the bytes of memory filled with `pattern`, from memory address
 * `address` on (laid from 4-byte boundaries of memory, whatever the alignment of `out`).
 */
export function fillPattern(out: Uint8Array, at: number, n: number, pattern: number, address: number): void {
  if (n <= 0) return;
  const b0 = patternByte(pattern, address);
  if (pattern === 0 || pattern === (b0 * 0x01010101) >>> 0) {
    out.fill(b0, at, at + n);
    return;
  }
  const head = Math.min(n, 4);
  for (let i = 0; i < head; i++) out[at + i] = patternByte(pattern, address + i);
  // The pattern repeats every 4 bytes: double what is written until it is all there.
  for (let done = head; done < n; done *= 2) out.copyWithin(at + done, at, at + Math.min(done, n - done));
}
