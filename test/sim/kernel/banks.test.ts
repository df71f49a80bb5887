// Banked segments (DXGK_SEGMENTDESCRIPTOR UseBanking, NbOfBanks, pBankRangeTable) and the bank
// hints of an allocation (DXGK_ALLOCATIONINFO.HintedBank, DXGK_SEGMENTBANKPREFERENCE): VidMm pages
// an allocation into the banks its hint names of its most preferred segment, in the order of
// preference, each scanned in its direction; with them full, anywhere in the segment (from its end
// with Flags.FromEndOfSegment). A hint that names a bank the segment does not have is the driver's
// error.

import assert from 'node:assert/strict';
import type { MachineEvent } from '../../../src/sim/machine';
import { REFERENCE, sampleScenario } from '../verifier/helpers';
import { normalizeScenario } from '../../../src/sim/scenario';
import { runScenario, scenario } from './helpers';

type Kernel = Extract<MachineEvent, { kind: 'kernel' }>;
const KiB = 1024;

/** Where each allocation was paged in, in order: [name, offset, bank]. */
function pageIns(events: MachineEvent[]): [string, number, number][] {
  return events
    .filter((e): e is Kernel => e.kind === 'kernel' && e.what === 'page-in')
    .map((e) => [String(e.data.allocation), Number(e.data.offset), Number(/\(bank (\d+)\)/.exec(e.message)?.[1] ?? 0)]);
}

const BANKED = {
  segments: [
    { name: 'vram', kind: 'memory' as const, size: '1MiB', banks: ['256KiB', '512KiB'] },
    { name: 'gart', kind: 'aperture' as const, size: '1MiB' },
  ],
  systemMemory: '64MiB',
  commonBufferBudget: '4MiB',
};

describe('banked segments and bank hints', () => {
  it("the sample: the reference driver reports the hardware's banks, and each allocation lands where its HintedBank says", async () => {
    const run = await runScenario(REFERENCE, sampleScenario('banks'));
    assert.equal(run.result.ok, true, run.result.error?.message);
    const vram = run.machine.kernel.vidmm.segment(1)!;
    assert.equal(vram.descriptor.Flags.UseBanking, true);
    assert.equal(vram.descriptor.NbOfBanks, 3);
    assert.deepEqual(vram.banks, [
      { start: 0, end: 256 * KiB },
      { start: 256 * KiB, end: 512 * KiB },
      { start: 512 * KiB, end: 1024 * KiB },
    ]);
    assert.deepEqual(pageIns(run.events), [
      // Bank 3 from the top: the last 128 KiB of the segment.
      ['depth', 896 * KiB, 3],
      // Bank 2 from the bottom, twice.
      ['color', 256 * KiB, 2],
      ['normal', 384 * KiB, 2],
      // Bank 2 is full: the next preference, bank 1.
      ['spill', 0, 1],
      // No hint: the first hole of the segment.
      ['texture', 128 * KiB, 1],
      // Flags.FromEndOfSegment: the last hole of the segment, just below 'depth'.
      ['scratch', 864 * KiB, 3],
    ]);
    assert.equal(run.machine.kernel.vidmm.stats.bankPlacements, 4);
  });

  it('with every hinted bank full, anywhere in the segment', async () => {
    const run = await runScenario(
      REFERENCE,
      scenario({
        adapter: BANKED,
        workload: [
          { op: 'create', id: 'a', size: '256KiB', privateData: { banks: [1] } },
          { op: 'create', id: 'b', size: '128KiB', privateData: { banks: [1], banksFromTop: true } },
          { op: 'create', id: 'c', size: '64KiB', privateData: { banks: [3], banksFromTop: true } },
          { op: 'render', allocations: ['a', 'b', 'c'] },
          { op: 'verify' },
        ],
      }),
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.deepEqual(pageIns(run.events), [
      ['a', 0, 1],
      // Bank 1 is full: the first hole of the segment, in bank 2.
      ['b', 256 * KiB, 2],
      ['c', 960 * KiB, 3],
    ]);
    assert.equal(run.machine.kernel.vidmm.stats.bankPlacements, 2);
  });

  it('compaction keeps an allocation in the hinted bank it lies in, moving it down there; others move to the lowest hole', async () => {
    const run = await runScenario(
      REFERENCE,
      scenario({
        adapter: BANKED,
        workload: [
          { op: 'create', id: 'w', size: '64KiB' },
          { op: 'create', id: 'v', size: '64KiB' },
          { op: 'create', id: 'x', size: '64KiB', privateData: { banks: [2] } },
          { op: 'create', id: 'y', size: '64KiB', privateData: { banks: [2] }, fill: 0x11223344 },
          { op: 'create', id: 'z', size: '64KiB', privateData: { banks: [3], banksFromTop: true } },
          { op: 'write', id: 'y', seed: 9 },
          { op: 'render', allocations: ['w', 'v', 'x', 'y', 'z'] },
          { op: 'destroy', id: 'w' },
          { op: 'destroy', id: 'x' },
          { op: 'defragment', segment: 'vram' },
          { op: 'verify' },
        ],
      }),
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    const k = run.machine.kernel;
    assert.deepEqual(pageIns(run.events), [
      ['w', 0, 1],
      ['v', 64 * KiB, 1],
      ['x', 256 * KiB, 2],
      ['y', 320 * KiB, 2],
      ['z', 960 * KiB, 3],
    ]);
    // 'v' (no hint) moves to the segment's lowest hole; 'y' down inside bank 2; 'z' down to the
    // bottom of bank 3 (compaction packs down, whatever direction the hint scans in).
    assert.deepEqual(
      ['v', 'y', 'z'].map((n) => k.byName.get(n)!.offset),
      [0, 256 * KiB, 512 * KiB],
    );
    const moved = run.events.filter((e): e is Kernel => e.kind === 'kernel' && e.what === 'relocation').map((e) => String(e.data.allocation));
    assert.deepEqual(moved, ['v', 'y', 'z']);
  });

  it('Flags.FromEndOfSegment places from the end of the segment, and a bank hint takes precedence over it', async () => {
    const run = await runScenario(
      REFERENCE,
      scenario({
        adapter: BANKED,
        workload: [
          { op: 'create', id: 'top', size: '64KiB', privateData: { fromEndOfSegment: true } },
          { op: 'create', id: 'hinted', size: '64KiB', privateData: { fromEndOfSegment: true, banks: [1] } },
          { op: 'create', id: 'plain', size: '64KiB' },
          { op: 'create', id: 'next', size: '64KiB', privateData: { fromEndOfSegment: true } },
          { op: 'render', allocations: ['top', 'hinted', 'plain', 'next'] },
          { op: 'verify' },
        ],
      }),
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.deepEqual(pageIns(run.events), [
      ['top', 960 * KiB, 3],
      ['hinted', 0, 1],
      ['plain', 64 * KiB, 1],
      ['next', 896 * KiB, 3],
    ]);
  });

  it('a hint naming a bank the segment does not have stops the run at DxgkDdiCreateAllocation, saying which', async () => {
    const run = await runScenario(
      REFERENCE,
      scenario({ adapter: BANKED, workload: [{ op: 'create', id: 'a', size: '64KiB', privateData: { banks: [2, 5] } }] }),
    );
    assert.equal(run.result.ok, false);
    assert.match(run.result.error!.message, /DxgkDdiCreateAllocation for 'a': HintedBank\.Bank1 is 5, but vram \(segment 1, PreferredSegment\.SegmentId0\) has banks 1 to 3; 0 ends the list/);
  });

  it('without banks in the hardware the reference driver reports none, and hints are ignored', async () => {
    const run = await runScenario(
      REFERENCE,
      scenario({ workload: [{ op: 'create', id: 'a', size: '64KiB', privateData: { banks: [2] } }, { op: 'render', allocations: ['a'] }] }),
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    for (const s of run.machine.kernel.vidmm.segments) assert.equal(s.banks, undefined);
    assert.equal(run.machine.kernel.vidmm.stats.bankPlacements, 0);
  });

  it("a scenario's banks must increase and end inside the segment: refused with the path to fix", () => {
    const bad = (banks: (string | number)[]) => () => normalizeScenario({ adapter: { ...BANKED, segments: [{ ...BANKED.segments[0], banks }, BANKED.segments[1]] }, workload: [] }, 'banked');
    assert.throws(bad(['512KiB', '256KiB']), /\/adapter\/segments\/0\/banks\/1: bank 2 ends at 262144: each end must come after the one before \(524288\) and before the segment's end \(1048576\)/);
    assert.throws(bad(['1MiB']), /\/adapter\/segments\/0\/banks\/0: bank 1 ends at 1048576/);
    assert.throws(bad([100000]), /\/adapter\/segments\/0\/banks\/0: /);
  });
});
