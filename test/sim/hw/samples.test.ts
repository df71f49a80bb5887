// Every example in samples/pgasm/ assembled and executed on the engine. Each runs twice: once at
// full speed with nobody listening (the engine's inline path) and once single-stepped with a
// listener (the full path); both must end in the same state with the same bytes in every range
// the program wrote, and must not fault. Each example's resulting memory is also checked against
// what its comments say it does (EXPECTED below), starting from known content where it reads any.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../../src/isa/assembler';
import { configFor } from '../../../src/cli/commands/exec';
import { createGpu, Gpu, HwEvent, loadProgram, tiledOffset } from '../../../src/sim/hw';
import { pattern } from './helpers';

const DIR = join(__dirname, '..', '..', '..', 'samples', 'pgasm');
const samples = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.pgasm')).sort() : [];

interface Expectation {
  /** Memory the program reads, given known content before it runs. */
  setup?: (gpu: Gpu) => void;
  /** Checks of the memory (and events, from the single-stepped run) the program leaves behind. */
  check: (gpu: Gpu, events: HwEvent[]) => void;
}

const PAGE = 4096;
const u64 = (gpu: Gpu, address: number): bigint => new DataView(gpu.readPhysical(address, 8).buffer).getBigUint64(0, true);
const filled = (length: number, bytes: number[]): Uint8Array => {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = bytes[i % bytes.length];
  return out;
};
const fence = (gpu: Gpu, value: bigint): void => assert.equal(gpu.engineView(0).pagingFence, value);

const A = pattern(64 * 1024, 101);
const B = pattern(64 * 1024, 202);

/** What each example does to memory, by file name; an example not listed gets the generic checks only. */
const EXPECTED: Record<string, Expectation> = {
  'aperture.pgasm': {
    check(gpu) {
      assert.deepEqual(gpu.readPhysical(0x120000, PAGE), filled(PAGE, [0xa5]), 'filled through gart page 16');
      assert.deepEqual(gpu.readPhysical(0x121000, PAGE), new Uint8Array(PAGE));
      for (const p of [16, 17, 18, 19, 32, 33]) assert.deepEqual(gpu.gartEntry(3, p), { state: 'dummy', physical: 0x1000, coherent: false }, `page ${p}`);
      fence(gpu, 7n);
    },
  },
  'copy.pgasm': {
    setup: (gpu) => gpu.writePhysical(0x100000, A.subarray(0, 2 * PAGE)),
    check(gpu) {
      assert.deepEqual(gpu.readSegment(1, 0x10000, 2 * PAGE), A.subarray(0, 2 * PAGE), 'paged in');
      assert.deepEqual(gpu.readPhysical(0x100000, 2 * PAGE), A.subarray(0, 2 * PAGE), 'evicted back unchanged');
      assert.deepEqual(gpu.readSegment(2, 0x200000, 2 * PAGE), A.subarray(0, 2 * PAGE), 'relocated');
      fence(gpu, 1n);
    },
  },
  'discard.pgasm': {
    setup: (gpu) => gpu.writeSegment(1, 0x40000, A),
    check(gpu, events) {
      assert.deepEqual(gpu.readSegment(1, 0x40000, A.length), A, 'no data moves');
      assert.equal(events.filter((e) => e.kind === 'write').length, 0);
      fence(gpu, 3n);
    },
  },
  'fence.pgasm': {
    setup: (gpu) => gpu.writeSegment(1, 0x1000, A.subarray(0, PAGE)),
    check(gpu, events) {
      assert.deepEqual(gpu.readSegment(1, 0, PAGE), A.subarray(0, PAGE));
      assert.equal(u64(gpu, 0x2000), 100n);
      assert.equal(u64(gpu, 0x2008), 0x1_0000_0000n);
      fence(gpu, 9n);
      const irqs = events.filter((e) => e.kind === 'interrupt');
      assert.deepEqual(irqs.map((e) => e.kind === 'interrupt' && e.fenceValue), [0x1_0000_0000n, 9n]);
    },
  },
  'fill.pgasm': {
    setup: (gpu) => gpu.writeSegment(1, 0x20000, A),
    check(gpu) {
      assert.deepEqual(gpu.readSegment(1, 0x20000, 64 * 1024), new Uint8Array(64 * 1024));
      assert.deepEqual(gpu.readSegment(2, 0, PAGE), filled(PAGE, [0xef, 0xbe, 0xad, 0xde]));
      assert.deepEqual(gpu.readPhysical(0x102000, PAGE), filled(PAGE, [1]));
      fence(gpu, 2n);
    },
  },
  'interrupt.pgasm': {
    setup: (gpu) => gpu.writeSegment(1, 0, A),
    check(gpu, events) {
      assert.deepEqual(gpu.readSegment(1, 0, 128 * 1024), new Uint8Array(128 * 1024));
      const irqs = events.filter((e): e is Extract<HwEvent, { kind: 'interrupt' }> => e.kind === 'interrupt');
      assert.deepEqual(irqs.map((e) => [e.reason, e.code]), [['instruction', 0x42], ['dma-completed', 0]]);
      fence(gpu, 11n);
    },
  },
  'nop.pgasm': {
    check(gpu, events) {
      const offsets = events.filter((e) => e.kind === 'instruction').map((e) => e.kind === 'instruction' && e.offset);
      assert.deepEqual(offsets, [0, 4, 8, 12, 16], 'two nops, two nops of padding, the fence');
      fence(gpu, 13n);
    },
  },
  'pagetable.pgasm': {
    setup: (gpu) => gpu.writeSegment(1, 0x50000, A.subarray(0, PAGE)),
    check(gpu) {
      const base = 0x10_0000_0000;
      assert.deepEqual(gpu.readSegment(1, 0x40000, PAGE), A.subarray(0, PAGE), 'written through the VA mapping');
      assert.deepEqual(gpu.pageTableEntry(base + 0x3000), { va: base + 0x3000, present: true, readOnly: false, segmentId: 1, target: 0x43000 });
      assert.deepEqual(gpu.pageTableEntry(base + 0x10000), { va: base + 0x10000, present: true, readOnly: true, segmentId: 0, target: 0x130000 });
      assert.equal(gpu.pageTableEntry(base + 0x20000).present, false);
      fence(gpu, 12n);
    },
  },
  'paging-buffer.pgasm': {
    setup(gpu) {
      gpu.writeSegment(1, 0x100000, A.subarray(0, 4 * PAGE)); // allocation A
      gpu.writeSegment(1, 0x104000, B.subarray(0, 6 * PAGE)); // stale bytes where C will be zeroed
      gpu.writePhysical(0x150000, B.subarray(0, 2 * PAGE)); // allocation B in system memory
    },
    check(gpu) {
      [0x140000, 0x141000, 0x142000, 0x143000].forEach((p, i) =>
        assert.deepEqual(gpu.readPhysical(p, PAGE), A.subarray(i * PAGE, (i + 1) * PAGE), `evicted page ${i}`),
      );
      assert.deepEqual(gpu.readSegment(1, 0x100000, 2 * PAGE), B.subarray(0, 2 * PAGE), 'paged in');
      assert.deepEqual(gpu.readSegment(1, 0x102000, 8 * PAGE), new Uint8Array(8 * PAGE), 'zeroed');
      fence(gpu, 14n);
    },
  },
  'physical.pgasm': {
    check(gpu) {
      assert.deepEqual([...gpu.readPhysical(0x100000, 8)], [0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0]);
      assert.equal(u64(gpu, 0x100008), 0x1122334455667788n);
      assert.deepEqual([...gpu.readSegment(1, 0xff, 3)], [0, 0xff, 0]);
      fence(gpu, 6n);
    },
  },
  'swizzle.pgasm': {
    setup: (gpu) => gpu.writePhysical(0x110000, A.subarray(0, 4 * PAGE)),
    check(gpu) {
      const tiled = gpu.readSegment(1, 0x80000, 4 * PAGE);
      for (let i = 0; i < 4 * PAGE; i++) if (tiled[tiledOffset(i, 256)] !== A[i]) assert.fail(`linear byte ${i} is not at its tiled offset`);
      fence(gpu, 4n);
    },
  },
  'unswizzle.pgasm': {
    setup: (gpu) => gpu.writeSegment(1, 0x80000, B.subarray(0, 4 * PAGE)),
    check(gpu) {
      const linear = gpu.readPhysical(0x110000, 4 * PAGE);
      for (let i = 0; i < 4 * PAGE; i++) if (linear[i] !== B[tiledOffset(i, 256)]) assert.fail(`linear byte ${i} does not come from its tiled offset`);
      fence(gpu, 5n);
    },
  },
  'wait.pgasm': {
    setup: (gpu) => gpu.writeSegment(1, 0x3000, A.subarray(0, PAGE)),
    check(gpu) {
      assert.equal(u64(gpu, 0x3000), 5n);
      assert.deepEqual(gpu.readSegment(1, 0x2000, PAGE), A.subarray(0, PAGE));
      fence(gpu, 10n);
    },
  },
};

function load(file: string): { gpu: Gpu; asm: ReturnType<typeof assemble> } {
  const asm = assemble(readFileSync(join(DIR, file), 'utf8'));
  const errors = asm.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => `${d.range.start.line + 1}: ${d.code} ${d.message}`), [], `${file} assembles`);
  const gpu = createGpu(configFor(asm));
  EXPECTED[file]?.setup?.(gpu);
  loadProgram(gpu, asm);
  return { gpu, asm };
}

describe('samples/pgasm on the simulated GPU', () => {
  for (const file of samples) {
    it(`${file} runs to its end, the same single-stepped and at full speed`, () => {
      const fast = load(file).gpu;
      fast.runUntilIdle();
      const stepped = load(file).gpu;
      const events: HwEvent[] = [];
      stepped.onEvent((e: HwEvent) => events.push(e));
      for (let i = 0; i < 1_000_000 && stepped.step(0) === 'executed'; i++);
      const a = fast.engineView(0);
      const b = stepped.engineView(0);
      assert.equal(a.state, 'idle', a.fault ? `${a.fault.cause}: ${a.fault.message} at +${a.fault.offset} ${a.fault.instruction}` : a.state);
      assert.equal(b.state, 'idle');
      assert.equal(a.pagingFence, b.pagingFence);
      assert.equal(a.busyUntil, b.busyUntil);
      for (const w of events) {
        if (w.kind !== 'write') continue;
        const range = `range 0x${w.debugAddress.toString(16)}+${w.length}`;
        assert.deepEqual(fast.debugRead(w.debugAddress, w.length), stepped.debugRead(w.debugAddress, w.length), range);
      }
      EXPECTED[file]?.check(fast, events);
      EXPECTED[file]?.check(stepped, events);
    });
  }
});
