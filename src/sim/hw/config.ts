// The default adapter (built from the isa profile's DEFAULT_SEGMENTS, so a .pgasm program assembled
// with defaults runs on it unchanged) and the checks that turn a GpuConfig into a usable layout:
// memory segments placed in VRAM, CPU-visible segments placed in the BAR.

import { DEFAULT_SEGMENTS } from '../../isa/profile';
import { GpuConfig, PAGE_SIZE, SegmentDescriptor } from './types';

const MiB = 1024 * 1024;

export function defaultGpuConfig(overrides: Partial<GpuConfig> = {}): GpuConfig {
  const segments: SegmentDescriptor[] = DEFAULT_SEGMENTS.map((s) => ({
    id: s.id,
    name: s.name,
    kind: s.kind,
    size: s.size,
    cpuVisible: s.cpuVisible,
    cacheCoherent: s.kind === 'aperture' ? true : undefined,
  }));
  const vramBytes = segments.filter((s) => s.kind === 'memory').reduce((a, s) => a + s.size, 0);
  return {
    vramBytes,
    systemMemoryBytes: 1024 * MiB,
    segments,
    commonBufferBudget: 16 * MiB,
    swizzlingRanges: 4,
    // Bytes per ns (GB/s): a discrete GPU's local memory, a PCIe 4.0 x16 link, fills at twice copy speed.
    bandwidths: { vramToVram: 400, systemToVram: 16, fill: 800 },
    engines: 1,
    seed: 1,
    ...overrides,
  };
}

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new Error(`GpuConfig.${name} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

/** Validates a config and returns its segments with vramBase and barBase filled in. */
export function layoutSegments(config: GpuConfig): SegmentDescriptor[] {
  positiveInt('vramBytes', config.vramBytes);
  positiveInt('systemMemoryBytes', config.systemMemoryBytes);
  positiveInt('engines', config.engines);
  if (!Number.isInteger(config.swizzlingRanges) || config.swizzlingRanges < 0) {
    throw new Error(`GpuConfig.swizzlingRanges must be a non-negative integer, got ${config.swizzlingRanges}`);
  }
  if (!Number.isInteger(config.commonBufferBudget) || config.commonBufferBudget < 0) {
    throw new Error(`GpuConfig.commonBufferBudget must be a non-negative integer, got ${config.commonBufferBudget}`);
  }
  if (config.systemMemoryBytes % PAGE_SIZE !== 0) throw new Error('GpuConfig.systemMemoryBytes must be a multiple of 4 KiB');
  const reset = config.gartResetDummyPage;
  if (reset !== undefined && (!Number.isSafeInteger(reset) || reset < 0 || reset % PAGE_SIZE !== 0 || reset + PAGE_SIZE > config.systemMemoryBytes)) {
    throw new Error(`GpuConfig.gartResetDummyPage must be the address of a 4 KiB page of system memory, got ${reset}`);
  }
  for (const k of ['vramToVram', 'systemToVram', 'fill'] as const) {
    const b = config.bandwidths?.[k];
    if (typeof b !== 'number' || !(b > 0)) throw new Error(`GpuConfig.bandwidths.${k} must be a positive number of bytes per ns`);
  }
  if (!Array.isArray(config.segments) || config.segments.length === 0) throw new Error('GpuConfig.segments is empty');
  const out: SegmentDescriptor[] = [];
  const seen = new Set<number>();
  let vramNext = 0;
  let barNext = 0;
  for (const s of config.segments) {
    const what = `segment ${s.id} (${s.name})`;
    if (!Number.isInteger(s.id) || s.id < 1 || s.id > 0xffff) throw new Error(`${what}: id must be 1..65535`);
    if (seen.has(s.id)) throw new Error(`${what}: duplicate segment id`);
    seen.add(s.id);
    if (s.kind !== 'memory' && s.kind !== 'aperture') throw new Error(`${what}: kind must be 'memory' or 'aperture'`);
    positiveInt(`segments[${s.id}].size`, s.size);
    if (s.size % PAGE_SIZE !== 0) throw new Error(`${what}: size must be a multiple of 4 KiB`);
    if (s.size > 2 ** 40) throw new Error(`${what}: size must be at most 1 TiB`);
    s.bankEnds?.forEach((end, j) => {
      const before = j === 0 ? 0 : s.bankEnds![j - 1];
      if (!Number.isInteger(end) || end <= before || end >= s.size) throw new Error(`${what}: bank ${j + 1} ends at ${end}, not after ${before} and before the segment's end (${s.size})`);
    });
    const d: SegmentDescriptor = { ...s };
    if (s.kind === 'memory') {
      d.vramBase = s.vramBase ?? vramNext;
      if (d.vramBase % PAGE_SIZE !== 0 || d.vramBase < 0 || d.vramBase + s.size > config.vramBytes) {
        throw new Error(`${what}: VRAM range 0x${d.vramBase.toString(16)}+0x${s.size.toString(16)} is outside VRAM (0x${config.vramBytes.toString(16)} bytes)`);
      }
      vramNext = Math.max(vramNext, d.vramBase + s.size);
    }
    if (s.cpuVisible) {
      d.barBase = s.barBase ?? barNext;
      if (d.barBase % PAGE_SIZE !== 0 || d.barBase < 0) throw new Error(`${what}: barBase must be 4 KiB aligned`);
      barNext = Math.max(barNext, d.barBase + s.size);
    }
    out.push(d);
  }
  const bar = out.filter((s) => s.cpuVisible).sort((a, b) => a.barBase! - b.barBase!);
  for (let i = 1; i < bar.length; i++) {
    if (bar[i].barBase! < bar[i - 1].barBase! + bar[i - 1].size) {
      throw new Error(`segments ${bar[i - 1].id} and ${bar[i].id} overlap in the CPU aperture`);
    }
  }
  return out;
}
