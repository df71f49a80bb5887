// Every example in samples/pgasm/ assembled and executed on the engine. Each runs twice: once at
// full speed with nobody listening (the engine's inline path) and once single-stepped with a
// listener (the full path); both must end in the same state with the same bytes in every range
// the program wrote, and must not fault. Examples with known content also have their resulting
// memory checked against what the program says it does (EXPECTED below).

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../../src/isa/assembler';
import { configFor } from '../../../src/cli/commands/exec';
import { createGpu, Gpu, HwEvent, loadProgram } from '../../../src/sim/hw';

const DIR = join(__dirname, '..', '..', '..', 'samples', 'pgasm');
const samples = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.pgasm')).sort() : [];

/** Checks of the memory a sample leaves behind, by file name. */
const EXPECTED: Record<string, (gpu: Gpu) => void> = {};

function load(file: string): { gpu: Gpu; asm: ReturnType<typeof assemble> } {
  const asm = assemble(readFileSync(join(DIR, file), 'utf8'));
  const errors = asm.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => `${d.range.start.line + 1}: ${d.code} ${d.message}`), [], `${file} assembles`);
  const gpu = createGpu(configFor(asm));
  loadProgram(gpu, asm);
  return { gpu, asm };
}

describe('samples/pgasm on the simulated GPU', () => {
  for (const file of samples) {
    it(`${file} runs to its end, the same single-stepped and at full speed`, () => {
      const fast = load(file).gpu;
      fast.runUntilIdle();
      const stepped = load(file).gpu;
      const writes: { address: number; length: number }[] = [];
      stepped.onEvent((e: HwEvent) => {
        if (e.kind === 'write') writes.push({ address: e.debugAddress, length: e.length });
      });
      for (let i = 0; i < 1_000_000 && stepped.step(0) === 'executed'; i++);
      const a = fast.engineView(0);
      const b = stepped.engineView(0);
      assert.equal(a.state, 'idle', a.fault ? `${a.fault.cause}: ${a.fault.message} at +${a.fault.offset} ${a.fault.instruction}` : a.state);
      assert.equal(b.state, 'idle');
      assert.equal(a.pagingFence, b.pagingFence);
      assert.equal(a.busyUntil, b.busyUntil);
      for (const w of writes) {
        assert.deepEqual(fast.debugRead(w.address, w.length), stepped.debugRead(w.address, w.length), `range 0x${w.address.toString(16)}+${w.length}`);
      }
      EXPECTED[file]?.(fast);
    });
  }
});
