// What `paging-lab test` knows about one (scenario, seed) pair once it has run: the record every
// report is made from (summary table, JUnit, GitHub annotations, CSV results, baselines, merges),
// and the command that reproduces the pair alone.

/**
 * pass: ran to the end with nothing wrong. fail: the driver broke a rule, threw, or the run ended
 * wrong (GPU fault, content lost). error: the pair could not be judged (the worker crashed, or the
 * run hung outside driver code). skip: the workload cannot run on the adapter with this seed (the
 * kernel could not make a render's allocations resident together), which says nothing about the
 * driver. flaky: failed, then passed when run again on the same inputs.
 */
export type PairStatus = 'pass' | 'fail' | 'error' | 'skip' | 'flaky';

export interface PairResult {
  /** The scenario as reports name it: its path relative to the working folder, with `/`. */
  scenario: string;
  seed: number;
  status: PairStatus;
  /** Short name of what went wrong: a verifier rule id, or tdr, driver-error, gpu-fault, content-lost, crash, timeout... */
  rule?: string;
  message?: string;
  /** The driver's file and line, when the failure has one (relative like `scenario`). */
  file?: string;
  line?: number;
  column?: number;
  ddi?: string;
  /** Paging operations VidMm asked the driver to build: transfers, fills, discards, aperture maps and unmaps. */
  pagingOps: number;
  /** Wall-clock milliseconds the run took in its worker. */
  ms: number;
  /** When a re-run on the same inputs disagreed: what the re-run gave. */
  flaky?: string;
  /** The recording of a failing pair (relative like `scenario`): `paging-lab run --replay` or `"replay"` in the debugger run it. */
  recording?: string;
}

/** What a sweep ran with, shared by every pair: enough to name the command that reproduces one. */
export interface SweepContext {
  /** The driver, relative like the scenarios. */
  driver: string;
  /** Content hash of every driver source file. */
  driverHash: string;
  verifier: boolean;
  tdrDelayMs?: number;
}

/** Input the sweep cannot run with (a missing or malformed file): the message says which and why; exit status 2. */
export class SweepInputError extends Error {}

export const isFailure = (r: PairResult): boolean => r.status === 'fail' || r.status === 'error';

/** A path as reports show it: relative to `cwd` when inside it, with `/` separators. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const sep = cwd.endsWith('/') || cwd.endsWith('\\') ? '' : '/';
  const p = path.replace(/\\/g, '/');
  const base = (cwd + sep).replace(/\\/g, '/');
  return p.startsWith(base) ? p.slice(base.length) : p;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The `paging-lab run` command line that runs this pair alone. */
export function reproduceCommand(ctx: SweepContext, r: Pick<PairResult, 'scenario' | 'seed'>): string {
  const args = ['paging-lab', 'run', '--driver', ctx.driver, '--scenario', r.scenario, '--seed', String(r.seed)];
  if (!ctx.verifier) args.push('--no-verifier');
  if (ctx.tdrDelayMs !== undefined) args.push('--tdr-delay-ms', String(ctx.tdrDelayMs));
  return args.map(quote).join(' ');
}

/** How to open a failing pair's recording; undefined when it has none. */
export function replayHint(r: Pick<PairResult, 'recording'>): string | undefined {
  return r.recording && `${r.recording} (debug it: "replay": "${r.recording}" in a wddm launch configuration, or paging-lab run --replay ${quote(r.recording)})`;
}

/** Whether two runs of one pair went wrong the same way (messages may hold timings, so they are not compared). */
export function sameOutcome(a: PairResult, b: PairResult): boolean {
  return a.status === b.status && a.rule === b.rule && a.file === b.file && a.line === b.line;
}

/** `rule at file:line`, or as much of it as is known. */
export function where(r: PairResult): string {
  const at = r.file ? ` at ${r.file}${r.line ? `:${r.line}` : ''}` : '';
  return `${r.rule ?? r.status}${at}`;
}

/** Canonical order: scenarios by name (code-unit order, the same on every machine), then seeds. */
export function comparePairs(a: Pick<PairResult, 'scenario' | 'seed'>, b: Pick<PairResult, 'scenario' | 'seed'>): number {
  return a.scenario < b.scenario ? -1 : a.scenario > b.scenario ? 1 : a.seed - b.seed;
}
