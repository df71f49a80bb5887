// Nothing throws out of the engine: random buffers, and random mutations of valid programs, end
// idle, waiting or faulted with a fault record, never with an exception.

import assert from 'node:assert/strict';
import { assemble } from '../../../src/isa/assembler';
import { createGpu, createRandom, defaultGpuConfig } from '../../../src/sim/hw';

const PROGRAM = assemble(`
    apmap gart, 0, 2, mdl(pages)+0, coherent
    copy vram:0x1000, mdl(pages)+0x10, 5000
    fill local:0, 4K, 0x01020304
    swizzle vram:0x10000, phys:0x200000, 16K, 256
    ptupdate 0x100000, 2, vram:0x40000
    copy va:0x100000, gart:0x0, 64
    pwrite phys:0x3000, 8, 0x1122334455667788
    wait phys:0x3000, 1
    fence phys:0x3008, 5, monitored, irq
    tlbflush 0, 0
    interrupt 3
    fence phys:0, 9
pages: .pages 0x100000, 0x101000
`);

describe('sim/hw robustness', function () {
  // 300 seeded rounds: about 3 s alone, more than the default 20 s on a loaded 2-core machine.
  this.timeout(120_000);
  it('assembles the base program cleanly', () => {
    assert.deepEqual(PROGRAM.diagnostics.filter((d) => d.severity === 'error'), []);
  });

  it('survives random buffers and mutated programs without throwing', () => {
    const random = createRandom(2024);
    const outcomes = new Map<string, number>();
    for (let round = 0; round < 300; round++) {
      const gpu = createGpu(defaultGpuConfig({ engines: 1 + (round % 2) }));
      gpu.onEvent(() => undefined);
      const cb = gpu.allocateCommonBuffer(4096)!;
      let length: number;
      if (round % 3 === 0) {
        length = 4 * (1 + random.int(64));
        for (let i = 0; i < length; i++) cb.bytes[i] = random.int(256);
      } else {
        cb.bytes.set(PROGRAM.bytes);
        length = PROGRAM.bytes.length;
        for (let k = 0; k < 1 + random.int(4); k++) cb.bytes[random.int(length)] = random.int(256);
      }
      gpu.submit(0, { physical: cb.physical, length, submissionId: round });
      assert.doesNotThrow(() => {
        for (let i = 0; i < 5 && gpu.step(0) === 'executed'; i++);
        gpu.advance(gpu.now + 1000);
        gpu.runUntilIdle();
      }, `round ${round}`);
      const v = gpu.engineView(0);
      assert.ok(['idle', 'waiting', 'faulted'].includes(v.state), `round ${round}: ${v.state}`);
      if (v.state === 'faulted') {
        assert.ok(v.fault && v.fault.message.length > 0 && !v.fault.message.startsWith('internal error'), `round ${round}: ${v.fault?.message}`);
      }
      const key = v.state === 'faulted' ? v.fault!.cause : v.state;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    // The mutations reach more than one outcome, so the test exercises real fault paths.
    assert.ok(outcomes.size >= 3, JSON.stringify([...outcomes]));
  });
});
