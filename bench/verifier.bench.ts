// The verifier's cost: the reference driver on sample scenarios with the verifier on, against the
// same runs with it off (the baseline, measured in the same process, the two in turn; wall and CPU
// time). The verifier copies each paging buffer's free space with guard bytes around every
// DxgkDdiBuildPagingBuffer call, decodes what the driver wrote, and checks the GART after aperture
// operations; this shows what that costs.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDriver } from '../src/sim/driver/loader';
import { createMachine } from '../src/sim/machine';
import { parseScenario } from '../src/sim/scenario';
import { interleavedAsync, row, timed, type Suite } from './suite';

const SAMPLES = join(__dirname, '..', 'samples', 'scenarios');
const REFERENCE = join(__dirname, '..', 'samples', 'drivers', 'reference', 'driver.ts');

export const verifierSuite: Suite = {
  name: 'verifier',
  title: 'verifier overhead: reference driver on sample scenarios, verifier on vs off',
  async run() {
    await loadDriver(REFERENCE); // compiled once, outside the timings
    for (const name of ['random-pressure', 'default', 'cpu-access', 'aperture']) {
      const file = join(SAMPLES, `${name}.json`);
      const text = readFileSync(file, 'utf8');
      let calls = 0;
      const once = async (verifier: boolean): Promise<void> => {
        const m = await createMachine({ driver: REFERENCE, scenario: parseScenario(text, file), verifier });
        const r = m.run();
        if (!r.ok) throw new Error(`${name}: ${r.error?.message}`);
        calls = r.stats.buildCalls;
      };
      // Interleaved, so a busy machine slows both alike; in this process, so CPU time beside wall time.
      const [off, on] = await interleavedAsync(9, [() => once(false), () => once(true)]);
      row(`${name} (${calls} DxgkDdiBuildPagingBuffer calls), verifier off`, timed(off, 1), 'baseline');
      row(`${name}, verifier on`, timed(on, 1), `x${(on.wall / off.wall).toFixed(2)} of the baseline; in CPU time x${(on.cpu / off.cpu).toFixed(2)}`);
    }
  },
};
