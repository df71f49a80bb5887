// The seeded random source the whole simulation shares (the GPU and the simulated kernel), so a
// run is reproducible from its seed. sfc32, seeded through splitmix32: small, fast and well mixed.

import type { Random } from './types';

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed)) throw new Error(`random seed must be an integer, got ${seed}`);
  const init = { s: seed | 0 };
  let a = splitmix32(init);
  let b = splitmix32(init);
  let c = splitmix32(init);
  let d = splitmix32(init);
  const nextU32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) nextU32();
  return {
    seed,
    nextU32,
    next: () => nextU32() / 0x100000000,
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0) throw new Error(`random.int needs a positive integer bound, got ${n}`);
      return Math.floor((nextU32() / 0x100000000) * n);
    },
  };
}
