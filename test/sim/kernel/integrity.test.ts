// Nothing is lost, and runs are reproducible: a seeded random workload with thousands of
// evictions ends with every allocation holding exactly what the workload last wrote (CPU writes
// and GPU tile writes), checked byte for byte; the same driver, scenario and seed give the same
// trace hash, and another seed a different one.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { MachineEvent } from '../../../src/sim/machine';
import { referenceDriver, runScenario, scenario, segmentOperand, testDriver } from './helpers';
import { normalizeScenario } from '../../../src/sim/scenario';
import { writeInstruction } from '../../../src/sim/ddi/gpu';

function traceHash(events: MachineEvent[]): string {
  const h = createHash('sha256');
  for (const e of events) {
    if (e.kind === 'ddi-return') h.update(`${e.time} ${e.call.ddi} ${e.call.status ?? ''}\n`);
    else if (e.kind === 'kernel') h.update(`${e.time} ${e.what} ${e.message}\n`);
    else if (e.kind === 'instruction') h.update(`${e.time} i ${e.engine} ${e.address}\n`);
    else h.update(`${e.time} ${e.kind}\n`);
  }
  return h.digest('hex');
}

const stress = (seed: number) =>
  normalizeScenario(
    {
      seed,
      adapter: {
        segments: [
          { name: 'vram', kind: 'memory', size: '256KiB', cpuVisible: true },
          { name: 'local', kind: 'memory', size: '512KiB' },
        ],
        systemMemory: '64MiB',
        commonBufferBudget: '8MiB',
      },
      kernel: { pagingBufferSize: 512, maxTransferSize: '32KiB' },
      generate: {
        allocations: 48,
        steps: 2500,
        minSize: '4KiB',
        maxSize: '64KiB',
        allocationsPerRender: 4,
        weights: { render: 12, write: 4, recreate: 1, pressure: 1, wait: 1 },
      },
    },
    'stress',
  );

describe('kernel: integrity and determinism', function () {
  this.timeout(60000);

  it('a seeded random workload with thousands of evictions loses nothing', async () => {
    const run = await runScenario(await referenceDriver(), stress(11), { keep: (e) => e.kind === 'kernel' && e.what === 'verify' });
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.ok(run.result.stats.evictions >= 2000, `only ${run.result.stats.evictions} evictions`);
    assert.ok(run.result.stats.insufficientDmaBuffer > 0 && run.result.stats.subTransfers > run.result.stats.transfers);
    // The generated workload ends with a verify step, and the run verifies again at the end.
    const verified = run.events.map((e) => (e as unknown as { data: { count: number } }).data.count);
    assert.equal(verified.length, 2);
    assert.equal(verified[0], 48);
  });

  it('the verification really compares content: a driver that discards instead of copying on eviction is caught', async () => {
    const driver = await testDriver((init) => ({
      DxgkDdiBuildPagingBuffer(h, args) {
        if (args.Operation === 0 && args.Transfer.Destination.SegmentId === 0) {
          // The bug: evictions write a `discard` where a `copy` belongs, so the content is lost.
          const t = args.Transfer;
          const n = writeInstruction(args.pDmaBuffer.Bytes, args.pDmaBuffer.Offset, 'discard', [segmentOperand(h, t.Source.SegmentId, t.Source.SegmentAddress), t.TransferSize]);
          args.pDmaBuffer.Offset += n;
          return 0;
        }
        return init.DxgkDdiBuildPagingBuffer(h, args);
      },
    }));
    const run = await runScenario(
      driver,
      scenario({
        workload: [
          { op: 'create', id: 'a', size: '64KiB' },
          { op: 'write', id: 'a', seed: 1 },
          { op: 'render', allocations: ['a'] },
          { op: 'pressure', bytes: '1MiB' },
          { op: 'write', id: 'a', offset: 0, length: 16, seed: 2 },
          { op: 'verify' },
        ],
      }),
    );
    assert.equal(run.result.ok, true, 'the content was still in system memory: nothing lost yet');
    const lost = await runScenario(
      driver,
      scenario({
        workload: [
          { op: 'create', id: 'a', size: '4KiB', fill: 7 },
          { op: 'render', allocations: ['a'], write: ['a'] },
          { op: 'pressure', bytes: '1MiB' },
          { op: 'verify' },
        ],
      }),
    );
    assert.equal(lost.result.ok, false);
    assert.equal(lost.result.error!.category, 'verify');
    assert.match(lost.result.error!.message, /content of 'a' is wrong at byte 0 .*last paging operation: Transfer \(eviction\)/);
  });

  it('verification finds one wrong word deep in a large allocation, resident or evicted, at its byte', async () => {
    // Verification reads an allocation a chunk at a time: the byte it names must be the allocation's
    // own offset, past the first chunk too.
    const WRONG = 300000;
    const driver = await testDriver((init) => ({
      DxgkDdiBuildPagingBuffer(h, args) {
        const status = init.DxgkDdiBuildPagingBuffer(h, args);
        if (status !== 0 || args.Operation !== 0) return status;
        const t = args.Transfer;
        // The bug: a page-in that brings byte WRONG also fills the word there with a constant.
        if (t.Destination.SegmentId !== 0 && t.TransferOffset <= WRONG && WRONG < t.TransferOffset + t.TransferSize) {
          args.pDmaBuffer.Offset += writeInstruction(args.pDmaBuffer.Bytes, args.pDmaBuffer.Offset, 'fill', [segmentOperand(h, t.Destination.SegmentId, t.Destination.SegmentAddress, WRONG), 4, 0x5a5a5a5a]);
        }
        return status;
      },
    }));
    const workload = [
      { op: 'create' as const, id: 'big', size: '448KiB' },
      { op: 'write' as const, id: 'big', seed: 3 },
      { op: 'render' as const, allocations: ['big'] },
    ];
    const resident = await runScenario(driver, scenario({ workload: [...workload, { op: 'verify' }] }), { verifier: false });
    assert.equal(resident.result.ok, false);
    assert.match(resident.result.error!.message, new RegExp(`content of 'big' is wrong at byte ${WRONG}\\b.*, found 0x5a\\); it is resident`));
    const evicted = await runScenario(driver, scenario({ workload: [...workload, { op: 'pressure', bytes: '1MiB' }, { op: 'verify' }] }), { verifier: false });
    assert.equal(evicted.result.ok, false);
    assert.match(evicted.result.error!.message, new RegExp(`content of 'big' is wrong at byte ${WRONG}\\b.*, found 0x5a\\); it is in system memory`));
  });

  it('verification of content only ever filled compares patterns, and finds a page filled with another, resident or evicted', async () => {
    // Nothing writes the allocation byte by byte: its pages stay patterns in memory and in the
    // kernel's copy, and verify compares the patterns instead of reading the bytes.
    const PAGE_AT = 50 * 4096;
    const driver = await testDriver((init) => ({
      DxgkDdiBuildPagingBuffer(h, args) {
        const status = init.DxgkDdiBuildPagingBuffer(h, args);
        // The bug: the Fill that pages it in also fills page 50 with another pattern.
        if (status === 0 && args.Operation === 1) {
          const f = args.Fill;
          args.pDmaBuffer.Offset += writeInstruction(args.pDmaBuffer.Bytes, args.pDmaBuffer.Offset, 'fill', [segmentOperand(h, f.Destination.SegmentId, f.Destination.SegmentAddress, PAGE_AT), 4096, 0x5a5a5a5a]);
        }
        return status;
      },
    }));
    // The render writes a tile (a fill too), so the content is the GPU's and an eviction transfers it (never-written content is discarded).
    const workload = [
      { op: 'create' as const, id: 'big', size: '448KiB', fill: 0x11223344 },
      { op: 'render' as const, allocations: ['big'], write: ['big'] },
    ];
    const good = await runScenario(await testDriver(() => ({})), scenario({ workload: [...workload, { op: 'verify' }, { op: 'pressure', bytes: '1MiB' }, { op: 'verify' }] }), { verifier: false });
    assert.equal(good.result.ok, true, good.result.error?.message);
    const resident = await runScenario(driver, scenario({ workload: [...workload, { op: 'verify' }] }), { verifier: false });
    assert.equal(resident.result.ok, false);
    assert.match(resident.result.error!.message, new RegExp(`content of 'big' is wrong at byte ${PAGE_AT}\\b \\(expected 0x44, found 0x5a\\); it is resident`));
    const evicted = await runScenario(driver, scenario({ workload: [...workload, { op: 'pressure', bytes: '1MiB' }, { op: 'verify' }] }), { verifier: false });
    assert.equal(evicted.result.ok, false);
    assert.match(evicted.result.error!.message, new RegExp(`content of 'big' is wrong at byte ${PAGE_AT}\\b \\(expected 0x44, found 0x5a\\); it is in system memory`));
  });

  it('the same driver, scenario and seed give the same trace hash; another seed gives another', async () => {
    const driver = await referenceDriver();
    const small = (seed: number) => {
      const s = stress(seed);
      s.steps = s.steps.slice(0, 300);
      return s;
    };
    const all = () => true;
    const a = await runScenario(driver, small(5), { keep: all });
    const b = await runScenario(driver, small(5), { keep: all });
    const c = await runScenario(driver, small(6), { keep: all });
    assert.equal(a.result.ok && b.result.ok && c.result.ok, true);
    assert.equal(traceHash(a.events), traceHash(b.events));
    assert.notEqual(traceHash(a.events), traceHash(c.events));
    assert.ok(a.events.length > 1000);
  });
});
