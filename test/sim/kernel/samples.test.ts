// Every sample scenario runs clean with the reference driver; those about a path of the paging loop
// also show that they exercise it.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario } from '../../../src/sim/scenario';
import type { MachineStats } from '../../../src/sim/machine';
import { referenceDriver, runScenario, SAMPLES } from './helpers';

const expectations: Record<string, (s: MachineStats) => void> = {
  'default.json': (s) => {
    assert.ok(s.insufficientDmaBuffer > 0, 'INSUFFICIENT_DMA_BUFFER');
    assert.ok(s.allocationBusy > 0, 'ALLOCATION_BUSY');
    assert.ok(s.subTransfers > s.transfers, 'sub-transfers');
    assert.ok(s.fills > 0 && s.discards > 0 && s.evictions > 0, 'fill, discard, eviction');
  },
  'multipass.json': (s) => assert.ok(s.insufficientDmaBuffer >= 10),
  'sub-transfers.json': (s) => assert.ok(s.subTransfers >= 4 * s.transfers),
  'allocation-busy.json': (s) => assert.ok(s.allocationBusy >= 1),
  'evict-and-discard.json': (s) => assert.ok(s.discards >= 2 && s.transfers >= 2),
  'random-pressure.json': (s) => assert.ok(s.evictions >= 300),
  'two-engines.json': (s) => assert.ok(s.evictions > 0),
};

describe('samples: scenarios', function () {
  this.timeout(30000);
  const files = readdirSync(SAMPLES).filter((f) => f.endsWith('.json'));

  it('the samples for each path of the paging loop are there', () => {
    for (const f of Object.keys(expectations)) assert.ok(files.includes(f), `samples/scenarios/${f} is missing`);
  });

  for (const file of files) {
    it(`${file} runs clean with the reference driver and exercises its path`, async () => {
      const s = parseScenario(readFileSync(join(SAMPLES, file), 'utf8'), file);
      const run = await runScenario(await referenceDriver(), s, { keep: () => false });
      assert.equal(run.result.ok, true, run.result.error?.message);
      expectations[file]?.(run.result.stats);
    });
  }
});
