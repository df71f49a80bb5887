// Runs a sweep's pairs on the worker pool: each pair once, and a failing pair once more at once on
// the same inputs. The same result again is a deterministic failure; a pass is a flaky pair (the
// simulator is meant to be deterministic, so that is reported loudly); another failure is kept
// with what the re-run said.

import { classify } from './classify';
import type { SweepPool } from './pool';
import { comparePairs, isFailure, sameOutcome, where, type PairResult } from './result';
import type { PairJob } from './serve';

export interface Pair {
  /** The scenario as reports name it. */
  scenario: string;
  file: string;
  seed: number;
}

export interface RunPairsOptions {
  driver: string;
  verifier?: boolean;
  tdrDelayMs?: number;
  pairTimeoutMs: number;
  /** After each pair: how many are done, how many failed so far. */
  progress?(done: number, failed: number): void;
}

export async function runPairs(pool: SweepPool, pairs: readonly Pair[], o: RunPairsOptions): Promise<PairResult[]> {
  let id = 0;
  let done = 0;
  let failed = 0;
  const job = (p: Pair): PairJob => ({ id: id++, driver: o.driver, scenarioFile: p.file, seed: p.seed, verifier: o.verifier, tdrDelayMs: o.tdrDelayMs });
  const results = await Promise.all(
    pairs.map(async (p) => {
      const first = classify(job(p), p.scenario, await pool.run(job(p)), o.pairTimeoutMs);
      let result = first;
      if (isFailure(first)) {
        const again = classify(job(p), p.scenario, await pool.run(job(p), true), o.pairTimeoutMs);
        if (!sameOutcome(first, again)) result = again.status === 'pass' ? { ...first, status: 'flaky', flaky: 'pass' } : { ...first, flaky: where(again) };
      }
      done++;
      if (isFailure(result)) failed++;
      o.progress?.(done, failed);
      return result;
    }),
  );
  return results.sort(comparePairs);
}
