// Eviction through an aperture segment (DXGK_ALLOCATIONINFO.EvictionSegmentSet: "VidMm attempts to
// allocate resources in those aperture segments to accelerate the eviction process. If the driver
// specifies 0, VidMm calls the driver to transfer the content of an allocation directly to
// paged-locked system memory"), on samples/scenarios/eviction-aperture.json with the reference
// driver: the map, the transfer into it and the unmap, in that order; room lacking, straight to
// system memory; the content where it belongs at the end.

import assert from 'node:assert/strict';
import {
  type DXGKARG_BUILDPAGINGBUFFER,
  DXGK_OPERATION_MAP_APERTURE_SEGMENT,
  DXGK_OPERATION_TRANSFER,
  DXGK_OPERATION_UNMAP_APERTURE_SEGMENT,
  PAGE_SIZE,
} from '../../../src/sim/ddi/contract';
import type { MemoryPaths } from '../../../src/sim/kernel/memoryPaths';
import { createMachine, type MachineEvent } from '../../../src/sim/machine';
import { REFERENCE, sampleScenario } from '../verifier/helpers';

type Build = DXGKARG_BUILDPAGINGBUFFER & { Operation: number };
type Entry = Extract<MachineEvent, { kind: 'ddi-entry' }>;

/** The whole sample, with every DxgkDdiBuildPagingBuffer call's arguments as the driver got them and the kernel events. */
async function run() {
  const machine = await createMachine({ driver: REFERENCE, scenario: sampleScenario('eviction-aperture') });
  const builds: { op: number; args: Build }[] = [];
  const events: MachineEvent[] = [];
  for (let e = machine.next(); e; e = machine.next()) {
    if (e.kind === 'error') assert.fail(e.error.message);
    if (e.kind === 'kernel') events.push(e);
    if (e.kind === 'ddi-entry' && (e as Entry).call.ddi === 'DxgkDdiBuildPagingBuffer') {
      // Each call has arguments of its own: kept as they are (hAllocation is the driver's object).
      const args = (e as Entry).call.args as unknown as Build;
      builds.push({ op: args.Operation, args });
    }
  }
  return { machine, builds, events, wdk: machine.kernel.extension as MemoryPaths };
}

const ofAllocation = (b: { args: Build }, name: string, handles: Map<string, unknown>): boolean => {
  const a = b.args as unknown as Record<string, { hAllocation?: unknown } | undefined>;
  const h = handles.get(name);
  return Object.values(a).some((v) => v && typeof v === 'object' && 'hAllocation' in v && v.hAllocation === h);
};

describe('eviction through an aperture segment (EvictionSegmentSet)', () => {
  it("maps the allocation's pages into the aperture segment, transfers the content there, then unmaps it", async () => {
    const { machine, builds, events, wdk } = await run();
    const k = machine.kernel;
    const a = k.byName.get('a')!;
    const gart = machine.gpu.segments.find((s) => s.name === 'gart')!;
    assert.equal(a.info.EvictionSegmentSet, 1 << (gart.id - 1), 'the reference driver named its GART segment for a');
    const handles = new Map([...k.byName].map(([n, x]) => [n, x.hAllocation]));
    const mine = builds.filter((b) => ofAllocation(b, 'a', handles));
    const kinds = mine.map((b) => b.op);
    const map = kinds.indexOf(DXGK_OPERATION_MAP_APERTURE_SEGMENT);
    const unmap = kinds.indexOf(DXGK_OPERATION_UNMAP_APERTURE_SEGMENT);
    assert.ok(map >= 0 && unmap > map, `a map, then an unmap (${kinds.join(', ')})`);
    const between = mine.slice(map + 1, unmap);
    assert.ok(between.length > 0 && between.every((b) => b.op === DXGK_OPERATION_TRANSFER), 'only the transfer between them');
    const m = (mine[map].args as unknown as { MapApertureSegment: { SegmentId: number; OffsetInPages: number; NumberOfPages: number; pMdl: unknown; Flags: { CacheCoherent: boolean } } }).MapApertureSegment;
    assert.equal(m.SegmentId, gart.id);
    assert.equal(m.NumberOfPages, a.size / PAGE_SIZE);
    assert.equal(m.Flags.CacheCoherent, false);
    for (const t of between.map((b) => (b.args as unknown as { Transfer: { Source: { SegmentId: number }; Destination: { SegmentId: number; SegmentAddress: number; pMdl: unknown }; TransferOffset: number; MdlOffset: number } }).Transfer)) {
      assert.notEqual(t.Source.SegmentId, 0, 'from the segment it was resident in');
      assert.equal(t.Destination.SegmentId, gart.id, 'to the aperture segment: a segment address, no MDL');
      assert.equal(t.Destination.pMdl, null);
      assert.equal(t.Destination.SegmentAddress, k.vidmm.segmentAddress(gart.id, m.OffsetInPages * PAGE_SIZE));
      assert.equal(t.MdlOffset, 0);
    }
    const u = (mine[unmap].args as unknown as { UnmapApertureSegment: { SegmentId: number; OffsetInPages: number; NumberOfPages: number; DummyPage: number } }).UnmapApertureSegment;
    assert.deepEqual([u.SegmentId, u.OffsetInPages, u.NumberOfPages], [gart.id, m.OffsetInPages, m.NumberOfPages]);
    assert.equal(u.DummyPage, wdk.aperture.dummyPage());
    // The mapping is gone and the range back on the dummy page; the eviction says how it went.
    assert.equal(wdk.aperture.mapping(a), undefined);
    for (let p = 0; p < u.NumberOfPages; p++) assert.equal(machine.gpu.gartEntry(gart.id, u.OffsetInPages + p).state, 'dummy');
    const eviction = events.find((e) => e.kind === 'kernel' && e.what === 'eviction' && e.data.allocation === 'a')!;
    assert.match(eviction.kind === 'kernel' ? eviction.message : '', /by Transfer through aperture segment gart/);
    assert.equal(wdk.aperture.stats.evictionsThrough, 2);
  });

  it("evicts straight to system memory when the aperture segment has no room, and when EvictionSegmentSet is 0", async () => {
    const { machine, builds, events, wdk } = await run();
    const k = machine.kernel;
    const handles = new Map([...k.byName].map(([n, x]) => [n, x.hAllocation]));
    for (const name of ['big', 'plain']) {
      const mine = builds.filter((b) => ofAllocation(b, name, handles));
      assert.ok(!mine.some((b) => b.op === DXGK_OPERATION_MAP_APERTURE_SEGMENT), `${name} is never mapped`);
      const out = mine.filter((b) => b.op === DXGK_OPERATION_TRANSFER).map((b) => (b.args as unknown as { Transfer: { Destination: { SegmentId: number; pMdl: unknown } } }).Transfer).filter((t) => t.Destination.SegmentId === 0);
      assert.ok(out.length > 0, `${name} is evicted to its MDL`);
      assert.ok(out.every((t) => t.Destination.pMdl === k.byName.get(name)!.mdl));
    }
    assert.equal(wdk.aperture.stats.evictionsDirect, 1, "'big' (256 KiB) finds no hole in the 192 KiB GART segment");
    assert.ok(events.some((e) => e.kind === 'kernel' && e.what === 'aperture-map' && e.data.allocation === 'big' && /straight to system memory/.test(e.message)));
  });

  it('leaves every allocation with the content the workload wrote (the end-of-run verify passes, verifier on)', async () => {
    const { machine, events } = await run();
    assert.ok(events.some((e) => e.kind === 'kernel' && e.what === 'verify' && /end of run: verified 4 allocations/.test(e.message)));
    for (const name of ['a', 'b']) assert.equal(machine.kernel.byName.get(name)!.content, 'valid');
  });
});
