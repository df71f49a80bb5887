// The largest scenario the simulator supports, as schemas/scenario.schema.json documents it. Each
// limit exists because something grows with it: host memory (the content copy the verifier keeps of
// every live allocation, the sparse-memory tables of VRAM and system memory, the aperture's page
// table), or run time. A scenario past one is refused at validation with the JSON path and the limit.

const KiB = 1024;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

export const SCENARIO_LIMITS = {
  /** Workload steps after expanding every `repeat`. */
  workloadSteps: 10_000_000,
  /** `repeat` inside `repeat`, levels. */
  repeatDepth: 64,
  /** `generate.steps`. */
  generateSteps: 10_000_000,
  /** `generate.allocations`. */
  generateAllocations: 100_000,
  /** One segment (memory or aperture): the GPU's debug address space gives each segment 1 TiB. */
  segmentBytes: TiB,
  /** All memory segments together (VRAM). */
  vramBytes: TiB,
  /** System memory (below the first segment's debug addresses). */
  systemMemoryBytes: TiB,
  /** One allocation: the verifier keeps a copy of its content in this process's memory. */
  allocationBytes: GiB,
  /** A paging buffer (kernel.pagingBufferSize). */
  pagingBufferBytes: 64 * 1024 * KiB,
  /** Paging buffers in flight (kernel.pagingBuffers). */
  pagingBuffers: 64,
} as const;

/** "1 TiB", "64 MiB", "10,000,000": a limit as the error names it. */
export function formatLimit(n: number, bytes: boolean): string {
  if (!bytes) return n.toLocaleString('en-US');
  for (const [unit, size] of [['TiB', TiB], ['GiB', GiB], ['MiB', 1024 * KiB], ['KiB', KiB]] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit} (${n.toLocaleString('en-US')} bytes)`;
  }
  return `${n.toLocaleString('en-US')} bytes`;
}
