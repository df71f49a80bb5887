// Where the driver writes into memory through `paging-lab/gpu`'s writers (writeInstruction,
// encodeInto, writeLocation): a time-travel recorder (src/sim/timeline) sets `observe` while its
// machine runs, to learn which driver line wrote which bytes of a DMA buffer. Nothing is observed,
// and nothing is paid, while it is unset. Not part of the module drivers import.

export const driverWriteSites: {
  observe: ((bytes: Uint8Array, offset: number, length: number) => void) | undefined;
} = { observe: undefined };
