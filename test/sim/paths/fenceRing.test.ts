// The reference driver's fence commands while engines run at different paces: one engine waits on a
// render while another goes through thousands of small paging buffers. A random path workload found
// that a ring of fence commands shared by all engines (the reference driver's until it gave each
// engine its own) came round over a command the slower engine had not run yet.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMachine } from '../../../src/sim/machine';
import { parseScenario } from '../../../src/sim/scenario';
import { REFERENCE_DRIVER } from '../kernel/helpers';

describe("the reference driver's fence commands", () => {
  it('stay as queued through thousands of 128-byte paging buffers on one engine while another has a fence command waiting', async () => {
    const name = 'fence-ring-three-engines.json';
    const scenario = parseScenario(readFileSync(join(__dirname, 'data', name), 'utf8'), name);
    const machine = await createMachine({ driver: REFERENCE_DRIVER, scenario });
    const r = machine.run();
    assert.equal(r.ok, true, r.error?.message);
    // More than one 64 KiB ring of 28-byte fence commands shared by every engine holds.
    assert.ok(r.stats.pagingBuffersSubmitted > 65536 / 28, `${r.stats.pagingBuffersSubmitted} paging buffers`);
  });
});
