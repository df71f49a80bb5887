// DXGK_ALLOCATIONINFOFLAGS.SynchronousPaging, kept: every sample scenario with a driver that asks for
// it on every allocation and checks both promises as it runs (./synchronousChecker.ts). Without the
// flag VidMm owes nothing, and the same checker sees it pipeline paging and rendering: so the check
// can tell one from the other.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario } from '../../../src/sim/scenario';
import { runScenario, SAMPLES } from '../kernel/helpers';
import { synchronousChecker } from './synchronousChecker';

describe('VidMm keeps the SynchronousPaging promise', function () {
  this.timeout(120000);
  const files = readdirSync(SAMPLES).filter((f) => f.endsWith('.json'));

  it('every sample scenario: no paging buffer for an allocation before its fences complete, no DMA buffer before that paging completes', async () => {
    let checks = 0;
    for (const file of files) {
      const checker = await synchronousChecker();
      const run = await runScenario(checker.driver, parseScenario(readFileSync(join(SAMPLES, file), 'utf8'), file), { keep: () => false });
      assert.equal(run.result.ok, true, `${file}: ${run.result.error?.message}`);
      assert.deepEqual(checker.broken.slice(0, 3), [], file);
      checks += checker.checks;
    }
    assert.ok(checks > 1000, `${checks} submissions checked`);
  });

  it('without the flag VidMm pipelines them, and the checker sees it', async () => {
    let seen = 0;
    for (const file of files) {
      const checker = await synchronousChecker(false);
      const run = await runScenario(checker.driver, parseScenario(readFileSync(join(SAMPLES, file), 'utf8'), file), { keep: () => false });
      assert.equal(run.result.ok, true, `${file}: ${run.result.error?.message}`);
      if (checker.broken.length) seen++;
    }
    assert.ok(seen >= files.length / 2, `the checker saw pipelined paging in ${seen} of ${files.length} scenarios`);
  });
});
