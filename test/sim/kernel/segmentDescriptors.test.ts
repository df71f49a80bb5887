// VidMm knows the segments only through DXGKQAITYPE_QUERYSEGMENT: a descriptor that does not match
// the hardware the driver was given (DEVICE_REGISTERS.Segments) is the driver's error, said when
// the adapter starts, with the field, what the hardware has, and the arguments. One that is only
// more cautious than the hardware (a CPU-visible segment said not to be) is allowed: locks of its
// allocations are served from system memory. DXGK_SEGMENTFLAGS as the WDK reads them: CpuVisible
// means nothing on an aperture segment, Agp must be set alone (and there is no AGP aperture here),
// UseBanking needs NbOfBanks and a pBankRangeTable that delimits the banks.

import assert from 'node:assert/strict';
import { DXGKQAITYPE_DRIVERCAPS, DXGKQAITYPE_QUERYSEGMENT, type DXGK_QUERYSEGMENTOUT, type DXGK_SEGMENTDESCRIPTOR } from '../../../src/sim/ddi/contract';
import { runScenario, scenario, testDriver } from './helpers';

/** The reference driver, with `change` made to each segment descriptor it fills (index from 0). */
const describing = (change: (d: DXGK_SEGMENTDESCRIPTOR, i: number) => void) =>
  testDriver((init) => ({
    DxgkDdiQueryAdapterInfo(h, q) {
      const st = init.DxgkDdiQueryAdapterInfo(h, q);
      if (q.Type === DXGKQAITYPE_QUERYSEGMENT) (q.pOutputData as DXGK_QUERYSEGMENTOUT).pSegmentDescriptor?.forEach(change);
      return st;
    },
  }));

// vram (segment 1) is CPU-visible at BAR offset 0; local (segment 2) is not in the BAR.
const locked = () =>
  scenario({
    workload: [
      { op: 'create', id: 'a', size: '64KiB', cpuVisible: true, fill: 0x01020304 },
      { op: 'lock', id: 'a', mode: 'aperture' },
      { op: 'write', id: 'a', offset: 10, length: 1000, seed: 3 },
      { op: 'unlock', id: 'a' },
      { op: 'verify' },
    ],
  });

// The same with an aperture segment (segment 3) beside the two memory segments.
const APERTURE_ADAPTER = {
  segments: [
    { name: 'vram', kind: 'memory' as const, size: '512KiB', cpuVisible: true },
    { name: 'local', kind: 'memory' as const, size: '512KiB' },
    { name: 'gart', kind: 'aperture' as const, size: '1MiB' },
  ],
  systemMemory: '64MiB',
};
const withAperture = () =>
  scenario({
    adapter: APERTURE_ADAPTER,
    workload: [
      { op: 'create', id: 'a', size: '64KiB', fill: 0x01020304 },
      { op: 'map-aperture', id: 'a' },
      { op: 'unmap-aperture', id: 'a' },
      { op: 'render', allocations: ['a'], write: ['a'] },
      { op: 'verify' },
    ],
  });

async function startError(change: (d: DXGK_SEGMENTDESCRIPTOR, i: number) => void, on = locked()): Promise<string> {
  const run = await runScenario(await describing(change), on, { keep: () => false });
  assert.equal(run.result.ok, false, 'the adapter started');
  assert.equal(run.result.error!.category, 'driver', run.result.error!.message);
  assert.equal(run.result.error!.ddi, 'DxgkDdiQueryAdapterInfo');
  return run.result.error!.message;
}

describe('segment descriptors against the hardware', () => {
  it('the reference driver describes the hardware as it is', async () => {
    const run = await runScenario(await describing(() => undefined), locked(), { keep: () => false });
    assert.equal(run.result.ok, true, run.result.error?.message);
  });

  it('a segment larger than the hardware segment', async () => {
    assert.match(await startError((d, i) => i === 0 && (d.Size *= 2)), /^segment 1: DXGK_SEGMENTDESCRIPTOR.Size 1048576 must be a multiple of 4 KiB and at most the hardware segment's 524288 bytes/);
  });

  it('a memory segment described as an aperture segment', async () => {
    assert.match(await startError((d, i) => i === 1 && (d.Flags.Aperture = true)), /^segment 2: Flags.Aperture is true but hardware segment 2 \(local\) is a memory segment/);
  });

  it('a segment outside the PCI aperture described as CPU-visible', async () => {
    assert.match(await startError((d, i) => i === 1 && (d.Flags.CpuVisible = true)), /^segment 2: Flags.CpuVisible is true but hardware segment 2 \(local\) is not in the PCI aperture/);
  });

  it('a CPU-visible segment at another address in the aperture than the hardware\'s', async () => {
    assert.match(
      await startError((d, i) => i === 0 && (d.CpuTranslatedAddress += 0x1000)),
      /^segment 1: CpuTranslatedAddress is 0x1000 but hardware segment 1 \(vram\) is at 0x0 in the PCI aperture \(DEVICE_REGISTERS.Segments\[0\].BarBaseAddress\): VidMm would map the CPU to other memory/,
    );
  });

  it('a memory segment whose CommitLimit is not its size', async () => {
    assert.match(await startError((d, i) => i === 1 && (d.CommitLimit = d.Size * 2)), /^segment 2: CommitLimit is 1048576, but a memory segment's commit limit is always its Size \(524288\)/);
  });

  it('an aperture segment whose CommitLimit is above its size; one below it is allowed', async () => {
    assert.match(await startError((d, i) => i === 2 && (d.CommitLimit = d.Size + 4096), withAperture()), /^segment 3: CommitLimit is 1052672; an aperture segment's commit limit is at most its Size \(1048576\)/);
    const run = await runScenario(await describing((d, i) => i === 2 && (d.CommitLimit = d.Size / 2)), withAperture(), { keep: () => false });
    assert.equal(run.result.ok, true, run.result.error?.message);
  });

  it('VidMm commits no more than an aperture segment\'s CommitLimit', async () => {
    const big = () =>
      scenario({
        adapter: APERTURE_ADAPTER,
        workload: [
          { op: 'create', id: 'big', size: '384KiB', fill: 7 },
          { op: 'map-aperture', id: 'big' },
          { op: 'unmap-aperture', id: 'big' },
          { op: 'verify' },
        ],
      });
    const full = await runScenario(await describing(() => undefined), big(), { keep: () => false });
    assert.equal(full.result.ok, true, full.result.error?.message);
    const half = await runScenario(await describing((d, i) => i === 2 && (d.CommitLimit = d.Size / 4)), big());
    assert.equal(half.result.ok, false);
    assert.equal(half.result.error!.category, 'scenario');
    assert.match(half.result.error!.message, /aperture segment gart has no 393216-byte hole for 'big'/);
    const started = half.events.find((e) => e.kind === 'kernel' && e.what === 'adapter-started');
    assert.match(started && 'message' in started ? started.message : '', /gart \(aperture, 1024 KiB, 256 KiB committable\)/);
  });

  it('VidMm maps no more into an aperture segment than DXGK_DRIVERCAPS.ApertureSegmentCommitLimit (0: no limit)', async () => {
    const capped = (limit: unknown) =>
      testDriver((init) => ({
        DxgkDdiQueryAdapterInfo(h, q) {
          const st = init.DxgkDdiQueryAdapterInfo(h, q);
          if (q.Type === DXGKQAITYPE_DRIVERCAPS) (q.pOutputData as { ApertureSegmentCommitLimit: unknown }).ApertureSegmentCommitLimit = limit;
          return st;
        },
      }));
    const mapping = (size: string) =>
      scenario({
        adapter: APERTURE_ADAPTER,
        workload: [
          { op: 'create', id: 'big', size, fill: 7 },
          { op: 'map-aperture', id: 'big' },
          { op: 'unmap-aperture', id: 'big' },
          { op: 'verify' },
        ],
      });
    const over = await runScenario(await capped(256 * 1024), mapping('384KiB'));
    assert.equal(over.result.ok, false);
    assert.equal(over.result.error!.category, 'scenario');
    assert.match(over.result.error!.message, /aperture segment gart has no 393216-byte hole for 'big'/);
    const started = over.events.find((e) => e.kind === 'kernel' && e.what === 'adapter-started');
    assert.match(started && 'message' in started ? started.message : '', /gart \(aperture, 1024 KiB, 256 KiB committable\)/);
    const within = await runScenario(await capped(256 * 1024), mapping('192KiB'), { keep: () => false });
    assert.equal(within.result.ok, true, within.result.error?.message);
    const unlimited = await runScenario(await capped(0), mapping('384KiB'), { keep: () => false });
    assert.equal(unlimited.result.ok, true, unlimited.result.error?.message);
    for (const bad of [-1, 100, 0.5, '1MiB']) {
      const run = await runScenario(await capped(bad), mapping('64KiB'), { keep: () => false });
      assert.equal(run.result.ok, false, `ApertureSegmentCommitLimit ${String(bad)} was taken`);
      assert.equal(run.result.error!.ddi, 'DxgkDdiQueryAdapterInfo');
      assert.match(run.result.error!.message, /^DXGK_DRIVERCAPS.ApertureSegmentCommitLimit is .*: the bytes of system memory the driver can map into an aperture segment, at least a page \(0 for no limit\)/);
    }
  });

  it('PagingBufferSegmentId names an aperture segment or 0; an aperture segment is taken and the start says paging buffers stay in system memory', async () => {
    const pagingFrom = (id: unknown) =>
      testDriver((init) => ({
        DxgkDdiQueryAdapterInfo(h, q) {
          const st = init.DxgkDdiQueryAdapterInfo(h, q);
          if (q.Type === DXGKQAITYPE_QUERYSEGMENT) (q.pOutputData as DXGK_QUERYSEGMENTOUT).PagingBufferSegmentId = id as number;
          return st;
        },
      }));
    for (const bad of [2, 7, -1, '3']) {
      const run = await runScenario(await pagingFrom(bad), withAperture(), { keep: () => false });
      assert.equal(run.result.ok, false, `PagingBufferSegmentId ${String(bad)} was taken`);
      assert.equal(run.result.error!.ddi, 'DxgkDdiQueryAdapterInfo');
      assert.match(run.result.error!.message, /^DXGK_QUERYSEGMENTOUT\.PagingBufferSegmentId is .*: it names the segment paging buffers are allocated from, which must be an aperture segment, or 0 for contiguous system memory/);
    }
    const aperture = await runScenario(await pagingFrom(3), withAperture());
    assert.equal(aperture.result.ok, true, aperture.result.error?.message);
    const started = aperture.events.find((e) => e.kind === 'kernel' && e.what === 'adapter-started');
    assert.match(started && 'message' in started ? started.message : '', /paging buffers of \d+ bytes \(in contiguous system memory: paging buffers in aperture segment 3, as PagingBufferSegmentId asks, are not modelled\)/);
  });

  it('a CPU-visible segment said not to be is allowed: the lock is served from system memory', async () => {
    const run = await runScenario(
      await describing((d) => (d.Flags.CpuVisible = false)),
      scenario({
        adapter: { segments: [{ name: 'vram', kind: 'memory', size: '512KiB', cpuVisible: true }], systemMemory: '64MiB' },
        workload: [
          { op: 'create', id: 'a', size: '64KiB', cpuVisible: true, fill: 0x01020304 },
          { op: 'render', allocations: ['a'], write: ['a'] },
          { op: 'lock', id: 'a', mode: 'aperture' },
          { op: 'write', id: 'a', offset: 10, length: 1000, seed: 3 },
          { op: 'unlock', id: 'a' },
          { op: 'verify' },
        ],
      }),
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.ok(run.events.some((e) => e.kind === 'kernel' && e.what === 'lock' && e.data.mode === 'system'));
  });

  it('Flags.CpuVisible on an aperture segment has no meaning: VidMm ignores it, and the run is the same', async () => {
    const plain = await runScenario(await describing(() => undefined), withAperture());
    assert.equal(plain.result.ok, true, plain.result.error?.message);
    const flagged = await runScenario(await describing((d) => d.Flags.Aperture && (d.Flags.CpuVisible = true)), withAperture());
    assert.equal(flagged.result.ok, true, flagged.result.error?.message);
    assert.equal(flagged.machine.kernel.vidmm.segment(3)!.cpuVisible, false);
    assert.deepEqual(flagged.result.stats, plain.result.stats);
  });

  it('Flags.Agp: set alone it names an AGP aperture this adapter does not have; with other flags the adapter fails to initialize', async () => {
    const alone = await startError((d, i) => i === 2 && (d.Flags = { Aperture: false, Agp: true, CpuVisible: false, UseBanking: false, CacheCoherent: false, PopulatedFromSystemMemory: false }), withAperture());
    assert.match(alone, /^segment 3: Flags\.Agp is set, but this adapter has no AGP aperture \(AGP-type segments are not modelled\): describe hardware segment 3 \(gart, an aperture segment\) with Flags\.Aperture/);
    const mixed = await startError((d, i) => i === 2 && (d.Flags.Agp = true), withAperture());
    assert.match(mixed, /^segment 3: Flags\.Agp is set with Aperture, CacheCoherent: an AGP-type aperture segment sets Agp alone, and with any other flag the adapter fails to initialize/);
  });

  it('Flags.UseBanking needs NbOfBanks and a pBankRangeTable that delimits them; with valid banks the run goes on', async () => {
    assert.match(await startError((d, i) => i === 1 && (d.Flags.UseBanking = true)), /^segment 2: Flags\.UseBanking is set but NbOfBanks is 0: a segment divided into banks says how many, 1 to 127/);
    assert.match(
      await startError((d, i) => i === 1 && ((d.Flags.UseBanking = true), (d.NbOfBanks = 4))),
      /^segment 2: Flags\.UseBanking is set but pBankRangeTable is null: it gives the end offset of each of the 4 banks \(the last may be left out/,
    );
    assert.match(
      await startError((d, i) => i === 1 && ((d.Flags.UseBanking = true), (d.NbOfBanks = 3), (d.pBankRangeTable = [0x20000, 0x10000]))),
      /^segment 2: Flags\.UseBanking is set but pBankRangeTable\[1\] is 0x10000: bank 2 must end after 0x20000 and before the segment's end \(0x80000\)/,
    );
    assert.match(
      await startError((d, i) => i === 1 && ((d.Flags.UseBanking = true), (d.NbOfBanks = 2), (d.pBankRangeTable = [0x20000, 0x30000]))),
      /^segment 2: Flags\.UseBanking is set but pBankRangeTable\[1\] is 0x30000: bank 2 must end after 0x20000 and, as the last bank, at the segment's end \(0x80000\)/,
    );
    for (const table of [[0x10000, 0x40000, 0x60000], [0x10000, 0x40000, 0x60000, 0x80000]]) {
      const banked = await runScenario(await describing((d, i) => i === 1 && ((d.Flags.UseBanking = true), (d.NbOfBanks = 4), (d.pBankRangeTable = table))), locked());
      assert.equal(banked.result.ok, true, banked.result.error?.message);
      assert.deepEqual(banked.machine.kernel.vidmm.segment(2)!.banks, [
        { start: 0, end: 0x10000 },
        { start: 0x10000, end: 0x40000 },
        { start: 0x40000, end: 0x60000 },
        { start: 0x60000, end: 0x80000 },
      ]);
    }
  });
});
