// DXGK_ALLOCATIONINFOFLAGS.PermanentSysMem: "a copy of the allocation should be kept in system memory
// even when the content is located in a memory segment ... When the PermanentSysMem flag is
// specified and the allocation is evicted from a memory segment, the content of the allocation is
// discarded and not paged out if the allocation is not dirty (that is, the allocation was not the
// target of a write operation since it was paged in). A call to pfnLockCb on the allocation always
// returns the system memory backing store for the allocation. If the allocation is located in a
// memory segment when the user-mode display driver calls pfnUnlockCb, the memory segment resource
// for the allocation is updated with the new content." With the reference driver, against the same
// workload without the flag; the content is verified at the end of every run.

import assert from 'node:assert/strict';
import type { MachineEvent } from '../../../src/sim/machine';
import { REFERENCE } from '../verifier/helpers';
import { runScenario, scenario } from './helpers';

type Kernel = Extract<MachineEvent, { kind: 'kernel' }>;

/** 'a' (128 KiB) shares a 256 KiB segment with 'b' and 'c': it is evicted clean, then written by a render, locked, written by the CPU, unlocked, evicted again. */
const workload = (permanent: boolean) =>
  scenario({
    seed: 3,
    adapter: { segments: [{ name: 'vram', kind: 'memory', size: '256KiB', cpuVisible: true }], systemMemory: '64MiB', commonBufferBudget: '4MiB' },
    workload: [
      { op: 'create', id: 'a', size: '128KiB', cpuVisible: true, ...(permanent ? { privateData: { permanentSysMem: true } } : {}) },
      { op: 'create', id: 'b', size: '128KiB', cpuVisible: true },
      { op: 'create', id: 'c', size: '128KiB', cpuVisible: true },
      { op: 'write', id: 'a', offset: 0, length: 131072, seed: 1 },
      { op: 'render', allocations: ['a', 'b'] },
      { op: 'render', allocations: ['c'] },
      { op: 'render', allocations: ['a'], write: ['a'] },
      { op: 'lock', id: 'a', mode: 'aperture' },
      { op: 'write', id: 'a', offset: 100, length: 1000, seed: 2 },
      { op: 'unlock', id: 'a' },
      { op: 'render', allocations: ['b', 'c'] },
      { op: 'verify' },
    ],
  });

/** What happened to 'a', in order: evictions (by what), locks, and the paging operations built for it. */
function story(events: MachineEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.kind === 'kernel') {
      const k = e as Kernel;
      if (k.data.allocation !== 'a') continue;
      if (k.what === 'eviction') out.push(`eviction by ${String(k.data.by)}`);
      else if (k.what === 'lock') out.push(k.data.permanent ? 'lock: system copy, resident' : /through the PCI aperture/.test(k.message) ? 'lock: through the aperture' : 'lock: in system memory');
      else if (k.what === 'page-in') out.push(`page-in by ${String(k.data.by)}`);
    } else if (e.kind === 'ddi-entry' && e.call.ddi === 'DxgkDdiBuildPagingBuffer') {
      const t = (e.call.args as { Transfer?: { hAllocation: unknown; Source: { SegmentId: number } } }).Transfer;
      if (t && e.call.args.Operation === 0 && (t.hAllocation as { size?: number } | null)?.size === 131072 && e.call.cause.some((c) => /PermanentSysMem/.test(c))) {
        out.push(`Transfer ${t.Source.SegmentId === 0 ? 'MDL -> segment' : 'segment -> MDL'} (${e.call.cause[e.call.cause.length - 1].replace(/ '.*/, '')})`);
      }
    }
  }
  return out;
}

describe('PermanentSysMem', () => {
  it('a clean copy is discarded on eviction, a lock gets the system copy (brought up to date when dirty) and the unlock updates the segment', async () => {
    const run = await runScenario(REFERENCE, workload(true));
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.deepEqual(story(run.events), [
      // The first write: 'a' is not resident yet.
      'lock: in system memory',
      'page-in by transfer',
      // Not written since the page-in: "discarded and not paged out".
      'eviction by discard',
      'page-in by transfer',
      // The render wrote it: the system copy is brought up to date, and it stays resident.
      'Transfer segment -> MDL (bring the system copy of)',
      'lock: system copy, resident',
      // The CPU wrote the system copy: the unlock updates the segment, a regular paging operation.
      'Transfer MDL -> segment (update)',
      // Clean again: discarded.
      'eviction by discard',
    ]);
    assert.equal(run.machine.kernel.byName.get('a')!.info.Flags.PermanentSysMem, true);
  });

  it('without the flag the same workload pages the content out at each eviction', async () => {
    const run = await runScenario(REFERENCE, workload(false));
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.deepEqual(story(run.events), [
      'lock: in system memory',
      'page-in by transfer',
      // Paged out though its system pages already held the content.
      'eviction by transfer',
      'page-in by transfer',
      // The lock maps the segment through the aperture (PermanentSysMem would hand out the system copy).
      'lock: through the aperture',
      'eviction by transfer',
    ]);
  });
});
