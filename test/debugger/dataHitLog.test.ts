// Data breakpoints going backwards: the predicate over a run's write log that reverse continue uses
// finds the last write before a moment to the watched memory, the same one the range's history
// lists; an allocation is matched by its system pages and its place in a segment.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineFrom } from '../../src/sim/machine';
import { compileDriver } from '../../src/sim/driver/loader';
import { parseScenario } from '../../src/sim/scenario';
import { Timeline } from '../../src/sim/timeline/timeline';
import { history } from '../../src/sim/timeline/provenance';
import { DataBreakpoints, allocationDataId, memDataId, previousDataHit } from '../../src/debugger/gpu/dataBreakpoints';
import { UNKNOWN } from '../../src/debugger/expression';
import { ROOT } from '../setup';

const REFERENCE = join(ROOT, 'samples', 'drivers', 'reference', 'driver.ts');
const SCENARIO = join(ROOT, 'samples', 'scenarios', 'default.json');

describe('data breakpoints over the write log (reverse continue)', function () {
  this.timeout(60_000);

  it('finds the last write before a moment to a watched range and to a watched allocation', async () => {
    const compiled = await compileDriver(REFERENCE);
    const scenario = parseScenario(readFileSync(SCENARIO, 'utf8'), SCENARIO);
    const timeline = new Timeline({ make: () => machineFrom(compiled, { scenario }), applyEdit: () => undefined });
    const m = timeline.machine;
    while (timeline.next()) {
      /* the whole run */
    }
    const rec = timeline.recording;
    const data = new DataBreakpoints(m.gpu, { lookup: () => UNKNOWN, allocation: (h) => m.kernel.vidmm.allocations.get(h) });
    const end = timeline.moment + 1;
    assert.equal(data.loggedHit(), undefined, 'nothing watched: no predicate');

    // The texture's first 16 system-memory bytes (its first page): the CPU write, then eviction copies.
    const texture = [...m.kernel.vidmm.allocations.values()].find((a) => a.name === 'texture')!;
    data.set([{ id: 1, dataId: memDataId(texture.pages[0], 16) }]);
    const writes = history(rec, 'system', texture.pages[0], 16);
    assert.ok(writes.length >= 2, `the texture's first bytes are written more than once: ${writes.length}`);
    const hit = data.loggedHit()!;
    assert.equal(previousDataHit(rec.log, hit, end), writes.at(-1)!.moment);
    // Before the last one: the one before it.
    assert.equal(previousDataHit(rec.log, hit, writes.at(-1)!.moment), writes.at(-2)!.moment);
    assert.equal(previousDataHit(rec.log, hit, writes[0].moment), undefined, 'nothing before the first write');

    // The whole allocation: its last write is at least as late as that of its first bytes.
    data.set([{ id: 2, dataId: allocationDataId(texture.handle) }]);
    const last = previousDataHit(rec.log, data.loggedHit()!, end)!;
    assert.ok(last >= writes.at(-1)!.moment);
  });
});
