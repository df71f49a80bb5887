// Which (scenario, seed) pairs a `paging-lab test` sweep runs: scenario files, folders and globs
// resolved to files, seed lists and ranges, and the deterministic 1/N of the pairs a shard runs.
// Every bad input is a UsageError that says what to write instead.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fg from 'fast-glob';
import { SEED_RANGE } from '../../debugger/launchAttributes';
import { UsageError } from '../options';
import { SweepInputError } from './result';

/** Seeds from `1..200`, `7`, `1,3,9` or a mix (`1..10,50`): sorted, each once. */
export function parseSeeds(text: string): number[] {
  const seeds = new Set<number>();
  const parts = text.split(',').map((p) => p.trim());
  for (const part of parts) {
    const m = /^(\d+)(?:\s*\.\.\s*(\d+))?$/.exec(part);
    if (!m) throw new UsageError(`--seeds needs seeds such as 1..200, 7 or 1,3,9, got '${text}'`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (const n of [from, to]) {
      if (!Number.isSafeInteger(n) || n > SEED_RANGE.maximum) throw new UsageError(`--seeds: ${n} is not a seed (0 to ${SEED_RANGE.maximum})`);
    }
    if (to < from) throw new UsageError(`--seeds: the range ${part} is reversed; write ${to}..${from}`);
    if (to - from >= 1_000_000) throw new UsageError(`--seeds: the range ${part} holds more than a million seeds`);
    for (let n = from; n <= to; n++) seeds.add(n);
  }
  return [...seeds].sort((a, b) => a - b);
}

/** `K/N` with 1 <= K <= N. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard needs K/N with 1 <= K <= N (this machine's part of N), got '${text}'`);
  }
  return { index, count };
}

const isScenarioFile = (name: string): boolean => name.endsWith('.json') && !name.endsWith('.schema.json');

/**
 * Scenario files from the command line's operands: a file, a folder (its `*.json` scenarios) or a
 * glob (the shell may have expanded it already; quoted, it is expanded here). Sorted, each once.
 */
export function resolveScenarios(operands: readonly string[], cwd = process.cwd()): string[] {
  const files = new Set<string>();
  for (const operand of operands) {
    if (fg.isDynamicPattern(operand)) {
      const matched = fg.sync(operand, { cwd, absolute: true, onlyFiles: true }).filter(isScenarioFile);
      if (!matched.length) throw new SweepInputError(`'${operand}' matches no scenario file (*.json)`);
      for (const f of matched) files.add(resolve(f));
      continue;
    }
    const p = resolve(cwd, operand);
    if (!existsSync(p)) throw new SweepInputError(`scenario file not found: ${operand}`);
    if (statSync(p).isDirectory()) {
      const inside = readdirSync(p).filter(isScenarioFile);
      if (!inside.length) throw new SweepInputError(`the folder ${operand} holds no scenario file (*.json)`);
      for (const f of inside) files.add(join(p, f));
    } else {
      files.add(p);
    }
  }
  return [...files].sort();
}

/** The pairs shard `index` of `count` runs: every count-th pair of the canonical order, so shards are balanced and disjoint. */
export function shardOf<T>(pairs: readonly T[], shard: { index: number; count: number } | undefined): T[] {
  if (!shard) return [...pairs];
  return pairs.filter((_, i) => i % shard.count === shard.index - 1);
}
