// Child process of the gpu benchmark: builds a 16 GiB adapter, touches 64 MiB of its VRAM spread
// over the whole range, and prints the process's resident set size as JSON. With `--baseline` it
// only loads the same modules, which gives the cost of an empty process to compare against.

import { createGpu, defaultGpuConfig } from '../src/sim/hw';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const baseline = process.argv.includes('--baseline');
if (!baseline) {
  const gpu = createGpu(
    defaultGpuConfig({
      vramBytes: 16 * GiB,
      segments: [{ id: 1, name: 'vram', kind: 'memory', size: 16 * GiB, cpuVisible: false }],
    }),
  );
  const block = new Uint8Array(MiB).fill(0xa5);
  // 64 blocks of 1 MiB, 256 MiB apart: the whole VRAM is addressed, 64 MiB of it written.
  for (let i = 0; i < 64; i++) gpu.writeSegment(1, i * 256 * MiB, block);
  if (gpu.residentBytes().vram !== 64 * MiB) throw new Error(`expected 64 MiB resident, got ${gpu.residentBytes().vram}`);
}
(globalThis as { gc?: () => void }).gc?.();
process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss }));
