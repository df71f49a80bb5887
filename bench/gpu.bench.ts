// The simulated GPU's figures, each printed with its baseline from the same run (alternated runs,
// wall and CPU time, the machine's load at start and end): engine copies of 64 MiB segment to
// segment and MDL to segment (page to page, where written pages are shared with the source, and
// 64 bytes off a page boundary, where every byte moves) and of filled content against
// Buffer.copy, engine fills of 64 MiB and of 2 KiB pieces against Uint32Array.fill, small
// instructions per second, and the resident memory of a 16 GiB adapter with 64 MiB of VRAM touched.
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
