// Reading and writing an allocation's system-memory pages, which need not be contiguous: the
// kernel's CPU writes and reads and the memory paths' (aperture, CPU access) go through these loops.

import { PAGE_SIZE } from '../ddi/contract';
import type { Gpu } from '../hw/types';
import type { Allocation } from './vidmm';

/**
 * Fills the whole allocation with its 32-bit pattern (laid from its start), page by page through
 * physical memory: the bytes and the write events writeSystemPages would give for those bytes, with
 * whole pages left uniform.
 */
export function fillSystemPages(gpu: Gpu, a: Allocation, pattern: number): void {
  for (let page = 0; page * PAGE_SIZE < a.size; page++) gpu.fillPhysical(a.pages[page], Math.min(PAGE_SIZE, a.size - page * PAGE_SIZE), pattern);
}

/** Writes `bytes` at `offset` of the allocation, page by page through physical memory. */
export function writeSystemPages(gpu: Gpu, a: Allocation, offset: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) {
    const at = offset + done;
    const page = Math.floor(at / PAGE_SIZE);
    const within = at - page * PAGE_SIZE;
    const n = Math.min(PAGE_SIZE - within, bytes.length - done);
    gpu.writePhysical(a.pages[page] + within, bytes.subarray(done, done + n));
    done += n;
  }
}

/**
 * `length` bytes at `offset` of the allocation, from its system pages. Pages that follow each
 * other in physical memory (the usual case) are read as one range: a page at a time, verifying a
 * 512 MiB allocation made 131,072 buffers of 4 KiB, and the collector took a fifth of the run.
 */
export function readSystemPages(gpu: Gpu, a: Allocation, offset = 0, length = a.size - offset): Uint8Array {
  const out = new Uint8Array(length);
  for (let done = 0; done < length; ) {
    const at = offset + done;
    const page = Math.floor(at / PAGE_SIZE);
    let n = Math.min(PAGE_SIZE - (at - page * PAGE_SIZE), length - done);
    for (let next = page + 1; done + n < length && a.pages[next] === a.pages[next - 1] + PAGE_SIZE; next++) n = Math.min(n + PAGE_SIZE, length - done);
    out.set(gpu.readPhysical(a.pages[page] + (at - page * PAGE_SIZE), n), done);
    done += n;
  }
  return out;
}
