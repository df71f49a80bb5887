// The simulated GPU's public entry point. Consumers (the simulated kernel, the debugger, the
// command line) import from here: the factory, the default adapter, the contract types and the
// trace helpers.

import { SimGpu } from './gpu';
import type { Gpu, GpuConfig } from './types';

export * from './types';
export { defaultGpuConfig } from './config';
export { createRandom } from './random';
export { GPU_VA_LIMIT, mnemonicOf } from './gpu';
export { formatInstructionAt, formatLocation } from './format';
export { tiledOffset, TILE_BYTES } from './tiling';
export { recordTrace, formatEvent } from './trace';
export type { TraceRecorder } from './trace';

/** Builds a GPU for `config` (see `defaultGpuConfig`); throws with a clear message if the config is invalid. */
export function createGpu(config: GpuConfig): Gpu {
  return new SimGpu(config);
}
export { loadProgram, instructionLength } from './program';
export type { LoadedProgram } from './program';
