// The paging engine's datapath: moving bytes between prepared locations (copy, fill, read and write
// of a few bytes, and the band-by-band rearrangement of swizzle/unswizzle), one resolved run at a
// time. A fault part-way leaves what was already moved in place, as hardware would. Every write is
// noted for write events while someone listens, and counts as a memory write for waiting engines;
// every read of data (a copy's source, the few bytes an instruction reads) is noted while a read
// sink listens (a data breakpoint on reads).
//
// Fills go to the page store as fills (whole pages become uniform, no bytes written), and a copy
// whose source run is uniform memory is a fill of the destination with that pattern: content that
// was only ever filled moves through evictions and page-ins without a byte being copied. Whole
// pages of written content copied from page boundary to page boundary share the source's bytes,
// copied on write (SparseMemory.shareFrom): an eviction or a page-in moves no byte either.

import { ACCESS_READ, ACCESS_WRITE, LOCATE_WRITE } from './constants';
import type { EventHub } from './events';
import { fillPattern, MIXED, PAGE_BYTES, rotatePattern } from './memory';
import type { GpuState } from './state';
import { retileBand, TILE_BYTES } from './tiling';
import type { Loc, Resolver } from './translate';

export class Datapath {
  private readonly events: EventHub;

  constructor(
    private readonly state: GpuState,
    private readonly res: Resolver,
  ) {
    this.events = state.events;
  }

  copy(dst: Loc, src: Loc, size: number): number {
    const res = this.res;
    const events = this.events;
    const ev = events.writes;
    const rd = events.reads;
    for (let pos = 0; pos < size; ) {
      let f = res.resolve(src, pos, ACCESS_READ, size - pos);
      if (f) return f;
      const sa = res.arr;
      const so = res.off;
      const sl = res.len;
      const pattern = res.pattern;
      const from = res.addr;
      const fromVram = res.inVram;
      const fromDebug = res.debug;
      if (pattern !== MIXED) {
        f = res.resolve(dst, pos, LOCATE_WRITE, sl);
        if (f) return f;
        const n = Math.min(size - pos, sl, res.len);
        if (rd) events.noteRead(fromVram, from, fromDebug, n);
        res.mem.fill(res.addr, n, rotatePattern(pattern, from - res.addr));
        if (ev) events.noteWrite(res.inVram, res.addr, res.debug, n);
        this.state.patternCopied += n;
        pos += n;
        continue;
      }
      const fromMem = res.mem;
      f = res.resolve(dst, pos, LOCATE_WRITE, sl);
      if (f) return f;
      let n = Math.min(size - pos, sl, res.len);
      // Whole pages from page to page are shared with the source, copied on write: no byte moves.
      const whole = n - (n % PAGE_BYTES);
      if (whole > 0 && from % PAGE_BYTES === 0 && res.addr % PAGE_BYTES === 0 && res.mem.shareFrom(res.addr, fromMem, from, whole)) {
        if (rd) events.noteRead(fromVram, from, fromDebug, whole);
        if (ev) events.noteWrite(res.inVram, res.addr, res.debug, whole);
        this.state.pageShared += whole;
        pos += whole;
        continue;
      }
      // The destination located, its bytes to write (not translated again: a translation can note a dummy page).
      res.mem.run(res, res.addr, ACCESS_WRITE, n);
      n = Math.min(n, res.len);
      if (rd) events.noteRead(fromVram, from, fromDebug, n);
      if (n <= 16) {
        const da = res.arr;
        const d0 = res.off;
        for (let i = 0; i < n; i++) da[d0 + i] = sa[so + i];
      } else {
        res.arr.set(sa.subarray(so, so + n), res.off);
      }
      if (ev) events.noteWrite(res.inVram, res.addr, res.debug, n);
      pos += n;
    }
    this.state.wrote(events.time);
    return 0;
  }

  /** Fills `size` bytes (a multiple of 4, from a 4-byte aligned address) from position `from` of `dst` with a 32-bit pattern. */
  fill(dst: Loc, size: number, pattern: number, from = 0): number {
    const res = this.res;
    const events = this.events;
    const ev = events.writes;
    for (let pos = from; pos < from + size; ) {
      const f = res.resolve(dst, pos, LOCATE_WRITE, from + size - pos);
      if (f) return f;
      const n = Math.min(from + size - pos, res.len);
      res.mem.fill(res.addr, n, pattern);
      if (ev) events.noteWrite(res.inVram, res.addr, res.debug, n);
      pos += n;
    }
    this.state.wrote(events.time);
    return 0;
  }

  /** Reads `n` bytes from position `pos` of a prepared location into out[o..]. */
  read(loc: Loc, pos: number, out: Uint8Array, o: number, n: number): number {
    const res = this.res;
    const rd = this.events.reads;
    while (n > 0) {
      const f = res.resolve(loc, pos, ACCESS_READ, n);
      if (f) return f;
      const k = Math.min(n, res.len);
      if (rd) this.events.noteRead(res.inVram, res.addr, res.debug, k);
      if (res.pattern !== MIXED) fillPattern(out, o, k, res.pattern, res.addr);
      else if (k <= 16) for (let i = 0; i < k; i++) out[o + i] = res.arr[res.off + i];
      else out.set(res.arr.subarray(res.off, res.off + k), o);
      pos += k;
      o += k;
      n -= k;
    }
    return 0;
  }

  /** Writes src[o..o+n) at position `pos` of a prepared location. */
  write(loc: Loc, pos: number, src: Uint8Array, o: number, n: number): number {
    const res = this.res;
    const events = this.events;
    const ev = events.writes;
    while (n > 0) {
      const f = res.resolve(loc, pos, ACCESS_WRITE, n);
      if (f) return f;
      const k = Math.min(n, res.len);
      if (k <= 16) for (let i = 0; i < k; i++) res.arr[res.off + i] = src[o + i];
      else res.arr.set(src.subarray(o, o + k), res.off);
      if (ev) events.noteWrite(res.inVram, res.addr, res.debug, k);
      pos += k;
      o += k;
      n -= k;
    }
    this.state.wrote(events.time);
    return 0;
  }

  /** Copies `size` bytes between the linear and the tiled layout of a surface `pitch` bytes wide. */
  retile(dst: Loc, src: Loc, size: number, pitch: number, toTiled: boolean): number {
    const band = pitch * (TILE_BYTES / 64);
    const a = new Uint8Array(band);
    const b = new Uint8Array(band);
    for (let pos = 0; pos < size; pos += band) {
      // A band of uniform memory is the same bytes in both layouts (rows of 64 bytes keep a 4-byte
      // pattern's phase): filled, not read, rearranged and written, so it stays uniform.
      const q = this.uniformFrom(src, pos, band);
      if (q !== MIXED) {
        if (this.events.reads) this.noteReads(src, pos, band);
        const f = this.res.resolve(dst, pos, LOCATE_WRITE, band);
        if (f) return f;
        if (this.res.addr % 4 === 0) {
          const r = this.fill(dst, band, rotatePattern(q, pos - this.res.addr), pos);
          if (r) return r;
          this.state.patternCopied += band;
          continue;
        }
      }
      let f = this.read(src, pos, a, 0, band);
      if (f) return f;
      retileBand(a, b, pitch, toTiled);
      f = this.write(dst, pos, b, 0, band);
      if (f) return f;
    }
    return 0;
  }
  /** Notes reads of the `n` bytes from position `pos` of `loc` (read as a pattern, not byte by byte). */
  private noteReads(loc: Loc, pos: number, n: number): void {
    const res = this.res;
    for (let done = 0; done < n; done += res.len) {
      if (res.resolve(loc, pos + done, ACCESS_READ, n - done)) return;
      this.events.noteRead(res.inVram, res.addr, res.debug, Math.min(res.len, n - done));
    }
  }

  /**
   * The pattern the `n` bytes from position `pos` of `loc` hold, laid from the location's position
   * 0 (byte x is byte x % 4 of it), when all of them are uniform memory alike; else MIXED (also
   * when a run cannot be resolved: the byte path then reports the fault).
   */
  private uniformFrom(loc: Loc, pos: number, n: number): number {
    const res = this.res;
    let q = MIXED;
    for (let done = 0; done < n; done += res.len) {
      if (res.resolve(loc, pos + done, ACCESS_READ, n - done) || res.pattern === MIXED) return MIXED;
      // The run's pattern lies from 4-byte boundaries of its memory: as seen from the location's positions.
      const here = rotatePattern(res.pattern, res.addr - (pos + done));
      if (done > 0 && here !== q) return MIXED;
      q = here;
    }
    return q;
  }
}
