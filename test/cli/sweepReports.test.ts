// The reports of `paging-lab test`, from results made up to cover every case: JUnit XML against the
// schema shipped as test data (and the schema refusing what it should), GitHub workflow commands
// and their escaping, the printed report (flaky pairs, baseline news, the closing line), the
// results CSV read back as written, and the seed lists and shards that make the pairs.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBaseline, readResults, resultsCsv } from '../../src/cli/sweep/csvFiles';
import { annotations, stepSummary, workflowCommand } from '../../src/cli/sweep/github';
import { junitXml } from '../../src/cli/sweep/junit';
import { parseSeeds, parseShard, shardOf } from '../../src/cli/sweep/pairs';
import { report, summaryRows, totals, totalsLine } from '../../src/cli/sweep/report';
import { reproduceCommand, SweepInputError, type PairResult, type SweepContext } from '../../src/cli/sweep/result';
import { UsageError } from '../../src/cli/options';
import { tempDir } from '../setup';
import { junitCases, junitProblems, WORKFLOW_COMMAND } from './sweepHelpers';

const ctx: SweepContext = { driver: 'drivers/my driver.ts', driverHash: 'ab'.repeat(32), verifier: true, tdrDelayMs: 500 };
const S = 'scenarios/a.json';
const results: PairResult[] = [
  { scenario: S, seed: 1, status: 'pass', pagingOps: 10, ms: 12 },
  { scenario: S, seed: 2, status: 'fail', rule: 'dma-buffer-overrun', message: 'verifier: dma-buffer-overrun: wrote 8 bytes past DmaSize, "quoted" & <angled>\n  rule: ...\u0001', file: 'drivers/my driver.ts', line: 40, column: 7, ddi: 'DxgkDdiBuildPagingBuffer', pagingOps: 4, ms: 3 },
  { scenario: S, seed: 3, status: 'error', rule: 'crash', message: 'the worker thread running this pair stopped unexpectedly: exited (code 3)', pagingOps: 0, ms: 0 },
  { scenario: S, seed: 4, status: 'skip', rule: 'workload-does-not-fit', message: 'cannot make the 4 allocations resident together', pagingOps: 2, ms: 5 },
  { scenario: S, seed: 5, status: 'flaky', rule: 'gpu-fault', message: 'page fault at 0x1000', flaky: 'pass', pagingOps: 6, ms: 8 },
  { scenario: 'scenarios/b, with comma.json', seed: 1, status: 'fail', rule: 'content-lost', message: 'allocation x lost bytes 0..16', pagingOps: 9, ms: 9 },
  { scenario: 'scenarios/b, with comma.json', seed: 2, status: 'fail', rule: 'content-lost', message: 'allocation y lost bytes', flaky: 'gpu-fault', pagingOps: 9, ms: 9 },
];
/** The same results with the recordings `paging-lab test` writes of failing pairs. */
const recorded: PairResult[] = results.map((r) => (r.status === 'pass' || r.status === 'skip' ? r : { ...r, recording: `out/recordings/${r.scenario.replace(/\W+/g, '_')}-seed-${r.seed}.recording.json` }));
const REC = 'out/recordings/scenarios_a_json-seed-2.recording.json';
/** The baseline expects the content-lost failure of b seed 1. */
const expected = (r: PairResult): boolean => r.scenario.startsWith('scenarios/b') && r.seed === 1 && r.status === 'fail';

describe('cli: paging-lab test reports', () => {
  it('JUnit XML with every kind of result validates against the JUnit schema', async () => {
    const xml = junitXml(ctx, results, { expected, timestamp: new Date('2026-01-02T03:04:05.678Z') });
    assert.deepEqual(await junitProblems(xml), []);
    assert.match(xml, /<testsuites name="paging-lab test drivers\/my driver\.ts" tests="7" failures="2" errors="1" skipped="2" time="0\.046">/);
    assert.match(xml, /<testsuite name="scenarios\/a\.json" tests="5" failures="1" errors="1" skipped="1" time="0\.028" timestamp="2026-01-02T03:04:05Z"/);
    const cases = junitCases(xml);
    assert.deepEqual(cases.map((c) => c.outcome?.kind), [undefined, 'failure', 'error', 'skipped', 'flakyFailure', 'skipped', 'failure']);
    const fail = cases[1];
    assert.deepEqual(
      { ...fail.properties },
      {
        seed: '2',
        'driver.hash': ctx.driverHash,
        pagingOperations: '4',
        rule: 'dma-buffer-overrun',
        message: 'verifier: dma-buffer-overrun: wrote 8 bytes past DmaSize, "quoted" & <angled>\n  rule: ...',
        'driver.file': 'drivers/my driver.ts',
        'driver.line': '40',
        reproduce: "paging-lab run --driver 'drivers/my driver.ts' --scenario scenarios/a.json --seed 2 --tdr-delay-ms 500",
      },
    );
    assert.equal(fail.outcome?.type, 'dma-buffer-overrun');
    assert.equal(cases[5].outcome?.type, 'expected-failure');
    assert.match(xml, /<testcase name="seed 2" classname="scenarios\/a\.json" time="0\.003" file="drivers\/my driver\.ts" line="40">/);
  });

  it('the schema refuses what JUnit readers would not take (so a pass means something)', async () => {
    const good = junitXml(ctx, results.slice(0, 2), { expected, timestamp: new Date() });
    for (const [what, bad] of [
      ['a testsuite without tests', good.replace(/(<testsuite name="[^"]*") tests="\d+"/, '$1')],
      ['a count that is not a number', good.replace('failures="1"', 'failures="one"')],
      ['a testcase without a name', good.replace('<testcase name="seed 1"', '<testcase')],
      ['two outcomes in one testcase', good.replace('</failure>', '</failure>\n      <error message="x"/>')],
      ['an unknown element', good.replace('<properties>', '<props/><properties>')],
    ]) {
      assert.notDeepEqual(await junitProblems(bad), [], what);
    }
  });

  it('GitHub workflow commands follow the documented format, escaped', () => {
    assert.equal(
      workflowCommand('error', { file: 'a,b:c.ts', line: 3, title: '50% done: x' }, 'line one\nline two\r\n100%'),
      '::error file=a%2Cb%3Ac.ts,line=3,title=50%25 done%3A x::line one%0Aline two%0D%0A100%25',
    );
    const lines = annotations(ctx, results, expected);
    for (const l of lines) assert.match(l, WORKFLOW_COMMAND);
    // One error per unexpected failure (the expected one and the skip give none), a warning per flaky pair.
    assert.deepEqual(lines.map((l) => l.slice(0, l.indexOf(' '))), ['::error', '::error', '::warning', '::warning']);
    assert.ok(lines[0].startsWith('::error file=drivers/my driver.ts,line=40,title=paging-lab test%3A dma-buffer-overrun (scenarios/a.json seed 2)::verifier: dma-buffer-overrun: '), lines[0]);
    assert.ok(lines[0].endsWith("%0Areproduce: paging-lab run --driver 'drivers/my driver.ts' --scenario scenarios/a.json --seed 2 --tdr-delay-ms 500"), lines[0]);
    assert.ok(lines[1].startsWith('::error file=scenarios/a.json,title=paging-lab test%3A crash (scenarios/a.json seed 3)::'), lines[1]);
  });

  it('the printed report names each failure with its command, shouts about flaky pairs and ends with the totals', () => {
    const t = totals(results, expected, 2000);
    const out = report(ctx, results, expected, ['scenarios/c.json seed 9 (tdr)'], t);
    assert.match(out, /^scenario +runs +failed +skipped +paging ops +first failure$/m);
    assert.match(out, /^scenarios\/a\.json +5 +2 +1 +22 +dma-buffer-overrun at drivers\/my driver\.ts:40 \(seed 2\)$/m);
    assert.match(out, /^FAIL scenarios\/a\.json seed 2: dma-buffer-overrun at drivers\/my driver\.ts:40\n {2}verifier: dma-buffer-overrun/m);
    assert.match(out, /^ {2}reproduce: paging-lab run --driver 'drivers\/my driver\.ts' --scenario scenarios\/a\.json --seed 2 --tdr-delay-ms 500$/m);
    assert.match(out, /^ {2}\(run again: gpu-fault\)$/m);
    assert.match(out, /^\*\*\* FLAKY: the same driver, scenario and seed gave different results when run again/m);
    assert.match(out, /^Expected failures that now pass \(remove them from the baseline\):\n {2}scenarios\/c\.json seed 9 \(tdr\)$/m);
    assert.equal(totalsLine(t), '2 passed, 3 failed, 1 expected failure (baseline), 1 skipped (workload cannot run on the adapter), 2 FLAKY; 7 runs in 2.0 s, 3.5 runs/s');
    assert.ok(out.endsWith(totalsLine(t) + '\n'));
    const md = stepSummary(ctx, summaryRows(results, expected), results, totalsLine(t), expected, []);
    assert.match(md, /^\| `scenarios\/b, with comma\.json` \| 2 \| 1 \| 0 \| 18 \| content-lost \(seed 2\) \|$/m);
    assert.match(md, /### :warning: Flaky pairs \(2\)/);
  });

  it('the results CSV reads back as written, and serves as a baseline of its failures', () => {
    const dir = tempDir('paging-lab-csv-');
    const file = join(dir, 'r.csv');
    writeFileSync(file, resultsCsv(ctx, results));
    const back = readResults(file);
    assert.deepEqual(back.ctx, ctx);
    assert.deepEqual(back.results, results);
    const baseline = readBaseline(file);
    assert.deepEqual([...baseline.keys()].sort(), ['scenarios/a.json\u00002', 'scenarios/a.json\u00003', 'scenarios/b, with comma.json\u00001', 'scenarios/b, with comma.json\u00002']);
    assert.equal(reproduceCommand({ ...ctx, verifier: false, tdrDelayMs: undefined }, { scenario: "it's.json", seed: 4 }), "paging-lab run --driver 'drivers/my driver.ts' --scenario 'it'\\''s.json' --seed 4 --no-verifier");
    writeFileSync(file, 'scenario,seed,status\nx.json,1,maybe\n');
    assert.throws(() => readResults(file), (e: Error) => e instanceof SweepInputError && /r\.csv has no 'driver', 'driver_hash' column/.test(e.message));
  });

  it("each failure names its recording: the JUnit property and failure text, the report, the annotation, the step summary and the CSV", async () => {
    const hint = `${REC} (debug it: "replay": "${REC}" in a wddm launch configuration, or paging-lab run --replay ${REC})`;
    const xml = junitXml(ctx, recorded, { expected, timestamp: new Date('2026-01-02T03:04:05.678Z') });
    assert.deepEqual(await junitProblems(xml), []);
    const cases = junitCases(xml);
    assert.equal(cases[1].properties.recording, REC);
    assert.equal(cases[0].properties.recording, undefined, 'a pass has none');
    assert.ok(xml.includes(`reproduce: paging-lab run --driver 'drivers/my driver.ts' --scenario scenarios/a.json --seed 2 --tdr-delay-ms 500\nrecording: ${hint.replace(/"/g, '&quot;')}</failure>`), xml);
    const t = totals(recorded, expected, 2000);
    const out = report(ctx, recorded, expected, [], t);
    assert.ok(out.includes(`  reproduce: paging-lab run --driver 'drivers/my driver.ts' --scenario scenarios/a.json --seed 2 --tdr-delay-ms 500\n  recording: ${hint}\n`), out);
    const lines = annotations(ctx, recorded, expected);
    assert.match(lines[0], WORKFLOW_COMMAND);
    assert.ok(lines[0].endsWith(`%0Areproduce: paging-lab run --driver 'drivers/my driver.ts' --scenario scenarios/a.json --seed 2 --tdr-delay-ms 500%0Arecording: ${hint}`), lines[0]);
    const md = stepSummary(ctx, summaryRows(recorded, expected), recorded, totalsLine(t), expected, []);
    assert.ok(md.includes(`\`paging-lab run --driver 'drivers/my driver.ts' --scenario scenarios/a.json --seed 2 --tdr-delay-ms 500\`  \n  recording: \`${REC}\``), md);
    const dir = tempDir('paging-lab-csv-rec-');
    writeFileSync(join(dir, 'r.csv'), resultsCsv(ctx, recorded));
    assert.deepEqual(readResults(join(dir, 'r.csv')).results, recorded);
    assert.ok(resultsCsv(ctx, recorded).split('\n')[0].endsWith(',command,recording'));
  });

  it('seed lists, ranges and shards', () => {
    assert.deepEqual(parseSeeds('3..5,1,4'), [1, 3, 4, 5]);
    assert.deepEqual(parseSeeds(' 7 '), [7]);
    for (const bad of ['', '5..1', 'a', '1..', '-1', '4294967296', '0..2000000']) assert.throws(() => parseSeeds(bad), UsageError, bad);
    assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b']) assert.throws(() => parseShard(bad), UsageError, bad);
    const pairs = Array.from({ length: 23 }, (_, i) => i);
    for (let n = 1; n <= 7; n++) {
      const parts = Array.from({ length: n }, (_, k) => shardOf(pairs, { index: k + 1, count: n }));
      assert.deepEqual(parts.flat().sort((a, b) => a - b), pairs, `${n} shards cover every pair once`);
      assert.ok(Math.max(...parts.map((p) => p.length)) - Math.min(...parts.map((p) => p.length)) <= 1, `${n} shards are balanced`);
    }
  });
});
