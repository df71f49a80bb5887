// `paging-lab test` as CI runs it (dist/cli.js in a child process): the reference driver passes the
// sample scenarios, every buggy sample driver fails with its rule in the JUnit file and the GitHub
// annotation, the JUnit output validates against a JUnit schema, shards cover every pair once and
// merge into the unsharded results, baselines, traces, generated scenarios, and each kind of bad
// input with its message and exit status. Crashed workers and flaky pairs, which a driver can no
// longer cause from its sandbox, are tested on the pool itself (sweepPool.test.ts).

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ROOT, tempDir } from '../setup';
import { cli, junitCases, junitProblems, limited, WORKFLOW_COMMAND, withoutTimes, type Exit } from './sweepHelpers';

const SCENARIOS = join(ROOT, 'samples', 'scenarios');
const BUGGY = join(ROOT, 'samples', 'drivers', 'buggy');
const FAST = ['multipass', 'paging-queue', 'special-lock', 'sub-transfers'].map((s) => `samples/scenarios/${s}.json`);

const ok = (r: Exit, code: number): void => assert.equal(r.code, code, `exit ${r.code}, expected ${code}\n${r.stdout}\n${r.stderr}`);
const annotationLines = (out: string): string[] => out.split('\n').filter((l) => l.startsWith('::'));

/** Each buggy sample driver's rule (its file name) and the sample scenario that shows it, from the table in docs/verifier.md. */
function buggySamples(): { rule: string; driver: string; scenario: string }[] {
  const doc = readFileSync(join(ROOT, 'docs', 'verifier.md'), 'utf8');
  const scenarioOf = new Map<string, string>();
  for (const m of doc.matchAll(/^\| `([a-z-]+)` \|.*\| `\1\.ts` \(([\w-]+)\) \|$/gm)) scenarioOf.set(m[1], m[2]);
  return readdirSync(BUGGY)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => {
      const rule = basename(f, '.ts');
      const scenario = scenarioOf.get(rule);
      assert.ok(scenario, `docs/verifier.md names the sample scenario for samples/drivers/buggy/${f}`);
      return { rule, driver: `samples/drivers/buggy/${f}`, scenario: `samples/scenarios/${scenario}.json` };
    });
}

describe('cli: paging-lab test', function () {
  this.timeout(600_000);

  it('the reference driver passes every sample scenario x 20 seeds, with a valid JUnit file', async () => {
    const dir = tempDir('paging-lab-sweep-');
    const junit = join(dir, 'junit.xml');
    const r = await cli(['test', '--seeds', '1..20', '--junit', junit, '--results', join(dir, 'results.csv')]);
    ok(r, 0);
    const scenarios = readdirSync(SCENARIOS).filter((f) => f.endsWith('.json'));
    const n = scenarios.length;
    assert.ok(n >= 13, `${n} sample scenarios`);
    const xml = readFileSync(junit, 'utf8');
    assert.deepEqual(await junitProblems(xml), []);
    const cases = junitCases(xml);
    assert.equal(cases.length, n * 20);
    assert.equal(new Set(cases.map((c) => c.suite)).size, n);
    for (const c of cases) {
      // A pass, or a workload the kernel cannot fit on the adapter with this seed (random-pressure only).
      if (c.outcome) {
        assert.equal(c.outcome.kind, 'skipped', `${c.suite} ${c.name}: ${c.outcome.message}`);
        assert.equal(c.properties.rule, 'workload-does-not-fit', `${c.suite} ${c.name}`);
        assert.equal(c.suite, 'samples/scenarios/random-pressure.json');
      }
      assert.match(c.properties['driver.hash'], /^[0-9a-f]{64}$/);
    }
    assert.match(r.stdout, new RegExp(`^\\d+ passed, 0 failed(, \\d+ skipped \\(workload cannot run on the adapter\\))?; ${n * 20} runs in [\\d.]+ s`, 'm'));
    process.stdout.write(`      (${n} x 20 sweep: ${(r.ms / 1000).toFixed(1)} s wall, ${r.stdout.trim().split('\n').pop()})\n`);
  });

  it('each buggy sample driver fails with its rule in the JUnit file and the GitHub annotation', async () => {
    const samples = buggySamples();
    assert.ok(samples.length >= 11, `${samples.length} buggy samples`);
    const runs = await limited(
      2,
      samples.map((s) => async () => {
        const dir = tempDir('paging-lab-buggy-');
        const summary = join(dir, 'summary.md');
        const junit = join(dir, 'junit.xml');
        const r = await cli(['test', '--driver', s.driver, s.scenario, '--seeds', '1', '--jobs', '1', '--tdr-delay-ms', '300', '--junit', junit], {
          env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
        });
        return { s, r, xml: existsSync(junit) ? readFileSync(junit, 'utf8') : '', summary: existsSync(summary) ? readFileSync(summary, 'utf8') : '' };
      }),
    );
    for (const { s, r, xml, summary } of runs) {
      ok(r, 1);
      assert.deepEqual(await junitProblems(xml), [], s.rule);
      const [c] = junitCases(xml);
      assert.equal(c.outcome?.kind, 'failure', s.rule);
      assert.equal(c.outcome?.type, s.rule);
      assert.equal(c.properties.rule, s.rule);
      assert.ok(c.properties.message.includes(`verifier: ${s.rule}: `), c.properties.message);
      assert.equal(c.properties.reproduce, `paging-lab run --driver ${s.driver} --scenario ${s.scenario} --seed 1 --tdr-delay-ms 300`);
      const lines = annotationLines(r.stdout);
      assert.equal(lines.length, 1, r.stdout);
      assert.match(lines[0], WORKFLOW_COMMAND);
      assert.ok(lines[0].startsWith(`::error file=${c.properties['driver.file'] ?? s.scenario},`), lines[0]);
      if (c.properties['driver.file']) assert.ok(lines[0].includes(`,line=${c.properties['driver.line']},`), lines[0]);
      assert.ok(lines[0].includes(`title=paging-lab test%3A ${s.rule} (${s.scenario} seed 1)::`), lines[0]);
      assert.ok(lines[0].includes('%0Areproduce: paging-lab run --driver'), lines[0]);
      assert.ok(summary.includes(`**${s.rule}`), summary);
      assert.match(r.stdout, new RegExp(`reproduce: paging-lab run --driver ${s.driver} --scenario ${s.scenario} --seed 1`));
      // The failure's recording, beside the JUnit file, named in every format.
      const recording = c.properties.recording;
      assert.ok(recording?.endsWith(`/recordings/${s.scenario.replace(/\.json$/, '').replace(/\//g, '_')}-seed-1.recording.json`), recording);
      assert.equal(JSON.parse(readFileSync(recording, 'utf8')).outcome.error, s.rule);
      assert.ok(xml.includes(`recording: ${recording} (debug it: `), s.rule);
      assert.ok(lines[0].includes(`%0Arecording: ${recording} (debug it: `), lines[0]);
      assert.ok(summary.includes(`recording: \`${recording}\``), summary);
      assert.ok(r.stdout.includes(`  recording: ${recording} (debug it: "replay": "${recording}"`), r.stdout);
    }
    // A recording runs the failure again, alone: the same rule.
    const first = runs.find(({ s }) => s.rule !== 'tdr')!;
    const replay = await cli(['run', '--quiet', '--replay', junitCases(first.xml)[0].properties.recording]);
    ok(replay, 1);
    assert.match(replay.stdout, new RegExp(`error \\(driver\\): verifier: ${first.s.rule}: `));
  });

  it('shards 1/3, 2/3 and 3/3 run every pair exactly once, and their merge equals the unsharded sweep', async () => {
    const dir = tempDir('paging-lab-shards-');
    const common = ['test', '--driver', 'samples/drivers/buggy/ddi-status.ts', ...FAST, '--seeds', '1..6', '--jobs', '1'];
    const [whole, ...shards] = await limited(2, [
      () => cli([...common, '--results', join(dir, 'all.csv'), '--junit', join(dir, 'all.xml'), '--traces', join(dir, 'traces')]),
      ...[1, 2, 3].map((k) => () => cli([...common, '--shard', `${k}/3`, '--results', join(dir, `shard-${k}.csv`)])),
    ]);
    ok(whole, 1);
    for (const s of shards) assert.ok(s.code === 0 || s.code === 1, s.stderr);
    const all = withoutTimes(readFileSync(join(dir, 'all.csv'), 'utf8'));
    assert.equal(all.length, 1 + 4 * 6);
    const seen = new Map<string, number>();
    for (const k of [1, 2, 3]) {
      const rows = withoutTimes(readFileSync(join(dir, `shard-${k}.csv`), 'utf8')).slice(1);
      assert.equal(rows.length, 8, `shard ${k}/3 runs a third of the pairs`);
      for (const row of rows) seen.set(`${row[0]} ${row[1]}`, (seen.get(`${row[0]} ${row[1]}`) ?? 0) + 1);
    }
    assert.deepEqual([...seen.keys()].sort(), all.slice(1).map((row) => `${row[0]} ${row[1]}`).sort());
    assert.ok([...seen.values()].every((n) => n === 1), 'no pair runs in two shards');
    assert.ok(all.slice(1).some((row) => row[2] === 'fail') && all.slice(1).some((row) => row[2] === 'pass'), 'the sweep has passes and failures');
    // --traces: a Chrome trace of each failing pair, as `paging-lab run --trace` writes it.
    const failing = all.slice(1).filter((row) => row[2] === 'fail');
    assert.match(whole.stdout, new RegExp(`traces of ${failing.length} failing pairs in .*traces`));
    for (const row of failing) {
      const trace = JSON.parse(readFileSync(join(dir, 'traces', `samples_scenarios_${basename(row[0], '.json')}-seed-${row[1]}.trace.json`), 'utf8'));
      assert.ok(Array.isArray(trace.traceEvents) && trace.traceEvents.length > 0);
    }

    const merged = await cli(['test', '--merge', join(dir, 'shard-*.csv'), '--results', join(dir, 'merged.csv'), '--junit', join(dir, 'merged.xml')]);
    ok(merged, 1);
    assert.deepEqual(withoutTimes(readFileSync(join(dir, 'merged.csv'), 'utf8')), all);
    const mergedXml = readFileSync(join(dir, 'merged.xml'), 'utf8');
    assert.deepEqual(await junitProblems(mergedXml), []);
    const strip = (cases: ReturnType<typeof junitCases>) => cases.map((c) => ({ ...c, properties: { ...c.properties } }));
    assert.deepEqual(strip(junitCases(mergedXml)), strip(junitCases(readFileSync(join(dir, 'all.xml'), 'utf8'))));
    const table = (out: string) => out.slice(0, out.search(/^\d+ passed, /m));
    assert.equal(table(merged.stdout), table(whole.stdout), 'the same summary table and failures');
  });

  it('a baseline with one expected failure exits 0, and says when that failure now passes', async () => {
    const dir = tempDir('paging-lab-baseline-');
    const baseline = join(dir, 'known-failures.csv');
    writeFileSync(baseline, 'scenario,seed,rule\nsamples/scenarios/multipass.json,1,ddi-status\n');
    const [expected, fixed] = await limited(2, [
      () => cli(['test', '--driver', 'samples/drivers/buggy/ddi-status.ts', FAST[0], '--seeds', '1', '--jobs', '1', '--baseline', baseline, '--record-dir', join(dir, 'recordings')]),
      // The same baseline once the driver is fixed: the reference driver passes the pair.
      () => cli(['test', FAST[0], '--seeds', '1', '--jobs', '1', '--baseline', baseline]),
    ]);
    ok(expected, 0);
    assert.match(expected.stdout, /^0 passed, 0 failed, 1 expected failure \(baseline\)/m);
    ok(fixed, 0);
    assert.match(fixed.stdout, /Expected failures that now pass \(remove them from the baseline\):\n {2}samples\/scenarios\/multipass\.json seed 1 \(ddi-status\)/);
  });

  it('--generate N writes N random workloads as scenario files and runs them with the others', async () => {
    const dir = tempDir('paging-lab-generate-');
    const r = await cli(['test', join(ROOT, FAST[2]), '--generate', '2', '--seeds', '1..2', '--jobs', '1', '--results', join(dir, 'r.csv')], { cwd: dir });
    assert.ok(r.code === 0, r.stdout + r.stderr);
    for (const k of [1, 2]) {
      const file = join(dir, 'generated-scenarios', `generated-${k}.json`);
      assert.ok(existsSync(file), file);
      assert.ok(JSON.parse(readFileSync(file, 'utf8')).generate.allocations > 0);
    }
    assert.match(r.stdout, /^generated-scenarios\/generated-1\.json +2 /m);
    assert.match(r.stdout, /; 6 runs in/);
  });

  describe('bad input: a clear message and the right exit status', () => {
    const cases: [string, string[], number, RegExp][] = [
      ['a glob that matches nothing', ['test', 'samples/scenarios/nope-*.json'], 2, /^paging-lab test: 'samples\/scenarios\/nope-\*\.json' matches no scenario file \(\*\.json\)\n$/],
      ['a reversed seed range', ['test', FAST[0], '--seeds', '9..3'], 2, /--seeds: the range 9\.\.3 is reversed; write 3\.\.9/],
      ['an empty seed list', ['test', FAST[0], '--seeds', ''], 2, /--seeds needs seeds such as 1\.\.200, 7 or 1,3,9, got ''/],
      ['a malformed seed list', ['test', FAST[0], '--seeds', '1..x'], 2, /--seeds needs seeds such as 1\.\.200/],
      ['a bad shard', ['test', FAST[0], '--shard', '4/3'], 2, /--shard needs K\/N with 1 <= K <= N/],
      ['a missing driver', ['test', '--driver', 'nope.ts', FAST[0]], 2, /^paging-lab test: driver file not found: nope\.ts\n$/],
      ['a missing scenario', ['test', 'nope.json'], 2, /^paging-lab test: scenario file not found: nope\.json\n$/],
      ['--merge with nothing', ['test', '--merge'], 2, /--merge needs the results files of the shards/],
      ['--merge with --seeds', ['test', '--merge', 'a.csv', '--seeds', '1'], 2, /--seeds does not go with --merge/],
    ];
    for (const [name, args, code, message] of cases) {
      it(name, async () => {
        const r = await cli(args);
        ok(r, code);
        assert.match(r.stderr, message);
        assert.equal(r.stdout, '');
      });
    }

    it('a malformed baseline names the file and the line', async () => {
      const dir = tempDir('paging-lab-bad-baseline-');
      const files: [string, string, RegExp][] = [
        ['columns.csv', 'name,seed\nx,1\n', /the baseline .*columns\.csv has no 'scenario' column/],
        ['seed.csv', 'scenario,seed\nsamples/scenarios/multipass.json,one\n', /seed\.csv:2: 'seed' must be a non-negative integer, got 'one'/],
        ['quote.csv', 'scenario,seed\n"samples/scenarios/multipass.json,1\n', /the baseline .*quote\.csv is not valid CSV: Quote Not Closed/],
        ['cells.csv', 'scenario,seed\nsamples/scenarios/multipass.json,1,extra\n', /the baseline .*cells\.csv is not valid CSV: Invalid Record Length: expect 2, got 3 on line 2/],
      ];
      for (const [name, text, message] of files) {
        writeFileSync(join(dir, name), text);
        const r = await cli(['test', FAST[0], '--seeds', '1', '--baseline', join(dir, name)]);
        ok(r, 2);
        assert.match(r.stderr, message);
      }
      const missing = await cli(['test', FAST[0], '--baseline', join(dir, 'absent.csv')]);
      ok(missing, 2);
      assert.match(missing.stderr, /cannot read the baseline .*absent\.csv: ENOENT/);
    });

    it('a driver that does not compile is reported once, not once per pair', async () => {
      const dir = tempDir('paging-lab-broken-');
      const driver = join(dir, 'broken.ts');
      writeFileSync(driver, "export function DriverEntry(): number {\n  return 0 +;\n}\n");
      const r = await cli(['test', '--driver', driver, ...FAST, '--seeds', '1..5', '--jobs', '2']);
      ok(r, 2);
      assert.match(r.stderr, /^paging-lab test: the driver cannot run, so no pair was run:\nthe driver does not compile:\n {2}.*broken\.ts:2:\d+: error: /);
      assert.equal(r.stderr.split('does not compile').length - 1, 1, r.stderr);
      assert.equal(r.stdout, '');
    });

    it('a driver that hangs fails its pair with the tdr rule, and a run past --timeout-ms fails with the reason', async () => {
      const dir = tempDir('paging-lab-hang-');
      const hang = await cli(['test', '--driver', 'samples/drivers/buggy/tdr.ts', 'samples/scenarios/default.json', FAST[2], '--seeds', '1', '--jobs', '1', '--tdr-delay-ms', '200', '--record-dir', join(dir, 'rec')]);
      ok(hang, 1);
      assert.match(hang.stdout, /FAIL samples\/scenarios\/default\.json seed 1: tdr at samples\/drivers\/buggy\/tdr\.ts:\d+/);
      assert.match(hang.stdout, /DxgkDdiBuildPagingBuffer did not return within the TDR delay of 200 ms/);
      // A pair whose worker was stopped still gets its recording (its inputs), and the recording hangs the same way.
      const recording = join(dir, 'rec', 'samples_scenarios_default-seed-1.recording.json');
      assert.ok(hang.stdout.includes(`  recording: ${recording} (debug it: "replay": "${recording}" in a wddm launch configuration, or paging-lab run --replay ${recording})`), hang.stdout);
      assert.equal(JSON.parse(readFileSync(recording, 'utf8')).tdrDelayMs, 200);
      const replay = await cli(['run', '--quiet', '--replay', recording]);
      ok(replay, 1);
      assert.match(replay.stdout, /error \(driver\): verifier: tdr: DxgkDdiBuildPagingBuffer did not return within the TDR delay of 200 ms/);
      const slow = await cli(['test', 'samples/scenarios/random-pressure.json', FAST[2], '--seeds', '1', '--jobs', '1', '--timeout-ms', '20', '--record-dir', join(dir, 'rec')]);
      ok(slow, 1);
      assert.match(slow.stdout, /FAIL samples\/scenarios\/random-pressure\.json seed 1: timeout\n {2}the run did not end within 20 ms \(--timeout-ms\)/);
    });

    it('--merge refuses results of different drivers or the same pair twice', async () => {
      const dir = tempDir('paging-lab-bad-merge-');
      const header = 'scenario,seed,status,rule,message,file,line,column,ddi,paging_ops,ms,flaky,driver,driver_hash,verifier,tdr_delay_ms,command\n';
      writeFileSync(join(dir, 'a.csv'), header + 's.json,1,pass,,,,,,,3,1.0,,d.ts,aaaa,on,,\n');
      writeFileSync(join(dir, 'b.csv'), header + 's.json,1,pass,,,,,,,3,1.0,,d.ts,aaaa,on,,\n');
      writeFileSync(join(dir, 'c.csv'), header + 's.json,2,pass,,,,,,,3,1.0,,d.ts,bbbb,on,,\n');
      const twice = await cli(['test', '--merge', join(dir, 'a.csv'), join(dir, 'b.csv')]);
      ok(twice, 2);
      assert.match(twice.stderr, /s\.json seed 1 is in both .*a\.csv and .*b\.csv/);
      const different = await cli(['test', '--merge', join(dir, 'a.csv'), join(dir, 'c.csv')]);
      ok(different, 2);
      assert.match(different.stderr, /c\.csv ran d\.ts \(bbbb\), other files d\.ts \(aaaa\): merge the shards of one sweep/);
    });
  });
});
