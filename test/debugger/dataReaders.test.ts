// Watches on reads going backwards (src/debugger/kernel/dataReaders.ts): the moments a replay finds
// an allocation read at are the moments a plain read sink on a run of its own hears it read (matched
// here against where the allocation lives at each read, independently of the data breakpoints'
// matching); the session's machine does not move while it searches; a pause ends a search.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileDriver } from '../../src/sim/driver/loader';
import { machineFrom } from '../../src/sim/machine';
import { parseScenario } from '../../src/sim/scenario';
import { Timeline } from '../../src/sim/timeline/timeline';
import { debugAddressOfSegment } from '../../src/sim/hw';
import { DataBreakpoints, allocationDataId } from '../../src/debugger/gpu/dataBreakpoints';
import { readsBackwards } from '../../src/debugger/kernel/dataReaders';
import { SearchPaused } from '../../src/debugger/kernel/stretches';
import { UNKNOWN } from '../../src/debugger/expression';
import { ROOT } from '../setup';

const REFERENCE = join(ROOT, 'samples', 'drivers', 'reference', 'driver.ts');
const PAGE = 4096;

async function wholeRun(name: string): Promise<{ timeline: Timeline; make: () => ReturnType<typeof machineFrom> }> {
  const path = join(ROOT, 'samples', 'scenarios', `${name}.json`);
  const compiled = await compileDriver(REFERENCE);
  const scenario = parseScenario(readFileSync(path, 'utf8'), path);
  const make = () => machineFrom(compiled, { scenario });
  const timeline = new Timeline({ make, applyEdit: () => undefined });
  while (timeline.next()) {
    /* the whole run */
  }
  return { timeline, make };
}

/** The moments at which allocation `name` is read, heard by a read sink on a run of its own and matched by hand. */
function readMoments(make: () => ReturnType<typeof machineFrom>, name: string): number[] {
  const m = make();
  const moments = new Set<number>();
  m.gpu.onReads((_engine, vram, address, length, debugAddress) => {
    const a = [...m.kernel.vidmm.allocations.values()].find((x) => x.name === name);
    if (!a) return;
    let hit = false;
    if (a.residency === 'resident') {
      const base = debugAddressOfSegment(a.segmentId, a.offset);
      hit = debugAddress < base + a.size && debugAddress + length > base;
    }
    if (!vram) for (let p = Math.floor(address / PAGE) * PAGE; p < address + length && !hit; p += PAGE) hit = a.pages.includes(p);
    // Read while producing the next event: dated by it.
    if (hit) moments.add(m.eventCount + 1);
  });
  while (m.next()) {
    /* the whole run */
  }
  m.stop();
  return [...moments].sort((x, y) => x - y);
}

describe('data breakpoints on reads, going backwards (a replay)', function () {
  this.timeout(120_000);

  it('finds the moments a plain read sink hears the allocation read, without moving the session', async () => {
    const { timeline, make } = await wholeRun('default');
    const m = timeline.machine;
    const texture = [...m.kernel.vidmm.allocations.values()].find((a) => a.name === 'texture')!;
    const data = new DataBreakpoints(m.gpu, { lookup: () => UNKNOWN, allocation: (h) => m.kernel.vidmm.allocations.get(h) });
    data.set([{ id: 1, dataId: allocationDataId(texture.handle), accessType: 'read' }]);
    const stop = readsBackwards(timeline, data, () => ({ text: '', thread: 1, lines: [] }));
    const end = timeline.moment;
    stop.begin!(end, () => false);
    const found: number[] = [];
    for (let moment = end - 1; moment >= 1; moment--) if (stop.candidate(moment)) found.push(moment);
    const expected = readMoments(make, 'texture').filter((x) => x < end);
    assert.ok(expected.length >= 4, `the texture is read ${expected.length} times`);
    assert.deepEqual(found.reverse(), expected);
    assert.equal(timeline.machine, m, 'the session kept its machine');
    assert.equal(timeline.moment, end, 'and its moment');
  });

  it('a pause asked for during the search ends it, the session where it stood', async () => {
    const { timeline } = await wholeRun('random-pressure');
    const m = timeline.machine;
    const end = timeline.moment;
    const data = new DataBreakpoints(m.gpu, { lookup: () => UNKNOWN, allocation: (h) => m.kernel.vidmm.allocations.get(h) });
    const first = [...m.kernel.vidmm.allocations.values()][0];
    data.set([{ id: 1, dataId: allocationDataId(first.handle), accessType: 'read' }]);
    const stop = readsBackwards(timeline, data, () => ({ text: '', thread: 1, lines: [] }));
    let asked = 0;
    stop.begin!(end, () => ++asked > 2);
    assert.throws(() => {
      for (let moment = end - 1; moment >= 1; moment--) stop.candidate(moment);
    }, SearchPaused);
    assert.equal(asked, 3, 'the search looked for a pause as it went, and stopped at the first');
    assert.equal(timeline.moment, end);
    assert.equal(timeline.machine, m);
  });
});
