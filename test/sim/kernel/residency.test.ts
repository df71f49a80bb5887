// VidMm residency and VidSch scheduling: render submissions see their allocation list resident,
// LRU eviction order, segment preferences, fences completed only through the driver's interrupt
// and DPC, and the machine's stepping API.

import assert from 'node:assert/strict';
import type { DXGKARG_SUBMITCOMMAND } from '../../../src/sim/ddi/contract';
import { createMachine } from '../../../src/sim/machine';
import { ddiReturns, runScenario, scenario, testDriver, referenceDriver } from './helpers';

describe('kernel: residency and scheduling', () => {
  it('a render DMA buffer is submitted only when every allocation in its list is resident', async () => {
    const checks: boolean[] = [];
    const ref: { machine?: Awaited<ReturnType<typeof createMachine>> } = {};
    const driver = await testDriver((init) => ({
      DxgkDdiSubmitCommand(h, s: DXGKARG_SUBMITCOMMAND) {
        if (!s.Flags.Paging) {
          const render = ref.machine!.kernel.currentStep!.step;
          if (render.op === 'render') {
            const state = ref.machine!.state();
            checks.push(render.allocations.every((id) => state.allocations.find((a) => a.name === id)?.residency === 'resident'));
          }
        }
        return init.DxgkDdiSubmitCommand(h, s);
      },
    }));
    const machine = (ref.machine = await createMachine({
      driver,
      scenario: scenario({
        generate: { seed: 4, allocations: 12, steps: 60, minSize: '16KiB', maxSize: '192KiB', allocationsPerRender: 3 },
      }),
    }));
    const result = machine.run();
    assert.equal(result.ok, true, result.error?.message);
    assert.ok(checks.length > 10);
    assert.ok(checks.every(Boolean));
    assert.ok(result.stats.evictions > 0, 'the workload needed evictions');
  });

  it('evicts the least recently used allocation first', async () => {
    const run = await runScenario(
      await referenceDriver(),
      scenario({
        adapter: { segments: [{ name: 'vram', kind: 'memory', size: '256KiB', cpuVisible: true }] },
        workload: [
          { op: 'create', id: 'a', size: '64KiB' },
          { op: 'create', id: 'b', size: '64KiB' },
          { op: 'create', id: 'c', size: '64KiB' },
          { op: 'create', id: 'd', size: '64KiB' },
          { op: 'create', id: 'e', size: '64KiB' },
          { op: 'render', allocations: ['a'] },
          { op: 'render', allocations: ['b'] },
          { op: 'render', allocations: ['c'] },
          { op: 'render', allocations: ['d'] },
          { op: 'render', allocations: ['a'] },
          { op: 'render', allocations: ['e'] },
        ],
      }),
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    const evicted = run.events.filter((e) => e.kind === 'kernel' && e.what === 'eviction').map((e) => (e as unknown as { data: { allocation: string } }).data.allocation);
    assert.deepEqual(evicted, ['b'], 'a was used again after b, so b is the least recently used');
  });

  it('places allocations by the driver\'s preference: CPU-visible ones only where the CPU sees them', async () => {
    const run = await runScenario(
      await referenceDriver(),
      scenario({
        workload: [
          { op: 'create', id: 'visible', size: '64KiB', cpuVisible: true },
          { op: 'create', id: 'hidden', size: '64KiB' },
          { op: 'render', allocations: ['visible', 'hidden'] },
        ],
      }),
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    const state = run.machine.state();
    const seg = (name: string): string => state.segments.find((s) => s.id === state.allocations.find((a) => a.name === name)!.segmentId)!.name;
    assert.equal(seg('visible'), 'vram');
    assert.equal(seg('hidden'), 'local');
  });

  it('moves an allocation to its preferred segment when that has room again: a Transfer between segments', async () => {
    const run = await runScenario(
      await referenceDriver(),
      scenario({
        workload: [
          { op: 'create', id: 'big', size: '480KiB' },
          { op: 'render', allocations: ['big'] },
          { op: 'create', id: 'a', size: '64KiB' },
          { op: 'write', id: 'a', seed: 2 },
          { op: 'render', allocations: ['a', 'big'], write: ['a'] },
          { op: 'destroy', id: 'big' },
          { op: 'render', allocations: ['a'] },
          { op: 'verify' },
        ],
      }),
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    const moves = ddiReturns(run.events, 'DxgkDdiBuildPagingBuffer').filter((e) => {
      const t = (e.call.args as { Transfer?: { Source: { SegmentId: number }; Destination: { SegmentId: number } } }).Transfer;
      return t && t.Source.SegmentId !== 0 && t.Destination.SegmentId !== 0;
    });
    assert.equal(moves.length, 1);
    const t = (moves[0].call.args as { Transfer: { Source: { SegmentId: number }; Destination: { SegmentId: number } } }).Transfer;
    assert.deepEqual([t.Source.SegmentId, t.Destination.SegmentId], [1, 2], 'from vram (segment 1) to local (segment 2)');
    assert.equal(run.result.stats.relocations, 1);
    assert.equal(run.machine.state().allocations.find((x) => x.name === 'a')!.segmentId, 2);
  });

  it('completes fences only through DxgkDdiInterruptRoutine and DxgkDdiDpcRoutine; a DPC that never calls DxgkCbNotifyDpc is reported, not hung', async () => {
    const driver = await testDriver(() => ({
      DxgkDdiDpcRoutine() {
        // Forgets DxgkCbNotifyDpc: the kernel never learns the buffers completed.
      },
    }));
    const run = await runScenario(driver, scenario({ workload: [{ op: 'create', id: 'a', size: '64KiB' }, { op: 'render', allocations: ['a'] }, { op: 'wait' }] }));
    assert.equal(run.result.ok, false);
    assert.equal(run.result.error!.category, 'driver');
    // Said when the DPC returns (verifier rule dpc-not-notified), not found later as a hang.
    assert.equal(run.result.error!.rule, 'dpc-not-notified', run.result.error!.message);
    assert.match(run.result.error!.message, /DxgkDdiDpcRoutine returned without calling DxgkCbNotifyDpc/);
  });

  it('two engines: render buffers on engine 1 wait for the paging buffers of engine 0', async () => {
    const run = await runScenario(
      await referenceDriver(),
      scenario({
        adapter: { engines: 2, segments: [{ name: 'vram', kind: 'memory', size: '256KiB', cpuVisible: true }] },
        generate: { seed: 9, allocations: 8, steps: 40, minSize: '16KiB', maxSize: '96KiB', allocationsPerRender: 2 },
      }),
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    const engines = new Set(run.events.filter((e) => e.kind === 'kernel' && e.what === 'fence-completed').map((e) => (e as unknown as { data: { engine: number } }).data.engine));
    assert.deepEqual([...engines].sort(), [0, 1]);
  });

  it('a host can step event by event, stop at a DDI entry and read the state between steps', async () => {
    const machine = await createMachine({
      driver: await referenceDriver(),
      scenario: scenario({ workload: [{ op: 'create', id: 'a', size: '64KiB' }, { op: 'write', id: 'a' }, { op: 'render', allocations: ['a'] }] }),
    });
    const e = machine.runUntil((x) => x.kind === 'ddi-entry' && x.call.ddi === 'DxgkDdiBuildPagingBuffer');
    assert.ok(e && e.kind === 'ddi-entry');
    const state = machine.state();
    assert.equal(state.currentDdi?.ddi, 'DxgkDdiBuildPagingBuffer');
    assert.equal(state.step?.op, 'render');
    assert.ok(state.frames.some((f) => f.includes("page in 'a'")), state.frames.join(' | '));
    const args = state.currentDdi!.args as { MultipassOffset: number; pDmaBuffer: { Offset: number } };
    assert.equal(args.MultipassOffset, 0);
    const ret = machine.runUntil((x) => x.kind === 'ddi-return');
    assert.ok(ret && ret.kind === 'ddi-return' && ret.call.ddi === 'DxgkDdiBuildPagingBuffer');
    assert.ok(args.pDmaBuffer.Offset > 0, 'the driver wrote instructions');
    const instr = machine.runUntil((x) => x.kind === 'instruction');
    assert.ok(instr && instr.kind === 'instruction');
    machine.stop();
    assert.equal(machine.finished, true);
    assert.equal(machine.next(), undefined);
  });
});
