// What `paging-lab test` prints: a progress line while it runs (on a terminal only), then a summary
// table per scenario, the failures with the command that reproduces each, flaky pairs (loudly:
// the simulator is meant to be deterministic) and baseline news, and one closing line of totals.

import { comparePairs, isFailure, replayHint, reproduceCommand, where, type PairResult, type SweepContext } from './result';

export interface SummaryRow {
  scenario: string;
  runs: number;
  failed: number;
  skipped: number;
  pagingOps: number;
  /** The first unexpected failure's rule and driver line. */
  firstFailure?: string;
}

export function summaryRows(results: readonly PairResult[], expected: (r: PairResult) => boolean): SummaryRow[] {
  const rows = new Map<string, SummaryRow>();
  for (const r of [...results].sort(comparePairs)) {
    const row = rows.get(r.scenario) ?? { scenario: r.scenario, runs: 0, failed: 0, skipped: 0, pagingOps: 0 };
    row.runs++;
    row.pagingOps += r.pagingOps;
    if (r.status === 'skip') row.skipped++;
    if (isFailure(r) && !expected(r)) {
      row.failed++;
      row.firstFailure ??= `${where(r)} (seed ${r.seed})`;
    }
    rows.set(r.scenario, row);
  }
  return [...rows.values()];
}

function table(rows: readonly SummaryRow[]): string {
  const head = ['scenario', 'runs', 'failed', 'skipped', 'paging ops', 'first failure'];
  const body = rows.map((r) => [r.scenario, String(r.runs), String(r.failed), String(r.skipped), String(r.pagingOps), r.firstFailure ?? '']);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 1 && i <= 4 ? c.padStart(width[i]) : c.padEnd(width[i]))).join('  ').trimEnd();
  return [line(head), ...body.map(line)].join('\n');
}

export interface Totals {
  runs: number;
  passed: number;
  failed: number;
  expected: number;
  skipped: number;
  flaky: number;
  ms: number;
}

export function totals(results: readonly PairResult[], expected: (r: PairResult) => boolean, wallMs: number): Totals {
  const t: Totals = { runs: results.length, passed: 0, failed: 0, expected: 0, skipped: 0, flaky: 0, ms: wallMs };
  for (const r of results) {
    if (r.status === 'pass') t.passed++;
    else if (r.status === 'skip') t.skipped++;
    else if (r.status === 'flaky') {
      t.flaky++;
      t.passed++;
    } else if (expected(r)) t.expected++;
    else t.failed++;
    if (r.status !== 'flaky' && r.flaky) t.flaky++;
  }
  return t;
}

/** The closing line: `N passed, N failed` first, as CI log readers look for it. */
export function totalsLine(t: Totals): string {
  const extra = [
    t.expected ? `${t.expected} expected failure${t.expected === 1 ? '' : 's'} (baseline)` : '',
    t.skipped ? `${t.skipped} skipped (workload cannot run on the adapter)` : '',
    t.flaky ? `${t.flaky} FLAKY` : '',
  ].filter(Boolean);
  const rate = t.ms > 0 ? `, ${((t.runs * 1000) / t.ms).toFixed(1)} runs/s` : '';
  return `${t.passed} passed, ${t.failed} failed${extra.length ? `, ${extra.join(', ')}` : ''}; ${t.runs} runs in ${(t.ms / 1000).toFixed(1)} s${rate}`;
}

const SHOWN = 20;

/** The report after the sweep, as printed on stdout. */
export function report(ctx: SweepContext, results: readonly PairResult[], expected: (r: PairResult) => boolean, nowPassing: string[], t: Totals): string {
  const out = ['', table(summaryRows(results, expected)), ''];
  const failures = results.filter((r) => isFailure(r) && !expected(r));
  for (const r of failures.slice(0, SHOWN)) {
    out.push(`FAIL ${r.scenario} seed ${r.seed}: ${where(r)}`);
    if (r.message) out.push(...r.message.split('\n').slice(0, 6).map((l) => `  ${l}`));
    if (r.flaky) out.push(`  (run again: ${r.flaky})`);
    out.push(`  reproduce: ${reproduceCommand(ctx, r)}`);
    if (r.recording) out.push(`  recording: ${replayHint(r)}`);
    out.push('');
  }
  if (failures.length > SHOWN) out.push(`... and ${failures.length - SHOWN} more failures (all of them in --junit and --results)`, '');
  const flaky = results.filter((r) => r.status === 'flaky' || r.flaky);
  if (flaky.length) {
    out.push(
      '*** FLAKY: the same driver, scenario and seed gave different results when run again. A run is meant to be',
      '*** deterministic, so this is a Paging Lab bug (or, for a tdr, a machine too loaded for the TDR delay).',
      '*** Please report it with the commands below.',
    );
    for (const r of flaky) out.push(`  ${r.scenario} seed ${r.seed}: ${where(r)}, then ${r.flaky ?? 'pass'}\n    ${reproduceCommand(ctx, r)}${r.recording ? `\n    recording: ${r.recording}` : ''}`);
    out.push('');
  }
  if (nowPassing.length) {
    out.push(`Expected failures that now pass (remove them from the baseline):`, ...nowPassing.map((p) => `  ${p}`), '');
  }
  out.push(totalsLine(t), '');
  return out.join('\n');
}

/** The progress line on a terminal: done/total, failures so far, rate, time left. */
export class Progress {
  private last = 0;
  private shown = false;
  private readonly started = Date.now();

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream,
  ) {}

  update(done: number, failed: number): void {
    if (!this.stream.isTTY) return;
    const now = Date.now();
    if (now - this.last < 100 && done < this.total) return;
    this.last = now;
    const elapsed = (now - this.started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const left = rate > 0 ? Math.ceil((this.total - done) / rate) : undefined;
    this.stream.write(
      `\r\x1b[K  ${done}/${this.total} runs, ${failed} failed, ${rate.toFixed(1)} runs/s${left !== undefined ? `, ${left} s left` : ''}`,
    );
    this.shown = true;
  }

  end(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
