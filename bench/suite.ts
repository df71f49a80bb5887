// What a benchmark suite is, and small helpers to time things and print figures consistently.

export interface Suite {
  name: string;
  title: string;
  run(): Promise<void> | void;
}

/** Median of `runs` timings (ms) of `fn`, after one warm-up call. */
export function medianMs(runs: number, fn: () => void): number {
  fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}

/** Median of `runs` timings (ms) of an async `fn`, after one warm-up call. */
export async function medianMsAsync(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    await fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  return t[t.length >> 1];
}

export function row(label: string, value: string, note = ''): void {
  console.log(`  ${label.padEnd(52)} ${value.padStart(16)}${note ? '   ' + note : ''}`);
}
