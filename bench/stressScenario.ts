// The kernel stress scenario (a seeded random workload of render submissions over allocations that
// do not all fit in VRAM), shared by the kernel benchmark's rounds and the time travel benchmark.

import { normalizeScenario } from '../src/sim/scenario';

const MiB = 1024 * 1024;

export interface StressShape {
  vram: number;
  allocations: number;
  renders: number;
  minSize: number;
  maxSize: number;
}

export function stressScenario(shape: StressShape): ReturnType<typeof normalizeScenario> {
  return normalizeScenario(
    {
      seed: 1,
      adapter: {
        segments: [
          { name: 'vram', kind: 'memory', size: shape.vram / 4, cpuVisible: true },
          { name: 'local', kind: 'memory', size: (shape.vram * 3) / 4 },
        ],
        systemMemory: Math.ceil(((shape.allocations * (shape.maxSize + shape.minSize)) / 2) * 1.5 / MiB + 256) * MiB,
        commonBufferBudget: 64 * MiB,
      },
      kernel: { maxTransferSize: '1MiB', pagingBuffers: 8 },
      generate: {
        allocations: shape.allocations,
        steps: Math.round(shape.renders / 0.9),
        minSize: shape.minSize,
        maxSize: shape.maxSize,
        allocationsPerRender: 4,
        weights: { render: 90, write: 4, recreate: 2, pressure: 1, wait: 3 },
        verify: false,
      },
    },
    'stress',
  );
}
