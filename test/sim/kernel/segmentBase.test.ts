// DXGK_SEGMENTDESCRIPTOR.BaseAddress: "The physical address of an allocation that the video memory
// manager paged in the segment is assigned a GPU address that is offset from the base address",
// and each SegmentAddress of DXGKARG_BUILDPAGINGBUFFER is "the sum of the segment offset and the
// base address of the segment". So whatever base the driver declares comes back in every place
// VidMm names in that segment: paging operations, allocation lists, page-table updates.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DXGK_OPERATION_DISCARD_CONTENT,
  DXGK_OPERATION_FILL,
  DXGK_OPERATION_TRANSFER,
  DXGKQAITYPE_QUERYSEGMENT,
  type DXGK_QUERYSEGMENTOUT,
  type DXGK_SEGMENTDESCRIPTOR,
  type DXGKARG_BUILDPAGINGBUFFER,
  type DXGKARG_PATCH,
} from '../../../src/sim/ddi/contract';
import { normalizeScenario } from '../../../src/sim/scenario';
import { runScenario, SAMPLES, testDriver } from './helpers';

/** Every place in a segment VidMm named to the driver: [segment id, address as given]. */
type Seen = [number, number][];

/** The sides of a paging operation that name a segment (SegmentId 0 is an MDL). */
function places(args: DXGKARG_BUILDPAGINGBUFFER): Seen {
  switch (args.Operation) {
    case DXGK_OPERATION_TRANSFER:
      return [args.Transfer.Source, args.Transfer.Destination].filter((s) => s.SegmentId > 0).map((s) => [s.SegmentId, s.SegmentAddress]);
    case DXGK_OPERATION_FILL:
      return [[args.Fill.Destination.SegmentId, args.Fill.Destination.SegmentAddress]];
    case DXGK_OPERATION_DISCARD_CONTENT:
      return [[args.DiscardContent.SegmentId, args.DiscardContent.SegmentAddress]];
    default:
      return [];
  }
}

/**
 * The reference driver declaring each segment's BaseAddress `shift(i)` bytes above the hardware's
 * (its own code takes the hardware's base off), and taking the shift off again before its own code
 * sees an address: a driver whose GPU view of the segments starts elsewhere. Records what VidMm gave.
 */
async function shiftedDriver(shift: (segmentIndex: number) => number, seen: { paging: Seen; lists: Seen }) {
  const unshift = <T extends { SegmentId: number }>(o: T, key: keyof T & string): (() => void) => {
    const before = o[key] as number;
    (o as Record<string, unknown>)[key] = before - shift(o.SegmentId - 1);
    return () => ((o as Record<string, unknown>)[key] = before);
  };
  return testDriver((init) => ({
    DxgkDdiQueryAdapterInfo(h, q) {
      const st = init.DxgkDdiQueryAdapterInfo(h, q);
      if (q.Type === DXGKQAITYPE_QUERYSEGMENT) (q.pOutputData as DXGK_QUERYSEGMENTOUT).pSegmentDescriptor?.forEach((d: DXGK_SEGMENTDESCRIPTOR, i) => (d.BaseAddress += shift(i)));
      return st;
    },
    DxgkDdiBuildPagingBuffer(h, args) {
      seen.paging.push(...places(args));
      const restore: (() => void)[] = [];
      if (args.Operation === DXGK_OPERATION_TRANSFER) {
        for (const side of [args.Transfer.Source, args.Transfer.Destination]) if (side.SegmentId > 0) restore.push(unshift(side, 'SegmentAddress'));
      } else if (args.Operation === DXGK_OPERATION_FILL) restore.push(unshift(args.Fill.Destination, 'SegmentAddress'));
      else if (args.Operation === DXGK_OPERATION_DISCARD_CONTENT) restore.push(unshift(args.DiscardContent, 'SegmentAddress'));
      try {
        return init.DxgkDdiBuildPagingBuffer(h, args);
      } finally {
        for (const r of restore) r();
      }
    },
    DxgkDdiPatch(h, p: DXGKARG_PATCH) {
      const restore: (() => void)[] = [];
      for (const a of p.pAllocationList ?? []) {
        if (a.SegmentId > 0) {
          seen.lists.push([a.SegmentId, a.PhysicalAddress]);
          restore.push(unshift(a, 'PhysicalAddress'));
        }
      }
      try {
        return init.DxgkDdiPatch(h, p);
      } finally {
        for (const r of restore) r();
      }
    },
  }));
}

// The default sample: CPU-visible vram (segment 1, at 0 in VRAM), local (segment 2, after it) and an
// aperture; transfers in and out, fills, a discard, sub-transfers, renders with allocation lists.
const sample = () => normalizeScenario(JSON.parse(readFileSync(join(SAMPLES, 'default.json'), 'utf8')), 'default');

describe('segment addresses: the segment\'s BaseAddress plus the offset', () => {
  it('the reference driver declares the hardware\'s bases: segment 2 is named above segment 1\'s size, and the run\'s content is right', async () => {
    const seen = { paging: [] as Seen, lists: [] as Seen };
    const run = await runScenario(await shiftedDriver(() => 0, seen), sample(), { keep: () => false });
    assert.equal(run.result.ok, true, run.result.error?.message);
    const vram = 1024 * 1024; // segment 1's size: where segment 2 starts in VRAM
    const local = 2 * 1024 * 1024;
    const inLocal = seen.paging.filter(([id]) => id === 2);
    assert.ok(inLocal.length > 0 && inLocal.every(([, a]) => a >= vram && a < vram + local), `segment 2 places in paging operations: ${inLocal.map(([, a]) => a.toString(16)).join(' ')}`);
    assert.ok(seen.paging.some(([id]) => id === 1), 'segment 1 is named too');
    assert.ok(seen.paging.filter(([id]) => id === 1).every(([, a]) => a < vram), 'segment 1 starts at 0');
  });

  it('a base the driver chose, far from the hardware\'s, comes back in every paging operation and allocation list', async () => {
    const seen = { paging: [] as Seen, lists: [] as Seen };
    const shift = (i: number) => (i + 1) * 2 ** 40;
    const run = await runScenario(await shiftedDriver(shift, seen), sample(), { keep: () => false, verifier: false });
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.ok(seen.paging.length > 10, `paging operations named segments: ${seen.paging.length}`);
    assert.ok(seen.lists.length > 0, 'renders named their allocations');
    for (const [id, a] of [...seen.paging, ...seen.lists]) {
      const offset = a - shift(id - 1);
      assert.ok(offset >= 0 && offset < 4 * 1024 * 1024, `segment ${id}: 0x${a.toString(16)} is not the declared base 0x${shift(id - 1).toString(16)} plus an offset in the segment`);
    }
  });

  it('a BaseAddress that is not a whole number of bytes, or negative, stops the adapter start', async () => {
    for (const bad of [-4096, 0.5, 2 ** 53]) {
      const driver = await testDriver((init) => ({
        DxgkDdiQueryAdapterInfo(h, q) {
          const st = init.DxgkDdiQueryAdapterInfo(h, q);
          if (q.Type === DXGKQAITYPE_QUERYSEGMENT) {
            const d = (q.pOutputData as DXGK_QUERYSEGMENTOUT).pSegmentDescriptor?.[1];
            if (d) d.BaseAddress = bad;
          }
          return st;
        },
      }));
      const run = await runScenario(driver, sample(), { keep: () => false });
      assert.equal(run.result.ok, false, `BaseAddress ${bad} was taken`);
      assert.equal(run.result.error!.ddi, 'DxgkDdiQueryAdapterInfo');
      assert.match(run.result.error!.message, /^segment 2: DXGK_SEGMENTDESCRIPTOR.BaseAddress must be a whole number of bytes from 0 to 2\^53 - 1 - Size/);
    }
  });
});
