// GPU virtual addresses follow their allocation when VidMm moves or evicts it: "mapping a virtual
// address to an already resident allocation ... involve[s] immediate page table update which needs
// to be queued onto the paging engine" (Device Paging Queues), so a move of a mapped allocation
// needs the same update. A correct driver of our own checks it as it runs: it keeps its own picture
// of where each allocation is (from the Fill, Transfer and DiscardContent it is asked for, raw
// compaction moves found by their source) and of what each GPU virtual range points at (from
// UpdatePageTable), and whenever non-paging work is submitted (the work that reads through GPU
// virtual addresses) every present range must point at its allocation's current place.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type DXGKARG_BUILDPAGINGBUFFER,
  type DXGKARG_SUBMITCOMMAND,
  DXGK_OPERATION_DISCARD_CONTENT,
  DXGK_OPERATION_FILL,
  DXGK_OPERATION_FLUSH_TLB,
  DXGK_OPERATION_TRANSFER,
  DXGK_OPERATION_UPDATE_PAGE_TABLE,
  type HANDLE,
} from '../../../src/sim/ddi/contract';
import { normalizeScenario, parseScenario } from '../../../src/sim/scenario';
import type { ScenarioFile } from '../../../src/sim/scenario/types';
import { REFERENCE_DRIVER, runScenario, SAMPLES, testDriver } from '../kernel/helpers';

type Place = { segment: number; address: number } | null;

async function mappingChecker(): Promise<{ driver: Awaited<ReturnType<typeof testDriver>>; checks: { submits: number; remaps: number; broken: string[] } }> {
  const checks = { submits: 0, remaps: 0, broken: [] as string[] };
  const places = new Map<HANDLE, Place>();
  /** GPU VA -> the allocation its pages were pointed at, and where (undefined when not present). */
  const ranges = new Map<number, { allocation: HANDLE; at: Place } | undefined>();
  const at = (p: Place): string => (p ? `segment ${p.segment}+0x${p.address.toString(16)}` : 'system memory');
  const driver = await testDriver((init) => ({
    DxgkDdiBuildPagingBuffer(h, args: DXGKARG_BUILDPAGINGBUFFER) {
      if (args.Operation === DXGK_OPERATION_FILL) {
        places.set(args.Fill.hAllocation, { segment: args.Fill.Destination.SegmentId, address: args.Fill.Destination.SegmentAddress });
      } else if (args.Operation === DXGK_OPERATION_DISCARD_CONTENT) {
        places.set(args.DiscardContent.hAllocation, null);
      } else if (args.Operation === DXGK_OPERATION_TRANSFER) {
        const t = args.Transfer;
        const to: Place = t.Destination.SegmentId ? { segment: t.Destination.SegmentId, address: t.Destination.SegmentAddress - t.TransferOffset } : null;
        let moved = t.hAllocation;
        // hAllocation NULL (VidMm's own compaction): the allocation is the one at the source.
        if (!moved) {
          for (const [a, p] of places) if (p && p.segment === t.Source.SegmentId && p.address === t.Source.SegmentAddress - t.TransferOffset) moved = a;
        }
        if (moved) places.set(moved, to);
      } else if (args.Operation === DXGK_OPERATION_UPDATE_PAGE_TABLE) {
        const u = args.UpdatePageTable;
        if (u.Invalid) ranges.set(u.VirtualAddress, undefined);
        else {
          const target = { segment: u.SegmentId, address: u.PhysicalAddress };
          const owner = [...places].find(([, p]) => p && p.segment === target.segment && p.address === target.address)?.[0];
          if (owner === undefined) checks.broken.push(`UpdatePageTable points GPU VA 0x${u.VirtualAddress.toString(16)} at ${at(target)}, where no allocation is`);
          else {
            if (ranges.has(u.VirtualAddress)) checks.remaps++;
            ranges.set(u.VirtualAddress, { allocation: owner, at: target });
          }
        }
      }
      return init.DxgkDdiBuildPagingBuffer(h, args);
    },
    DxgkDdiSubmitCommand(h, args: DXGKARG_SUBMITCOMMAND) {
      if (!args.Flags.Paging) {
        checks.submits++;
        for (const [va, r] of ranges) {
          if (!r) continue;
          const now = places.get(r.allocation) ?? null;
          if (!now || now.segment !== r.at!.segment || now.address !== r.at!.address) {
            checks.broken.push(`context work submitted while GPU VA 0x${va.toString(16)} still points at ${at(r.at)}; its allocation is now at ${at(now)}`);
          }
        }
      }
      return init.DxgkDdiSubmitCommand(h, args);
    },
  }));
  return { driver, checks };
}

const sample = (name: string) => parseScenario(readFileSync(join(SAMPLES, `${name}.json`), 'utf8'), `${name}.json`);

describe('GPU virtual addresses follow a moved or evicted allocation', function () {
  this.timeout(60000);

  it('gpu-va-moves.json: after a compaction move, an eviction and a page-in, every present GPU VA range points at its allocation when context work is submitted, and the context reads the allocation through it', async () => {
    const { driver, checks } = await mappingChecker();
    const run = await runScenario(driver, sample('gpu-va-moves'), { keep: (e) => e.kind === 'kernel' });
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.deepEqual(checks.broken, []);
    assert.equal(checks.submits, 3, 'three contexts read through GPU VA 0x100000');
    assert.ok(checks.remaps >= 2, `the range was pointed again after the move and after the page-in (${checks.remaps})`);
    const reads = run.events.filter((e) => e.kind === 'kernel' && e.what === 'paging-fence').map((e) => (e.kind === 'kernel' ? e.data.read : undefined));
    assert.deepEqual(reads, [0x11223344, 0x11223344, 0x11223344]);
  });

  it('paging-queue.json (no move): the mapping made once stays right', async () => {
    const { driver, checks } = await mappingChecker();
    const run = await runScenario(driver, sample('paging-queue'), { keep: () => false });
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.ok(checks.submits > 0);
    assert.deepEqual(checks.broken, []);
  });

  it('a driver that keeps writing the first mapping it was given for an address relies on a stale mapping: the context reads what took the allocation\'s old place, and the run fails saying so', async () => {
    const first = new Map<number, { SegmentId: number; PhysicalAddress: number }>();
    const driver = await testDriver((init) => ({
      DxgkDdiBuildPagingBuffer(h, args: DXGKARG_BUILDPAGINGBUFFER) {
        if (args.Operation === DXGK_OPERATION_UPDATE_PAGE_TABLE && !args.UpdatePageTable.Invalid) {
          const u = args.UpdatePageTable;
          const cached = first.get(u.VirtualAddress) ?? { SegmentId: u.SegmentId, PhysicalAddress: u.PhysicalAddress };
          first.set(u.VirtualAddress, cached);
          return init.DxgkDdiBuildPagingBuffer(h, { ...args, UpdatePageTable: { ...u, ...cached } });
        }
        return init.DxgkDdiBuildPagingBuffer(h, args);
      },
    }));
    const run = await runScenario(driver, sample('gpu-va-moves'), { keep: () => false, verifier: false });
    assert.equal(run.result.ok, false);
    assert.match(run.result.error!.message, /read 0x55555555 through GPU VA 0x100000, expected 0x11223344/);
  });

  describe('a verify step checks every page of every mapped range, as the next access would reach it', () => {
    const adapter = {
      segments: [
        { name: 'vram', kind: 'memory', size: '256KiB', cpuVisible: true },
        { name: 'local', kind: 'memory', size: '256KiB' },
      ],
      systemMemory: '32MiB',
      engines: 2,
    };
    const of = (name: string, workload: unknown[]) => normalizeScenario({ name, adapter, workload } as unknown as ScenarioFile, name);
    // Mapped, then evicted: every page of the range must be not present.
    const evicted = of('evicted', [
      { op: 'create', id: 'tiles', size: '64KiB', fill: 0x11223344 },
      { op: 'paging-queue', action: 'map-va', id: 'tiles', va: '0x100000' },
      { op: 'wait-paging-fence', on: 'cpu' },
      { op: 'pressure', bytes: '512KiB' },
      { op: 'verify' },
    ]);
    // A context reads page 4 (its translation goes into the TLB), then compaction moves the allocation.
    const moved = of('moved', [
      { op: 'create', id: 'x', size: '96KiB', fill: 1 },
      { op: 'create', id: 'tiles', size: '64KiB', fill: 0x11223344 },
      { op: 'paging-queue', action: 'make-resident', id: 'x' },
      { op: 'paging-queue', action: 'map-va', id: 'tiles', va: '0x100000' },
      { op: 'wait-paging-fence', on: 'gpu', va: '0x104000', expect: 0x11223344 },
      { op: 'destroy', id: 'x' },
      { op: 'defragment' },
      { op: 'verify' },
    ]);
    /** The reference driver given changed arguments (`change` returns them as they are for other operations). */
    const changing = (change: (args: DXGKARG_BUILDPAGINGBUFFER) => DXGKARG_BUILDPAGINGBUFFER) =>
      testDriver((init) => ({ DxgkDdiBuildPagingBuffer: (h, args: DXGKARG_BUILDPAGINGBUFFER) => init.DxgkDdiBuildPagingBuffer(h, change(args)) }));

    it('the reference driver passes both', async () => {
      for (const s of [evicted, moved]) {
        const run = await runScenario(REFERENCE_DRIVER, s, { keep: () => false });
        assert.equal(run.result.ok, true, run.result.error?.message);
      }
    });

    it('an UpdatePageTable that drops the Invalid flag leaves the evicted allocation\'s range reaching memory', async () => {
      const driver = await changing((a) => (a.Operation === DXGK_OPERATION_UPDATE_PAGE_TABLE ? { ...a, UpdatePageTable: { ...a.UpdatePageTable, Invalid: false } } : a));
      const run = await runScenario(driver, evicted, { keep: () => false, verifier: false });
      assert.equal(run.result.error?.category, 'verify', run.result.error?.message);
      assert.match(run.result.error!.message, /^GPU VA 0x100000, page 0 of the range at 0x100000 mapped to 'tiles', reaches system memory at 0x0; 'tiles' is evicted, so the page should be not present/);
    });

    it('an UpdatePageTable that writes one page less leaves the last page of the range not present', async () => {
      const driver = await changing((a) => (a.Operation === DXGK_OPERATION_UPDATE_PAGE_TABLE ? { ...a, UpdatePageTable: { ...a.UpdatePageTable, NumberOfPages: a.UpdatePageTable.NumberOfPages - 1 } } : a));
      const run = await runScenario(driver, moved, { keep: () => false, verifier: false });
      assert.equal(run.result.error?.category, 'verify', run.result.error?.message);
      assert.match(run.result.error!.message, /^GPU VA 0x10f000, page 15 of the range at 0x100000 mapped to 'tiles', reaches nothing \(not present\); 'tiles' is in segment \d+ at 0x[0-9a-f]+, so the page should reach/);
    });

    it('a FlushTlb of the first page only leaves the translation of the page a context read in the TLB, reaching the old place', async () => {
      const driver = await changing((a) => (a.Operation === DXGK_OPERATION_FLUSH_TLB ? { ...a, FlushTlb: { ...a.FlushTlb, NumberOfPages: 1 } } : a));
      const run = await runScenario(driver, moved, { keep: () => false, verifier: false });
      assert.equal(run.result.error?.category, 'verify', run.result.error?.message);
      assert.match(run.result.error!.message, /^GPU VA 0x104000, page 4 of the range at 0x100000 mapped to 'tiles', reaches segment \d+ at 0x[0-9a-f]+ \(a translation the TLB kept\); 'tiles' is in segment/);
    });
  });
});
