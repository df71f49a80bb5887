// What checkpoints (machines parked by the timeline, ./timeline.ts) may cost, and what one costs:
// the defaults of the budget and the estimate it counts a parked machine at.

import type { Machine } from '../machine';

/** What the parked machines may hold by default: this many machines, in this many bytes. */
export const DEFAULT_CHECKPOINT_COUNT = 8;
export const DEFAULT_CHECKPOINT_BYTES = 256 * 1024 * 1024;

/**
 * Checkpoints may hold up to this many times the VRAM the run has touched; past that, a checkpoint
 * is kept only where it saves a replay longer than DEFAULT_WORTHWHILE_REPLAY_MS. A parked machine
 * costs about 3 MiB beyond its memories (its kernel and the driver's context): at the end of
 * random-pressure, which touches 0.63 MiB of VRAM, eight of them held 38 times that, and the 40 ms
 * each step back spent rebuilding them made it slower than replaying the whole run (20,909 moments
 * in 70-110 ms): a median of 105 ms against 82 ms with none.
 */
export const CHECKPOINT_MEMORY_PER_VRAM_TOUCHED = 2;
/** The replay a checkpoint past the memory allowance must save, in ms, at the fastest replay speed measured in the session (under the step back target, 250 ms p95, with room for the rest of a step). */
export const DEFAULT_WORTHWHILE_REPLAY_MS = 200;

/**
 * What a parked machine costs beyond what its memories hold (Gpu.heldBytes): its kernel, its
 * driver's context, its common buffers. An estimate: `npx tsx bench/index.ts travel` measures a
 * whole machine and prints both: at the end of random-pressure 2.8 MiB, of which 0.7 MiB are its
 * memories' slabs and page tables (the budget counts 3.2x that); at the end of the scaled kernel
 * stress, whose kernel keeps page lists for 1,000 allocations, 9.9 MiB (it counts 1.15x).
 */
export const MACHINE_OVERHEAD_BYTES = 8 * 1024 * 1024;

/**
 * What one machine holds: what its memories hold (slabs, resident or not, and page tables), the
 * pages of the kernel's content copies written byte by byte, plus the fixed share of a kernel and
 * a driver context.
 */
export function machineBytes(m: Machine): number {
  let shadows = 0;
  for (const s of m.kernel.shadow.values()) shadows += s.residentBytes();
  return m.gpu.heldBytes() + shadows + MACHINE_OVERHEAD_BYTES;
}
