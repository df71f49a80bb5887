// What an allocation holds as the application sees it (read from its segment, its system pages or
// its fill pattern; a swizzled surface read back in its linear layout), and the kernel's checks of
// it against its copy of what the workload wrote (contentShadow.ts): after a bus-master transfer to
// the device, and at a verify step. Filled content is compared by page patterns, without a byte read.

import { PAGE_SIZE } from '../ddi/contract';
import { fillPattern, MIXED } from '../hw/memory';
import { createRandom } from '../hw/random';
import { TILE_BYTES, retileBand, tilingProblem } from '../hw/tiling';
import type { Gpu } from '../hw/types';
import { TILE_ROWS, TILE_WIDTH_BYTES } from '../../isa/opcodes';
import type { ContentShadow } from './contentShadow';
import { readSystemPages } from './systemPages';
import type { Allocation } from './vidmmRecords';

export class AllocationContent {
  constructor(
    private readonly gpu: Gpu,
    /** The kernel's copy of what the workload wrote, per allocation (none with content checks off). */
    private readonly shadows: ReadonlyMap<Allocation, ContentShadow>,
  ) {}

  /** The first byte of `a` that is not what the workload last wrote, or undefined (also without a copy to compare with). */
  firstWrongByte(a: Allocation): { at: number; expected: number; found: number } | undefined {
    const expected = this.shadows.get(a);
    if (!expected) return undefined;
    // A chunk at a time: a dense copy of a large allocation (1 GiB took 6 s and 1.2 GB of memory,
    // mostly the pages of the copy faulted in) for a comparison that needs a page at a time.
    const chunk = contentChunk(a);
    for (let offset = 0; offset < a.size; offset += chunk) {
      if (this.uniformAsExpected(a, expected, offset, Math.min(chunk, a.size - offset))) continue;
      const actual = this.read(a, offset, Math.min(chunk, a.size - offset));
      const at = expected.firstDifferenceIn(actual, offset);
      if (at >= 0) return { at, expected: expected.byteAt(at), found: actual[at - offset] };
    }
    return undefined;
  }

  /**
   * The allocation's current content as the application sees it, from its segment or its system
   * pages (after the GPU is idle). A resident swizzled allocation lies in its segment tile by tile;
   * the application sees it linearly (through an unswizzling range, or after an unswizzle), so
   * its bits are read back in the linear layout.
   */
  read(a: Allocation, offset = 0, length = a.size - offset): Uint8Array {
    if (a.residency === 'resident') {
      const pitch = swizzledPitch(a);
      if (pitch === undefined) return this.gpu.readSegment(a.segmentId, a.offset + offset, length);
      // Tiles hold whole bands of rows: read the bands the range lies in, and retile them.
      const band = pitch * TILE_ROWS;
      const first = Math.floor(offset / band) * band;
      const end = Math.min(a.size, Math.ceil((offset + length) / band) * band);
      const out = linearFromTiled(this.gpu.readSegment(a.segmentId, a.offset + first, end - first), pitch);
      return out.subarray(offset - first, offset - first + length);
    }
    // Never written and never placed: nothing holds it yet, it reads as its fill pattern.
    if (a.content === 'fresh') {
      const out = new Uint8Array(length);
      fillPattern(out, 0, length, a.fillPattern, offset);
      return out;
    }
    return readSystemPages(this.gpu, a, offset, length);
  }

  /**
   * The device now holds what the allocation's system pages hold (a bus-master DMA transfer to the
   * device wrote them into its segment): what the workload expects of it follows. Compared a chunk
   * at a time, and only chunks that differ are written, so pages the shadow keeps as a pattern stay
   * so. A swizzled allocation lies in its segment tile by tile, so the application sees the bytes
   * sent read through its tiling, as read() reads them.
   */
  expectSystemContent(a: Allocation): void {
    const shadow = this.shadows.get(a);
    if (!shadow) return;
    const pitch = a.residency === 'resident' ? swizzledPitch(a) : undefined;
    const chunk = contentChunk(a);
    for (let offset = 0; offset < a.size; offset += chunk) {
      if (this.expectUniformSent(a, shadow, offset, Math.min(chunk, a.size - offset), pitch !== undefined)) continue;
      const sent = readSystemPages(this.gpu, a, offset, Math.min(chunk, a.size - offset));
      const seen = pitch === undefined ? sent : linearFromTiled(sent, pitch);
      if (shadow.firstDifferenceIn(seen, offset) >= 0) shadow.write(seen, offset);
    }
  }

  /**
   * expectSystemContent for a chunk whose system pages are all uniform memory: the kernel's copy
   * takes their patterns, without a byte read (a 1 GiB transfer read 1 GiB). False, with nothing
   * done, when a page holds bytes.
   */
  private expectUniformSent(a: Allocation, shadow: ContentShadow, offset: number, length: number, swizzled: boolean): boolean {
    const patterns = this.pagePatterns(a, offset, length, true, swizzled);
    if (!patterns) return false;
    patterns.forEach((p, i) => {
      const at = offset + i * PAGE_SIZE;
      if (shadow.pagePattern(at / PAGE_SIZE) !== p) shadow.fill(at, Math.min(PAGE_SIZE, offset + length - at), p);
    });
    return true;
  }

  /**
   * The pattern of each page of [offset, offset + length) of `a`, known without reading a byte:
   * from its system pages (`fromSystem`), else from where its content is (its segment; its fill
   * pattern if never placed; its system pages). Undefined when a page holds bytes, or, with
   * `oneForAll` (a swizzled surface, whose bytes move between pages within a band; tile rows of
   * 64 bytes keep a pattern's phase), when the pages do not all share one pattern.
   */
  private pagePatterns(a: Allocation, offset: number, length: number, fromSystem: boolean, oneForAll: boolean): number[] | undefined {
    const out: number[] = [];
    for (let at = offset; at < offset + length; at += PAGE_SIZE) {
      const n = Math.min(PAGE_SIZE, offset + length - at);
      const p =
        !fromSystem && a.residency === 'resident'
          ? this.gpu.uniformPattern(a.segmentId, a.offset + at, n)
          : !fromSystem && a.content === 'fresh'
            ? a.fillPattern >>> 0
            : this.gpu.uniformPattern(0, a.pages[at / PAGE_SIZE], n);
      if (p === MIXED || (oneForAll && out.length > 0 && p !== out[0])) return undefined;
      out.push(p);
    }
    return out;
  }

  /**
   * Whether [offset, offset + length) of `a` holds what `expected` says, known without reading a
   * byte: each page of it is uniform memory with the pattern the shadow keeps for that page (or,
   * never placed, the fill pattern). Filled content is most of a large allocation, and reading it
   * made verify cost ~0.6 s per GiB.
   */
  private uniformAsExpected(a: Allocation, expected: ContentShadow, offset: number, length: number): boolean {
    const got = this.pagePatterns(a, offset, length, false, a.residency === 'resident' && swizzledPitch(a) !== undefined);
    return got !== undefined && got.every((p, i) => expected.pagePattern(offset / PAGE_SIZE + i) === p);
  }
}

/** The surface pitch (bytes per row) the user-mode driver gave for a swizzled allocation (private data `pitch`, else 1024, the reference driver's default). */
export function surfacePitch(a: Allocation): number {
  return Number((a.info.pPrivateDriverData as { pitch?: unknown } | null)?.pitch ?? 1024);
}

/** The pitch of a swizzled allocation whose size tiles evenly, else undefined (its bits are linear). */
export function swizzledPitch(a: Allocation): number | undefined {
  if (!a.info.Flags.Swizzled) return undefined;
  const pitch = surfacePitch(a);
  return tilingProblem(a.size, pitch) === null ? pitch : undefined;
}

/** Where the byte at `tiled` of a swizzled surface's tiled layout lies in its linear layout. */
export function linearOffset(tiled: number, pitch: number): number {
  const tile = Math.floor(tiled / TILE_BYTES);
  const within = tiled - tile * TILE_BYTES;
  const tilesPerRow = pitch / TILE_WIDTH_BYTES;
  const row = Math.floor(tile / tilesPerRow) * TILE_ROWS + Math.floor(within / TILE_WIDTH_BYTES);
  return row * pitch + (tile % tilesPerRow) * TILE_WIDTH_BYTES + (within % TILE_WIDTH_BYTES);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Bytes of an allocation `verify` reads and compares at a time. */
const VERIFY_CHUNK = 64 * 1024;

/**
 * The bytes of `a` to read and compare at a time: VERIFY_CHUNK, in whole bands of tiles for a
 * resident swizzled allocation (its bytes are retiled a band at a time, so a chunk inside a band
 * would read and retile that band again for each chunk).
 */
function contentChunk(a: Allocation): number {
  const pitch = a.residency === 'resident' ? swizzledPitch(a) : undefined;
  if (pitch === undefined) return VERIFY_CHUNK;
  const band = pitch * TILE_ROWS;
  return Math.max(1, Math.floor(VERIFY_CHUNK / band)) * band;
}

/** The linear layout of whole bands of a surface `pitch` bytes wide, from their tiled layout. */
function linearFromTiled(tiled: Uint8Array, pitch: number): Uint8Array {
  const band = pitch * TILE_ROWS;
  const out = new Uint8Array(tiled.length);
  for (let at = 0; at < tiled.length; at += band) retileBand(tiled.subarray(at, at + band), out.subarray(at, at + band), pitch, false);
  return out;
}

/** `size` bytes of the 32-bit little-endian `pattern` repeated (what a `fill` writes). */
export function patternBytes(size: number, pattern: number): Uint8Array {
  const out = new Uint8Array(size);
  const words = size >> 2;
  if (LITTLE_ENDIAN) new Uint32Array(out.buffer, 0, words).fill(pattern >>> 0);
  else for (let i = 0; i < words; i++) out.set([pattern & 0xff, (pattern >>> 8) & 0xff, (pattern >>> 16) & 0xff, pattern >>> 24], i * 4);
  for (let i = words * 4; i < size; i++) out[i] = (pattern >>> ((i & 3) * 8)) & 0xff;
  return out;
}

/** `length` pseudo-random bytes from `seed` (what a workload `write` step writes). */
export function randomBytes(length: number, seed: number): Uint8Array {
  const r = createRandom(seed >>> 0);
  const words = new Uint32Array(Math.ceil(length / 4));
  r.fill(words);
  if (!LITTLE_ENDIAN) for (let i = 0; i < words.length; i++) words[i] = ((words[i] & 0xff) << 24) | ((words[i] & 0xff00) << 8) | ((words[i] >>> 8) & 0xff00) | (words[i] >>> 24);
  return new Uint8Array(words.buffer, 0, length);
}
