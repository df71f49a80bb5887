// What an allocation should hold: the kernel's copy of every byte the workload wrote into it (its
// fill pattern, CPU writes, the tiles renders wrote), checked against the real content at `verify`
// steps and at the end of the run. Kept page by page, and a page nobody wrote byte by byte is only
// its 4-byte pattern: a dense copy per allocation held the whole size of every allocation (the
// scaled kernel stress kept ~500 MiB of copies for 4.5 MiB of memory actually touched) and cost a
// buffer of the allocation's size at every creation.

import { fillPattern, patternByte, rotatePattern } from '../hw/memory';

const PAGE = 4096;

/** A page of `pattern`, for comparisons; the few patterns a run uses are kept. */
const patternPages = new Map<number, Buffer>();
function patternPage(pattern: number): Buffer {
  let b = patternPages.get(pattern);
  if (!b) {
    if (patternPages.size >= 64) patternPages.clear();
    b = Buffer.alloc(PAGE);
    fillPattern(b, 0, PAGE, pattern, 0);
    patternPages.set(pattern, b);
  }
  return b;
}

export class ContentShadow {
  /** Each page: its bytes, or the pattern it is filled with (from the page's first byte). */
  private readonly pages: (Uint8Array | number)[];

  /** An allocation of `size` bytes filled with `pattern`. */
  constructor(
    readonly size: number,
    pattern: number,
  ) {
    this.pages = new Array<Uint8Array | number>(Math.ceil(size / PAGE)).fill(pattern >>> 0);
  }

  /** Bytes held for pages written byte by byte. */
  residentBytes(): number {
    let n = 0;
    for (const p of this.pages) if (typeof p !== 'number') n += PAGE;
    return n;
  }

  private pageLength(k: number): number {
    return Math.min(PAGE, this.size - k * PAGE);
  }

  /** Page `k`'s own bytes (made from its pattern the first time). */
  private materialise(k: number): Uint8Array {
    const p = this.pages[k];
    if (typeof p !== 'number') return p;
    const bytes = new Uint8Array(this.pageLength(k));
    if (p !== 0) fillPattern(bytes, 0, bytes.length, p, 0);
    this.pages[k] = bytes;
    return bytes;
  }

  /** The workload wrote `bytes` at `offset`. */
  write(bytes: Uint8Array, offset: number): void {
    this.check(offset, bytes.length);
    for (let done = 0; done < bytes.length; ) {
      const at = offset + done;
      const k = Math.floor(at / PAGE);
      const within = at - k * PAGE;
      const n = Math.min(this.pageLength(k) - within, bytes.length - done);
      if (within === 0 && n === this.pageLength(k)) this.pages[k] = bytes.slice(done, done + n);
      else this.materialise(k).set(bytes.subarray(done, done + n), within);
      done += n;
    }
  }

  /** `length` bytes at `offset` now hold `pattern`, laid from `offset` as if it had started `phase` bytes earlier. */
  fill(offset: number, length: number, pattern: number, phase = 0): void {
    this.check(offset, length);
    for (let done = 0; done < length; ) {
      const at = offset + done;
      const k = Math.floor(at / PAGE);
      const within = at - k * PAGE;
      const n = Math.min(this.pageLength(k) - within, length - done);
      if (within === 0 && n === this.pageLength(k)) this.pages[k] = rotatePattern(pattern >>> 0, phase + done) >>> 0;
      else fillPattern(this.materialise(k), within, n, pattern, phase + done);
      done += n;
    }
  }

  /** A 32-bit little-endian value at `offset`. */
  setUint32(offset: number, value: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value, true);
    this.write(b, offset);
  }

  /** This allocation now holds what `source` holds, from byte 0. */
  copyFrom(source: ContentShadow): void {
    if (source.size > this.size) throw new RangeError(`a content of ${source.size} bytes does not fit in ${this.size}`);
    const whole = Math.floor(source.size / PAGE);
    for (let k = 0; k < whole; k++) {
      const p = source.pages[k];
      this.pages[k] = typeof p === 'number' ? p : p.slice();
    }
    if (whole * PAGE < source.size) this.write(source.bytes(whole * PAGE, source.size - whole * PAGE), whole * PAGE);
  }

  /** The pattern page `k` holds when nothing wrote it byte by byte (laid from the page's first byte), else undefined. */
  pagePattern(k: number): number | undefined {
    const p = this.pages[k];
    return typeof p === 'number' ? p : undefined;
  }

  /** The byte at `offset`. */
  byteAt(offset: number): number {
    const k = Math.floor(offset / PAGE);
    const p = this.pages[k];
    return typeof p === 'number' ? patternByte(p, offset - k * PAGE) : p[offset - k * PAGE];
  }

  /** A dense copy of [offset, offset + length). */
  bytes(offset = 0, length = this.size - offset): Uint8Array {
    this.check(offset, length);
    const out = new Uint8Array(length);
    for (let done = 0; done < length; ) {
      const at = offset + done;
      const k = Math.floor(at / PAGE);
      const within = at - k * PAGE;
      const n = Math.min(this.pageLength(k) - within, length - done);
      const p = this.pages[k];
      if (typeof p === 'number') fillPattern(out, done, n, p, within);
      else out.set(p.subarray(within, within + n), done);
      done += n;
    }
    return out;
  }

  /** The first offset where `actual` differs from what this allocation should hold (its length counts), or -1. */
  firstDifference(actual: Uint8Array): number {
    const at = this.firstDifferenceIn(actual, 0);
    if (at >= 0) return at;
    return actual.length === this.size ? -1 : Math.min(actual.length, this.size);
  }

  /**
   * The first offset where `actual`, the content from `offset` on (a multiple of 4 KiB), differs
   * from what this allocation should hold, or -1; bytes past the allocation's end are not compared.
   */
  firstDifferenceIn(actual: Uint8Array, offset: number): number {
    if (offset % PAGE !== 0) throw new RangeError(`a comparison starts on a page boundary, not at ${offset}`);
    const n = Math.min(actual.length, this.size - offset);
    for (let start = 0; start < n; start += PAGE) {
      const k = (offset + start) / PAGE;
      const len = Math.min(PAGE, n - start);
      const p = this.pages[k];
      const expected = typeof p === 'number' ? patternPage(p) : Buffer.from(p.buffer, p.byteOffset, p.length);
      const got = Buffer.from(actual.buffer, actual.byteOffset + start, len);
      if (got.compare(expected, 0, len) === 0) continue;
      for (let i = 0; i < len; i++) if (got[i] !== expected[i]) return offset + start + i;
    }
    return -1;
  }

  private check(offset: number, length: number): void {
    if (offset < 0 || length < 0 || offset + length > this.size) throw new RangeError(`[${offset}, ${offset + length}) is outside a content of ${this.size} bytes`);
  }
}
