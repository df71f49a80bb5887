// Turns a scenario's adapter profile into the simulated GPU's configuration.

import type { GpuConfig } from '../hw/types';
import type { Scenario } from './types';

export function scenarioGpuConfig(s: Scenario): GpuConfig {
  const segments = s.adapter.segments.map((seg, i) => ({
    id: i + 1,
    name: seg.name,
    kind: seg.kind,
    size: seg.size,
    cpuVisible: seg.cpuVisible,
    cacheCoherent: seg.kind === 'aperture' ? (seg.cacheCoherent ?? true) : undefined,
    ...(seg.banks ? { bankEnds: seg.banks } : {}),
  }));
  return {
    vramBytes: segments.filter((x) => x.kind === 'memory').reduce((a, x) => a + x.size, 0),
    systemMemoryBytes: s.adapter.systemMemory,
    segments,
    commonBufferBudget: s.adapter.commonBufferBudget,
    swizzlingRanges: 4,
    bandwidths: s.adapter.bandwidths,
    engines: s.adapter.engines,
    seed: s.seed,
  };
}
