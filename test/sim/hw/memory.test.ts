// System memory, sparse VRAM, common buffers and MDLs of the simulated GPU.

import assert from 'node:assert/strict';
import { createGpu, defaultGpuConfig, PAGE_SIZE } from '../../../src/sim/hw';
import { pattern } from './helpers';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe('sim/hw memory', () => {
  it('backs a 16 GiB VRAM sparsely: untouched pages read as zeros, only written chunks are resident', () => {
    const gpu = createGpu(
      defaultGpuConfig({ vramBytes: 16 * GiB, segments: [{ id: 1, name: 'vram', kind: 'memory', size: 16 * GiB, cpuVisible: true }] }),
    );
    assert.equal(gpu.residentBytes().vram, 0);
    assert.deepEqual(gpu.readSegment(1, 15 * GiB, 16), new Uint8Array(16));
    assert.equal(gpu.residentBytes().vram, 0, 'reading does not materialise');
    const data = pattern(100, 7);
    gpu.writeSegment(1, 16 * GiB - 100, data);
    gpu.writeSegment(1, 3 * GiB + 5, data);
    assert.deepEqual(gpu.readSegment(1, 16 * GiB - 100, 100), data);
    assert.deepEqual(gpu.readSegment(1, 3 * GiB + 5, 100), data);
    assert.deepEqual(gpu.readSegment(1, 3 * GiB + 105, 8), new Uint8Array(8));
    assert.ok(gpu.residentBytes().vram <= 4 * 64 * 1024, `resident ${gpu.residentBytes().vram}`);
  });

  it('places pages deterministically and frees them for reuse', () => {
    const a = createGpu(defaultGpuConfig());
    const b = createGpu(defaultGpuConfig());
    const pa = a.allocatePages(5);
    assert.deepEqual(pa, b.allocatePages(5));
    assert.ok(pa.every((p) => p % PAGE_SIZE === 0 && p > 0));
    assert.equal(new Set(pa).size, 5);
    a.freePages([pa[1], pa[2]]);
    const again = a.allocatePages(2);
    assert.deepEqual(again, [pa[1], pa[2]]);
    assert.throws(() => a.freePages([pa[0], pa[0]]), /already free/);
    assert.throws(() => a.allocatePages(0), /positive integer/);
  });

  it('reads and writes physical memory across chunk boundaries', () => {
    const gpu = createGpu(defaultGpuConfig());
    const data = pattern(200_000, 3);
    gpu.writePhysical(0x1_0000 - 17, data);
    assert.deepEqual(gpu.readPhysical(0x1_0000 - 17, data.length), data);
    assert.throws(() => gpu.readPhysical(gpu.config.systemMemoryBytes - 4, 8), /outside/);
  });

  it('gives common buffers whose host bytes are the device-visible memory, within a budget', () => {
    const gpu = createGpu(defaultGpuConfig({ commonBufferBudget: 3 * 64 * 1024 }));
    const cb = gpu.allocateCommonBuffer(5000)!;
    assert.ok(cb);
    assert.equal(cb.size, 5000);
    assert.equal(cb.bytes.length, 5000);
    cb.bytes.set([1, 2, 3], 4096);
    assert.deepEqual([...gpu.readPhysical(cb.physical + 4096, 3)], [1, 2, 3]);
    gpu.writePhysical(cb.physical + 10, new Uint8Array([9, 8]));
    assert.deepEqual([...cb.bytes.subarray(10, 12)], [9, 8]);
    assert.deepEqual(gpu.commonBufferUsage(), { used: 8192, budget: 3 * 64 * 1024, buffers: 1 });
    const big = gpu.allocateCommonBuffer(3 * 64 * 1024);
    assert.equal(big, undefined, 'over budget');
    gpu.freeCommonBuffer(cb);
    assert.deepEqual(gpu.commonBufferUsage(), { used: 0, budget: 3 * 64 * 1024, buffers: 0 });
    assert.ok(gpu.allocateCommonBuffer(3 * 64 * 1024));
    assert.throws(() => gpu.freeCommonBuffer({ ...cb, physical: cb.physical + 4096 }), /no common buffer/);
  });

  it('checks MDLs and writes page lists in the engine layout', () => {
    const gpu = createGpu(defaultGpuConfig());
    const pages = gpu.allocatePages(3);
    const mdl = gpu.createMdl(pages, 100, 3 * PAGE_SIZE - 100);
    assert.deepEqual(mdl, { pages, byteOffset: 100, byteCount: 3 * PAGE_SIZE - 100 });
    assert.throws(() => gpu.createMdl(pages, 100, 3 * PAGE_SIZE), /exceeds/);
    assert.throws(() => gpu.createMdl([123], 0, 1), /not a 4 KiB page/);
    const list = gpu.allocatePages(1)[0];
    assert.equal(gpu.writePageList(list, pages), 8 + 3 * 8);
    const v = new DataView(gpu.readPhysical(list, 32).buffer);
    assert.equal(v.getUint32(0, true), 3);
    assert.equal(Number(v.getBigUint64(16, true)), pages[1]);
  });

  it('does scatter/gather DMA between an MDL and a segment, costing virtual time', () => {
    const gpu = createGpu(defaultGpuConfig());
    const pages = [...gpu.allocatePages(4)].reverse(); // deliberately not in address order
    const data = pattern(3 * PAGE_SIZE, 11);
    const mdl = gpu.createMdl(pages, 0x123, data.length);
    let at = 0;
    for (let i = 0; at < data.length; i++) {
      const start = i === 0 ? 0x123 : 0;
      const n = Math.min(PAGE_SIZE - start, data.length - at);
      gpu.writePhysical(pages[i] + start, data.subarray(at, at + n));
      at += n;
    }
    const r = gpu.scatterGather(mdl, 1, 0x5000, 'to-device');
    assert.equal(r.bytes, data.length);
    assert.ok(r.completesAt > gpu.now);
    assert.deepEqual(gpu.readSegment(1, 0x5000, data.length), data);
    // And back, into a fresh MDL.
    const back = gpu.allocatePages(3);
    gpu.scatterGather(gpu.createMdl(back, 0, data.length), 1, 0x5000, 'from-device');
    const joined = new Uint8Array(data.length);
    back.forEach((p, i) => joined.set(gpu.readPhysical(p, PAGE_SIZE), i * PAGE_SIZE));
    assert.deepEqual(joined, data);
  });

  it('rejects invalid configurations with a message naming the field', () => {
    assert.throws(() => createGpu(defaultGpuConfig({ vramBytes: 0 })), /vramBytes/);
    assert.throws(
      () => createGpu(defaultGpuConfig({ segments: [{ id: 1, name: 'a', kind: 'memory', size: 1000, cpuVisible: false }] })),
      /multiple of 4 KiB/,
    );
    assert.throws(
      () => createGpu(defaultGpuConfig({ vramBytes: MiB, segments: [{ id: 1, name: 'a', kind: 'memory', size: 2 * MiB, cpuVisible: false }] })),
      /outside VRAM/,
    );
  });
});
