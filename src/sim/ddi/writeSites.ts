// Where the driver writes into memory through `paging-lab/gpu`'s writers (writeInstruction,
// encodeInto, writeLocation): a time-travel recorder (src/sim/timeline) sets `observe` while its
// machine runs, to learn which driver line wrote which bytes of a DMA buffer. The verifier sets
// `queued` for the length of each DDI call, to learn which line writes into commands an engine has
// queued (a slot of its own, so it never has to unchain from `observe`). Nothing is observed, and
// nothing is paid, while they are unset. Not part of the module drivers import.

type WriteObserver = (bytes: Uint8Array, offset: number, length: number) => void;

export const driverWriteSites: { observe: WriteObserver | undefined; queued: WriteObserver | undefined } = { observe: undefined, queued: undefined };
