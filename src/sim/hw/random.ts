// The seeded random source the whole simulation shares (the GPU and the simulated kernel), so a
// run is reproducible from its seed. sfc32, seeded through splitmix32: small, fast and well mixed.
//
// The four state words live in an Int32Array rather than in variables the closures share: a
// shared variable holding an int32 outside V8's small-integer range is a heap number, so every
// step allocated four of them (about 11 ns a word, and garbage; now about 1).

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
  const st = new Int32Array(4);
  for (let i = 0; i < 4; i++) st[i] = splitmix32(init);
  const nextU32 = (): number => {
    const a = st[0];
    const b = st[1];
    const c = st[2];
    const d = st[3];
    const t = (((a + b) | 0) + d) | 0;
    st[3] = d + 1;
    st[0] = b ^ (b >>> 9);
    st[1] = c + (c << 3);
    st[2] = (((c << 21) | (c >>> 11)) + t) | 0;
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
    fill(words: Uint32Array): void {
      // nextU32 with the state in locals for the whole loop: the same sequence.
      let a = st[0];
      let b = st[1];
      let c = st[2];
      let d = st[3];
      for (let i = 0; i < words.length; i++) {
        const t = (((a + b) | 0) + d) | 0;
        d = (d + 1) | 0;
        a = b ^ (b >>> 9);
        b = (c + (c << 3)) | 0;
        c = (((c << 21) | (c >>> 11)) + t) | 0;
        words[i] = t;
      }
      st[0] = a;
      st[1] = b;
      st[2] = c;
      st[3] = d;
    },
  };
}
