// The kernel benchmark's workload, run from an esbuild bundle (like the GPU's, so the engine's hot
// path is measured as it ships). The reference driver is bundled in with `paging-lab/ddi` and
// `paging-lab/gpu` resolved to their sources: the same code the run-time loader produces.

import { createMachine } from '../src/sim/machine';
import { normalizeScenario } from '../src/sim/scenario';
import type { DriverEntryFunction } from '../src/sim/driver/loader';
import { DriverEntry } from '../samples/drivers/reference/driver';
import { row } from './suite';

const MiB = 1024 * 1024;

export interface StressShape {
  vram: number;
  allocations: number;
  renders: number;
  minSize: number;
  maxSize: number;
}

export async function runKernelBenchmark(shape: StressShape, note: string): Promise<void> {
  const steps = Math.round(shape.renders / 0.9);
  const scenario = normalizeScenario(
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
        steps,
        minSize: shape.minSize,
        maxSize: shape.maxSize,
        allocationsPerRender: 4,
        weights: { render: 90, write: 4, recreate: 2, pressure: 1, wait: 3 },
        verify: false,
      },
    },
    'stress',
  );
  const machine = await createMachine({ driver: DriverEntry as unknown as DriverEntryFunction, scenario, shadow: false });
  const t0 = performance.now();
  const result = machine.run();
  const wall = performance.now() - t0;
  if (!result.ok) throw new Error(`stress run failed: ${result.error?.message}`);
  const s = result.stats;
  const t = result.timing;
  const pagingOps = s.subTransfers + s.fills + s.discards;
  const kernelMs = Math.max(0, t.totalMs - t.driverMs - t.engineMs);

  // Baseline in the same run: copying the same bytes with Buffer.copy, 1 MiB at a time.
  const a = Buffer.alloc(MiB, 1);
  const b = Buffer.alloc(MiB);
  const moved = s.bytesIn + s.bytesOut;
  const c0 = performance.now();
  for (let done = 0; done < moved; done += MiB) a.copy(b, 0, 0, Math.min(MiB, moved - done));
  const copyMs = performance.now() - c0;

  console.log(`  stress scenario: ${note}`);
  row('VRAM / allocations / render submissions', `${shape.vram / MiB} MiB / ${shape.allocations} / ${s.renders}`);
  row('workload steps', String(scenario.steps.length));
  row('wall time', `${(wall / 1000).toFixed(2)} s`);
  row('paging operations (sub-transfers + fills + discards)', String(pagingOps), `${s.evictions} evictions, ${s.pageIns} page-ins`);
  row('simulated paging operations per second', `${Math.round(pagingOps / (wall / 1000))}`);
  row('DDI calls / GPU instructions', `${s.ddiCalls} / ${s.instructions}`);
  row('bytes paged (in + out)', `${(moved / MiB).toFixed(0)} MiB`);
  row('virtual time simulated', `${(s.time / 1e6).toFixed(1)} ms`);
  row('share of time: driver', `${((100 * t.driverMs) / t.totalMs).toFixed(1)} %`);
  row('share of time: kernel (VidMm, VidSch, machine)', `${((100 * kernelMs) / t.totalMs).toFixed(1)} %`);
  row('share of time: GPU engine', `${((100 * t.engineMs) / t.totalMs).toFixed(1)} %`);
  row('baseline: Buffer.copy of the same bytes', `${copyMs.toFixed(0)} ms`, `simulation costs ${(wall / Math.max(copyMs, 0.001)).toFixed(1)}x the raw copies`);
}
