// The seam between the kernel's workload loop (kernel.ts) and the WDK behaviours built beside it
// (CPU access through the aperture, aperture segments, device paging queues, bus-master DMA, in
// memoryPaths.ts and the files it names). The kernel calls these at a few points and knows nothing else.

import type { FaultRecord } from '../hw/types';
import type { Step } from '../scenario/types';
import type { Gen } from './events';
import type { Allocation, EvictionAperture } from './vidmm';
import type { QueuedBuffer } from './vidsch';

export interface KernelExtension {
  /** Eviction through aperture segments (VidMm evicts straight to system memory without it). */
  readonly evictionAperture?: EvictionAperture;
  /** A workload step the kernel itself does not know. */
  runStep(step: Step): Gen;
  /** pfnLockCb with a mode other than the kernel's own (content in system memory). */
  lock(a: Allocation, step: Extract<Step, { op: 'lock' }>): Gen;
  /** pfnUnlockCb: before the kernel marks the allocation unlocked. */
  unlock(a: Allocation): Gen;
  /** Before DxgkDdiDestroyAllocation: what the extension holds for the allocation goes back first (a cached swizzling range). */
  destroying?(a: Allocation): Gen;
  /** A CPU write to a locked allocation; true when the extension did it (through its CPU mapping). */
  cpuWrite(a: Allocation, offset: number, bytes: Uint8Array): boolean;
  /** Whether the extension has a CPU mapping of the allocation (its CPU writes go through cpuWrite). */
  cpuMaps(a: Allocation): boolean;
  /** The error for a GPU fault in a buffer the extension submitted, when it can say more than the fault itself. */
  gpuFault?(buffer: QueuedBuffer, fault: FaultRecord): Error | undefined;
  /** A `verify` step, after the kernel has checked the content: what the extension can check besides (GPU virtual ranges). */
  verify?(): Gen;
  /** Common buffers the driver holds through the extension's callbacks (the DMA adapter's), with where it took each. */
  driverCommonBuffers?(): { bytes: number; stack: string | undefined; how: string }[];
}
