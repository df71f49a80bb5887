// The write log after time travel: over seeded random sessions of steps forward, going back, memory
// edits, GPU instructions run ahead of the kernel, searches back and the idle builder's replays, the log the timeline keeps equals the log of
// one straight run that makes the same edits at the same moments, entry for entry: nothing an edit
// wrote is missing (made after going back), nothing is there twice (made again by a replay), and
// nothing of a forgotten run is left. So does the moment index, and the memory at the end.

import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
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

/** A hash of all of VRAM and system memory. */
function memoryHash(m: Machine): string {
  const h = createHash('sha256');
  const st = (m.gpu as unknown as { state: Record<'vram' | 'sys', { size: number; read(a: number, o: Uint8Array, oo: number, n: number): void }> }).state;
  for (const mem of [st.vram, st.sys]) {
    const b = new Uint8Array(mem.size);
    mem.read(0, b, 0, mem.size);
    h.update(b);
  }
  return h.digest('hex');
}

/** What the moment index says of each moment, and of each DDI call. */
function moments(r: Recording): unknown[] {
  const out: unknown[] = [];
  const calls = new Set<number>();
  for (let m = 1; m <= r.index.last; m++) {
    const call = r.index.callAt(m);
    if (call !== undefined) calls.add(call);
    out.push([m, r.index.kindAt(m), r.index.timeAt(m), call, r.index.instructionAt(m)]);
  }
  for (const id of calls) out.push(r.index.call(id));
  return out;
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
        } else if (r < 0.7) {
          // What a search back and the idle builder do: machines of their own replaying, parked after.
          if (rnd.next() < 0.5) {
            const to = 1 + int(t.frontier);
            t.scan(int(to), to, () => ({ event() {}, stop() {} }));
            did.push(`scan to ${to}`);
          } else {
            t.idle(performance.now() + 5);
            did.push('idle');
          }
        } else if (r < 0.88) {
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
      assert.deepEqual(moments(t.recording), moments(straight.recording), `the moment index: ${did.join(', ')}`);
      // And the memory there is the same.
      t.goTo(end);
      assert.equal(memoryHash(t.machine), memoryHash(straight.machine), `memory at ${end}: ${did.join(', ')}`);
      t.dispose();
      straight.dispose();
    });
  }
});
