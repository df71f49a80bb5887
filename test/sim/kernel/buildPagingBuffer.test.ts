// One test per WDK behaviour of the DxgkDdiBuildPagingBuffer loop (seeds: "Paging Video Memory
// Resources" and DxgkDdiBuildPagingBuffer), each driven by a test driver that records what it sees.

import assert from 'node:assert/strict';
import {
  type DXGKARG_BUILDPAGINGBUFFER,
  type DXGKARG_PATCH,
  type DXGKARG_SUBMITCOMMAND,
  type DXGK_QUERYSEGMENTOUT,
  DXGKQAITYPE_QUERYSEGMENT,
  DXGK_OPERATION_DISCARD_CONTENT,
  DXGK_OPERATION_FILL,
  DXGK_OPERATION_NAMES,
  DXGK_OPERATION_TRANSFER,
  STATUS_GRAPHICS_ALLOCATION_BUSY,
  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER,
  STATUS_SUCCESS,
} from '../../../src/sim/ddi/contract';
import { writeInstruction } from '../../../src/sim/ddi/gpu';
import { createMachine, type Machine } from '../../../src/sim/machine';
import { ddiReturns, runScenario, scenario, testDriver } from './helpers';

interface Seen {
  op: string;
  name?: string;
  multipass: number;
  flags?: Record<string, boolean>;
  transferOffset?: number;
  transferSize?: number;
  buffer: number;
  offset: number;
  dmaSize: number;
  status?: number;
  direction?: 'in' | 'out';
}

/** Records every DxgkDdiBuildPagingBuffer call (at entry) and its status, then runs the real one. */
function recording(seen: Seen[], before?: (args: DXGKARG_BUILDPAGINGBUFFER, call: Seen) => number | undefined) {
  return testDriver((init) => ({
    DxgkDdiBuildPagingBuffer(h, args) {
      const member = (args as unknown as Record<string, { Flags?: Record<string, boolean>; TransferOffset?: number; TransferSize?: number; hAllocation?: { size: number } }>)[
        DXGK_OPERATION_NAMES[args.Operation]
      ];
      const call: Seen = {
        op: DXGK_OPERATION_NAMES[args.Operation],
        multipass: args.MultipassOffset,
        flags: member?.Flags ? { ...member.Flags } : undefined,
        transferOffset: member?.TransferOffset,
        transferSize: member?.TransferSize,
        buffer: args.pDmaBuffer.PhysicalAddress,
        offset: args.pDmaBuffer.Offset,
        dmaSize: args.DmaSize,
        direction: args.Operation === DXGK_OPERATION_TRANSFER ? (args.Transfer.Source.SegmentId === 0 ? 'in' : 'out') : undefined,
      };
      seen.push(call);
      const forced = before?.(args, call);
      call.status = forced ?? init.DxgkDdiBuildPagingBuffer(h, args);
      return call.status;
    },
  }));
}

describe('kernel: the DxgkDdiBuildPagingBuffer loop', () => {
  it('STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER twice: the partial buffer is submitted, a new one acquired, MultipassOffset preserved and TransferStart seen on each call', async () => {
    const seen: Seen[] = [];
    let limited = 0;
    // For the page-in of 'big' (256 KiB = 4 copies of 64 KiB), give the driver room for one copy on
    // the first two calls: it writes one copy, saves its progress in MultipassOffset, and asks for more.
    // (The test driver hides space VidMm gave, which the verifier would report as
    // insufficient-dma-buffer-with-room: it is off here, the subject is VidMm's side of the loop.)
    const driver = await recording(seen, (args) => {
      if (args.Operation === DXGK_OPERATION_TRANSFER && args.Transfer.Source.SegmentId === 0 && limited < 2) {
        limited++;
        args.DmaSize = Math.min(args.DmaSize, 50);
      }
      return undefined;
    });
    const run = await runScenario(
      driver,
      scenario({
        workload: [
          { op: 'create', id: 'big', size: '256KiB' },
          { op: 'write', id: 'big', seed: 3 },
          { op: 'render', allocations: ['big'] },
          { op: 'verify' },
        ],
      }),
      { verifier: false },
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    const calls = seen.filter((c) => c.op === 'Transfer' && c.direction === 'in');
    assert.equal(calls.length, 3);
    assert.deepEqual(calls.map((c) => c.status), [STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER, STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER, STATUS_SUCCESS]);
    assert.deepEqual(calls.map((c) => c.multipass), [0, 64 * 1024, 128 * 1024], 'MultipassOffset: 0 first, then what the driver left');
    assert.ok(calls.every((c) => c.flags!.TransferStart && c.flags!.TransferEnd), 'one transfer: TransferStart (and TransferEnd) on every call');
    assert.equal(new Set(calls.map((c) => c.buffer)).size, 3, 'each refill gets a new paging buffer');
    assert.ok(calls.every((c) => c.offset === 0), 'a new paging buffer starts empty');
    // Each partial buffer was patched and submitted before the next call.
    const patches = ddiReturns(run.events, 'DxgkDdiPatch');
    assert.ok(patches.length >= 3);
    assert.equal(run.result.stats.insufficientDmaBuffer, 2);
  });

  it('MultipassOffset is zeroed before the first call of every operation, whatever the driver left in it', async () => {
    const seen: Seen[] = [];
    const driver = await testDriver((init) => ({
      DxgkDdiBuildPagingBuffer(h, args) {
        seen.push({ op: DXGK_OPERATION_NAMES[args.Operation], multipass: args.MultipassOffset, buffer: 0, offset: 0, dmaSize: args.DmaSize });
        const status = init.DxgkDdiBuildPagingBuffer(h, args);
        if (status === STATUS_SUCCESS) args.MultipassOffset = 0xdead;
        return status;
      },
    }));
    const run = await runScenario(
      driver,
      scenario({
        workload: [
          { op: 'create', id: 'a', size: '128KiB' },
          { op: 'create', id: 'b', size: '128KiB' },
          { op: 'write', id: 'a' },
          { op: 'render', allocations: ['a', 'b'] },
          { op: 'pressure', bytes: '1MiB' },
        ],
      }),
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.ok(seen.length >= 4);
    assert.ok(seen.every((c) => c.multipass === 0), JSON.stringify(seen.map((c) => c.multipass)));
  });

  it('STATUS_GRAPHICS_ALLOCATION_BUSY: VidMm waits until the GPU is done with the allocation and calls again with AllocationIsIdle', async () => {
    const seen: Seen[] = [];
    let fenceAtRetry: { completed: number; render: number } | undefined;
    let renderFence = 0;
    const ref: { machine?: Machine } = {};
    const driver = await recording(seen, (args) => {
      if (args.Operation === DXGK_OPERATION_TRANSFER && args.Transfer.Destination.SegmentId === 0) {
        if (!args.Transfer.Flags.AllocationIsIdle) return STATUS_GRAPHICS_ALLOCATION_BUSY;
        fenceAtRetry = { completed: ref.machine!.state().engines[0].lastCompletedFence, render: renderFence };
      }
      return undefined;
    });
    ref.machine = await createMachine({
      driver,
      scenario: scenario({
        workload: [
          { op: 'create', id: 'surface', size: '64KiB' },
          { op: 'write', id: 'surface' },
          { op: 'render', allocations: ['surface'] },
          { op: 'pressure', bytes: '1MiB' },
          { op: 'verify' },
        ],
      }),
    });
    const result = ref.machine.run((e) => {
      if (e.kind === 'kernel' && e.what === 'render') renderFence = e.data.fenceId as number;
    });
    assert.equal(result.ok, true, result.error?.message);
    const evictions = seen.filter((c) => c.op === 'Transfer' && c.direction === 'out');
    assert.equal(evictions.length, 2);
    assert.equal(evictions[0].flags!.AllocationIsIdle, false);
    assert.equal(evictions[0].status, STATUS_GRAPHICS_ALLOCATION_BUSY);
    assert.equal(evictions[1].flags!.AllocationIsIdle, true);
    assert.equal(evictions[1].status, STATUS_SUCCESS);
    assert.ok(fenceAtRetry && fenceAtRetry.completed >= fenceAtRetry.render, 'the render using it had completed before the retry');
    assert.equal(result.stats.allocationBusy, 1);
  });

  it('sub-transfers: TransferStart on the first, TransferEnd on the last, in order, a transfer ends before the next starts, refills repeat the flags', async () => {
    const seen: Seen[] = [];
    const driver = await recording(seen);
    const s = scenario({
      kernel: { maxTransferSize: '64KiB', pagingBufferSize: 100 },
      workload: [
        { op: 'create', id: 'a', size: '200KiB' },
        { op: 'create', id: 'b', size: '136KiB' },
        { op: 'write', id: 'a' },
        { op: 'write', id: 'b' },
        { op: 'render', allocations: ['a', 'b'] },
        { op: 'pressure', bytes: '1MiB' },
        { op: 'verify' },
      ],
    });
    const run = await runScenario(driver, s);
    assert.equal(run.result.ok, true, run.result.error?.message);
    const transfers = seen.filter((c) => c.op === 'Transfer');
    assert.ok(transfers.some((c) => c.status === STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER), 'some sub-transfer needed a refill');
    // Walk the calls as the driver sees them: a pending transfer must end before another starts.
    let pending: { next: number; size: number } | undefined;
    let subTransfers = 0;
    for (let i = 0; i < transfers.length; i++) {
      const c = transfers[i];
      const refill = i > 0 && transfers[i - 1].status === STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
      if (refill) {
        const p = transfers[i - 1];
        assert.deepEqual(c.flags, { ...p.flags }, 'a refill repeats the flags');
        assert.equal(c.transferOffset, p.transferOffset);
        continue;
      }
      subTransfers++;
      if (c.flags!.TransferStart) {
        assert.equal(pending, undefined, 'TransferStart while a transfer is pending');
        assert.equal(c.transferOffset, 0);
        pending = { next: 0, size: 0 };
      } else {
        assert.ok(pending, 'a sub-transfer without a transfer in progress');
      }
      assert.equal(c.transferOffset, pending!.next, 'sub-transfers are in order and contiguous');
      assert.ok(c.transferSize! <= 64 * 1024);
      pending!.next += c.transferSize!;
      if (c.flags!.TransferEnd) pending = undefined;
    }
    assert.equal(pending, undefined, 'the last transfer ended');
    assert.ok(subTransfers > run.result.stats.transfers, 'transfers were split');
    assert.equal(subTransfers, run.result.stats.subTransfers);
  });

  it('DxgkDdiPatch sees no patch-location list for paging buffers, and runs before DxgkDdiSubmitCommand with the same fence id', async () => {
    const order: { ddi: string; fence: number; paging: boolean; list: boolean; allocs: boolean }[] = [];
    const driver = await testDriver((init) => ({
      DxgkDdiPatch(h, p: DXGKARG_PATCH) {
        order.push({ ddi: 'Patch', fence: p.SubmissionFenceId, paging: p.Flags.Paging, list: p.pPatchLocationList !== null, allocs: p.pAllocationList !== null });
        return init.DxgkDdiPatch(h, p);
      },
      DxgkDdiSubmitCommand(h, s: DXGKARG_SUBMITCOMMAND) {
        order.push({ ddi: 'Submit', fence: s.SubmissionFenceId, paging: s.Flags.Paging, list: false, allocs: false });
        return init.DxgkDdiSubmitCommand(h, s);
      },
    }));
    const run = await runScenario(driver, scenario({ workload: [{ op: 'create', id: 'a', size: '64KiB' }, { op: 'render', allocations: ['a'] }] }));
    assert.equal(run.result.ok, true, run.result.error?.message);
    const paging = order.filter((o) => o.ddi === 'Patch' && o.paging);
    const render = order.filter((o) => o.ddi === 'Patch' && !o.paging);
    assert.ok(paging.length >= 1 && render.length === 1);
    assert.ok(paging.every((p) => !p.list && !p.allocs), 'paging buffers: no patch-location list, no allocation list');
    assert.ok(render[0].list && render[0].allocs, 'render buffers come with both');
    for (let i = 0; i < order.length; i += 2) {
      assert.equal(order[i].ddi, 'Patch');
      assert.equal(order[i + 1].ddi, 'Submit');
      assert.equal(order[i].fence, order[i + 1].fence);
    }
  });

  // "param.pDmaBufferPrivateData = CurrentPagingBufferPrivateData; param.DmaBufferPrivateDataSize =
  // CurrentPagingBufferPrivateDataSizeLeft" (the page's example): private data kept with each paging
  // buffer, advanced by the driver like pDmaBuffer, and its submitted range handed back.
  it('paging buffers carry the private data the driver asked for: advanced like pDmaBuffer, its range back in DxgkDdiPatch and DxgkDdiSubmitCommand', async () => {
    const SIZE = 2;
    let built = 0;
    let ranOut = 0;
    const patched = new Map<number, string>();
    const submitted: string[] = [];
    const driver = await testDriver((init) => ({
      DxgkDdiQueryAdapterInfo(h, q) {
        const status = init.DxgkDdiQueryAdapterInfo(h, q);
        if (q.Type === DXGKQAITYPE_QUERYSEGMENT) (q.pOutputData as DXGK_QUERYSEGMENTOUT).PagingBufferPrivateDataSize = SIZE;
        return status;
      },
      // One byte of private data per call that writes: the operation. No room there is no room.
      DxgkDdiBuildPagingBuffer(h, args: DXGKARG_BUILDPAGINGBUFFER) {
        const p = args.pDmaBufferPrivateData!;
        assert.equal(args.DmaBufferPrivateDataSize, SIZE - p.Offset);
        if (args.DmaBufferPrivateDataSize < 1) {
          ranOut++;
          return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
        }
        const before = args.pDmaBuffer.Offset;
        const status = init.DxgkDdiBuildPagingBuffer(h, args);
        if (args.pDmaBuffer.Offset > before) {
          p.Bytes[p.Offset++] = 0x40 + args.Operation;
          built++;
        }
        return status;
      },
      DxgkDdiPatch(h, p: DXGKARG_PATCH) {
        if (p.Flags.Paging) {
          assert.equal(p.DmaBufferPrivateDataSize, SIZE);
          patched.set(p.SubmissionFenceId, String.fromCharCode(...p.pDmaBufferPrivateData!.subarray(p.DmaBufferPrivateDataSubmissionStartOffset, p.DmaBufferPrivateDataSubmissionEndOffset)));
        } else assert.equal(p.pDmaBufferPrivateData, null);
        return init.DxgkDdiPatch(h, p);
      },
      DxgkDdiSubmitCommand(h, s: DXGKARG_SUBMITCOMMAND) {
        if (s.Flags.Paging) {
          const ops = patched.get(s.SubmissionFenceId)!;
          assert.equal(s.DmaBufferPrivateDataSubmissionEndOffset - s.DmaBufferPrivateDataSubmissionStartOffset, ops.length);
          submitted.push(ops);
        }
        return init.DxgkDdiSubmitCommand(h, s);
      },
    }));
    const run = await runScenario(
      driver,
      scenario({
        workload: [
          ...Array.from({ length: 8 }, (_, i) => ({ op: 'create' as const, id: `a${i}`, size: '128KiB', fill: i })),
          { op: 'render', allocations: ['a0', 'a1', 'a2'] },
          { op: 'pressure', bytes: '1MiB' },
          { op: 'render', allocations: ['a3', 'a4', 'a5', 'a6'] },
          { op: 'verify' },
        ],
      }),
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.ok(ranOut > 0, `the private data ran out at least once (submitted: ${JSON.stringify(submitted)})`);
    assert.equal(submitted.join('').length, built, 'every byte of private data written was submitted once');
    assert.ok(submitted.every((ops) => ops.length >= 1 && ops.length <= SIZE));
  });

  it('a PagingBufferPrivateDataSize that is not a size is refused at start, saying what it must be', async () => {
    const driver = await testDriver((init) => ({
      DxgkDdiQueryAdapterInfo(h, q) {
        const status = init.DxgkDdiQueryAdapterInfo(h, q);
        if (q.Type === DXGKQAITYPE_QUERYSEGMENT) (q.pOutputData as DXGK_QUERYSEGMENTOUT).PagingBufferPrivateDataSize = -1;
        return status;
      },
    }));
    const run = await runScenario(driver, scenario({ workload: [{ op: 'create', id: 'a', size: '64KiB' }] }));
    assert.equal(run.result.ok, false);
    assert.match(run.result.error!.message, /PagingBufferPrivateDataSize must be a whole number of bytes from 0 to 1048576 .* got -1/);
  });

  it('page-in fills new content, transfers written content from the MDL; eviction transfers written content and discards untouched content', async () => {
    const seen: Seen[] = [];
    const driver = await recording(seen);
    const run = await runScenario(
      driver,
      scenario({
        workload: [
          { op: 'create', id: 'untouched', size: '64KiB', fill: 7 },
          { op: 'create', id: 'written', size: '64KiB' },
          { op: 'render', allocations: ['untouched', 'written'] },
          { op: 'pressure', bytes: '1MiB' },
          { op: 'write', id: 'written', seed: 5 },
          { op: 'render', allocations: ['untouched', 'written'] },
          { op: 'pressure', bytes: '1MiB' },
          { op: 'verify' },
        ],
      }),
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    const ops = seen.map((c) => (c.op === 'Transfer' ? `Transfer-${c.direction}` : c.op));
    assert.deepEqual(ops, ['Fill', 'Fill', 'DiscardContent', 'DiscardContent', 'Fill', 'Transfer-in', 'DiscardContent', 'Transfer-out']);
    void DXGK_OPERATION_FILL;
    void DXGK_OPERATION_DISCARD_CONTENT;
  });
});

describe('kernel: one operation, its inputs and its calls', () => {
  it('VidMm hands the same inputs on every call of one operation, whatever the driver did to them', async () => {
    const seen: { offset: number; size: number; start: boolean }[] = [];
    let spoiled = 0;
    const driver = await testDriver((init) => ({
      DxgkDdiBuildPagingBuffer(h, args) {
        if (args.Operation !== DXGK_OPERATION_TRANSFER) return init.DxgkDdiBuildPagingBuffer(h, args);
        const t = args.Transfer;
        seen.push({ offset: t.TransferOffset, size: t.TransferSize, start: t.Flags.TransferStart });
        const status = init.DxgkDdiBuildPagingBuffer(h, args);
        // Spoil the inputs after the first call of each operation.
        if (status === STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER) {
          spoiled++;
          t.TransferOffset = 12345;
          t.TransferSize = 1;
          t.Flags.TransferStart = false;
        }
        return status;
      },
    }));
    const run = await runScenario(
      driver,
      scenario({ kernel: { pagingBufferSize: 100 }, workload: [{ op: 'create', id: 'big', size: '256KiB' }, { op: 'write', id: 'big', seed: 3 }, { op: 'render', allocations: ['big'] }, { op: 'verify' }] }),
      { verifier: false },
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.ok(spoiled >= 1);
    assert.ok(seen.every((c) => c.offset === 0 && c.size === 256 * 1024 && c.start), JSON.stringify(seen));
  });

  it('a driver that never completes an operation (nor repeats itself) is stopped after a bounded number of calls, naming the operation and the count', async () => {
    let calls = 0;
    const driver = await testDriver((init) => ({
      DxgkDdiBuildPagingBuffer(h, args) {
        if (args.Operation !== DXGK_OPERATION_FILL) return init.DxgkDdiBuildPagingBuffer(h, args);
        // Writes a nop, counts up, asks for more: forever.
        calls++;
        args.MultipassOffset++;
        args.pDmaBuffer.Offset += writeInstruction(args.pDmaBuffer.Bytes, args.pDmaBuffer.Offset, 'nop', []);
        return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
      },
    }));
    const run = await runScenario(driver, scenario({ kernel: { pagingBufferSize: 64 }, workload: [{ op: 'create', id: 'small', size: '4KiB' }, { op: 'render', allocations: ['small'] }] }), { keep: () => false });
    assert.equal(run.result.ok, false);
    const limit = 64 + 2 * (4096 / 64);
    assert.equal(calls, limit);
    assert.equal(run.result.error!.rule, 'build-loop-limit');
    assert.match(run.result.error!.message, new RegExp(`DxgkDdiBuildPagingBuffer was called ${limit} times for one operation, Fill 'small' with 0x0, without completing it; an operation of 4096 bytes needs at most ${limit} calls`));
    assert.match(run.result.error!.message, /timeout detection and recovery/);
  });
});
