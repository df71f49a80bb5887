// `paging-lab test [--driver D] [SCENARIO_OR_GLOB...] [--seeds 1..20] [--jobs N] ...`: a driver's test
// suite for CI. Runs every (scenario, seed) pair in worker threads (one per core by default), each
// with the verifier and the TDR watchdog as `paging-lab run` has them; re-runs a failing pair once
// to tell a deterministic failure from a flaky one; compares with a baseline of known failures;
// and reports as a summary table, JUnit XML, a CSV of results, and GitHub annotations and step
// summary. `--shard K/N` runs a deterministic 1/N of the pairs (one machine of a CI matrix) and
// `--merge` joins the shards' CSV files into one report. Exit status: 0 all passed (or failed only
// as the baseline expects), 1 a failure the baseline does not expect, 2 the sweep could not run.

import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import fg from 'fast-glob';
import { knob, TDR_DELAY_MS_RANGE } from '../../debugger/launchAttributes';
import { compileDriver, portableCompilation } from '../../sim/driver/loader';
import { parseScenario, ScenarioError } from '../../sim/scenario';
import type { Command } from '../command';
import { fileOption, integerOption, numberOption, parseOptions, UsageError, type OptionSpecs } from '../options';
import { pairKey, readBaseline, readResults, resultsCsv, type BaselineEntry } from '../sweep/csvFiles';
import { writeGeneratedScenarios } from '../sweep/generate';
import { annotations, stepSummary } from '../sweep/github';
import { junitXml } from '../sweep/junit';
import { parseSeeds, parseShard, resolveScenarios, shardOf } from '../sweep/pairs';
import { SweepPool } from '../sweep/pool';
import { runPairs, type Pair } from '../sweep/runPairs';
import { writeTraces } from '../sweep/traces';
import { writeRecordings } from '../sweep/recordings';
import { Progress, report, summaryRows, totals, totalsLine } from '../sweep/report';
import { comparePairs, displayPath, isFailure, SweepInputError, type PairResult, type SweepContext } from '../sweep/result';
import { WORKER_HEAP_MB } from '../runWorker';
import { bundledFile } from './run';

const USAGE =
  'usage: paging-lab test [--driver FILE.ts] [SCENARIO.json | FOLDER | GLOB ...] [--seeds 1..20] [--jobs N] [options]\n' +
  '       paging-lab test --merge RESULTS.csv... [--junit FILE.xml] [--results FILE.csv] [--baseline FILE.csv]\n' +
  '  --driver FILE.ts        the miniport driver (default: the bundled reference driver)\n' +
  '  SCENARIO...             scenario files, folders of them, or globs (default: the bundled sample scenarios)\n' +
  '  --seeds LIST            seeds to run each scenario with: 1..200, 7, 1,3,9 (default 1..20)\n' +
  '  --jobs N                worker threads (default: one per core)\n' +
  '  --generate N            add N random workloads sized to the default adapter, written to --generated-dir\n' +
  '  --generated-dir DIR     where --generate writes its scenarios (default: generated-scenarios)\n' +
  '  --junit FILE.xml        write JUnit XML (one testcase per scenario and seed)\n' +
  '  --results FILE.csv      write every pair\'s result as CSV (the input of --merge and --baseline)\n' +
  '  --baseline FILE.csv     failures to expect (columns scenario,seed[,rule]); exit 0 when only those fail\n' +
  '  --shard K/N             run the K-th of N deterministic parts of the pairs (one machine of a CI matrix)\n' +
  '  --merge                 join the --results files of the shards (the operands) into one report\n' +
  '  --no-verifier           do not check the driver against the DDI rules\n' +
  '  --tdr-delay-ms MS       a DDI that runs longer is a timeout (TDR); default: each scenario\'s tdrDelayMs, else 2000\n' +
  '  --timeout-ms MS         wall-clock limit of one pair, driver code or not (default 300000)\n' +
  '  --traces DIR            write a Chrome trace (paging-lab run --trace) of each failing pair, the first 20, into DIR\n' +
  '  --record-dir DIR        where each failing pair\'s recording goes, to open in the debugger (default: recordings/ beside --results, else --junit, else here)\n' +
  '  --quiet                 no progress line\n' +
  'Exit status: 0 all pass (or only expected failures), 1 a failure the baseline does not expect, 2 could not run.\n' +
  'In GitHub Actions (GITHUB_ACTIONS=true) failures are also annotations, and a summary goes to $GITHUB_STEP_SUMMARY.\n';

const OPTIONS = {
  driver: { type: 'string', value: 'a file' },
  seeds: { type: 'string', value: 'seeds such as 1..200, 7 or 1,3,9' },
  jobs: { type: 'string', value: 'a number of worker threads' },
  generate: { type: 'string', value: 'a number of scenarios' },
  'generated-dir': { type: 'string', value: 'a folder' },
  junit: { type: 'string', value: 'a file' },
  results: { type: 'string', value: 'a file' },
  baseline: { type: 'string', value: 'a file' },
  shard: { type: 'string', value: 'K/N' },
  merge: { type: 'boolean' },
  'no-verifier': { type: 'boolean' },
  'tdr-delay-ms': { type: 'string', value: knob('tdrDelayMs').expects },
  'timeout-ms': { type: 'string', value: 'a number of milliseconds' },
  traces: { type: 'string', value: 'a folder' },
  'record-dir': { type: 'string', value: 'a folder' },
  quiet: { type: 'boolean', short: 'q' },
} as const satisfies OptionSpecs;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>['values'];

/** The script worker threads run: this bundle (dist/cli.js), or the sources' entry under tsx. */
function workerScript(): string {
  return __filename.endsWith('.ts') ? join(__dirname, '..', 'main.ts') : __filename;
}

interface Outputs {
  junit?: string;
  results?: string;
  baseline?: Map<string, BaselineEntry>;
}

function outputs(v: Values): Outputs {
  return {
    junit: v.junit === undefined ? undefined : fileOption('--junit', v.junit),
    results: v.results === undefined ? undefined : fileOption('--results', v.results),
    baseline: v.baseline === undefined ? undefined : readBaseline(fileOption('--baseline', v.baseline)),
  };
}

interface Outcome {
  ctx: SweepContext;
  results: PairResult[];
  wallMs: number;
  /** What a trace needs: the driver's path and each scenario's file (a sweep, not a merge). */
  ran?: { driver: string; scenarios: Map<string, Pair> };
  /** Recordings of the failing pairs: how many, in which folder. */
  recordings?: { dir: string; count: number };
}

async function sweep(v: Values, operands: string[]): Promise<Outcome> {
  const driver = v.driver === undefined ? bundledFile('samples/drivers/reference/driver.ts') : fileOption('--driver', v.driver);
  if (!existsSync(driver)) throw new SweepInputError(`driver file not found: ${v.driver}`);
  const seeds = parseSeeds(v.seeds ?? '1..20');
  const jobs = v.jobs === undefined ? availableParallelism() : integerOption('--jobs', v.jobs, { minimum: 1, maximum: 256 }, 'a number of worker threads from 1 to 256');
  const tdrDelayMs = v['tdr-delay-ms'] === undefined ? undefined : numberOption('--tdr-delay-ms', v['tdr-delay-ms'], TDR_DELAY_MS_RANGE, knob('tdrDelayMs').expects);
  const pairTimeoutMs = v['timeout-ms'] === undefined ? 300_000 : numberOption('--timeout-ms', v['timeout-ms'], { minimum: 10, maximum: 86_400_000 }, 'a number of milliseconds from 10 to 86400000');
  const shard = v.shard === undefined ? undefined : parseShard(v.shard);
  const generate = v.generate === undefined ? 0 : integerOption('--generate', v.generate, { minimum: 0, maximum: 10_000 }, 'a number of scenarios from 0 to 10000');

  const files = resolveScenarios(operands.length ? operands : [bundledFile('samples/scenarios')]);
  if (generate) files.push(...writeGeneratedScenarios(generate, resolve(v['generated-dir'] ?? 'generated-scenarios'), bundledFile('samples/scenarios/default.json')));
  // Every scenario is checked before anything runs: a broken file is reported once, not once per seed.
  for (const file of files) {
    try {
      parseScenario(readFileSync(file, 'utf8'), displayPath(file), seeds[0]);
    } catch (e) {
      throw new SweepInputError(e instanceof ScenarioError ? e.message : `cannot read the scenario ${file}: ${(e as Error).message}`);
    }
  }
  const scenarios = files.map((file) => ({ file, name: displayPath(file) })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const all: Pair[] = scenarios.flatMap((s) => seeds.map((seed) => ({ scenario: s.name, file: s.file, seed })));
  const pairs = shardOf(all, shard);
  const verifier = v['no-verifier'] ? false : undefined;
  const ctx: SweepContext = { driver: displayPath(driver), driverHash: '', verifier: verifier !== false, tdrDelayMs };
  const t0 = Date.now();
  const ran = { driver, scenarios: new Map(all.map((p) => [p.scenario, p])) };
  if (!pairs.length) return { ctx, results: [], wallMs: 0, ran };

  // The driver is compiled once, here, and handed to each worker: a worker then starts no compiler
  // of its own. The compile starts after the pool has made its workers (a microtask later), since
  // starting the compiler holds this thread a while. When it does not compile, the workers try and
  // say why (once).
  const compiled = Promise.resolve(driver).then(compileDriver).then(portableCompilation, () => undefined);
  const started = await SweepPool.start({ script: workerScript(), driver, jobs: Math.min(jobs, pairs.length), tdrDelayMs, pairTimeoutMs, heapMb: WORKER_HEAP_MB, compiled });
  if (!started.pool) throw new SweepInputError(`the driver cannot run, so no pair was run:\n${started.error}`);
  const { pool } = started;
  ctx.driverHash = started.driverHash;
  const progress = new Progress(pairs.length, process.stderr);
  try {
    const results = await runPairs(pool, pairs, { driver, verifier, tdrDelayMs, pairTimeoutMs, progress: v.quiet ? undefined : (d, f) => progress.update(d, f) });
    progress.end();
    const dir = recordDir(v);
    const count = await writeRecordings(dir, driver, ctx, results, ran.scenarios);
    return { ctx, results, wallMs: Date.now() - t0, ran, recordings: { dir, count } };
  } finally {
    progress.end();
    pool.close();
  }
}

/** Where failing pairs' recordings go: --record-dir, else `recordings` beside the --results (or --junit) file, else in the working folder. */
function recordDir(v: Values): string {
  if (v['record-dir'] !== undefined) return fileOption('--record-dir', v['record-dir']);
  const beside = v.results ?? v.junit;
  return beside === undefined ? resolve('recordings') : join(dirname(resolve(beside)), 'recordings');
}

function merge(operands: string[], v: Values): Outcome {
  for (const flag of ['driver', 'seeds', 'jobs', 'generate', 'generated-dir', 'shard', 'no-verifier', 'tdr-delay-ms', 'timeout-ms', 'traces', 'record-dir'] as const) {
    if (v[flag] !== undefined) throw new UsageError(`--${flag} does not go with --merge, which joins results the shards already made`);
  }
  if (!operands.length) throw new UsageError('--merge needs the results files of the shards (--results FILE.csv of each)');
  const files = new Set<string>();
  for (const operand of operands) {
    const matched = fg.isDynamicPattern(operand) ? fg.sync(operand, { absolute: true, onlyFiles: true }) : [resolve(operand)];
    if (!matched.length) throw new SweepInputError(`'${operand}' matches no results file`);
    for (const f of matched) files.add(f);
  }
  let ctx: SweepContext | undefined;
  const seen = new Map<string, string>();
  const results: PairResult[] = [];
  for (const file of [...files].sort()) {
    const part = readResults(file);
    if (!part.ctx) continue;
    if (ctx && (ctx.driverHash !== part.ctx.driverHash || ctx.driver !== part.ctx.driver)) {
      throw new SweepInputError(`${displayPath(file)} ran ${part.ctx.driver} (${part.ctx.driverHash.slice(0, 12)}), other files ${ctx.driver} (${ctx.driverHash.slice(0, 12)}): merge the shards of one sweep`);
    }
    ctx ??= part.ctx;
    for (const r of part.results) {
      const other = seen.get(pairKey(r));
      if (other) throw new SweepInputError(`${r.scenario} seed ${r.seed} is in both ${other} and ${displayPath(file)}: merge the shards of one sweep, each once`);
      seen.set(pairKey(r), displayPath(file));
      results.push(r);
    }
  }
  if (!ctx) throw new SweepInputError(`the results files hold no pair: ${[...files].map((f) => displayPath(f)).join(', ')}`);
  return { ctx, results: results.sort(comparePairs), wallMs: results.reduce((a, r) => a + r.ms, 0) };
}

/** Whether a result is a failure the baseline expects. */
function expectation(baseline: Map<string, BaselineEntry> | undefined): (r: PairResult) => boolean {
  return (r) => {
    const e = baseline?.get(pairKey(r));
    return !!e && isFailure(r) && (e.rule === undefined || e.rule === r.rule);
  };
}

async function publish({ ctx, results, wallMs, ran, recordings }: Outcome, o: Outputs, tracesDir: string | undefined): Promise<number> {
  const expected = expectation(o.baseline);
  const unexpected = results.filter((r) => isFailure(r) && !expected(r));
  const byKey = new Map(results.map((r) => [pairKey(r), r]));
  const nowPassing = [...(o.baseline?.values() ?? [])]
    .filter((e) => {
      const r = byKey.get(pairKey(e));
      return r && (r.status === 'pass' || r.status === 'flaky');
    })
    .map((e) => `${e.scenario} seed ${e.seed}${e.rule ? ` (${e.rule})` : ''}`);
  const t = totals(results, expected, wallMs);
  process.stdout.write(report(ctx, results, expected, nowPassing, t));
  if (recordings?.count) {
    process.stdout.write(`recordings of ${recordings.count} failing pair${recordings.count === 1 ? '' : 's'} in ${displayPath(recordings.dir)} (open one with "replay" in a wddm launch configuration)\n`);
  }
  if (tracesDir && ran && unexpected.length) {
    const written = await writeTraces(workerScript(), tracesDir, { ...ctx, driverFile: ran.driver }, unexpected, ran.scenarios);
    process.stdout.write(`traces of ${written.length} failing pair${written.length === 1 ? '' : 's'} in ${displayPath(tracesDir)} (open them in https://ui.perfetto.dev)\n`);
  }
  if (o.junit) writeFileSync(o.junit, junitXml(ctx, results, { expected, timestamp: new Date() }));
  if (o.results) writeFileSync(o.results, resultsCsv(ctx, results));
  if (process.env.GITHUB_ACTIONS === 'true') {
    for (const line of annotations(ctx, results, expected)) process.stdout.write(line + '\n');
    const summaryFile = process.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) appendFileSync(summaryFile, stepSummary(ctx, summaryRows(results, expected), results, totalsLine(t), expected, nowPassing));
  }
  return unexpected.length ? 1 : 0;
}

async function test(args: string[]): Promise<number> {
  try {
    const { values: v, positionals } = parseOptions(args, OPTIONS, { max: Infinity, noun: 'scenario' });
    if (v.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    const o = outputs(v);
    const traces = v.traces === undefined ? undefined : fileOption('--traces', v.traces);
    return await publish(v.merge ? merge(positionals, v) : await sweep(v, positionals), o, traces);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`paging-lab test: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof SweepInputError) {
      process.stderr.write(`paging-lab test: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

export const testCommand: Command = {
  name: 'test',
  synopsis: 'test [--driver F.ts] [SCENARIO...] [--seeds 1..20]',
  summary: "Run a driver across scenarios and seeds in parallel; report for CI (JUnit, CSV, GitHub).",
  run: test,
};
