// The verifier's cost: the reference driver on sample scenarios with the verifier on, against the
// same runs with it off (the baseline, measured in the same process). The verifier copies each
// paging buffer's free space with guard bytes around every DxgkDdiBuildPagingBuffer call, decodes
// what the driver wrote, and checks the GART after aperture operations; this shows what that costs.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDriver } from '../src/sim/driver/loader';
import { createMachine } from '../src/sim/machine';
import { parseScenario } from '../src/sim/scenario';
import { row, type Suite } from './suite';

async function timeMs(fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

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
      // Interleaved, so a busy machine slows both alike.
      await once(false);
      await once(true);
      const offs: number[] = [];
      const ons: number[] = [];
      for (let i = 0; i < 9; i++) {
        offs.push(await timeMs(() => once(false)));
        ons.push(await timeMs(() => once(true)));
      }
      const median = (t: number[]): number => t.sort((a, b) => a - b)[t.length >> 1];
      const off = median(offs);
      const on = median(ons);
      row(`${name} (${calls} DxgkDdiBuildPagingBuffer calls), verifier off`, `${off.toFixed(1)} ms`, 'baseline');
      row(`${name}, verifier on`, `${on.toFixed(1)} ms`, `x${(on / off).toFixed(2)} of the baseline`);
    }
  },
};
