// The kernel benchmarks' child: bench/kernelRound.ts bundled with esbuild, so the stress runs as
// shipped code runs (one script, not tsx's per-module transforms), in a fresh process per round.

import * as esbuild from 'esbuild';
import { join } from 'node:path';
import type { StressShape } from './kernelWorkload';

const MiB = 1024 * 1024;

/** The stress the issue asks for, scaled to a tenth of its submissions unless `full`: 2 GiB of VRAM, 10,000 allocations of 64-448 KiB. */
export function stressShape(full: boolean): StressShape {
  return { vram: 2048 * MiB, allocations: 10000, renders: full ? 100000 : 10000, minSize: 64 * 1024, maxSize: 448 * 1024 };
}

/** Bundles kernelRound.ts into `dir`; returns the script's path. */
export async function buildKernelRound(dir: string): Promise<string> {
  const out = join(dir, 'kernelRound.js');
  await esbuild.build({
    entryPoints: [join(__dirname, 'kernelRound.ts')],
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
  return out;
}
