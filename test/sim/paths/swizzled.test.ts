// Swizzled allocations as the application sees them ("Mapping Virtual Addresses to a Memory
// Segment"): the content check reads a resident swizzled surface back linearly and records the
// GPU's tile writes where the application sees them; sub-transfers smaller than a tile band; raw
// moves (hAllocation NULL) that keep the tiled layout.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DXGKARG_BUILDPAGINGBUFFER, DXGK_OPERATION_TRANSFER } from '../../../src/sim/ddi/contract';
import type { MemoryPaths } from '../../../src/sim/kernel/memoryPaths';
import { decodeAll } from '../../../src/isa/encoding';
import { createMachine } from '../../../src/sim/machine';
import { parseScenario } from '../../../src/sim/scenario';
import type { ScenarioFile } from '../../../src/sim/scenario/types';
import { ddiReturns, referenceDriver, runScenario, SAMPLES, scenario, testDriver } from '../kernel/helpers';

const sample = (name: string) => parseScenario(readFileSync(join(SAMPLES, `${name}.json`), 'utf8'), `${name}.json`);

/** A resident swizzled surface the CPU and then the GPU write, verified while resident. */
const RESIDENT: ScenarioFile = {
  workload: [
    { op: 'create', id: 'surface', size: '128KiB', cpuVisible: true, fill: 0x01020304, privateData: { swizzled: true, pitch: 1024 } },
    { op: 'write', id: 'surface', seed: 5 },
    { op: 'render', allocations: ['surface'], write: ['surface'] },
    { op: 'verify' },
  ],
};

describe('the content check sees swizzled allocations as the application does', function () {
  this.timeout(60000);

  it('eviction and page-in of a filled surface move no byte: a band of uniform memory is filled in the other layout, and verify finds it right', async () => {
    const s = scenario({
      adapter: { segments: [{ name: 'vram', kind: 'memory', size: '64MiB', cpuVisible: true }], systemMemory: '256MiB' },
      workload: [
        { op: 'create', id: 's', size: '16MiB', fill: 0x01020304, privateData: { swizzled: true, pitch: 4096 } },
        { op: 'render', allocations: ['s'], write: ['s'] },
        { op: 'pressure', bytes: '64MiB' },
        { op: 'verify' },
        { op: 'render', allocations: ['s'] },
        { op: 'verify' },
      ],
    });
    const run = await runScenario(await referenceDriver(), s, { keep: () => false });
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.ok(run.result.stats.evictions >= 1 && run.result.stats.pageIns >= 2);
    // 16 MiB unswizzled out and swizzled back in: the memories hold the rendered band and the driver's buffers, not the surface.
    assert.ok(run.machine.gpu.heldBytes() < 4 * 1024 * 1024, `${run.machine.gpu.heldBytes()} bytes held`);
  });

  it('a GPU-written resident swizzled surface verifies clean with the reference driver, and reads what the CPU sees through the aperture', async () => {
    const run = await runScenario(await referenceDriver(), scenario(RESIDENT), { keep: () => false });
    assert.equal(run.result.ok, true, run.result.error?.message);
    // The check's linear view is the application's view through an unswizzling range.
    const machine = await createMachine({ driver: await referenceDriver(), scenario: scenario({ workload: [...RESIDENT.workload!, { op: 'lock', id: 'surface', mode: 'aperture' }] }) });
    const r = machine.run();
    assert.equal(r.ok, true, r.error?.message);
    const a = machine.kernel.byName.get('surface')!;
    assert.equal(a.residency, 'resident');
    const seen = (machine.kernel.extension as MemoryPaths).cpu.read(a, 0, a.size);
    assert.deepEqual(machine.kernel.content.read(a), seen);
    assert.deepEqual(machine.kernel.shadow.get(a)!.bytes(), seen);
    assert.notDeepEqual(machine.gpu.readSegment(a.segmentId, a.offset, a.size), seen, 'in the segment the bits are tiled');
  });

  it('a driver that never swizzles (copies a swizzled surface as raw bytes into its segment) is caught', async () => {
    const raw = await testDriver((init) => ({
      DxgkDdiBuildPagingBuffer(h, args: DXGKARG_BUILDPAGINGBUFFER) {
        if (args.Operation !== DXGK_OPERATION_TRANSFER) return init.DxgkDdiBuildPagingBuffer(h, args);
        // The reference driver, told nothing about the allocation: it copies without (un)swizzling.
        const copy = { ...args, Transfer: { ...args.Transfer, hAllocation: null } };
        const status = init.DxgkDdiBuildPagingBuffer(h, copy);
        args.MultipassOffset = copy.MultipassOffset;
        args.DmaSize = copy.DmaSize;
        return status;
      },
    }));
    const run = await runScenario(raw, scenario(RESIDENT), { keep: () => false });
    assert.equal(run.result.ok, false);
    assert.equal(run.result.error!.category, 'verify');
    assert.match(run.result.error!.message, /content of 'surface' is wrong at byte \d+ .*resident/);
  });
});

describe('sub-transfers smaller than a tile band', function () {
  this.timeout(60000);

  it('swizzled-surface.json: 16 KiB sub-transfers move whole bands of \'texture\' (pitch 256) with one swizzle or unswizzle each, and parts of \'surface\'\'s 64 KiB bands tile row by tile row; nothing is lost', async () => {
    const machine = await createMachine({ driver: await referenceDriver(), scenario: sample('swizzled-surface') });
    const used = new Map<string, Set<string>>();
    const begin = new Map<number, number>();
    const r = machine.run((e) => {
      if ((e.kind !== 'ddi-entry' && e.kind !== 'ddi-return') || e.call.ddi !== 'DxgkDdiBuildPagingBuffer') return;
      const args = e.call.args as unknown as DXGKARG_BUILDPAGINGBUFFER;
      if (args.Operation !== DXGK_OPERATION_TRANSFER) return;
      const t = args.Transfer;
      const surface = t.hAllocation as { swizzled?: boolean; pitch: number } | null;
      if (!surface?.swizzled || (t.Source.SegmentId === 0) === (t.Destination.SegmentId === 0)) return;
      if (e.kind === 'ddi-entry') {
        assert.ok(t.TransferSize <= 16 * 1024);
        begin.set(e.call.id, args.pDmaBuffer.Offset);
        return;
      }
      const names = used.get(String(surface.pitch)) ?? new Set<string>();
      for (const d of decodeAll(args.pDmaBuffer.Bytes, begin.get(e.call.id)!, args.pDmaBuffer.Offset)) if (d.ok) names.add(d.instr.op.mnemonic);
      used.set(String(surface.pitch), names);
    });
    assert.equal(r.ok, true, r.error?.message);
    assert.deepEqual([...used.get('256')!].sort(), ['swizzle', 'unswizzle'], 'whole bands');
    assert.deepEqual([...used.get('1024')!], ['copy'], 'tile rows');
    assert.ok(r.stats.subTransfers >= 4 * r.stats.transfers);
  });
});

describe('VidMm\'s own raw moves: transfers with hAllocation NULL', function () {
  this.timeout(60000);

  it('compaction.json: the defragment step moves allocations down by Transfers with hAllocation NULL, in chunks no larger than the distance, and the swizzled one keeps its layout', async () => {
    const run = await runScenario(await referenceDriver(), sample('compaction'));
    assert.equal(run.result.ok, true, run.result.error?.message);
    const raw = ddiReturns(run.events, 'DxgkDdiBuildPagingBuffer')
      .map((e) => e.call.args as unknown as DXGKARG_BUILDPAGINGBUFFER)
      .filter((a) => a.Operation === DXGK_OPERATION_TRANSFER && a.Transfer.hAllocation === null)
      .map((a) => (a.Operation === DXGK_OPERATION_TRANSFER ? a.Transfer : undefined)!);
    assert.equal(raw.length, 5, 'tiles in 2 sub-transfers of 32 KiB, mesh in 3');
    for (const t of raw) {
      assert.ok(t.Source.SegmentId !== 0 && t.Source.SegmentId === t.Destination.SegmentId, 'within the segment');
      assert.equal(t.Source.SegmentAddress - t.Destination.SegmentAddress, 32 * 1024, 'down by the hole');
      assert.ok(t.TransferSize <= 32 * 1024);
    }
    const moves = run.events.filter((e) => e.kind === 'kernel' && e.what === 'relocation' && e.data.raw === true);
    assert.deepEqual(moves.map((e) => e.kind === 'kernel' && e.data.allocation), ['tiles', 'mesh']);
  });

  it('a locked allocation is not moved: the CPU reaches it at its place in the aperture', async () => {
    const run = await runScenario(
      await referenceDriver(),
      scenario({
        workload: [
          { op: 'create', id: 'x', size: '64KiB', cpuVisible: true },
          { op: 'create', id: 'y', size: '64KiB', cpuVisible: true },
          { op: 'render', allocations: ['x', 'y'] },
          { op: 'destroy', id: 'x' },
          { op: 'lock', id: 'y', mode: 'aperture' },
          { op: 'defragment' },
          { op: 'write', id: 'y', seed: 3 },
          { op: 'unlock', id: 'y' },
          { op: 'defragment', segment: 'vram' },
          { op: 'verify' },
        ],
      }),
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    const moves = run.events.filter((e) => e.kind === 'kernel' && e.what === 'compaction').map((e) => e.kind === 'kernel' && e.data.moved);
    assert.deepEqual(moves, [0, 1]);
  });

  it('defragmenting a segment that is not a memory segment names the memory segments', async () => {
    const run = await runScenario(await referenceDriver(), scenario({ workload: [{ op: 'defragment', segment: 'gart' }] }), { keep: () => false });
    assert.equal(run.result.error?.category, 'scenario');
    assert.match(run.result.error!.message, /'gart' is not a memory segment \(memory segments: vram, local\)/);
    assert.equal(run.result.error!.path, '/workload/0');
  });
});
