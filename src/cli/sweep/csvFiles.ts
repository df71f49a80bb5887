// The CSV files of `paging-lab test`: `--results FILE.csv` (one row per pair, everything a report
// needs, so `--merge` rebuilds the report of a sharded sweep from its shards' files) and
// `--baseline FILE.csv` (the failures a team already knows of: any CSV with `scenario` and `seed`
// columns, and optionally `rule` and `status`, so a results file is also a baseline).

import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { readFileSync } from 'node:fs';
import { comparePairs, reproduceCommand, SweepInputError, type PairResult, type PairStatus, type SweepContext } from './result';

const COLUMNS = [
  'scenario', 'seed', 'status', 'rule', 'message', 'file', 'line', 'column', 'ddi', 'paging_ops', 'ms', 'flaky',
  'driver', 'driver_hash', 'verifier', 'tdr_delay_ms', 'command', 'recording',
] as const;

const STATUSES: readonly PairStatus[] = ['pass', 'fail', 'error', 'skip', 'flaky'];

export function resultsCsv(ctx: SweepContext, results: readonly PairResult[]): string {
  const rows = [...results].sort(comparePairs).map((r) => [
    r.scenario, r.seed, r.status, r.rule ?? '', r.message ?? '', r.file ?? '', r.line ?? '', r.column ?? '', r.ddi ?? '',
    r.pagingOps, r.ms.toFixed(1), r.flaky ?? '', ctx.driver, ctx.driverHash, ctx.verifier ? 'on' : 'off', ctx.tdrDelayMs ?? '',
    r.status === 'pass' ? '' : reproduceCommand(ctx, r),
    r.recording ?? '',
  ]);
  return stringify([[...COLUMNS], ...rows]);
}

/** Rows of a CSV file as records keyed by the header; a problem names the file and line. */
function readCsv(file: string, what: string, required: readonly string[]): { line: number; row: Record<string, string> }[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SweepInputError(`cannot read the ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { skip_empty_lines: true, trim: true, bom: true, info: true }) as unknown as typeof records;
  } catch (e) {
    throw new SweepInputError(`the ${what} ${file} is not valid CSV: ${(e as Error).message}`);
  }
  const columns = records.shift()?.record ?? [];
  const missing = required.filter((c) => !columns.includes(c));
  if (missing.length) {
    throw new SweepInputError(`the ${what} ${file} has no ${missing.map((c) => `'${c}'`).join(', ')} column (its first line must name the columns, e.g. ${required.join(',')})`);
  }
  // A record's line is where it ends (a quoted message may span lines).
  return records.map(({ record, info }) => ({ line: info.lines, row: Object.fromEntries(columns.map((c, j) => [c, record[j]])) }));
}

function integer(file: string, line: number, column: string, text: string, optional = false): number | undefined {
  if (optional && text === '') return undefined;
  if (!/^\d+$/.test(text)) throw new SweepInputError(`${file}:${line}: '${column}' must be a non-negative integer, got '${text}'`);
  return Number(text);
}

/** Reads a results file written by `--results`, for `--merge` (a shard may have had no pair: no context then). */
export function readResults(file: string): { ctx?: SweepContext; results: PairResult[] } {
  const rows = readCsv(file, 'results file', ['scenario', 'seed', 'status', 'driver', 'driver_hash']);
  let ctx: SweepContext | undefined;
  const results = rows.map(({ line, row }) => {
    if (!STATUSES.includes(row.status as PairStatus)) throw new SweepInputError(`${file}:${line}: unknown status '${row.status}' (one of ${STATUSES.join(', ')})`);
    const rowCtx: SweepContext = {
      driver: row.driver,
      driverHash: row.driver_hash,
      verifier: row.verifier !== 'off',
      tdrDelayMs: integer(file, line, 'tdr_delay_ms', row.tdr_delay_ms ?? '', true),
    };
    ctx ??= rowCtx;
    if (rowCtx.driverHash !== ctx.driverHash || rowCtx.driver !== ctx.driver) {
      throw new SweepInputError(`${file}:${line}: this row ran ${rowCtx.driver} (${rowCtx.driverHash.slice(0, 12)}), earlier rows ${ctx.driver} (${ctx.driverHash.slice(0, 12)})`);
    }
    const r: PairResult = {
      scenario: row.scenario,
      seed: integer(file, line, 'seed', row.seed)!,
      status: row.status as PairStatus,
      pagingOps: integer(file, line, 'paging_ops', row.paging_ops ?? '0', true) ?? 0,
      ms: Number(row.ms ?? 0) || 0,
    };
    for (const k of ['rule', 'message', 'file', 'ddi', 'flaky', 'recording'] as const) if (row[k]) r[k] = row[k];
    const l = integer(file, line, 'line', row.line ?? '', true);
    const c = integer(file, line, 'column', row.column ?? '', true);
    if (l !== undefined) r.line = l;
    if (c !== undefined) r.column = c;
    return r;
  });
  return { ctx, results };
}

export interface BaselineEntry {
  scenario: string;
  seed: number;
  /** When given, only a failure of this rule is expected. */
  rule?: string;
}

/** The expected failures of a baseline file, keyed by `pairKey`. */
export function readBaseline(file: string): Map<string, BaselineEntry> {
  const out = new Map<string, BaselineEntry>();
  for (const { line, row } of readCsv(file, 'baseline', ['scenario', 'seed'])) {
    // A results file works as a baseline: only its failing rows are expected failures.
    if (row.status !== undefined && row.status !== 'fail' && row.status !== 'error') continue;
    if (!row.scenario) throw new SweepInputError(`${file}:${line}: 'scenario' is empty`);
    const entry: BaselineEntry = { scenario: row.scenario, seed: integer(file, line, 'seed', row.seed)! };
    if (row.rule) entry.rule = row.rule;
    out.set(pairKey(entry), entry);
  }
  return out;
}

export const pairKey = (p: { scenario: string; seed: number }): string => `${p.scenario}\0${p.seed}`;
