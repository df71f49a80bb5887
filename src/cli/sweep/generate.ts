// `paging-lab test --generate N`: N random workloads for the scenario generator (the scenario
// format's `generate` member, src/sim/scenario/generate.ts), each sized to an adapter profile so
// that it puts the driver under memory pressure without asking for a render that cannot fit. They
// are written as scenario files, so a failure names a file `paging-lab run --scenario` can rerun,
// and the same N gives the same files on every machine (each shard of a CI matrix writes its own).
// The workload itself comes from the pair's seed, as for any scenario with `generate`.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom } from '../../sim/hw/random';
import { parseScenario } from '../../sim/scenario';

const KiB = 1024;
const PAGE = 4 * KiB;

/** Writes generated-1.json ... generated-N.json into `dir`; returns their paths. */
export function writeGeneratedScenarios(count: number, dir: string, adapterFrom: string): string[] {
  const profileText = readFileSync(adapterFrom, 'utf8');
  const profile = JSON.parse(profileText) as { adapter?: unknown; kernel?: unknown };
  const adapter = parseScenario(profileText, adapterFrom).adapter;
  const memory = adapter.segments.filter((s) => s.kind === 'memory');
  const total = memory.reduce((a, s) => a + s.size, 0);
  // A render's allocations must fit together in the smallest memory segment with room to spare.
  const smallest = Math.min(...memory.map((s) => s.size));
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let k = 1; k <= count; k++) {
    const rnd = createRandom(0x5eed0000 + k);
    const perRender = 1 + rnd.int(4);
    const maxSize = Math.max(PAGE, Math.floor(smallest / (2 * perRender) / PAGE) * PAGE);
    const minSize = Math.max(PAGE, Math.floor(maxSize / (2 + rnd.int(7)) / PAGE) * PAGE);
    // Between 1.2 and 3 times the VRAM there is: evictions, but not only evictions.
    const pressure = 1.2 + rnd.next() * 1.8;
    const allocations = Math.max(perRender, Math.round((pressure * total) / ((minSize + maxSize) / 2)));
    const scenario = {
      name: `generated-${k}`,
      description: `A random workload made by paging-lab test --generate (number ${k}): ${allocations} allocations of ${minSize / KiB} to ${maxSize / KiB} KiB on the adapter of ${adapterFrom}, ${perRender} per render. The pair's seed picks the steps.`,
      adapter: profile.adapter,
      ...(profile.kernel ? { kernel: profile.kernel } : {}),
      generate: {
        allocations: Math.min(allocations, 200),
        steps: 100 + 50 * rnd.int(5),
        minSize,
        maxSize,
        allocationsPerRender: perRender,
        weights: { render: 6 + rnd.int(8), write: 1 + rnd.int(4), recreate: rnd.int(3), pressure: rnd.int(3), wait: rnd.int(2) },
      },
    };
    const file = join(dir, `generated-${k}.json`);
    writeFileSync(file, JSON.stringify(scenario, null, 2) + '\n');
    files.push(file);
  }
  return files;
}
