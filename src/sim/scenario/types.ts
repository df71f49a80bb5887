// The scenario format: an adapter profile (the simulated hardware), the kernel's paging policy, and
// a workload (what applications do: create, lock/write/unlock, render, destroy, apply memory
// pressure, wait). `schemas/scenario.schema.json` is the same format as a JSON schema, so VS Code
// validates a scenario as the user types; docs/scenarios.md describes it with examples.

import type { Steps } from './steps';

/** A byte count: a number, or a string such as "64KiB", "8MiB", "1GiB", "0x10000". */
export type Size = number | string;

export interface ScenarioFile {
  $schema?: string;
  name?: string;
  description?: string;
  /** Seed of the GPU's random source and of the workload generator (the command line's --seed wins). */
  seed?: number;
  adapter?: AdapterProfile;
  kernel?: KernelPolicy;
  workload?: WorkloadStep[];
  /** A seeded random workload appended after `workload`. */
  generate?: GeneratorOptions;
  /** Check the driver against the DDI rules (default true). */
  verifier?: boolean;
  /** A DDI that runs longer than this many milliseconds is a timeout (TDR); default 2000. */
  tdrDelayMs?: number;
}

export interface SegmentProfile {
  name: string;
  kind: 'memory' | 'aperture';
  size: Size;
  cpuVisible?: boolean;
  /** Aperture segments: cache coherent (default true). */
  cacheCoherent?: boolean;
  /** Where each bank of the segment but the last ends (offsets in the segment); none: no banks. */
  banks?: Size[];
}

export interface AdapterProfile {
  segments?: SegmentProfile[];
  systemMemory?: Size;
  commonBufferBudget?: Size;
  engines?: number;
  /** Bytes per nanosecond (GB/s). */
  bandwidths?: { vramToVram?: number; systemToVram?: number; fill?: number };
  /** Another device shares the line-based interrupt (DxgkDdiInterruptRoutine must refuse its interrupts). */
  sharedInterruptLine?: boolean;
}

export interface KernelPolicy {
  /** Upper bound on the bytes of each paging buffer VidMm hands the driver (below the driver's PagingBufferSize). */
  pagingBufferSize?: Size;
  /** VidMm splits transfers larger than this into sub-transfers (TransferStart ... TransferEnd). */
  maxTransferSize?: Size;
  /** How many paging buffers VidMm keeps; building waits for one to complete when all are in flight. */
  pagingBuffers?: number;
}

export type WorkloadStep =
  | CreateStep
  | DestroyStep
  | LockStep
  | UnlockStep
  | WriteStep
  | RenderStep
  | PressureStep
  | SetPriorityStep
  | WaitStep
  | VerifyStep
  | RepeatStep
  | PathWorkloadStep;

export interface CreateStep {
  op: 'create';
  id: string;
  size: Size;
  alignment?: Size;
  /** The allocation must be reachable by the CPU through the aperture. */
  cpuVisible?: boolean;
  /** The 32-bit pattern of the allocation's initial content (DXGK_OPERATION_FILL). Default 0. */
  fill?: number;
  /** Passed to DxgkDdiCreateAllocation as the user-mode driver's private data. */
  privateData?: Record<string, unknown>;
}
export interface DestroyStep {
  op: 'destroy';
  id: string;
}
export interface LockStep {
  op: 'lock';
  id: string;
  /** `system` (default): the content is moved to system memory; `aperture`: mapped through the PCI aperture (CPU-visible allocations). */
  mode?: LockMode;
  /** D3DDDICB_LOCK.PrivateDriverData, for DxgkDdiAcquireSwizzlingRange (default 0). */
  privateDriverData?: number;
}
export interface UnlockStep {
  op: 'unlock';
  id: string;
}
export interface WriteStep {
  op: 'write';
  id: string;
  offset?: Size;
  length?: Size;
  /** Seed of the pseudo-random bytes written (default: derived from the step's position). */
  seed?: number;
}
export interface RenderStep {
  op: 'render';
  /** The DMA buffer's allocation list: all must be resident before it is submitted. */
  allocations: string[];
  /** The allocations the GPU writes (a 4 KiB tile each); the rest are read. */
  write?: string[];
}
export interface PressureStep {
  op: 'pressure';
  /** Bytes of memory segments VidMm must free, evicting the lowest priority first, then the least recently used. */
  bytes: Size;
}
/** A priority level by its D3dukmdt.h name (D3DDDI_ALLOCATIONPRIORITY_*), or a number (0x78000001: "slightly above normal"). */
export type PriorityLevel = 'minimum' | 'low' | 'normal' | 'high' | 'maximum' | number;
export interface SetPriorityStep {
  op: 'set-priority';
  id: string;
  /** pfnSetPriorityCb: the allocation's new priority level (lower levels are evicted first). */
  priority: PriorityLevel;
}
export interface WaitStep {
  op: 'wait';
  /** Let the GPU run this many nanoseconds of virtual time; without it, wait until the GPU is idle. */
  ns?: number;
}
export interface VerifyStep {
  op: 'verify';
  /** Allocations whose content must match what the workload last wrote (default: all). */
  ids?: string[];
}
export interface RepeatStep {
  op: 'repeat';
  times: number;
  steps: WorkloadStep[];
}

export interface GeneratorOptions {
  seed?: number;
  /** How many allocations the workload keeps alive. */
  allocations: number;
  /** How many steps to generate. */
  steps: number;
  minSize?: Size;
  maxSize?: Size;
  /** Allocations per render submission (default 4). */
  allocationsPerRender?: number;
  /** Relative weights of the step kinds. */
  weights?: { render?: number; write?: number; recreate?: number; pressure?: number; wait?: number };
  /** Add a `verify` step at the end (default true). */
  verify?: boolean;
}

/** A step ready to run: repeats expanded, sizes parsed, with its JSON path for error messages. */
export type Step =
  | { op: 'create'; path: string; id: string; size: number; alignment: number; cpuVisible: boolean; fill: number; privateData: Record<string, unknown> }
  | { op: 'destroy'; path: string; id: string }
  | { op: 'lock'; path: string; id: string; mode?: LockMode; privateDriverData?: number }
  | { op: 'unlock'; path: string; id: string }
  | { op: 'write'; path: string; id: string; offset: number; length: number | undefined; seed: number }
  | { op: 'render'; path: string; allocations: string[]; write: string[] }
  | { op: 'pressure'; path: string; bytes: number }
  | { op: 'set-priority'; path: string; id: string; priority: number }
  | { op: 'wait'; path: string; ns: number | undefined }
  | { op: 'verify'; path: string; ids: string[] | undefined }
  | PathStep;

// Steps for the WDK paths beyond plain residency (normalized by pathSteps.ts, run by src/sim/kernel/memoryPaths.ts).

/**
 * How pfnLockCb gives the CPU the content: in system memory (the kernel's default), mapped through
 * the PCI aperture, or through the PCI aperture at an alternate virtual address (UseAlternateVA),
 * which evictions and page-ins under the lock reach with special-lock transfers.
 */
export type LockMode = 'system' | 'aperture' | 'alternate-va';

export type PagingQueueAction = 'make-resident' | 'reserve-va' | 'map-va' | 'update-page-table';

export type PathWorkloadStep =
  | { op: 'map-aperture'; id: string; segment?: string; cached?: boolean }
  | { op: 'unmap-aperture'; id: string }
  | { op: 'gpu-write-physical'; id: string; offset?: Size; value: number }
  | { op: 'cpu-read'; id: string; offset?: Size; expect?: number }
  | { op: 'paging-queue'; action: PagingQueueAction; id?: string; va?: Size; pages?: number }
  | { op: 'wait-paging-fence'; on: 'cpu' | 'gpu'; value?: number; va?: Size; expect?: number }
  | { op: 'dma-transfer'; id: string; direction: 'to-device' | 'from-device' }
  | { op: 'lock-surface'; id: string; linear: string }
  | { op: 'defragment'; segment?: string };

export type PathStep =
  | { op: 'map-aperture'; path: string; id: string; segment: string | undefined; cached: boolean }
  | { op: 'unmap-aperture'; path: string; id: string }
  | { op: 'gpu-write-physical'; path: string; id: string; offset: number; value: number }
  | { op: 'cpu-read'; path: string; id: string; offset: number; expect: number | undefined }
  | { op: 'paging-queue'; path: string; action: PagingQueueAction; id: string | undefined; va: number | undefined; pages: number }
  | { op: 'wait-paging-fence'; path: string; on: 'cpu' | 'gpu'; value: number | undefined; va: number | undefined; expect: number | undefined }
  | { op: 'dma-transfer'; path: string; id: string; direction: 'to-device' | 'from-device' }
  | { op: 'lock-surface'; path: string; id: string; linear: string }
  | { op: 'defragment'; path: string; segment: string | undefined };

export interface Scenario {
  name: string;
  description: string;
  /** Where it came from (a file path), for messages. */
  source: string;
  seed: number;
  adapter: {
    segments: { name: string; kind: 'memory' | 'aperture'; size: number; cpuVisible: boolean; cacheCoherent?: boolean; banks?: number[] }[];
    systemMemory: number;
    commonBufferBudget: number;
    engines: number;
    bandwidths: { vramToVram: number; systemToVram: number; fill: number };
    /** Another device shares the adapter's line-based interrupt: DxgkDdiInterruptRoutine is called for its interrupts too (one before each workload step). */
    sharedInterruptLine?: boolean;
  };
  kernel: { pagingBufferSize: number | undefined; maxTransferSize: number | undefined; pagingBuffers: number };
  /** The workload, streamed: repeats and the generator expanded as the run pulls the steps. */
  steps: Steps<Step>;
  /** As the file says; undefined when it does not (hosts apply their defaults). */
  verifier?: boolean;
  tdrDelayMs?: number;
}
