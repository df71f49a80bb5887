// Address translation through the GART (aperture segments, dummy page) and the CPU aperture (BAR,
// swizzling ranges).

import assert from 'node:assert/strict';
import { createGpu, defaultGpuConfig, HwEvent, PAGE_SIZE, tiledOffset } from '../../../src/sim/hw';
import { collect, pattern, runAsm } from './helpers';

const MiB = 1024 * 1024;
const GART = 3;

describe('sim/hw GART aperture', () => {
  it('starts with every entry invalid, or on a reset dummy page when the adapter has one', () => {
    const gpu = createGpu(defaultGpuConfig({ gartResetDummyPage: 0 }));
    assert.deepEqual(gpu.gartEntry(GART, 0), { state: 'dummy', physical: 0, coherent: false });
    runAsm(gpu, 'pread gart:0x3000, 8');
    assert.deepEqual(gpu.dummyPageAccesses().recent.map((a) => [a.segment, a.page, a.write]), [[GART, 3, false]]);
    const bare = createGpu(defaultGpuConfig());
    assert.equal(bare.gartEntry(GART, 0).state, 'invalid');
    assert.equal(runAsm(bare, 'pread gart:0x3000, 8').fault?.cause, 'unmapped-aperture-page');
    assert.throws(() => createGpu(defaultGpuConfig({ gartResetDummyPage: 5 })), /gartResetDummyPage/);
  });

  it('maps pages from a page list and reads them through the segment', () => {
    const gpu = createGpu(defaultGpuConfig());
    const data = pattern(2 * PAGE_SIZE, 5);
    gpu.writePhysical(0x201000, data.subarray(0, PAGE_SIZE));
    gpu.writePhysical(0x200000, data.subarray(PAGE_SIZE));
    const view = runAsm(
      gpu,
      `
      apmap gart, 10, 2, mdl(pages)+0, coherent
      apmap gart, 20, 1, mdl(pages)+4K
pages: .pages 0x201000, 0x200000`,
    );
    assert.equal(view.state, 'idle', view.fault?.message);
    assert.deepEqual(gpu.gartEntry(GART, 10), { state: 'mapped', physical: 0x201000, coherent: true });
    assert.deepEqual(gpu.gartEntry(GART, 11), { state: 'mapped', physical: 0x200000, coherent: true });
    assert.deepEqual(gpu.gartEntry(GART, 20), { state: 'mapped', physical: 0x200000, coherent: false });
    assert.deepEqual(gpu.readSegment(GART, 10 * PAGE_SIZE, 2 * PAGE_SIZE), data);
    // The GPU writing through the aperture lands in the system page.
    runAsm(gpu, 'pwrite gart:0x14008, 4, 0xCAFEF00D');
    assert.deepEqual([...gpu.readPhysical(0x200008, 4)], [0x0d, 0xf0, 0xfe, 0xca]);
    // And the debug address space shows the segment as the GPU sees it.
    assert.deepEqual(gpu.debugRead(GART * 2 ** 40 + 20 * PAGE_SIZE + 8, 4).bytes, gpu.readPhysical(0x200008, 4));
  });

  it('points unmapped entries at the dummy page and records accesses through them', () => {
    const gpu = createGpu(defaultGpuConfig());
    const events = collect(gpu);
    const view = runAsm(
      gpu,
      `
      apunmap gart, 0, 4, 0x7000
      pwrite gart:0x2010, 4, 0x11223344
      pread gart:0x3000, 4`,
    );
    assert.equal(view.state, 'idle', view.fault?.message);
    assert.deepEqual(gpu.gartEntry(GART, 2), { state: 'dummy', physical: 0x7000, coherent: false });
    assert.deepEqual([...gpu.readPhysical(0x7010, 4)], [0x44, 0x33, 0x22, 0x11], 'the write landed on the dummy page');
    const dummy = events.filter((e): e is Extract<HwEvent, { kind: 'dummy-page-access' }> => e.kind === 'dummy-page-access');
    assert.deepEqual(
      dummy.map((d) => [d.segment, d.page, d.write]),
      [
        [GART, 2, true],
        [GART, 3, false],
      ],
    );
    assert.equal(gpu.dummyPageAccesses().count, 2);
    assert.equal(gpu.dummyPageAccesses().recent[0].engine, 0);
  });
});

describe('sim/hw CPU aperture (BAR)', () => {
  it('reaches CPU-visible segments at the same offsets, and nothing else', () => {
    const gpu = createGpu(
      defaultGpuConfig({
        segments: [
          { id: 1, name: 'a', kind: 'memory', size: 4 * MiB, cpuVisible: true },
          { id: 2, name: 'hidden', kind: 'memory', size: 4 * MiB, cpuVisible: false },
          { id: 3, name: 'b', kind: 'memory', size: 4 * MiB, cpuVisible: true },
        ],
        vramBytes: 12 * MiB,
      }),
    );
    assert.equal(gpu.segments[0].barBase, 0);
    assert.equal(gpu.segments[2].barBase, 4 * MiB);
    gpu.cpuWrite(0x1234, new Uint8Array([1, 2, 3]));
    assert.deepEqual([...gpu.readSegment(1, 0x1234, 3)], [1, 2, 3]);
    gpu.writeSegment(3, 0x10, new Uint8Array([7, 7]));
    assert.deepEqual([...gpu.cpuRead(4 * MiB + 0x10, 2)], [7, 7]);
    // A write across the boundary of two BAR segments goes to both.
    gpu.cpuWrite(4 * MiB - 2, new Uint8Array([5, 6, 8, 9]));
    assert.deepEqual([...gpu.readSegment(1, 4 * MiB - 2, 2)], [5, 6]);
    assert.deepEqual([...gpu.readSegment(3, 0, 2)], [8, 9]);
    assert.throws(() => gpu.cpuRead(8 * MiB, 1), /not inside a CPU-visible segment/);
  });

  it('shows a tiled allocation linearly through a swizzling range while the GPU sees it tiled', () => {
    const gpu = createGpu(defaultGpuConfig({ swizzlingRanges: 1 }));
    const pitch = 256;
    const size = pitch * 64 * 2; // two bands of tiles
    const base = 0x40000;
    const range = gpu.acquireSwizzlingRange(1, base, size, pitch)!;
    assert.ok(range);
    assert.equal(gpu.acquireSwizzlingRange(1, base + size, size, pitch), undefined, 'only one range');
    const linear = pattern(size, 9);
    gpu.cpuWrite(base, linear);
    const tiled = gpu.readSegment(1, base, size);
    for (const i of [0, 1, 63, 64, 255, 256, 1000, 16383, 16384, size - 1]) {
      assert.equal(tiled[tiledOffset(i, pitch)], linear[i], `byte ${i}`);
    }
    assert.notDeepEqual(tiled, linear);
    assert.deepEqual(gpu.cpuRead(base, size), linear, 'the CPU reads back what it wrote');
    // The GPU's unswizzle gives the CPU's linear view, as eviction of a locked allocation must.
    const view = runAsm(gpu, `unswizzle phys:0x300000, vram:0x40000, 32K, 256`);
    assert.equal(view.state, 'idle', view.fault?.message);
    assert.deepEqual(gpu.readPhysical(0x300000, size), linear);
    // Outside the range the CPU sees the segment linearly.
    gpu.cpuWrite(base + size, new Uint8Array([1, 2]));
    assert.deepEqual([...gpu.readSegment(1, base + size, 2)], [1, 2]);
    gpu.releaseSwizzlingRange(range.handle);
    assert.deepEqual(gpu.cpuRead(base, size), tiled, 'released: linear access again');
    assert.ok(gpu.acquireSwizzlingRange(1, base, size, pitch));
    assert.throws(() => gpu.acquireSwizzlingRange(2, 0, size, pitch), /not CPU-visible/);
    assert.throws(() => gpu.acquireSwizzlingRange(1, 0, 1000, pitch), /multiple of pitch/);
  });
});
