// The debug address space (system memory, then each segment at id * 2^40) and the engine view a
// debugger reads.

import assert from 'node:assert/strict';
import { createGpu, debugAddressOfSegment, defaultGpuConfig, HwEvent, recordTrace } from '../../../src/sim/hw';
import { collect, ins, pattern, phys, runAsm, seg, submitProgram } from './helpers';

const MiB = 1024 * 1024;

describe('sim/hw debug access', () => {
  it('reads and writes system memory and segments, reporting what cannot be read', () => {
    const gpu = createGpu(defaultGpuConfig());
    const data = pattern(300, 5);
    assert.deepEqual(gpu.debugWrite(debugAddressOfSegment(2, 0x1000), data), { written: 300, unwritable: [] });
    assert.deepEqual(gpu.readSegment(2, 0x1000, 300), data);
    assert.deepEqual(gpu.debugRead(debugAddressOfSegment(2, 0x1000), 300).bytes, data);
    gpu.writePhysical(0x4000, data);
    assert.deepEqual(gpu.debugRead(0x4000, 300), { bytes: data, unreadable: [] });

    // Past the end of a segment, and an aperture page that was never mapped.
    const end = debugAddressOfSegment(1, 256 * MiB - 4);
    const r = gpu.debugRead(end, 8);
    assert.deepEqual(r.unreadable, [{ address: end + 4, length: 4 }]);
    const gart = gpu.debugRead(debugAddressOfSegment(3, 0x800), 16);
    assert.deepEqual(gart.unreadable, [{ address: debugAddressOfSegment(3, 0x800), length: 16 }]);
    assert.deepEqual(gart.bytes, new Uint8Array(16));
    // Between system memory and the first segment.
    assert.equal(gpu.debugRead(gpu.config.systemMemoryBytes, 4).unreadable.length, 1);
    const w = gpu.debugWrite(debugAddressOfSegment(9, 0), new Uint8Array(4));
    assert.deepEqual(w, { written: 0, unwritable: [{ address: debugAddressOfSegment(9, 0), length: 4 }] });
  });

  it('reads aperture pages through the GART without counting them as GPU accesses', () => {
    const gpu = createGpu(defaultGpuConfig());
    runAsm(gpu, 'apunmap gart, 0, 1, 0x9000');
    gpu.writePhysical(0x9000, new Uint8Array([1, 2, 3, 4]));
    assert.deepEqual([...gpu.debugRead(debugAddressOfSegment(3, 0), 4).bytes], [1, 2, 3, 4]);
    assert.equal(gpu.dummyPageAccesses().count, 0);
  });

  it('wakes a waiting engine when a debugger writes the value it waits for', () => {
    const gpu = createGpu(defaultGpuConfig());
    submitProgram(gpu, [ins('wait', [phys(0x6000), 2n]), ins('fence', [phys(0), 4n])]);
    gpu.runUntilIdle();
    assert.equal(gpu.engineView(0).state, 'waiting');
    gpu.debugWrite(0x6000, new Uint8Array([2]));
    gpu.runUntilIdle();
    assert.equal(gpu.engineView(0).pagingFence, 4n);
  });

  it('reports debugger writes as host writes in the event stream', () => {
    const gpu = createGpu(defaultGpuConfig());
    const events = collect(gpu);
    gpu.debugWrite(debugAddressOfSegment(1, 0x10), new Uint8Array(8));
    const w = events.find((e): e is Extract<HwEvent, { kind: 'write' }> => e.kind === 'write')!;
    assert.deepEqual([w.engine, w.target, w.address, w.length, w.debugAddress], [-1, 'vram', 0x10, 8, debugAddressOfSegment(1, 0x10)]);
  });

  it('interleaves two engines deterministically', () => {
    const run = (): string => {
      const gpu = createGpu(defaultGpuConfig({ engines: 2 }));
      const trace = recordTrace(gpu);
      submitProgram(gpu, [ins('fill', [seg(1, 0), 0x10000, 1]), ins('fence', [phys(0), 1n], 1)], 0);
      submitProgram(gpu, [ins('fill', [seg(2, 0), 0x8000, 2]), ins('copy', [seg(2, 0x10000), seg(1, 0), 0x100]), ins('fence', [phys(0), 2n], 1)], 1);
      gpu.runUntilIdle();
      return trace.hash() + ' ' + gpu.now;
    };
    assert.equal(run(), run());
  });
});
