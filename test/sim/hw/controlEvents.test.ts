// Control listeners (Gpu.onControlEvent): they hear the interrupts, faults and finished buffers, in
// order with the other listeners, and nothing else; and with only such listeners the hardware
// builds no other event, yet behaves as it does for a listener of every kind.

import assert from 'node:assert/strict';
import { ControlHwEvent, createGpu, defaultGpuConfig, Gpu, HOST_ENGINE, HwEvent } from '../../../src/sim/hw';
import { ins, phys, seg, submitProgram } from './helpers';

const CONTROL = new Set(['interrupt', 'fault', 'buffer-complete']);

/** Two buffers on two engines (fills, a copy, fences with an irq, an interrupt), then one that faults. */
function run(gpu: Gpu): void {
  submitProgram(gpu, [ins('fill', [seg(1, 0), 0x10000, 7]), ins('copy', [seg(2, 0), seg(1, 0), 0x8000]), ins('fence', [phys(0), 1n], 1), ins('interrupt', [5])], 0, 1);
  submitProgram(gpu, [ins('fill', [seg(2, 0x10000), 0x4000, 9]), ins('fence', [phys(8), 2n], 1)], 1, 2);
  gpu.runUntilIdle();
  submitProgram(gpu, [ins('fill', [seg(1, 0x20000), 0x1000, 3]), ins('copy', [seg(1, 0), seg(99, 0), 0x100])], 0, 3);
  gpu.runUntilIdle();
}

const plain = (e: HwEvent): string => JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));

describe('sim/hw control listeners', () => {
  it('hear the interrupts, faults and finished buffers in order with a listener of every kind, and nothing else', () => {
    const gpu = createGpu({ ...defaultGpuConfig(), engines: 2 });
    const order: string[] = [];
    const first: ControlHwEvent[] = [];
    const all: HwEvent[] = [];
    const last: ControlHwEvent[] = [];
    gpu.onControlEvent((e) => (first.push(e), order.push(`first ${e.kind}`)));
    gpu.onEvent((e) => (all.push(e), CONTROL.has(e.kind) && order.push(`all ${e.kind}`)));
    gpu.onControlEvent((e) => (last.push(e), order.push(`last ${e.kind}`)));
    run(gpu);
    const control = all.filter((e) => CONTROL.has(e.kind));
    assert.deepEqual(
      control.map((e) => e.kind).sort(),
      ['buffer-complete', 'buffer-complete', 'fault', 'interrupt', 'interrupt', 'interrupt'],
    );
    assert.ok(all.some((e) => e.kind === 'instruction') && all.some((e) => e.kind === 'write'), 'the listener of every kind hears the rest');
    assert.deepEqual(first.map(plain), control.map(plain));
    assert.deepEqual(last.map(plain), control.map(plain));
    // Each event reaches the three listeners in the order they came.
    for (let i = 0; i < order.length; i += 3) {
      assert.deepEqual(order.slice(i, i + 3).map((s) => s.split(' ')[0]), ['first', 'all', 'last']);
    }
  });

  it('with only control listeners, the same control events, memory and engines as with a listener of every kind', () => {
    const config = { ...defaultGpuConfig(), engines: 2 };
    const a = createGpu(config);
    const heardA: HwEvent[] = [];
    a.onEvent((e) => heardA.push(e));
    run(a);
    const b = createGpu(config);
    const heardB: ControlHwEvent[] = [];
    b.onControlEvent((e) => heardB.push(e));
    run(b);
    assert.deepEqual(heardB.map(plain), heardA.filter((e) => CONTROL.has(e.kind)).map(plain));
    assert.equal(b.now, a.now);
    for (const engine of [0, 1]) assert.deepEqual(b.engineView(engine), a.engineView(engine));
    for (const s of [1, 2]) assert.deepEqual(b.readSegment(s, 0, 0x20000), a.readSegment(s, 0, 0x20000));
    assert.deepEqual(b.readPhysical(0, 16), a.readPhysical(0, 16));
  });

  it('a write sink hears every write a listener of every kind hears, with the instruction writing, and makes no other event', () => {
    const config = { ...defaultGpuConfig(), engines: 2 };
    const a = createGpu(config);
    const expected: string[] = [];
    const instruction: number[] = [];
    a.onEvent((e) => {
      if (e.kind === 'instruction') instruction[e.engine] = e.address;
      if (e.kind === 'write') expected.push(`${e.engine} ${e.target} ${e.address} ${e.length} ${e.debugAddress} ${e.time} ${e.engine === HOST_ENGINE ? -1 : instruction[e.engine]}`);
    });
    run(a);
    a.writePhysical(0x100, new Uint8Array([1, 2, 3]));
    a.writeSegment(1, 0x40, new Uint8Array(8).fill(5));
    const b = createGpu(config);
    const heard: string[] = [];
    b.onWrites((engine, vram, address, length, debugAddress, time) =>
      heard.push(`${engine} ${vram ? 'vram' : 'system'} ${address} ${length} ${debugAddress} ${time} ${engine === HOST_ENGINE ? -1 : b.writingInstruction()}`),
    );
    const control: ControlHwEvent[] = [];
    b.onControlEvent((e) => control.push(e));
    run(b);
    b.writePhysical(0x100, new Uint8Array([1, 2, 3]));
    b.writeSegment(1, 0x40, new Uint8Array(8).fill(5));
    assert.ok(expected.length > 5 && expected.some((w) => w.startsWith(`${HOST_ENGINE} `)), 'engine and host writes both happened');
    assert.deepEqual(heard, expected);
    assert.ok(control.every((e) => CONTROL.has(e.kind)), 'the sink made no other event');
    assert.equal(b.now, a.now);
  });

  it('stops hearing once removed', () => {
    const gpu = createGpu(defaultGpuConfig());
    const heard: ControlHwEvent[] = [];
    const off = gpu.onControlEvent((e) => heard.push(e));
    off();
    submitProgram(gpu, [ins('interrupt', [1])]);
    gpu.runUntilIdle();
    assert.equal(heard.length, 0);
  });
});
