// `paging-lab test --junit FILE`: the sweep as JUnit XML, the report format CI systems read (Jenkins,
// GitLab, Azure Pipelines, GitHub test-report actions). One <testsuite> per scenario, one <testcase>
// per seed, with the seed, the driver's content hash and, for a failure, its rule, message, driver
// file and line and the command that reproduces it, as properties and in the failure's text.
// Expected failures (the baseline) and workloads the adapter cannot run are <skipped> with the
// reason; a pair that passed when run again carries a Surefire-style <flakyFailure>.

import { hostname } from 'node:os';
import { replayHint, reproduceCommand, type PairResult, type SweepContext } from './result';

/** Text safe in XML 1.0 content and attributes: escaped, with the characters XML cannot hold removed. */
export function xmlText(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex -- the control characters XML 1.0 allows are the point
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const attrs = (a: Record<string, string | number | undefined>): string =>
  Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlText(String(v))}"`)
    .join('');

const seconds = (ms: number): string => (ms / 1000).toFixed(3);
const firstLine = (s: string | undefined): string => (s ?? '').split('\n', 1)[0];

export interface JunitOptions {
  /** Failures the baseline expects, by pair: reported as skipped. */
  expected(r: PairResult): boolean;
  timestamp: Date;
}

function testcase(ctx: SweepContext, r: PairResult, o: JunitOptions): string {
  const failing = r.status === 'fail' || r.status === 'error' || r.status === 'flaky';
  const command = failing || r.status === 'skip' ? reproduceCommand(ctx, r) : undefined;
  const props: [string, string | number | undefined][] = [
    ['seed', r.seed],
    ['driver.hash', ctx.driverHash],
    ['pagingOperations', r.pagingOps],
    ...(failing || r.status === 'skip'
      ? ([
          ['rule', r.rule],
          ['message', r.message],
          ['driver.file', r.file],
          ['driver.line', r.line],
          ['reproduce', command],
          ['recording', r.recording],
        ] as [string, string | number | undefined][])
      : []),
    ['flaky', r.flaky],
  ];
  const properties = props
    .filter(([, v]) => v !== undefined)
    .map(([name, value]) => `        <property${attrs({ name, value })}/>`)
    .join('\n');
  const detail = [r.message ?? '', r.file ? `at ${r.file}${r.line ? `:${r.line}${r.column ? `:${r.column}` : ''}` : ''}` : '', command ? `reproduce: ${command}` : '', r.recording ? `recording: ${replayHint(r)}` : '']
    .filter(Boolean)
    .join('\n');
  let outcome = '';
  if (r.status === 'skip') outcome = `      <skipped${attrs({ type: 'not-applicable', message: firstLine(r.message) })}/>\n`;
  else if (failing && o.expected(r)) outcome = `      <skipped${attrs({ type: 'expected-failure', message: `expected failure (baseline): ${r.rule}: ${firstLine(r.message)}` })}>${xmlText(detail)}</skipped>\n`;
  else if (r.status === 'fail') outcome = `      <failure${attrs({ type: r.rule, message: `${r.rule}: ${firstLine(r.message)}` })}>${xmlText(detail)}</failure>\n`;
  else if (r.status === 'error') outcome = `      <error${attrs({ type: r.rule, message: `${r.rule}: ${firstLine(r.message)}` })}>${xmlText(detail)}</error>\n`;
  else if (r.status === 'flaky') {
    outcome = `      <flakyFailure${attrs({ type: r.rule, message: `passed when run again; the first run: ${r.rule}: ${firstLine(r.message)}` })}>${xmlText(detail)}</flakyFailure>\n`;
  }
  return (
    `    <testcase${attrs({ name: `seed ${r.seed}`, classname: r.scenario, time: seconds(r.ms), file: r.file, line: r.line })}>\n` +
    `      <properties>\n${properties}\n      </properties>\n` +
    outcome +
    '    </testcase>\n'
  );
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  ms: number;
}

function count(results: readonly PairResult[], o: JunitOptions): Counts {
  const c: Counts = { tests: results.length, failures: 0, errors: 0, skipped: 0, ms: 0 };
  for (const r of results) {
    c.ms += r.ms;
    if (r.status === 'skip' || ((r.status === 'fail' || r.status === 'error') && o.expected(r))) c.skipped++;
    else if (r.status === 'fail') c.failures++;
    else if (r.status === 'error') c.errors++;
  }
  return c;
}

/** The JUnit XML document for a sweep's results (in canonical order). */
export function junitXml(ctx: SweepContext, results: readonly PairResult[], o: JunitOptions): string {
  const byScenario = new Map<string, PairResult[]>();
  for (const r of results) byScenario.set(r.scenario, [...(byScenario.get(r.scenario) ?? []), r]);
  const all = count(results, o);
  const suites = [...byScenario].map(([scenario, rs]) => {
    const c = count(rs, o);
    return (
      `  <testsuite${attrs({ name: scenario, tests: c.tests, failures: c.failures, errors: c.errors, skipped: c.skipped, time: seconds(c.ms), timestamp: o.timestamp.toISOString().replace(/\.\d+Z$/, 'Z'), hostname: hostname() })}>\n` +
      `    <properties>\n      <property${attrs({ name: 'driver', value: ctx.driver })}/>\n      <property${attrs({ name: 'driver.hash', value: ctx.driverHash })}/>\n      <property${attrs({ name: 'verifier', value: ctx.verifier ? 'on' : 'off' })}/>\n    </properties>\n` +
      rs.map((r) => testcase(ctx, r, o)).join('') +
      '  </testsuite>\n'
    );
  });
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites${attrs({ name: `paging-lab test ${ctx.driver}`, tests: all.tests, failures: all.failures, errors: all.errors, skipped: all.skipped, time: seconds(all.ms) })}>\n` +
    suites.join('') +
    '</testsuites>\n'
  );
}
