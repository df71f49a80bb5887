// Aperture segments (DxgkDdiBuildPagingBuffer: MapApertureSegment, UnmapApertureSegment, ReadPhysical,
// WritePhysical, Fill) on samples/scenarios/aperture.json with the reference driver; an unmap judged
// by where the range leads; VidMm's probe of unmapped ranges through its dummy page.

import assert from 'node:assert/strict';
import {
  type DXGKARG_BUILDPAGINGBUFFER,
  DXGK_OPERATION_FILL,
  DXGK_OPERATION_MAP_APERTURE_SEGMENT,
  DXGK_OPERATION_READ_PHYSICAL,
  DXGK_OPERATION_UNMAP_APERTURE_SEGMENT,
  DXGK_OPERATION_WRITE_PHYSICAL,
  PAGE_SIZE,
  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER,
  STATUS_SUCCESS,
} from '../../../src/sim/ddi/contract';
import { PAGE_LIST_HEADER_BYTES, instructionSize, mdlLocation, writeInstruction } from '../../../src/sim/ddi/gpu';
import { testDriver } from '../kernel/helpers';
import { Steps } from '../../../src/sim/scenario';
import type { MemoryPaths } from '../../../src/sim/kernel/memoryPaths';
import { createMachine, type MachineEvent } from '../../../src/sim/machine';
import { buggyDriver, REFERENCE, runSample, sampleScenario } from '../verifier/helpers';

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
  return { machine, events, until, wdk: machine.kernel.extension as MemoryPaths };
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

/** A small aperture workload: map, unmap, map again, render. */
const MAP_UNMAP = () => {
  const s = sampleScenario('aperture');
  s.steps = Steps.of(s.steps.toArray().filter((x) => ['create', 'write', 'map-aperture', 'unmap-aperture', 'verify'].includes(x.op)));
  return s;
};

/** Replaces the reference driver's unmap (and optionally map) with `build`; everything else is the reference's. */
async function apertureDriver(over: Partial<Record<'map' | 'unmap', (args: DXGKARG_BUILDPAGINGBUFFER, state: { list: { bytes: Uint8Array; physical: number } }) => number>>) {
  const state: { list: { bytes: Uint8Array; physical: number } } = { list: { bytes: new Uint8Array(0) as Uint8Array, physical: 0 } };
  return testDriver((init) => ({
    DxgkDdiStartDevice(ctx, info, dxgk) {
      const status = init.DxgkDdiStartDevice(ctx, info, dxgk);
      // Room for a page list of up to 511 pages, for the unmap through `apmap`.
      const mem = { NumberOfBytes: PAGE_SIZE, pVirtualAddress: null as Uint8Array | null, PhysicalAddress: 0 };
      dxgk.DxgkCbAllocateContiguousMemory(dxgk.DeviceHandle, mem);
      state.list = { bytes: mem.pVirtualAddress!, physical: mem.PhysicalAddress };
      return status;
    },
    DxgkDdiBuildPagingBuffer(h, args) {
      if (args.Operation === DXGK_OPERATION_UNMAP_APERTURE_SEGMENT && over.unmap) return over.unmap(args, state);
      if (args.Operation === DXGK_OPERATION_MAP_APERTURE_SEGMENT && over.map) return over.map(args, state);
      return init.DxgkDdiBuildPagingBuffer(h, args);
    },
  }));
}

function emit(args: DXGKARG_BUILDPAGINGBUFFER, mnemonic: string, operands: Parameters<typeof writeInstruction>[3]): number {
  if (args.DmaSize < instructionSize(mnemonic)) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
  const n = writeInstruction(args.pDmaBuffer.Bytes, args.pDmaBuffer.Offset, mnemonic, operands);
  args.pDmaBuffer.Offset += n;
  args.DmaSize -= n;
  return STATUS_SUCCESS;
}

describe('an unmap is judged by where the range leads, not by the instruction', () => {
  it('a correct driver that unmaps by mapping the range onto the dummy page (apmap of a page list of DummyPage) runs clean', async () => {
    const driver = await apertureDriver({
      unmap(args, { list }) {
        const u = (args as Extract<DXGKARG_BUILDPAGINGBUFFER, { Operation: 6 }>).UnmapApertureSegment;
        const v = new DataView(list.bytes.buffer, list.bytes.byteOffset, list.bytes.byteLength);
        v.setUint32(0, u.NumberOfPages, true);
        v.setUint32(4, 0, true);
        for (let i = 0; i < u.NumberOfPages; i++) v.setBigUint64(PAGE_LIST_HEADER_BYTES + i * 8, BigInt(u.DummyPage), true);
        return emit(args, 'apmap', [u.SegmentId, u.OffsetInPages, u.NumberOfPages, mdlLocation(list.physical, 0)]);
      },
    });
    const machine = await createMachine({ driver, scenario: sampleScenario('aperture') });
    const r = machine.run();
    assert.equal(r.ok, true, r.error?.message);
    const wdk = machine.kernel.extension as MemoryPaths;
    assert.equal(wdk.aperture.stats.unmaps, 2);
    assert.ok(wdk.aperture.stats.probedPages >= 12, 'VidMm probed the unmapped ranges through the dummy page, and they lead there');
  });
});

describe('VidMm probes unmapped aperture ranges through its dummy page', () => {
  it('after each unmap, VidMm reads through every page of the range and reaches its dummy page (the reference driver)', async () => {
    const machine = await createMachine({ driver: REFERENCE, scenario: sampleScenario('aperture') });
    const events: MachineEvent[] = [];
    const r = machine.run((e) => e.kind !== 'instruction' && events.push(e));
    assert.equal(r.ok, true, r.error?.message);
    const wdk = machine.kernel.extension as MemoryPaths;
    assert.equal(wdk.aperture.stats.probedPages, 4 + 8, "'ring' (4 pages) and 'upload' (8 pages)");
    assert.ok(machine.gpu.dummyPageAccesses().count >= 12);
    const probes = events.filter((e) => e.kind === 'kernel' && e.what === 'submission' && String(e.data.label).startsWith('VidMm probe of gart'));
    assert.equal(probes.length, 2);
  });

  it('with the verifier off, an unmap that parks the range on another page is reported by VidMm in its own words', async () => {
    const run = await runSample(buggyDriver('unmap-not-dummy-page'), 'aperture', { verifier: false });
    assert.equal(run.result.ok, false);
    const err = run.result.error!;
    assert.equal(err.rule, undefined);
    assert.equal(err.category, 'driver');
    assert.match(err.message, /^VidMm cannot use the unmapped part of aperture segment gart: after UnmapApertureSegment of 'ring' it probed page 0 through the dummy page 0x[0-9a-f]+, and a GPU read through it returned 00 00 00 00 00 00 00 00, not the mark VidMm wrote on its dummy page \(the GART entry is on physical page 0x0\)/);
    assert.match(err.location!.file, /unmap-not-dummy-page\.ts$/);
  });

  it('an unmap that writes no unmapping at all, over a page the map left invalid: the probe faults, and VidMm says what it means', async () => {
    const driver = await apertureDriver({
      // Maps all pages but the first, and "unmaps" with a nop.
      map(args) {
        const m = (args as Extract<DXGKARG_BUILDPAGINGBUFFER, { Operation: 5 }>).MapApertureSegment;
        return emit(args, 'apmap', [m.SegmentId, m.OffsetInPages + 1, m.NumberOfPages - 1, mdlLocation(m.pMdl.PageListPhysicalAddress, (m.MdlOffset + 1) * PAGE_SIZE)]);
      },
      unmap: (args) => emit(args, 'nop', []),
    });
    const machine = await createMachine({ driver, scenario: MAP_UNMAP(), verifier: false });
    const r = machine.run();
    assert.equal(r.ok, false);
    assert.equal(r.error!.category, 'driver');
    assert.match(r.error!.message, /^VidMm cannot use the unmapped part of aperture segment gart: after UnmapApertureSegment of 'ring' it probed page 0 through the dummy page 0x[0-9a-f]+, and the GPU faulted reading through it \(unmapped-aperture-page: .*\) \(the GART entry is invalid\)/);
  });
});
