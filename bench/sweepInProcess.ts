// Child process of the sweep benchmark: `node sweepInProcess.js SEEDS` runs every sample scenario x
// SEEDS with the reference driver one after another in this process, the way `paging-lab run
// --in-process` runs one (compiled driver, fresh machine, verifier on), and prints its wall and
// CPU time as JSON. Run alone, it is the in-process cost a sweep's runs are compared with; two at
// once measure what this machine gives two independent copies of the same work.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDriver } from '../src/sim/driver/loader';
import { createMachine } from '../src/sim/machine';
import { parseScenario } from '../src/sim/scenario';

async function main(root: string, seeds: number): Promise<void> {
  const scenarios = join(root, 'samples', 'scenarios');
  const driver = join(root, 'samples', 'drivers', 'reference', 'driver.ts');
  await loadDriver(driver); // compiled once, as each sweep worker does before its first pair
  const texts = readdirSync(scenarios)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [join(scenarios, f), readFileSync(join(scenarios, f), 'utf8')] as const);
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (const [file, text] of texts) {
    for (let seed = 1; seed <= seeds; seed++) {
      const m = await createMachine({ driver, scenario: parseScenario(text, file, seed) });
      m.run();
      m.releaseMemory(); // as the sweep worker does after each pair
    }
  }
  const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ wall: Number(process.hrtime.bigint() - t0) / 1e6, cpu: (c.user + c.system) / 1000 }));
}

main(process.argv[3] ?? process.cwd(), Number(process.argv[2] ?? 50)).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
