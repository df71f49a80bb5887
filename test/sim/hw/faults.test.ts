// Every fault kind stops the engine with a record naming the instruction, its address and the
// cause; nothing throws out of the engine, and a reset makes it usable again.

import assert from 'node:assert/strict';
import { Location, LocationSpace } from '../../../src/isa/opcodes';
import { createGpu, defaultGpuConfig, FaultCause, FaultRecord, Gpu, HwEvent } from '../../../src/sim/hw';
import { collect, ins, mdlAt, phys, seg, submitProgram, va } from './helpers';

function runFaulting(program: Uint8Array[], gpu: Gpu = createGpu(defaultGpuConfig())): { fault: FaultRecord; gpu: Gpu; physical: number } {
  const cb = submitProgram(gpu, program);
  assert.doesNotThrow(() => gpu.runUntilIdle());
  const v = gpu.engineView(0);
  assert.equal(v.state, 'faulted');
  return { fault: v.fault!, gpu, physical: cb.physical };
}

const NOP = ins('nop', []);

const cases: { cause: FaultCause; name: string; program: () => Uint8Array[]; text: RegExp; message: RegExp }[] = [
  {
    cause: 'invalid-instruction',
    name: 'a zero-filled (never written) dword',
    program: () => [NOP, new Uint8Array(4)],
    text: /invalid: 0x00 is not an opcode/,
    message: /0x00 is not an opcode/,
  },
  {
    cause: 'invalid-instruction',
    name: 'an operand outside the table range (pread of 9 bytes)',
    program: () => {
      const b = ins('pread', [phys(0x1000), 4]);
      b[20] = 9;
      return [NOP, b];
    },
    text: /invalid: pread count is 9/,
    message: /count/,
  },
  {
    cause: 'outside-segment',
    name: 'a copy running past the end of a segment',
    program: () => [NOP, ins('copy', [seg(1, 256 * 1024 * 1024 - 4096), seg(2, 0), 8192])],
    text: /copy vram:0xFFFF000, local:0x0, 0x2000/,
    message: /outside segment 1 \(vram/,
  },
  {
    cause: 'unmapped-aperture-page',
    name: 'an access through a GART entry that was never mapped',
    program: () => [NOP, ins('pread', [seg(3, 0x5000), 4])],
    text: /pread gart:0x5000, 4/,
    message: /page 5 .* has no GART mapping/,
  },
  {
    cause: 'misaligned-operand',
    name: 'a fill at an address that is not 4-byte aligned',
    program: () => [NOP, ins('fill', [seg(1, 2), 8, 0])],
    text: /invalid/,
    message: /aligned/,
  },
  {
    cause: 'misaligned-operand',
    name: 'a swizzle whose size is not a multiple of pitch * 64',
    program: () => [NOP, ins('swizzle', [seg(1, 0), phys(0x100000), 4096, 128])],
    text: /swizzle vram:0x0, phys:0x100000, 0x1000, 0x80/,
    message: /multiple of pitch/,
  },
  {
    cause: 'bad-location',
    name: 'a segment that does not exist',
    program: () => [NOP, ins('copy', [seg(9, 0), seg(1, 0), 4])],
    text: /copy seg9:0x0, vram:0x0, 4/,
    message: /no segment 9/,
  },
  {
    cause: 'bad-location',
    name: 'a location space that does not exist',
    program: () => [NOP, ins('pwrite', [{ space: 7 as LocationSpace, sub: 0, aux: 0, address: 0 } as Location, 4, 1n])],
    text: /invalid/,
    message: /space 7/,
  },
  {
    cause: 'bad-location',
    name: 'mapping aperture pages into a memory segment',
    program: () => [NOP, ins('apmap', [1, 0, 1, mdlAt(0x2000, 0)])],
    text: /apmap vram, 0, 1, mdl\(phys:0x2000\)\+0x0/,
    message: /not an aperture segment/,
  },
  {
    cause: 'page-fault',
    name: 'a GPU virtual address with no page-table entry',
    program: () => [NOP, ins('copy', [phys(0x100000), va(0x7000_0000), 16])],
    text: /copy phys:0x100000, va:0x70000000, 0x10/,
    message: /0x70000000 is not mapped/,
  },
  {
    cause: 'page-fault',
    name: 'a write through a read-only mapping',
    program: () => [NOP, ins('ptupdate', [0x10000, 1, seg(1, 0)], 2), ins('pwrite', [va(0x10000), 4, 1n])],
    text: /pwrite va:0x10000, 4, 0x1/,
    message: /read-only/,
  },
  {
    cause: 'overlap',
    name: 'a copy whose source and destination overlap',
    program: () => [NOP, ins('copy', [seg(1, 0x10), seg(1, 0), 0x100])],
    text: /copy vram:0x10, vram:0x0, 0x100/,
    message: /overlap/,
  },
  {
    cause: 'physical-address',
    name: 'a physical write beyond system memory',
    program: () => [NOP, ins('pwrite', [phys(2 ** 40), 4, 1n])],
    text: /pwrite phys:0x10000000000, 4, 0x1/,
    message: /outside system memory/,
  },
];

describe('sim/hw paging engine faults', () => {
  for (const c of cases) {
    it(`${c.cause}: ${c.name}`, () => {
      // No reset dummy page, so that never-mapped GART entries are invalid.
      const gpu = createGpu(defaultGpuConfig({ gartResetDummyPage: undefined }));
      const events = collect(gpu);
      const program = c.program();
      const { fault, physical } = runFaulting(program, gpu);
      const at = program.slice(0, -1).reduce((a, b) => a + b.length, 0);
      assert.equal(fault.cause, c.cause, fault.message);
      assert.equal(fault.engine, 0);
      assert.equal(fault.offset, at, 'the last instruction');
      assert.equal(fault.address, physical + at);
      assert.match(fault.instruction, c.text);
      assert.match(fault.message, c.message);
      assert.equal(fault.time, gpu.engineView(0).busyUntil, 'dated when the engine reached it');
      const last = events[events.length - 1] as Extract<HwEvent, { kind: 'fault' }>;
      assert.equal(last.kind, 'fault');
      assert.deepEqual(last.fault, fault);
    });
  }

  it('stays faulted without throwing, and runs again after a reset', () => {
    const { gpu } = runFaulting([NOP, new Uint8Array(4)]);
    assert.equal(gpu.step(0), 'faulted');
    assert.equal(gpu.runUntilIdle(), 0);
    gpu.resetEngine(0);
    assert.equal(gpu.engineView(0).state, 'idle');
    assert.equal(gpu.engineView(0).fault, undefined);
    submitProgram(gpu, [ins('fence', [phys(0), 5n])]);
    gpu.runUntilIdle();
    assert.equal(gpu.engineView(0).state, 'idle');
    assert.equal(gpu.engineView(0).pagingFence, 5n);
  });

  it('faults on a DMA buffer that runs past system memory', () => {
    const gpu = createGpu(defaultGpuConfig());
    gpu.submit(0, { physical: gpu.config.systemMemoryBytes - 8, length: 64, submissionId: 1 });
    gpu.runUntilIdle();
    assert.equal(gpu.engineView(0).fault?.cause, 'physical-address');
  });

  it('rejects bad host calls with a clear error instead of faulting', () => {
    const gpu = createGpu(defaultGpuConfig({ gartResetDummyPage: undefined }));
    assert.throws(() => gpu.submit(3, { physical: 0, length: 4, submissionId: 1 }), /engine 3 does not exist/);
    assert.throws(() => gpu.submit(0, { physical: -1, length: 4, submissionId: 1 }), /physical/);
    assert.throws(() => gpu.readSegment(3, 0, 4), /no GART mapping/);
    assert.throws(() => gpu.readSegment(7, 0, 4), /no segment 7/);
  });
});
