// The simulated GPU's figures (issue 4), each printed with its baseline from the same run:
// engine copy of 64 MiB segment to segment and MDL to segment against Buffer.copy, engine fill of
// 64 MiB against Uint32Array.fill, small instructions per second, and the resident memory of a
// 16 GiB adapter with 64 MiB of VRAM touched.
//
// The workload runs from an esbuild bundle, as the simulator ships (dist/*.js), not through tsx:
// tsx compiles each module to CommonJS separately, which turns every imported constant read on
// the engine's hot path into getter calls that cost more than the instruction itself.

import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Suite } from './suite';

async function bundle(entry: string, outfile: string): Promise<void> {
  await esbuild.build({ entryPoints: [join(__dirname, entry)], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile, logLevel: 'error' });
}

export const gpuSuite: Suite = {
  name: 'gpu',
  title: 'simulated GPU: bulk copies and fills, small instructions, sparse VRAM',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'paging-lab-gpu-bench-'));
    try {
      const workload = join(dir, 'gpuWorkload.js');
      const probe = join(dir, 'gpuMemoryProbe.js');
      await bundle('gpuWorkload.ts', workload);
      await bundle('gpuMemoryProbe.ts', probe);
      (require(workload) as typeof import('./gpuWorkload')).runGpuBenchmarks(probe);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
