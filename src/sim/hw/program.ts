// Loading an assembled .pgasm program onto a GPU: its bytes go into a common buffer (the DMA
// buffer) and the instruction part is submitted to a paging engine. A program's data (page lists
// from `.pages`, constants) may follow its last instruction inside the same buffer; the submitted
// length stops at the end of the last instruction so the engine does not execute the data.

import type { LineMapEntry } from '../../isa/asmTypes';
import { DEFAULT_DMA_SIZE } from '../../isa/profile';
import type { CommonBuffer, Gpu, Submission } from './types';

export interface LoadedProgram {
  buffer: CommonBuffer;
  submission: Submission;
}

/** Bytes from the start of the buffer to the end of the last instruction. */
export function instructionLength(bytes: Uint8Array, lines?: readonly LineMapEntry[]): number {
  if (!lines) return bytes.length;
  let end = 0;
  for (const l of lines) if (l.instruction) end = Math.max(end, l.offset + l.length);
  return end;
}

export function loadProgram(
  gpu: Gpu,
  program: { bytes: Uint8Array; lines?: readonly LineMapEntry[]; dmaSize?: number },
  options: { engine?: number; submissionId?: number } = {},
): LoadedProgram {
  const size = Math.max(program.dmaSize ?? DEFAULT_DMA_SIZE, program.bytes.length, 4);
  const buffer = gpu.allocateCommonBuffer(size);
  if (!buffer) {
    throw new Error(`a ${size}-byte DMA buffer does not fit the common-buffer budget (${gpu.commonBufferUsage().budget} bytes)`);
  }
  buffer.bytes.set(program.bytes);
  const submission: Submission = {
    physical: buffer.physical,
    length: instructionLength(program.bytes, program.lines),
    submissionId: options.submissionId ?? 1,
  };
  gpu.submit(options.engine ?? 0, submission);
  return { buffer, submission };
}
