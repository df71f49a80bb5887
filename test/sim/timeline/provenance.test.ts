// Provenance against a brute-force record of the same run: over seeded random scenarios, every
// change of memory the oracle saw (./oracle.ts) and every write the hardware reported (writes of the
// value already there included, which no comparison finds) is a write the recorder logged at that
// very moment; at random addresses and moments the last write the recorder names is the oracle's
// last, or a later one only the recorder sees (the driver's and the kernel's writes into common
// buffers of the value they held), never one in the future. Then a chain: a byte of a paged-in
// allocation names the copy instruction, the DxgkDdiBuildPagingBuffer call that wrote it and the
// driver's lines.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMachine, machineFrom } from '../../../src/sim/machine';
import { compileDriver } from '../../../src/sim/driver/loader';
import { Timeline } from '../../../src/sim/timeline/timeline';
import { normalizeScenario } from '../../../src/sim/scenario';
import { createRandom } from '../../../src/sim/hw';
import { attachRecorder, Recording } from '../../../src/sim/timeline/recorder';
import { chain, history, lastWrite, lastWrites } from '../../../src/sim/timeline/provenance';
import { lastChange, runWithOracle, type Change } from './oracle';

const REFERENCE = join(__dirname, '..', '..', '..', 'samples', 'drivers', 'reference', 'driver.ts');

function scenario(seed: number) {
  return normalizeScenario(
    {
      seed,
      adapter: {
        segments: [
          { name: 'vram', kind: 'memory', size: '128KiB', cpuVisible: true },
          { name: 'local', kind: 'memory', size: '128KiB' },
        ],
        systemMemory: '4MiB',
      },
      kernel: { pagingBufferSize: 1024, maxTransferSize: '16KiB' },
      generate: { allocations: 10, steps: 40, minSize: '4KiB', maxSize: '32KiB', allocationsPerRender: 3 },
    },
    `timeline-${seed}`,
  );
}

describe('time travel: provenance of a byte', function () {
  this.timeout(120_000);

  for (const seed of [11, 12, 13]) {
    it(`agrees with a brute-force record of every write the hardware reports and every change (seed ${seed})`, async () => {
      const machine = await createMachine({ driver: REFERENCE, scenario: scenario(seed) });
      const rec = new Recording();
      attachRecorder(machine, rec);
      const writes: Change[] = [];
      const changes = runWithOracle(machine, writes);
      assert.ok(machine.result().ok, machine.result().error?.message);
      assert.ok(changes.length > 100, `the run changes memory (${changes.length} runs of bytes)`);
      assert.equal(rec.index.last, machine.eventCount, 'every moment is indexed');
      const rnd = createRandom(seed);
      // Every change, and every write the hardware reports, is a logged write at that moment: its
      // first, last and a random byte.
      let unchanged = 0;
      for (const [what, list] of [['changed', changes], ['written', writes]] as const) {
        for (const c of list) {
          for (const a of [c.start, c.end - 1, c.start + Math.floor(rnd.next() * (c.end - c.start))]) {
            const w = lastWrite(rec, c.space, a, c.moment);
            assert.ok(w, `${c.space} 0x${a.toString(16)} ${what} at moment ${c.moment}: no write logged`);
            assert.equal(w.moment, c.moment, `${c.space} 0x${a.toString(16)} ${what} at moment ${c.moment}, the log says ${w.moment} (${w.writer})`);
            if (what === 'written' && lastChange(changes, c.space, a, c.moment) !== c.moment) unchanged++;
          }
        }
      }
      assert.ok(unchanged > 0, 'among the hardware writes, some wrote the value already there: no comparison finds those');
      // Random bytes at random moments: the last write logged is the last the oracle saw (a change or
      // a hardware write), or a later one only the recorder can see (the driver writing an
      // instruction's bytes with the value they had, a common buffer handed out as zeros), never
      // one in the future.
      const last = machine.eventCount;
      const lastOf = (list: readonly Change[], space: string, a: number, t: number): number => {
        for (let k = list.length - 1; k >= 0; k--) {
          const c = list[k];
          if (c.moment <= t && c.space === space && a >= c.start && a < c.end) return c.moment;
        }
        return 0;
      };
      let exact = 0;
      for (let i = 0; i < 2000; i++) {
        const c = i % 2 ? changes[Math.floor(rnd.next() * changes.length)] : writes[Math.floor(rnd.next() * writes.length)];
        const space = c.space;
        const a = c.start + Math.floor(rnd.next() * (c.end - c.start)) + Math.floor(rnd.next() * 64) - 32;
        if (a < 0) continue;
        const t = Math.floor(rnd.next() * last) + 1;
        const seen = Math.max(lastChange(changes, space, a, t), lastOf(writes, space, a, t));
        const w = lastWrite(rec, space, a, t);
        if (seen) assert.ok(w && w.moment >= seen, `${space} 0x${a.toString(16)} at moment ${t}: last written at ${seen}, last write logged ${w?.moment}`);
        if (w) {
          assert.ok(w.moment <= t);
          if (w.moment > seen) assert.ok(w.writer === 'driver' || w.writer === 'kernel' || w.writer === 'released', `${space} 0x${a.toString(16)} at moment ${t}: the log names a write at ${w.moment} by ${w.writer} no write or change shows`);
          else exact++;
        }
      }
      assert.ok(exact > 1000, `most answers are the oracle's own (${exact})`);
    });
  }

  it('logs the same writes when a replay records past the frontier as when one run records it all, whatever the moment it crosses', async () => {
    const sc = scenario(12);
    const one = new Recording();
    const whole = await createMachine({ driver: REFERENCE, scenario: sc });
    attachRecorder(whole, one);
    const entries: number[] = [];
    for (let e = whole.next(); e; e = whole.next()) if (e.kind === 'ddi-entry' && e.call.ddi === 'DxgkDdiBuildPagingBuffer') entries.push(whole.eventCount);
    const end = whole.eventCount;
    const log = (r: Recording) => Array.from({ length: r.log.size }, (_, i) => ({ ...r.log.get(i), detail: r.log.details[r.log.get(i).detail] }));
    const expected = log(one);
    // Frontiers at the entry of DxgkDdiBuildPagingBuffer calls (the replay crosses inside the call) and anywhere.
    const rnd = createRandom(5);
    assert.ok(entries.length > 10);
    const frontiers = [1, end - 1, ...Array.from({ length: 4 }, () => entries[Math.floor(rnd.next() * entries.length)]), ...Array.from({ length: 4 }, () => Math.floor(rnd.next() * end) + 1)];
    for (const f of frontiers) {
      const two = new Recording();
      const first = await createMachine({ driver: REFERENCE, scenario: sc });
      attachRecorder(first, two);
      while (first.eventCount < f && first.next());
      first.stop();
      assert.equal(two.frontier, f);
      // A replay from the beginning: nothing is recorded up to the frontier, everything after it.
      const replay = await createMachine({ driver: REFERENCE, scenario: sc });
      attachRecorder(replay, two);
      while (replay.next());
      assert.equal(two.frontier, end);
      assert.deepEqual(log(two), expected, `frontier at moment ${f} of ${end}`);
    }
  });

  it('refuses a second recorder on a machine, and the first goes on recording as if none had been tried', async () => {
    const sc = scenario(13);
    const alone = new Recording();
    const m1 = await createMachine({ driver: REFERENCE, scenario: sc });
    attachRecorder(m1, alone);
    while (m1.next());
    const tried = new Recording();
    const m2 = await createMachine({ driver: REFERENCE, scenario: sc });
    const detach = attachRecorder(m2, tried);
    assert.throws(() => attachRecorder(m2, new Recording()), /already recorded/);
    while (m2.next());
    assert.ok(alone.log.size > 0);
    assert.equal(tried.log.size, alone.log.size);
    assert.equal(tried.frontier, alone.frontier);
    // Detached, a machine takes a recorder again.
    detach();
    assert.doesNotThrow(() => attachRecorder(m2, new Recording()));
  });

  it('names the copy, the DxgkDdiBuildPagingBuffer call and the driver lines behind a paged-in byte', async () => {
    const compiled = await compileDriver(REFERENCE);
    const sc = scenario(11);
    const timeline = new Timeline({ make: () => machineFrom(compiled, { scenario: sc }), applyEdit: () => undefined });
    const rec = timeline.recording;
    while (timeline.next());
    // A VRAM byte a GPU copy wrote while the driver's paging buffer was building a transfer.
    let found = false;
    for (let i = rec.log.size - 1; i >= 0 && !found; i--) {
      const w = rec.log.get(i);
      if (w.space !== 'vram' || w.writer !== 'gpu') continue;
      const p = chain(rec, w);
      const ddi = p.links.find((l) => l.kind === 'ddi');
      if (!ddi || !/Transfer/.test(ddi.text)) continue;
      found = true;
      assert.match(p.links[1].text, /^instruction at 0x[0-9a-f]+ on engine 0/);
      assert.match(ddi.text, /^DxgkDdiBuildPagingBuffer #\d+ \(Transfer, MultipassOffset \d+/);
      const lines = p.links.filter((l) => l.kind === 'driver-line');
      assert.ok(lines.length >= 2, 'the driver lines that wrote the instruction');
      assert.match(lines[0].text, /driver\.ts:\d+:\d+\s+const n = writeInstruction\(/);
      assert.ok(lines.some((l) => /emit\(args, 'copy'/.test(l.text)), lines.map((l) => l.text).join('\n'));
      assert.ok(p.links.some((l) => l.kind === 'step' && /render|write|pressure|recreate|wait/.test(l.text)), 'the scenario step');
      // The pieces of an instruction-sized range and its history agree with the last write.
      const pieces = lastWrites(rec, 'vram', w.address, 8, rec.index.last);
      assert.ok(pieces.every((x) => x.write));
      const h = history(rec, 'vram', w.address, 1);
      assert.ok(h.some((x) => x.index === w.index));
      assert.ok(h.every((x, j) => j === 0 || x.moment >= h[j - 1].moment));
    }
    assert.ok(found, 'a transfer wrote VRAM');
  });

  it("puts the fence command a driver queues in DxgkDdiSubmitCommand down to that call and the driver's line, not to the kernel", async () => {
    // The reference driver writes a fence command into its own ring (common-buffer memory) and
    // submits it from DxgkDdiSubmitCommand: found when the GPU is handed it, during the call.
    const compiled = await compileDriver(REFERENCE);
    const sc = scenario(11);
    const timeline = new Timeline({ make: () => machineFrom(compiled, { scenario: sc }), applyEdit: () => undefined });
    while (timeline.next());
    const rec = timeline.recording;
    const submitCalls = new Set<number>();
    for (let i = 0; i < rec.log.size; i++) {
      const w = rec.log.get(i);
      if (w.callId && rec.index.call(w.callId)?.ddi === 'DxgkDdiSubmitCommand') {
        assert.equal(w.writer, 'driver', `write ${i} at 0x${w.address.toString(16)} during DxgkDdiSubmitCommand #${w.callId}`);
        submitCalls.add(w.callId);
      }
    }
    assert.ok(submitCalls.size > 10, `fence commands of ${submitCalls.size} calls`);
    const first = rec.log.get([...Array(rec.log.size).keys()].find((i) => submitCalls.has(rec.log.get(i).callId))!);
    const c = chain(rec, first);
    const fenceLine = readFileSync(REFERENCE, 'utf8').split('\n').findIndex((l) => l.includes("writeInstruction(ring.bytes, at, 'fence'")) + 1;
    assert.ok(fenceLine > 0);
    assert.ok(
      c.links.some((l) => l.kind === 'driver-line' && l.location?.file === REFERENCE && l.location.line === fenceLine),
      `the chain names driver.ts:${fenceLine}:\n${c.links.map((l) => l.text).join('\n')}`,
    );
    timeline.dispose();
  });
});
