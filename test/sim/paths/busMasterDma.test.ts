// "Bus-Master DMA in Video Miniport Drivers" on samples/scenarios/bus-master-dma.json.

import assert from 'node:assert/strict';
import type { DRIVER_OBJECT, DXGKRNL_INTERFACE, NTSTATUS } from '../../../src/sim/ddi/contract';
import { loadDriver } from '../../../src/sim/driver/loader';
import type { MemoryPaths } from '../../../src/sim/kernel/memoryPaths';
import { createMachine, type MachineEvent } from '../../../src/sim/machine';
import { REFERENCE, sampleScenario } from '../verifier/helpers';
import { runScenario, scenario, testDriver } from '../kernel/helpers';
import { listenToDriverCode } from '../../../src/sim/runtime/driverCode';

describe('bus-master DMA', () => {
  it('the driver gets an adapter, keeps one budgeted common buffer, moves data by scatter/gather, and gives both back at DxgkDdiStopDevice', async () => {
    const machine = await createMachine({ driver: REFERENCE, scenario: sampleScenario('bus-master-dma') });
    const wdk = machine.kernel.extension as MemoryPaths;
    const events: MachineEvent[] = [];
    let checked = false;
    const r = machine.run((e) => {
      if (e.kind === 'instruction') return;
      events.push(e);
      if (e.kind === 'kernel' && e.what === 'bus-master-dma' && e.data.direction === 'to-device' && !checked) {
        // The DMA channel moved the system pages into the segment.
        const a = machine.kernel.byName.get('texture')!;
        assert.deepEqual(machine.gpu.readSegment(a.segmentId, a.offset, a.size), machine.kernel.content.read(a));
        assert.equal(e.data.commonBufferBytes, 4096, 'the common buffer is visible in the accounting');
        assert.ok(machine.gpu.commonBufferUsage().used >= 4096);
        checked = true;
      }
    });
    assert.equal(r.ok, true, r.error?.message);
    assert.ok(checked);
    const s = wdk.dma.stats;
    assert.deepEqual(
      { adapters: s.adapters, commonBuffers: s.commonBuffers, peak: s.peakCommonBufferBytes, now: s.commonBufferBytes, transfers: s.transfers, bytes: s.bytes, packets: s.packets },
      { adapters: 1, commonBuffers: 1, peak: 4096, now: 0, transfers: 3, bytes: 3 * 128 * 1024, packets: 3 * 32 },
    );
    assert.deepEqual(wdk.dma.leaks(), []);
    const stop = events.find((e) => e.kind === 'ddi-return' && e.call.ddi === 'DxgkDdiStopDevice');
    assert.ok(stop, 'DxgkDdiStopDevice was called at the end');
  });

  it('a transfer to the device after a render wrote the allocation: what was sent is what it should hold', async () => {
    // The render leaves the segment ahead of the system pages; the transfer sends the system pages,
    // so verify expects those (it expected the render's bytes, and blamed a correct driver).
    const workload = [
      { op: 'create' as const, id: 'texture', size: '192KiB' },
      { op: 'write' as const, id: 'texture', seed: 21 },
      { op: 'render' as const, allocations: ['texture'], write: ['texture'] },
      { op: 'dma-transfer' as const, id: 'texture', direction: 'to-device' as const },
      { op: 'verify' as const },
    ];
    const ok = await runScenario(REFERENCE, scenario({ workload }));
    assert.equal(ok.result.ok, true, ok.result.error?.message);
    // A driver that sends only the first page leaves the render's tiles past it: caught there.
    const short = await testDriver((init) => ({
      DxgkDdiBusMasterTransfer: (h, args) => init.DxgkDdiBusMasterTransfer!(h, { ...args, Length: 4096 }),
    }));
    const bad = await runScenario(short, scenario({ workload }));
    assert.equal(bad.result.ok, false);
    const at = Number(/content of 'texture' is wrong at byte (\d+)/.exec(bad.result.error!.message)?.[1]);
    assert.ok(at >= 4096, `the first wrong byte (${at}) lies past the page sent`);
    // A swizzled allocation lies in its segment tile by tile: the bytes sent land raw, and the
    // application sees them through its tiling, then (evicted) unswizzled in system memory.
    const swizzled = await runScenario(
      REFERENCE,
      scenario({
        workload: [
          { op: 'create', id: 's', size: '256KiB', fill: 0x01020304, privateData: { swizzled: true, pitch: 1024 } },
          { op: 'write', id: 's', seed: 51 },
          { op: 'render', allocations: ['s'], write: ['s'] },
          { op: 'dma-transfer', id: 's', direction: 'to-device' },
          { op: 'verify' },
          { op: 'pressure', bytes: '1MiB' },
          { op: 'verify' },
        ],
      }),
    );
    assert.equal(swizzled.result.ok, true, swizzled.result.error?.message);
  });

  it('the GPU goes on while a transfer runs: work queued behind it completes, its fences reported', async () => {
    // The transfer waits for its allocation only; the render of another is still queued. The kernel
    // once moved the GPU's clock to the transfer's end under it: that render ran with no instruction
    // events and no interrupt handled, and the run ended blaming the driver for fences never reported.
    const run = await runScenario(
      REFERENCE,
      scenario({
        workload: [
          { op: 'create', id: 'a', size: '164KiB' },
          { op: 'create', id: 'b', size: '192KiB' },
          { op: 'write', id: 'a', seed: 1 },
          { op: 'render', allocations: ['a'], write: ['a'] },
          { op: 'render', allocations: ['b'] },
          { op: 'dma-transfer', id: 'a', direction: 'from-device' },
        ],
      }),
      { keep: (e) => e.kind === 'kernel' || e.kind === 'instruction' },
    );
    assert.equal(run.result.ok, true, run.result.error?.message);
    const dma = run.events.findIndex((e) => e.kind === 'kernel' && e.what === 'bus-master-dma');
    const render2 = run.events.findIndex((e) => e.kind === 'kernel' && e.what === 'fence-completed' && /render 2/.test(e.message));
    assert.ok(dma > 0 && render2 > 0 && render2 < dma, 'render 2 completed, its fence reported, while the transfer ran');
    assert.ok(run.events.slice(0, dma).filter((e) => e.kind === 'instruction').length >= 4, 'the queued work ran as instructions the debugger sees');
  });

  it('the kernel\'s callbacks say they are the simulator\'s work (a hang watcher leaves their time out): DxgkCb*, and the DMA adapter\'s functions', async () => {
    const inside: string[] = [];
    const calls: string[] = [];
    listenToDriverCode({
      enter: (ddi) => void calls.push(ddi),
      leave: () => void calls.pop(),
      host: (entering) => void (entering && inside.push(calls[calls.length - 1])),
    });
    try {
      const run = await runScenario(REFERENCE, sampleScenario('bus-master-dma'), { keep: () => false });
      assert.equal(run.result.ok, true, run.result.error?.message);
    } finally {
      listenToDriverCode(undefined);
    }
    // StartDevice takes the device information, the contiguous memory and the DMA adapter and its
    // common buffer; each transfer starts the DMA; the interrupt routine reports its fences.
    for (const ddi of ['DxgkDdiStartDevice', 'DxgkDdiBusMasterTransfer', 'DxgkDdiInterruptRoutine', 'DxgkDdiStopDevice']) assert.ok(inside.includes(ddi), `no callback seen inside ${ddi}: ${[...new Set(inside)].join(', ')}`);
  });

  it('a transfer of content that was only filled moves no byte: the pages stay patterns at the other end', async () => {
    const s = scenario({
      adapter: { segments: [{ name: 'vram', kind: 'memory', size: '64MiB', cpuVisible: true }], systemMemory: '256MiB' },
      workload: [
        { op: 'create', id: 'big', size: '32MiB', fill: 0x01020304 },
        { op: 'render', allocations: ['big'], write: ['big'] },
        { op: 'dma-transfer', id: 'big', direction: 'from-device' },
        { op: 'dma-transfer', id: 'big', direction: 'to-device' },
        { op: 'verify' },
      ],
    });
    const run = await runScenario(REFERENCE, s, { keep: () => false });
    assert.equal(run.result.ok, true, run.result.error?.message);
    // 32 MiB each way, and what the memories hold stays a few pages (the render's tile, the driver's buffers).
    assert.ok(run.machine.gpu.heldBytes() < 4 * 1024 * 1024, `${run.machine.gpu.heldBytes()} bytes held`);
  });

  it('common buffers are scarce: past the adapter profile\'s budget AllocateCommonBuffer returns null', async () => {
    const reference = (await loadDriver(REFERENCE)).DriverEntry;
    let result: unknown = 'not called';
    const driver = (DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS => {
      const st = reference(DriverObject, RegistryPath);
      const init = DriverObject.DriverInitializationData!;
      DriverObject.DriverInitializationData = {
        ...init,
        DxgkDdiStartDevice(ctx, info, dxgk: DXGKRNL_INTERFACE) {
          const s = init.DxgkDdiStartDevice(ctx, info, dxgk);
          const adapter = dxgk.DxgkCbGetDmaAdapter!(dxgk.DeviceHandle, { ScatterGather: true, Dma32BitAddresses: false, Dma64BitAddresses: true, MaximumLength: 1 << 20 })!;
          result = adapter.AllocateCommonBuffer(64 * 1024 * 1024);
          dxgk.DxgkCbPutDmaAdapter!(dxgk.DeviceHandle, adapter);
          return s;
        },
      };
      return st;
    };
    const machine = await createMachine({ driver, scenario: sampleScenario('bus-master-dma') });
    const r = machine.run();
    assert.equal(result, null);
    assert.equal(r.ok, true, r.error?.message);
  });
});

describe('the machine state shows the WDK paths', () => {
  it('CPU mappings, swizzling ranges, common-buffer use and DMA figures, as plain data', async () => {
    const machine = await createMachine({ driver: REFERENCE, scenario: sampleScenario('cpu-access') });
    for (let e = machine.next(); e; e = machine.next()) if (e.kind === 'kernel' && e.what === 'lock' && e.data.allocation === 'linear') break;
    const w = machine.state().paths!;
    assert.equal(w.verifier, true);
    assert.deepEqual(w.cpuMappings.map((m) => [m.allocation, m.through]), [['surface', 'aperture'], ['linear', 'aperture']]);
    assert.equal(w.swizzlingRanges, 1);
    assert.equal(w.dma.adapters, 1);
    assert.ok(w.commonBuffers.used > 0 && w.commonBuffers.used <= w.commonBuffers.budget);
    assert.doesNotThrow(() => structuredClone(w));
  });
});
