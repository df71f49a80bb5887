// Overlay and capture allocations (DXGK_ALLOCATIONINFOFLAGS): "Overlay allocations are pinned in
// memory, and the video memory manager cannot evict them unless the Timeout Detection and Recovery
// (TDR) process, Plug and Play (PnP) stop, or level three synchronization occurs ... By default,
// overlay allocations are limited and cannot occupy more than the last 20 percent of a segment";
// capture allocations likewise. With the reference driver: where they are placed, that pressure,
// compaction and other renders leave them there, and what a workload that needs one evicted, or one
// too large for the last fifth, is told.

import assert from 'node:assert/strict';
import type { MachineEvent } from '../../../src/sim/machine';
import { REFERENCE, sampleScenario } from '../verifier/helpers';
import { runScenario, scenario } from './helpers';

const ADAPTER = { segments: [{ name: 'vram', kind: 'memory' as const, size: '512KiB', cpuVisible: true }], systemMemory: '64MiB', commonBufferBudget: '4MiB' };

const kernelEvents = (events: MachineEvent[], what: string) => events.filter((e): e is Extract<MachineEvent, { kind: 'kernel' }> => e.kind === 'kernel' && e.what === what);

describe('pinned allocations (Overlay, Capture)', () => {
  it('the sample: placed in the last fifth of the segment, and never evicted or moved by renders, pressure or compaction', async () => {
    const run = await runScenario(REFERENCE, sampleScenario('overlay'));
    assert.equal(run.result.ok, true, run.result.error?.message);
    const k = run.machine.kernel;
    // The last fifth of 512 KiB in whole pages: 25 pages, from 0x67000.
    assert.equal(k.byName.get('overlay')!.offset, 0x67000);
    assert.equal(k.byName.get('capture')!.offset, 0x77000);
    for (const name of ['overlay', 'capture']) {
      const a = k.byName.get(name)!;
      assert.equal(a.residency, 'resident', `${name} is still resident`);
      assert.equal(kernelEvents(run.events, 'page-in').filter((e) => e.data.allocation === name).length, 1, `${name} was paged in once`);
      assert.equal(kernelEvents(run.events, 'eviction').filter((e) => e.data.allocation === name).length, 0, `${name} was never evicted`);
      assert.equal(kernelEvents(run.events, 'relocation').filter((e) => e.data.allocation === name).length, 0, `${name} was never moved`);
    }
    // The others were evicted under pressure all the same.
    assert.ok(kernelEvents(run.events, 'eviction').length >= 3);
  });

  it('a render that needs the pinned room too cannot be made resident, and says how much is free', async () => {
    const run = await runScenario(
      REFERENCE,
      scenario({
        adapter: ADAPTER,
        workload: [
          { op: 'create', id: 'overlay', size: '64KiB', privateData: { overlay: true } },
          { op: 'create', id: 'big', size: '480KiB' },
          { op: 'render', allocations: ['overlay'] },
          { op: 'render', allocations: ['big'] },
        ],
      }),
    );
    assert.equal(run.result.ok, false);
    assert.match(run.result.error!.message, /cannot make 'big' \(491520 bytes\) resident: vram has 458752 of 524288 bytes free .*; 65536 bytes are pinned overlay or capture allocations \('overlay'\)\)$/);
    assert.equal(run.machine.kernel.byName.get('overlay')!.residency, 'resident');
  });

  it('a step that needs a pinned allocation evicted (a CPU lock in system memory) is refused, saying why', async () => {
    const run = await runScenario(
      REFERENCE,
      scenario({
        adapter: ADAPTER,
        workload: [
          { op: 'create', id: 'capture', size: '32KiB', cpuVisible: true, privateData: { capture: true } },
          { op: 'render', allocations: ['capture'] },
          { op: 'lock', id: 'capture', mode: 'system' },
        ],
      }),
    );
    assert.equal(run.result.ok, false);
    assert.match(run.result.error!.message, /'capture' is pinned in memory \(Flags\.Capture\): VidMm cannot evict it/);
  });

  it('one placed in a less preferred segment stays there when its preferred segment has room again', async () => {
    // The reference driver prefers 'local' for allocations the CPU does not see, then 'vram'. The last
    // fifth of 'local' (25 pages) holds 'first'; 'second' goes to the last fifth of 'vram'.
    const run = await runScenario(
      REFERENCE,
      scenario({
        workload: [
          { op: 'create', id: 'first', size: '96KiB', privateData: { overlay: true } },
          { op: 'create', id: 'second', size: '64KiB', privateData: { overlay: true }, fill: 0x5a5a5a5a },
          { op: 'render', allocations: ['first'] },
          { op: 'render', allocations: ['second'] },
          { op: 'destroy', id: 'first' },
          { op: 'render', allocations: ['second'] },
          { op: 'verify' },
        ],
      }),
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    const k = run.machine.kernel;
    const second = k.byName.get('second')!;
    assert.equal(k.vidmm.segment(second.segmentId)!.name, 'vram');
    assert.equal(kernelEvents(run.events, 'relocation').filter((e) => e.data.allocation === 'second').length, 0, 'never moved');
  });

  it('one larger than the last fifth of every segment it may use is refused when it is created', async () => {
    const run = await runScenario(REFERENCE, scenario({ adapter: ADAPTER, workload: [{ op: 'create', id: 'overlay', size: '128KiB', privateData: { overlay: true } }] }));
    assert.equal(run.result.ok, false);
    assert.match(run.result.error!.message, /'overlay' \(131072 bytes\) is pinned \(Flags\.Overlay\), and "overlay allocations are limited and cannot occupy more than the last 20 percent of a segment": the last fifth of vram is smaller/);
  });
});
