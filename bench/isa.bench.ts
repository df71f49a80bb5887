// The isa figures (issue 3): assembling a generated 100,000-line program (target under 150 ms),
// and decoding a 64 MiB instruction stream with the allocation-free decodeInto (target at least 50
// million instructions per second) against a plain Uint32Array scan of the same bytes.
//
// Like the gpu suite, the workload runs from an esbuild bundle, as the assembler and decoder ship,
// rather than through tsx, whose per-module CommonJS turns imported constants into getter calls.

import * as esbuild from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Suite } from './suite';

export const isaSuite: Suite = {
  name: 'isa',
  title: 'pgasm assembler and instruction decoder',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'paging-lab-isa-bench-'));
    try {
      const workload = join(dir, 'isaWorkload.js');
      await esbuild.build({ entryPoints: [join(__dirname, 'isaWorkload.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: workload, logLevel: 'error' });
      (require(workload) as typeof import('./isaWorkload')).runIsaBenchmarks();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
