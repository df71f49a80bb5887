// Builds paging buffers from instruction descriptions with the isa encoder, loads them into a
// common buffer and submits them, so engine tests read like the programs they run.

import { encode, OperandValue } from '../../../src/isa/encoding';
import { Location, LocationSpace, OPCODE_BY_MNEMONIC, PageListBase } from '../../../src/isa/opcodes';
import { assemble } from '../../../src/isa/assembler';
import { CommonBuffer, EngineView, Gpu, HwEvent, loadProgram, LoadedProgram } from '../../../src/sim/hw';

export const seg = (id: number, address: number): Location => ({ space: LocationSpace.Segment, sub: id, aux: 0, address });
export const phys = (address: number): Location => ({ space: LocationSpace.Physical, sub: 0, aux: 0, address });
export const va = (address: number): Location => ({ space: LocationSpace.GpuVirtual, sub: 0, aux: 0, address });
export const mdlAt = (listPhysical: number, byteOffset: number): Location => ({
  space: LocationSpace.Mdl,
  sub: PageListBase.Physical,
  aux: byteOffset,
  address: listPhysical,
});
export const mdlInDma = (listOffset: number, byteOffset: number): Location => ({
  space: LocationSpace.Mdl,
  sub: PageListBase.DmaBuffer,
  aux: byteOffset,
  address: listOffset,
});

export function ins(mnemonic: string, operands: OperandValue[], flags = 0): Uint8Array {
  const op = OPCODE_BY_MNEMONIC.get(mnemonic);
  if (!op) throw new Error(`no opcode ${mnemonic}`);
  return encode({ op, flags, operands });
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Copies `program` into a fresh common buffer and submits it to an engine (0 unless given). */
export function submitProgram(gpu: Gpu, program: Uint8Array | Uint8Array[], engine = 0, submissionId = 1): CommonBuffer {
  const bytes = Array.isArray(program) ? concat(program) : program;
  const cb = gpu.allocateCommonBuffer(Math.max(bytes.length, 4096));
  if (!cb) throw new Error('common buffer budget exhausted');
  cb.bytes.set(bytes);
  gpu.submit(engine, { physical: cb.physical, length: bytes.length, submissionId });
  return cb;
}

export function collect(gpu: Gpu): HwEvent[] {
  const events: HwEvent[] = [];
  gpu.onEvent((e) => events.push(e));
  return events;
}

export function pattern(length: number, seed: number): Uint8Array {
  const b = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** Assembles `text` (failing the test on any error) and submits it to engine 0. */
export function submitAsm(gpu: Gpu, text: string, submissionId = 1): LoadedProgram {
  const asm = assemble(text);
  const errors = asm.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => `${d.range.start.line + 1}: ${d.code} ${d.message}`).join('\n'));
  return loadProgram(gpu, asm, { submissionId });
}

/** Assembles, submits and runs until idle; returns the engine's final view. */
export function runAsm(gpu: Gpu, text: string): EngineView {
  submitAsm(gpu, text);
  gpu.runUntilIdle();
  return gpu.engineView(0);
}
