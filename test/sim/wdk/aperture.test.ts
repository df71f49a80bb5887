// Aperture segments (DxgkDdiBuildPagingBuffer: MapApertureSegment, UnmapApertureSegment, ReadPhysical,
// WritePhysical, Fill) on samples/scenarios/aperture.json with the reference driver.

import assert from 'node:assert/strict';
import {
  type DXGKARG_BUILDPAGINGBUFFER,
  DXGK_OPERATION_FILL,
  DXGK_OPERATION_MAP_APERTURE_SEGMENT,
  DXGK_OPERATION_READ_PHYSICAL,
  DXGK_OPERATION_UNMAP_APERTURE_SEGMENT,
  DXGK_OPERATION_WRITE_PHYSICAL,
  PAGE_SIZE,
} from '../../../src/sim/ddi/contract';
import type { WdkKernel } from '../../../src/sim/kernel/wdk';
import { createMachine, type MachineEvent } from '../../../src/sim/machine';
import { REFERENCE, sampleScenario } from '../verifier/helpers';

type Ret = Extract<MachineEvent, { kind: 'ddi-return' }>;
const builds = (events: MachineEvent[], op: number): DXGKARG_BUILDPAGINGBUFFER[] =>
  events
    .filter((e): e is Ret => e.kind === 'ddi-return' && e.call.ddi === 'DxgkDdiBuildPagingBuffer' && (e.call.args as { Operation: number }).Operation === op)
    .map((e) => e.call.args as unknown as DXGKARG_BUILDPAGINGBUFFER);

async function start() {
  const machine = await createMachine({ driver: REFERENCE, scenario: sampleScenario('aperture') });
  const events: MachineEvent[] = [];
  const until = (p: (e: MachineEvent) => boolean): MachineEvent => {
    for (let e = machine.next(); e; e = machine.next()) {
      if (e.kind !== 'instruction') events.push(e);
      assert.notEqual(e.kind, 'error', e.kind === 'error' ? e.error.message : '');
      if (p(e)) return e;
    }
    assert.fail('the run ended first');
  };
  return { machine, events, until, wdk: machine.kernel.extension as WdkKernel };
}

const kernel = (what: string, allocation?: string) => (e: MachineEvent) => e.kind === 'kernel' && e.what === what && (allocation === undefined || e.data.allocation === allocation);

describe('aperture segments', () => {
  it('MapApertureSegment points the GART at the allocation\'s pages; CacheCoherent for cacheable memory in a cache-coherent segment', async () => {
    const { machine, events, until } = await start();
    until(kernel('aperture-map', 'ring'));
    const a = machine.kernel.byName.get('ring')!;
    const [map] = builds(events, DXGK_OPERATION_MAP_APERTURE_SEGMENT);
    const m = (map as Extract<DXGKARG_BUILDPAGINGBUFFER, { Operation: 5 }>).MapApertureSegment;
    assert.equal(m.Flags.CacheCoherent, true);
    assert.equal(m.NumberOfPages, a.size / PAGE_SIZE);
    assert.equal(m.pMdl, a.mdl);
    for (let p = 0; p < m.NumberOfPages; p++) {
      const g = machine.gpu.gartEntry(m.SegmentId, m.OffsetInPages + p);
      assert.deepEqual(g, { state: 'mapped', physical: a.pages[p], coherent: true });
    }
  });

  it('a write-combined allocation is never mapped CacheCoherent, even into a cache-coherent segment', async () => {
    const { machine, events, until } = await start();
    until(kernel('aperture-map', 'upload'));
    const maps = builds(events, DXGK_OPERATION_MAP_APERTURE_SEGMENT).map((b) => (b as Extract<DXGKARG_BUILDPAGINGBUFFER, { Operation: 5 }>).MapApertureSegment);
    assert.equal(maps.length, 2);
    assert.equal(machine.gpu.segments.find((s) => s.id === maps[1].SegmentId)!.cacheCoherent, true);
    assert.equal(maps[1].Flags.CacheCoherent, false);
    assert.equal(machine.gpu.gartEntry(maps[1].SegmentId, maps[1].OffsetInPages).coherent, false);
  });

  it('UnmapApertureSegment leaves the range on the dummy page, GPU access enabled', async () => {
    const { machine, events, until, wdk } = await start();
    until(kernel('aperture-unmap', 'ring'));
    const [u] = builds(events, DXGK_OPERATION_UNMAP_APERTURE_SEGMENT).map((b) => (b as Extract<DXGKARG_BUILDPAGINGBUFFER, { Operation: 6 }>).UnmapApertureSegment);
    assert.equal(u.DummyPage, wdk.aperture.dummyPage());
    for (let p = 0; p < u.NumberOfPages; p++) {
      assert.deepEqual(machine.gpu.gartEntry(u.SegmentId, u.OffsetInPages + p), { state: 'dummy', physical: u.DummyPage, coherent: false });
    }
  });

  it('before the CPU reads aperture memory the GPU wrote, VidMm has the driver build WritePhysical and ReadPhysical; the CPU then reads the GPU\'s value', async () => {
    const { machine, events, until } = await start();
    until(kernel('physical', 'ring'));
    const read = until(kernel('physical', 'ring'));
    assert.ok(read.kind === 'kernel');
    assert.equal(read.data.value, 0xdeadbeef);
    const a = machine.kernel.byName.get('ring')!;
    const [rp] = builds(events, DXGK_OPERATION_READ_PHYSICAL).map((b) => (b as Extract<DXGKARG_BUILDPAGINGBUFFER, { Operation: 3 }>).ReadPhysical);
    const [wp] = builds(events, DXGK_OPERATION_WRITE_PHYSICAL).map((b) => (b as Extract<DXGKARG_BUILDPAGINGBUFFER, { Operation: 4 }>).WritePhysical);
    assert.equal(rp.PhysicalAddress, a.pages[0] + 64);
    assert.ok(wp, 'a WritePhysical too');
    const order = events.filter((e) => e.kind === 'ddi-return' && e.call.ddi === 'DxgkDdiBuildPagingBuffer').map((e) => (e as Ret).call.args.Operation);
    assert.ok(order.indexOf(DXGK_OPERATION_WRITE_PHYSICAL) < order.indexOf(DXGK_OPERATION_READ_PHYSICAL));
  });

  it('VidMm never asks for a fill of an aperture segment; the content survives the aperture round trip', async () => {
    const machine = await createMachine({ driver: REFERENCE, scenario: sampleScenario('aperture') });
    const events: MachineEvent[] = [];
    const r = machine.run((e) => e.kind !== 'instruction' && events.push(e));
    assert.equal(r.ok, true, r.error?.message);
    const apertures = new Set(machine.gpu.segments.filter((s) => s.kind === 'aperture').map((s) => s.id));
    const fills = builds(events, DXGK_OPERATION_FILL).map((b) => (b as Extract<DXGKARG_BUILDPAGINGBUFFER, { Operation: 1 }>).Fill);
    assert.ok(fills.length > 0, 'the final render fills new content in a memory segment');
    for (const f of fills) assert.ok(!apertures.has(f.Destination.SegmentId));
    assert.ok(events.some((e) => e.kind === 'kernel' && e.what === 'verify'), 'the final verify ran and matched');
  });
});

describe('aperture segments that are not cache coherent', () => {
  it('CacheCoherent is never set on a non-cache-coherent aperture segment, even for cacheable memory', async () => {
    const s = sampleScenario('aperture');
    const gart = s.adapter.segments.find((x) => x.kind === 'aperture')!;
    gart.cacheCoherent = false;
    const machine = await createMachine({ driver: REFERENCE, scenario: s });
    const events: MachineEvent[] = [];
    const r = machine.run((e) => e.kind !== 'instruction' && events.push(e));
    assert.equal(r.ok, true, r.error?.message);
    const maps = builds(events, DXGK_OPERATION_MAP_APERTURE_SEGMENT).map((b) => (b as Extract<DXGKARG_BUILDPAGINGBUFFER, { Operation: 5 }>).MapApertureSegment);
    assert.equal(maps.length, 2);
    for (const m of maps) assert.equal(m.Flags.CacheCoherent, false);
  });
});
