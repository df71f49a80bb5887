// Sparse byte storage for VRAM and system memory: 64 KiB chunks materialised on first write,
// untouched chunks read as zeros. Large chunks keep bulk copies to a few typed-array `set` calls
// (a 64 MiB copy is ~1000 of them), and a 16 GiB VRAM costs only the chunks written.
// A range of chunks can also be backed by one caller-supplied ArrayBuffer, which is how a common
// buffer's host view and the device's view of the same physical memory stay the same bytes.

export const CHUNK_SHIFT = 16;
export const CHUNK_BYTES = 1 << CHUNK_SHIFT;

/**
 * Chunks are carved out of 16 MiB slabs. Copies of a few MiB or more run much faster as one
 * memcpy than as many (large copies use non-temporal stores), and the OS maps the untouched
 * parts of a slab lazily, so a slab costs only what is written.
 */
const SLAB_BYTES = 256 * CHUNK_BYTES;

/** Shared read-only zeros for untouched chunks. Never written: writers materialise a chunk first. */
export const ZERO_CHUNK = new Uint8Array(CHUNK_BYTES);

export class SparseMemory {
  readonly chunks: (Uint8Array | undefined)[];
  private materialised = 0;
  private slab: ArrayBuffer | undefined = undefined;
  private slabNext = 0;

  constructor(readonly size: number) {
    this.chunks = new Array<Uint8Array | undefined>(Math.ceil(size / CHUNK_BYTES)).fill(undefined);
  }

  chunkForWrite(index: number): Uint8Array {
    let c = this.chunks[index];
    if (c === undefined) {
      c = this.newChunk();
      this.chunks[index] = c;
      this.materialised++;
    }
    return c;
  }

  /**
   * Chunks are carved out of slabs in the order they are first written, so chunks written one
   * after another sit side by side and a bulk access can take them as one run.
   */
  private newChunk(): Uint8Array {
    if (this.slab === undefined || this.slabNext === SLAB_BYTES) {
      this.slab = new ArrayBuffer(SLAB_BYTES);
      this.slabNext = 0;
    }
    const c = new Uint8Array(this.slab, this.slabNext, CHUNK_BYTES);
    this.slabNext += CHUNK_BYTES;
    return c;
  }

  chunkForRead(index: number): Uint8Array {
    const c = this.chunks[index];
    return c === undefined ? ZERO_CHUNK : c;
  }

  isMaterialised(index: number): boolean {
    return this.chunks[index] !== undefined;
  }

  residentBytes(): number {
    return this.materialised * CHUNK_BYTES;
  }

  /** Copies `length` bytes at `address` into `out` at `outOffset`. The caller checks bounds. */
  read(address: number, out: Uint8Array, outOffset: number, length: number): void {
    while (length > 0) {
      const ci = Math.floor(address / CHUNK_BYTES);
      const off = address - ci * CHUNK_BYTES;
      const n = Math.min(length, CHUNK_BYTES - off);
      const c = this.chunks[ci];
      if (c === undefined) out.fill(0, outOffset, outOffset + n);
      else out.set(c.subarray(off, off + n), outOffset);
      address += n;
      outOffset += n;
      length -= n;
    }
  }

  write(address: number, src: Uint8Array, srcOffset: number, length: number): void {
    while (length > 0) {
      const ci = Math.floor(address / CHUNK_BYTES);
      const off = address - ci * CHUNK_BYTES;
      const n = Math.min(length, CHUNK_BYTES - off);
      this.chunkForWrite(ci).set(src.subarray(srcOffset, srcOffset + n), off);
      address += n;
      srcOffset += n;
      length -= n;
    }
  }

  readU32(address: number): number {
    const ci = Math.floor(address / CHUNK_BYTES);
    const off = address - ci * CHUNK_BYTES;
    if (off + 4 <= CHUNK_BYTES) {
      const c = this.chunks[ci];
      if (c === undefined) return 0;
      return (c[off] | (c[off + 1] << 8) | (c[off + 2] << 16) | (c[off + 3] << 24)) >>> 0;
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
   * Backs the chunks of [address, address + buffer.byteLength) with `buffer` (chunk aligned), so the
   * caller's view and the memory are the same bytes. Whatever the chunks held before is dropped.
   */
  install(address: number, buffer: ArrayBuffer): void {
    if (address % CHUNK_BYTES !== 0 || buffer.byteLength % CHUNK_BYTES !== 0) {
      throw new Error('installed memory must be chunk aligned');
    }
    const first = address / CHUNK_BYTES;
    for (let i = 0; i < buffer.byteLength / CHUNK_BYTES; i++) {
      if (this.chunks[first + i] === undefined) this.materialised++;
      this.chunks[first + i] = new Uint8Array(buffer, i * CHUNK_BYTES, CHUNK_BYTES);
    }
  }

  /** Drops the chunks of a range (they read as zeros again). */
  release(address: number, length: number): void {
    const first = Math.floor(address / CHUNK_BYTES);
    const end = Math.ceil((address + length) / CHUNK_BYTES);
    for (let i = first; i < end; i++) {
      if (this.chunks[i] !== undefined) this.materialised--;
      this.chunks[i] = undefined;
    }
  }

  /**
   * A single view of [address, address + length) if one ArrayBuffer backs it contiguously (an
   * installed common buffer, or a range inside one chunk), else undefined.
   */
  contiguousView(address: number, length: number): Uint8Array | undefined {
    if (length <= 0) return undefined;
    const first = Math.floor(address / CHUNK_BYTES);
    const last = Math.floor((address + length - 1) / CHUNK_BYTES);
    const c0 = this.chunks[first];
    if (c0 === undefined) return undefined;
    for (let i = first + 1; i <= last; i++) {
      const c = this.chunks[i];
      if (c === undefined || c.buffer !== c0.buffer || c.byteOffset !== c0.byteOffset + (i - first) * CHUNK_BYTES) {
        return undefined;
      }
    }
    return new Uint8Array(c0.buffer, c0.byteOffset + (address - first * CHUNK_BYTES), length);
  }
}
