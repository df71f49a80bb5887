// The simulated kernel under stress (issue 5): a seeded random workload of render submissions over
// thousands of allocations that do not all fit in VRAM, through the reference driver. Prints wall
// time, simulated paging operations per second and the share of time in the driver, the kernel and
// the GPU engine, with a baseline (Buffer.copy of the bytes paged) measured in the same run.
//
// The full shape asked for is 2 GiB of VRAM, 10,000 allocations and 100,000 submissions; it runs
// when PAGING_LAB_BENCH_FULL=1. By default the run is scaled to a tenth of the submissions (same
// VRAM and allocations) so the suite stays well under a minute on two cores.

import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Suite } from './suite';

const MiB = 1024 * 1024;

export const kernelSuite: Suite = {
  name: 'kernel',
  title: 'simulated kernel: VidMm/VidSch stress through the reference driver',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'paging-lab-kernel-bench-'));
    try {
      const out = join(dir, 'kernelWorkload.js');
      await esbuild.build({
        entryPoints: [join(__dirname, 'kernelWorkload.ts')],
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        outfile: out,
        logLevel: 'error',
        external: ['esbuild-wasm'],
        plugins: [
          {
            name: 'paging-lab-modules',
            setup(build) {
              build.onResolve({ filter: /^paging-lab\/(ddi|gpu)$/ }, (a) => ({
                path: join(__dirname, '..', 'src', 'sim', 'ddi', a.path.endsWith('ddi') ? 'contract.ts' : 'gpu.ts'),
              }));
            },
          },
        ],
      });
      const full = process.env.PAGING_LAB_BENCH_FULL === '1';
      const shape = { vram: 2048 * MiB, allocations: 10000, renders: full ? 100000 : 10000, minSize: 64 * 1024, maxSize: 448 * 1024 };
      await (require(out) as typeof import('./kernelWorkload')).runKernelBenchmark(
        shape,
        full
          ? '2 GiB VRAM, 10,000 allocations of 64-448 KiB (2.5 GiB), 100,000 render submissions'
          : '2 GiB VRAM, 10,000 allocations of 64-448 KiB (2.5 GiB), 10,000 render submissions (scaled: PAGING_LAB_BENCH_FULL=1 for 100,000)',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
