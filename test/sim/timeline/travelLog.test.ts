// The write log after time travel: over seeded random sessions of steps forward, going back, memory
// edits and GPU instructions run ahead of the kernel, the log the timeline keeps equals the log of
// one straight run that makes the same edits at the same moments, entry for entry: nothing an edit
// wrote is missing (made after going back), nothing is there twice (made again by a replay), and
// nothing of a forgotten run is left.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileDriver, type CompiledDriver } from '../../../src/sim/driver/loader';
import { createRandom } from '../../../src/sim/hw';
import { machineFrom, type Machine } from '../../../src/sim/machine';
import { normalizeScenario } from '../../../src/sim/scenario';
import type { Recording } from '../../../src/sim/timeline/recorder';
import { Timeline, type Edit } from '../../../src/sim/timeline/timeline';

const REFERENCE = join(__dirname, '..', '..', '..', 'samples', 'drivers', 'reference', 'driver.ts');

const sc = normalizeScenario(
  {
    seed: 9,
    adapter: { segments: [{ name: 'vram', kind: 'memory', size: '128KiB', cpuVisible: true }, { name: 'local', kind: 'memory', size: '128KiB' }], systemMemory: '4MiB' },
    kernel: { pagingBufferSize: 1024, maxTransferSize: '16KiB' },
    generate: { allocations: 8, steps: 30, minSize: '4KiB', maxSize: '32KiB', allocationsPerRender: 3 },
  },
  'travel-log-test',
);

function writeEdit(m: Machine, e: Edit): void {
  m.gpu.debugWrite(e.address!, Buffer.from(e.data!, 'hex'));
}

/** The log's entries, details as values. */
function entries(r: Recording): unknown[] {
  return Array.from({ length: r.log.size }, (_, i) => {
    const w = r.log.get(i);
    return { ...w, index: undefined, detail: w.detail < 0 ? undefined : r.log.details[w.detail] };
  });
}

/** An engine with an instruction to run ahead of the kernel, or -1. */
function runnable(t: Timeline): number {
  const regs = t.machine.kernel.registers;
  for (let e = 0; e < regs.EngineCount; e++) if (regs.nextInstruction(e)) return e;
  return -1;
}

describe('time travel: the write log after going back and forth with edits', function () {
  this.timeout(120_000);
  let compiled: CompiledDriver;
  before(async () => {
    compiled = await compileDriver(REFERENCE);
  });

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 15, 27, 41, 54, 63]) {
    it(`equals the log of one straight run making the same edits (seed ${seed})`, () => {
      const rnd = createRandom(seed);
      const int = (n: number): number => Math.floor(rnd.next() * n);
      const t = new Timeline({ make: () => machineFrom(compiled, { scenario: sc }), applyEdit: writeEdit });
      const top = t.machine.gpu.config.systemMemoryBytes - 256;
      while (t.moment < 200 && t.next());
      const did: string[] = [];
      for (let op = 0; op < 30; op++) {
        const r = rnd.next();
        if (r < 0.3) {
          const n = 1 + int(60);
          for (let i = 0; i < n && t.next(); i++);
          did.push(`+${n}`);
        } else if (r < 0.5) {
          const to = 1 + int(t.moment);
          t.goTo(to);
          did.push(`back ${to}`);
        } else if (r < 0.6) {
          const to = Math.min(t.frontier, t.moment + int(80));
          t.goTo(to);
          did.push(`to ${to}`);
        } else if (r < 0.85) {
          const address = top + int(240);
          const data = Buffer.from(Array.from({ length: 1 + int(4) }, () => int(256)));
          t.machine.gpu.debugWrite(address, data);
          t.addEdit({ kind: 'writeMemory', address, data: data.toString('hex') });
          did.push(`write @${t.moment}`);
        } else {
          const engine = runnable(t);
          if (engine >= 0 && t.runEngineNow(engine)) did.push(`ahead @${t.moment}`);
        }
      }
      // Going back at least once, and an edit made there.
      if (!did.some((d) => d.startsWith('back'))) {
        t.goTo(1 + int(t.moment));
        const address = top + int(240);
        const data = Buffer.from([int(256)]);
        t.machine.gpu.debugWrite(address, data);
        t.addEdit({ kind: 'writeMemory', address, data: data.toString('hex') });
        did.push(`back ${t.moment}, write`);
      }
      // The run as it stands, once straight: the same edits at the same moments, to the same place.
      const end = t.frontier;
      const edits = t.edits.slice();
      const straight = new Timeline({ make: () => machineFrom(compiled, { scenario: sc }), applyEdit: writeEdit });
      for (;;) {
        for (const e of edits.filter((x) => x.moment === straight.moment)) {
          if (e.kind === 'runEngine') assert.ok(straight.runEngineNow(e.engine!), `the instruction run ahead at ${e.moment} runs again`);
          else {
            writeEdit(straight.machine, e);
            straight.addEdit({ kind: e.kind, address: e.address, data: e.data });
          }
        }
        if (straight.moment >= end || !straight.next()) break;
      }
      assert.equal(straight.frontier, end);
      assert.ok(edits.length > 0 && did.some((d) => d.startsWith('back')), did.join(', '));
      assert.deepEqual(entries(t.recording), entries(straight.recording), did.join(', '));
      t.dispose();
      straight.dispose();
    });
  }
});
