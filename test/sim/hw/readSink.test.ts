// Read sinks (Gpu.onReads): the reads of data the hardware makes, told as numbers while someone
// listens (data breakpoints on reads). A copy's source, read by the engine running it; bus-master
// DMA reading one side of a transfer; the CPU reading through the BAR. Not the host's own looks at
// memory (readPhysical, readSegment, the debugger's reads) and not instruction fetch.

import assert from 'node:assert/strict';
import { createGpu, defaultGpuConfig, type Gpu, HOST_ENGINE } from '../../../src/sim/hw';
import { DEBUG_SEGMENT_STRIDE, HOST_ACCESS, PAGE_SIZE } from '../../../src/sim/hw/constants';
import { ins, phys, seg, submitProgram } from './helpers';

interface Heard {
  engine: number;
  vram: boolean;
  address: number;
  length: number;
  debugAddress: number;
  hostAccess: number;
}

function listen(gpu: Gpu): { heard: Heard[]; stop: () => void } {
  const heard: Heard[] = [];
  const stop = gpu.onReads((engine, vram, address, length, debugAddress, _time, hostAccess) => heard.push({ engine, vram, address, length, debugAddress, hostAccess }));
  return { heard, stop };
}

/** The bytes the reads cover, summed by debug address range [from, to). */
function bytesIn(heard: Heard[], from: number, to: number): number {
  let n = 0;
  for (const h of heard) n += Math.max(0, Math.min(to, h.debugAddress + h.length) - Math.max(from, h.debugAddress));
  return n;
}

describe('sim/hw read sinks', () => {
  it("hear a copy's source, read by the engine running it, and not its destination nor the fill before it", () => {
    const gpu = createGpu(defaultGpuConfig());
    const { heard } = listen(gpu);
    const base = 1 * DEBUG_SEGMENT_STRIDE;
    gpu.writeSegment(1, 0x2000, new Uint8Array(0x100).fill(3));
    submitProgram(gpu, [ins('fill', [seg(1, 0x1000), 0x100, 7]), ins('copy', [seg(1, 0x4000), seg(1, 0x2000), 0x100]), ins('copy', [seg(1, 0x5000), seg(1, 0x1000), 0x80]), ins('fence', [phys(0), 1n])]);
    gpu.runUntilIdle();
    assert.ok(heard.every((h) => h.engine === 0 && h.vram), 'engine 0 read VRAM');
    assert.equal(bytesIn(heard, base + 0x2000, base + 0x2100), 0x100, 'the first copy read its 256 source bytes (written bytes)');
    assert.equal(bytesIn(heard, base + 0x1000, base + 0x1100), 0x80, 'the second copy read 128 bytes of the filled range (a pattern, read as one)');
    assert.equal(bytesIn(heard, base + 0x4000, base + 0x6000), 0, 'no destination is heard as read');
    assert.equal(heard.reduce((n, h) => n + h.length, 0), 0x180, 'nothing else was read: not the fill, not the fence, not the instructions');
  });

  it('hear bus-master DMA read system memory going to the device and the segment coming back, and the CPU read through the BAR', () => {
    const gpu = createGpu(defaultGpuConfig());
    const pages = gpu.allocatePages(2);
    gpu.writePhysical(pages[0], new Uint8Array(PAGE_SIZE).fill(1));
    gpu.writePhysical(pages[1], new Uint8Array(PAGE_SIZE).fill(2));
    const { heard, stop } = listen(gpu);
    gpu.scatterGather(gpu.createMdl(pages, 0, 2 * PAGE_SIZE), 1, 0x8000, 'to-device');
    assert.equal(bytesIn(heard, pages[0], pages[0] + PAGE_SIZE) + bytesIn(heard, pages[1], pages[1] + PAGE_SIZE), 2 * PAGE_SIZE, 'the system pages were read');
    assert.ok(heard.every((h) => h.engine === HOST_ENGINE && h.hostAccess === HOST_ACCESS.busMaster && !h.vram));
    heard.length = 0;
    const back = gpu.allocatePages(2);
    gpu.scatterGather(gpu.createMdl(back, 0, 2 * PAGE_SIZE), 1, 0x8000, 'from-device');
    assert.equal(bytesIn(heard, DEBUG_SEGMENT_STRIDE + 0x8000, DEBUG_SEGMENT_STRIDE + 0xa000), 2 * PAGE_SIZE, 'the segment range was read (uniform pages too)');
    assert.ok(heard.every((h) => h.hostAccess === HOST_ACCESS.busMaster && h.vram));
    heard.length = 0;
    const bar = gpu.segments.find((s) => s.cpuVisible)!;
    const barBase = bar.barBase!;
    gpu.cpuRead(barBase + 0x8000, 16);
    assert.deepEqual(
      heard.map((h) => [h.debugAddress, h.length, h.hostAccess]),
      [[bar.id * DEBUG_SEGMENT_STRIDE + 0x8000, 16, HOST_ACCESS.cpu]],
    );
    heard.length = 0;
    // The host's own looks at memory are not reads of this kind.
    gpu.readPhysical(pages[0], 16);
    gpu.readSegment(1, 0x8000, 16);
    gpu.debugRead(DEBUG_SEGMENT_STRIDE + 0x8000, 16);
    assert.deepEqual(heard, []);
    // Stopped: nothing more is heard.
    stop();
    gpu.cpuRead(barBase + 0x8000, 16);
    assert.deepEqual(heard, []);
  });

  it('leave the run as it is: the same memory and clock with a read sink as without', () => {
    const run = (gpu: Gpu): void => {
      gpu.writeSegment(1, 0, new Uint8Array(64 * 1024).map((_, i) => i * 7));
      submitProgram(gpu, [ins('copy', [seg(2, 0), seg(1, 0), 64 * 1024]), ins('fill', [seg(1, 0x10000), 0x1000, 9]), ins('copy', [seg(1, 0x20000), seg(1, 0x10000), 0x1000]), ins('fence', [phys(0), 1n])]);
      gpu.runUntilIdle();
    };
    const config = defaultGpuConfig();
    const a = createGpu(config);
    run(a);
    const b = createGpu(config);
    listen(b);
    run(b);
    assert.equal(b.now, a.now);
    for (const s of [1, 2]) assert.deepEqual(b.readSegment(s, 0, 0x30000), a.readSegment(s, 0, 0x30000));
  });
});
