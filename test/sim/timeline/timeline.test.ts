// Reaching moments again: going back and forward gives the same events and the same memory (hash
// compared) as the first time through; an edit made at a moment is applied again by every replay
// and what was recorded after it goes; parked machines stay within their budget, which says so once.

import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { compileDriver, type CompiledDriver } from '../../../src/sim/driver/loader';
import { machineFrom, type Machine, type MachineEvent } from '../../../src/sim/machine';
import { normalizeScenario, type Scenario } from '../../../src/sim/scenario';
import { Timeline, type Edit } from '../../../src/sim/timeline/timeline';
import { history, lastWrite } from '../../../src/sim/timeline/provenance';

const REFERENCE = join(__dirname, '..', '..', '..', 'samples', 'drivers', 'reference', 'driver.ts');

function scenario(): Scenario {
  return normalizeScenario(
    {
      seed: 5,
      adapter: { segments: [{ name: 'vram', kind: 'memory', size: '128KiB', cpuVisible: true }, { name: 'local', kind: 'memory', size: '128KiB' }], systemMemory: '4MiB' },
      kernel: { pagingBufferSize: 1024, maxTransferSize: '16KiB' },
      generate: { allocations: 8, steps: 30, minSize: '4KiB', maxSize: '32KiB', allocationsPerRender: 3 },
    },
    'timeline-test',
  );
}

/** What a moment looks like from outside: its event (without live objects) and a hash of all memory. */
function fingerprint(m: Machine, e: MachineEvent | undefined): string {
  const h = createHash('sha256');
  const st = (m.gpu as unknown as { state: { vram: { size: number; read(a: number, o: Uint8Array, oo: number, n: number): void }; sys: { size: number; read(a: number, o: Uint8Array, oo: number, n: number): void } } }).state;
  for (const mem of [st.vram, st.sys]) {
    const b = new Uint8Array(mem.size);
    mem.read(0, b, 0, mem.size);
    h.update(b);
  }
  const ev = e && { kind: e.kind, time: e.time, ...(e.kind === 'ddi-entry' || e.kind === 'ddi-return' ? { ddi: e.call.ddi, id: e.call.id } : {}), ...(e.kind === 'instruction' ? { engine: e.engine, address: e.address } : {}) };
  return `${m.eventCount} ${JSON.stringify(ev)} ${h.digest('hex')}`;
}

function writeEdit(m: Machine, e: Edit): void {
  m.gpu.debugWrite(e.address!, Buffer.from(e.data!, 'hex'));
}

describe('time travel: the timeline', function () {
  this.timeout(120_000);
  let compiled: CompiledDriver;
  const sc = scenario();
  before(async () => {
    compiled = await compileDriver(REFERENCE);
  });

  it('reaches any moment again with the same event and memory, backward and forward', () => {
    const timeline = new Timeline({ make: () => machineFrom(compiled, { scenario: sc }), applyEdit: writeEdit });
    const seen = new Map<number, string>();
    const probes = [1, 2, 17, 100, 333, 500, 640];
    while (timeline.next()) if (probes.includes(timeline.moment)) seen.set(timeline.moment, fingerprint(timeline.machine, timeline.event));
    const end = timeline.moment;
    assert.ok(end > 700, `the run has ${end} moments`);
    // Back in a scrambled order, then forward again past the end.
    for (const t of [640, 17, 500, 2, 333, 1, 100, 640]) {
      const e = timeline.goTo(t);
      assert.equal(timeline.moment, t);
      assert.equal(fingerprint(timeline.machine, e), seen.get(t), `moment ${t}`);
    }
    timeline.goTo(end);
    assert.equal(timeline.moment, end);
    assert.ok(timeline.machine.finished && timeline.machine.result().ok);
    assert.ok(timeline.stats.machines > 1 && timeline.stats.replayedEvents > 0);
    timeline.dispose();
  });

  it('applies an edit again at its moment, and forgets the run recorded after it', () => {
    const timeline = new Timeline({ make: () => machineFrom(compiled, { scenario: sc }), applyEdit: writeEdit });
    while (timeline.moment < 400 && timeline.next());
    const frontier = timeline.frontier;
    // A byte of system memory nothing else touches (the top page).
    const address = sc.adapter ? timeline.machine.gpu.config.systemMemoryBytes - 16 : 0;
    timeline.addEdit({ kind: 'writeMemory', address, data: 'abcd' });
    timeline.machine.gpu.debugWrite(address, Buffer.from('abcd', 'hex'));
    assert.equal(timeline.frontier, 400, `recorded moments past the edit are forgotten (was ${frontier})`);
    const w = lastWrite(timeline.recording, 'system', address, 401);
    assert.equal(w?.writer, 'debugger');
    while (timeline.moment < 450 && timeline.next());
    const at450 = fingerprint(timeline.machine, timeline.event);
    timeline.goTo(399);
    assert.deepEqual([...timeline.machine.gpu.readPhysical(address, 2)], [0, 0], 'before the edit');
    timeline.goTo(400);
    assert.deepEqual([...timeline.machine.gpu.readPhysical(address, 2)], [0xab, 0xcd], 'the replay applied the edit at its moment');
    timeline.goTo(450);
    assert.equal(fingerprint(timeline.machine, timeline.event), at450);
    timeline.dispose();
  });

  it('logs the writes of an edit once: one made after going back, and one a replay makes again at the moment it was made (memory, a GPU instruction run ahead)', () => {
    const timeline = new Timeline({ make: () => machineFrom(compiled, { scenario: sc }), applyEdit: writeEdit });
    const log = timeline.recording.log;
    /** How many writes the log dates `moment`. */
    const at = (moment: number): number => log.firstAtOrAfter(moment + 1) - log.firstAtOrAfter(moment);
    while (timeline.moment < 400 && timeline.next());
    const address = timeline.machine.gpu.config.systemMemoryBytes - 16;
    // Back at 300 the recorder does not log (the run past it is recorded); the host writes, then says so.
    timeline.goTo(300);
    timeline.machine.gpu.debugWrite(address, Buffer.from('abcd', 'hex'));
    timeline.addEdit({ kind: 'writeMemory', address, data: 'abcd' });
    assert.equal(timeline.frontier, 300);
    assert.deepEqual(history(timeline.recording, 'system', address, 2).map((w) => [w.moment, w.writer]), [[301, 'debugger']], 'the edit made after going back is in the log');
    // At the last recorded moment: memory written, then a GPU instruction run ahead of the kernel.
    while (timeline.moment < 350 && timeline.next());
    timeline.machine.gpu.debugWrite(address + 4, Buffer.from('ef', 'hex'));
    timeline.addEdit({ kind: 'writeMemory', address: address + 4, data: 'ef' });
    const engines = timeline.machine.kernel.registers.EngineCount;
    const runnable = (): number => [...Array(engines).keys()].find((e) => timeline.machine.kernel.registers.nextInstruction(e)) ?? -1;
    // Instructions run ahead at the last recorded moment until one writes memory (a copy, a fill).
    let m = 0;
    let writesBefore = 0;
    let ahead = 0;
    for (let tries = 0; tries < 50 && !ahead; tries++) {
      while (runnable() < 0 && timeline.next());
      m = timeline.moment;
      writesBefore = at(m + 1);
      assert.equal(timeline.frontier, m);
      assert.ok(timeline.runEngineNow(runnable()), 'the instruction ran ahead');
      ahead = at(m + 1) - writesBefore;
      if (!ahead) timeline.next();
    }
    assert.ok(ahead > 0, 'an instruction run ahead wrote memory');
    while (timeline.moment < m + 40 && timeline.next());
    const logged = { edit: at(351), ahead: at(m + 1), size: log.size };
    // Back before both, and forward again: the replays make them again at their moments, and log nothing twice.
    timeline.goTo(340);
    timeline.goTo(m + 40);
    assert.deepEqual({ edit: at(351), ahead: at(m + 1), size: log.size }, logged);
    assert.deepEqual(history(timeline.recording, 'system', address + 4, 1).map((w) => [w.moment, w.writer]), [[351, 'debugger']]);
    // Back to the moment of the instruction, a new edit there after it: the instruction's writes stay.
    timeline.goTo(m);
    timeline.machine.gpu.debugWrite(address + 8, Buffer.from('12', 'hex'));
    timeline.addEdit({ kind: 'writeMemory', address: address + 8, data: '12' });
    assert.equal(at(m + 1), writesBefore + ahead + 1, 'the instruction run ahead keeps its writes; the new edit adds one');
    assert.deepEqual(history(timeline.recording, 'system', address + 8, 1).map((w) => [w.moment, w.writer]), [[m + 1, 'debugger']]);
    // Two edits of adjacent bytes at one moment, then back between them (a GPU step back stands
    // there) and another edit: the second's write goes, though the log could have made one write of both.
    while (timeline.moment < m + 60 && timeline.next());
    const n = timeline.moment;
    for (const [a, d] of [[address - 64, 'aa'], [address - 63, 'bb']] as const) {
      timeline.machine.gpu.debugWrite(a, Buffer.from(d, 'hex'));
      timeline.addEdit({ kind: 'writeMemory', address: a, data: d });
    }
    timeline.goTo(n, 1);
    timeline.machine.gpu.debugWrite(address - 56, Buffer.from('cc', 'hex'));
    timeline.addEdit({ kind: 'writeMemory', address: address - 56, data: 'cc' });
    assert.deepEqual([...timeline.machine.gpu.readPhysical(address - 64, 2)], [0xaa, 0]);
    assert.deepEqual(history(timeline.recording, 'system', address - 63, 1).map((w) => [w.moment, w.writer]), [], 'the edit gone is gone from the log');
    assert.deepEqual(history(timeline.recording, 'system', address - 64, 1).map((w) => [w.moment, w.writer]), [[n + 1, 'debugger']]);
    timeline.dispose();
  });

  it("a change no replay can make (the driver's variables): forward keeps it and builds no checkpoint; back before it drops it and its run, said once", () => {
    const notices: string[] = [];
    const timeline = new Timeline({ make: () => machineFrom(compiled, { scenario: sc }), applyEdit: writeEdit, notice: (t) => notices.push(t) });
    while (timeline.moment < 400 && timeline.next());
    const unedited = new Map<number, string>();
    while (timeline.moment < 450 && timeline.next()) unedited.set(timeline.moment, fingerprint(timeline.machine, timeline.event));
    timeline.goTo(400);
    assert.equal(timeline.frontier, 450);
    // The change: the live run is another one from here (a byte written stands for what the driver's changed variable does).
    const address = timeline.machine.gpu.config.systemMemoryBytes - 16;
    timeline.markUnreplayable('n = 0x1234');
    timeline.machine.gpu.debugWrite(address, Buffer.from('abcd', 'hex'));
    assert.equal(timeline.frontier, 400, 'the run recorded past the change is forgotten');
    assert.equal(timeline.unreplayableChange, 'n = 0x1234');
    while (timeline.moment < 450 && timeline.next());
    assert.deepEqual([...timeline.machine.gpu.readPhysical(address, 2)], [0xab, 0xcd], 'forward, the live run keeps it');
    assert.equal(timeline.idle(performance.now() + 1000), false, 'no checkpoint is built by a replay, which would lack it');
    assert.deepEqual(notices, []);
    // Back to a moment after the change: reached by a replay without it, said once.
    timeline.goTo(420);
    assert.equal(timeline.unreplayableChange, undefined);
    assert.equal(notices.length, 1);
    assert.match(notices[0], /^Going back dropped a change made while the driver was paused inside a DDI call \(n = 0x1234\): no replay can make it there, so the run from moment 400 on is now the one without it\.$/);
    assert.deepEqual([...timeline.machine.gpu.readPhysical(address, 2)], [0, 0]);
    assert.equal(fingerprint(timeline.machine, timeline.event), unedited.get(420));
    timeline.goTo(450);
    assert.equal(fingerprint(timeline.machine, timeline.event), unedited.get(450), 'forward again: the run without the change');
    timeline.goTo(300);
    assert.equal(notices.length, 1, 'said once');
    timeline.dispose();
  });

  it('keeps parked machines within the budget, drops those that save least and says so once', () => {
    const notices: string[] = [];
    const timeline = new Timeline({ make: () => machineFrom(compiled, { scenario: sc }), applyEdit: writeEdit, checkpointCount: 2, worthwhileReplayMs: 0, notice: (t) => notices.push(t) });
    while (timeline.moment < 600 && timeline.next());
    assert.equal(timeline.moment, 600, 'the run is long enough');
    for (const t of [500, 400, 300, 200, 100]) {
      timeline.goTo(t);
      assert.ok(timeline.checkpoints.length <= 2);
    }
    assert.equal(notices.length, 1);
    assert.match(notices[0], /some are dropped/);
    // Idle time parks machines close behind the current moment.
    timeline.goTo(600);
    while (timeline.idle(performance.now() + 50));
    assert.ok(timeline.checkpoints.some((c) => c < 600 && c >= 600 - 48), `a checkpoint just behind: ${timeline.checkpoints.join(', ')}`);
    const before = timeline.stats.replayedEvents;
    timeline.goTo(590);
    assert.ok(timeline.stats.replayedEvents - before < 32, 'the step back replayed only from the checkpoint behind');
    timeline.dispose();
  });

  it('keeps the checkpoint behind the session while steps back park machines ahead of it', () => {
    // Each step back parks the machine it leaves, a moment or two ahead: with three machines allowed,
    // dropping the oldest dropped the rung idle time had just built behind the session, so every
    // step back replayed the run from its start.
    const timeline = new Timeline({ make: () => machineFrom(compiled, { scenario: sc }), applyEdit: writeEdit, checkpointCount: 3, worthwhileReplayMs: 0 });
    while (timeline.moment < 600 && timeline.next());
    let replayed = 0;
    for (let t = 598; t >= 560; t -= 2) {
      const before = timeline.stats.replayedEvents;
      timeline.goTo(t);
      if (t < 598) replayed += timeline.stats.replayedEvents - before;
      while (timeline.idle(performance.now() + 50));
      assert.ok(timeline.checkpoints.some((c) => c < t), `a checkpoint behind moment ${t}: ${timeline.checkpoints.join(', ')}`);
    }
    // 19 steps of 2 moments, each from a rung at most 48 behind.
    assert.ok(replayed <= 19 * 48, `the steps replayed ${replayed} events`);
    timeline.dispose();
  });

  it('keeps no checkpoint where replaying from further back is quick', () => {
    // This run replays whole in a few milliseconds, far below the default 150 ms a checkpoint must
    // save: going back replays from the start, and idle time builds nothing to hold.
    const timeline = new Timeline({ make: () => machineFrom(compiled, { scenario: sc }), applyEdit: writeEdit });
    const seen = new Map<number, string>();
    while (timeline.moment < 600 && timeline.next()) if (timeline.moment >= 580) seen.set(timeline.moment, fingerprint(timeline.machine, timeline.event));
    for (let t = 599; t >= 580; t--) {
      const e = timeline.goTo(t);
      assert.equal(fingerprint(timeline.machine, e), seen.get(t), `moment ${t}`);
      let calls = 0;
      while (timeline.idle(performance.now() + 50)) assert.ok(++calls < 100, 'idle comes to an end');
      assert.deepEqual(timeline.checkpoints, [], `nothing held at moment ${t}`);
    }
    assert.equal(timeline.checkpointBytes(), 0);
    // A checkpoint worth any replay is kept and built; one worth none is not.
    for (const [worthwhileReplayMs, held] of [[0, true], [1e9, false]] as const) {
      const t = new Timeline({ make: () => machineFrom(compiled, { scenario: sc }), applyEdit: writeEdit, worthwhileReplayMs });
      while (t.moment < 600 && t.next());
      t.goTo(599);
      while (t.idle(performance.now() + 50));
      assert.equal(t.checkpoints.length > 0, held, `worthwhileReplayMs ${worthwhileReplayMs}: ${t.checkpoints.join(', ')}`);
      t.dispose();
    }
    timeline.dispose();
  });

  it('holds checkpoints within twice the VRAM a run touched, whatever replay they save', () => {
    // Allocations of megabytes: the run touches far more VRAM than a parked machine costs.
    const big = normalizeScenario(
      {
        seed: 3,
        adapter: { segments: [{ name: 'vram', kind: 'memory', size: '64MiB', cpuVisible: true }, { name: 'local', kind: 'memory', size: '64MiB' }], systemMemory: '64MiB' },
        generate: { allocations: 12, steps: 40, minSize: '2MiB', maxSize: '8MiB', allocationsPerRender: 3 },
      },
      'timeline-big',
    );
    // No replay is worth a checkpoint by its time here: only the memory allowance keeps them.
    const timeline = new Timeline({ make: () => machineFrom(compiled, { scenario: big }), applyEdit: writeEdit, worthwhileReplayMs: 1e9 });
    while (timeline.next());
    const end = timeline.moment;
    timeline.goTo(end - 1);
    while (timeline.idle(performance.now() + 50));
    const touched = timeline.recording.touched!.bytes('vram');
    assert.ok(timeline.checkpoints.length > 0, `rungs behind the session (VRAM touched ${touched} bytes)`);
    assert.ok(timeline.checkpointBytes() <= 2 * touched, `${timeline.checkpointBytes()} bytes held for ${touched} bytes of VRAM touched`);
    const before = timeline.stats.replayedEvents;
    timeline.goTo(end - 2);
    assert.ok(timeline.stats.replayedEvents - before < end / 2, 'the step back replayed from a rung, not from the start');
    timeline.dispose();
  });

  it('answers a bad moment and a moment past the end of the run, and idles to an end on any budget', () => {
    const timeline = new Timeline({ make: () => machineFrom(compiled, { scenario: sc }), applyEdit: writeEdit, checkpointCount: 1 });
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => timeline.goTo(bad), /is not a moment/);
    timeline.goTo(1_000_000);
    const end = timeline.moment;
    assert.ok(end > 700 && end < 1_000_000 && timeline.machine.finished, `stopped at the end of the run (${end})`);
    let calls = 0;
    while (timeline.idle(performance.now() + 50)) assert.ok(++calls < 100, 'idle comes to an end');
    assert.ok(timeline.checkpoints.length <= 1);
    timeline.goTo(end - 5);
    assert.equal(timeline.moment, end - 5);
    timeline.dispose();
  });
});
