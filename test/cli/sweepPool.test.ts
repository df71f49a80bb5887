// The worker pool of `paging-lab test` with a worker that misbehaves on purpose
// (fixtures/misbehavingWorker.ts): a failure is run again and stays a failure, a pair that passes
// the second time is flaky, a crashed, hung or out-of-memory worker fails only its own pair (crash,
// tdr, timeout, out-of-memory) and a fresh worker takes its place, and a driver that cannot load is
// reported once; a crash is put down to the pair that crashed even when the host hears the
// worker's death before its last report.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { SweepPool } from '../../src/cli/sweep/pool';
import type { PairResult } from '../../src/cli/sweep/result';
import { runPairs, type Pair } from '../../src/cli/sweep/runPairs';
import { ROOT, tempDir } from '../setup';

const WORKER = join(__dirname, 'fixtures', 'misbehavingWorker.ts');
const SLOW_HOST = join(__dirname, 'fixtures', 'slowHostProbe.ts');

describe('cli: paging-lab test worker pool', function () {
  this.timeout(120_000);

  it('keeps the sweep going through failures, flaky pairs, crashes and hangs, each with its reason', async () => {
    process.env.MISBEHAVING_WORKER_DIR = tempDir('paging-lab-pool-');
    const kinds = ['pass', 'fail', 'flaky', 'impossible', 'crash', 'throw', 'hang-driver', 'hang', 'oom', 'zz-pass'];
    const pairs: Pair[] = kinds.flatMap((k) => [1, 2].map((seed) => ({ scenario: k, file: `/scenarios/${k}.json`, seed })));
    const started = await SweepPool.start({ script: WORKER, driver: '/drivers/driver.ts', jobs: 2, tdrDelayMs: 300, pairTimeoutMs: 5000, heapMb: 64 });
    assert.ok(started.pool, 'error' in started ? started.error : '');
    assert.equal(started.driverHash, 'f'.repeat(64));
    let progress = 0;
    let results: PairResult[];
    try {
      results = await runPairs(started.pool, pairs, { driver: '/drivers/driver.ts', tdrDelayMs: 300, pairTimeoutMs: 5000, progress: (done) => (progress = done) });
    } finally {
      started.pool.close();
    }
    assert.equal(progress, pairs.length);
    const of = (k: string) => results.filter((r) => r.scenario === k);
    for (const k of ['pass', 'zz-pass']) assert.deepEqual(of(k).map((r) => r.status), ['pass', 'pass'], `${k}: the pairs after the crashes and hangs still ran`);
    for (const r of of('fail')) {
      assert.deepEqual([r.status, r.rule, r.file, r.line, r.flaky], ['fail', 'ddi-status', '/drivers/driver.ts', 7, undefined]);
    }
    for (const r of of('flaky')) assert.deepEqual([r.status, r.rule, r.flaky], ['flaky', 'gpu-fault', 'pass']);
    for (const r of of('impossible')) assert.deepEqual([r.status, r.rule], ['skip', 'workload-does-not-fit']);
    for (const r of of('crash')) {
      assert.deepEqual([r.status, r.rule], ['error', 'crash']);
      assert.match(r.message ?? '', /the worker thread running this pair stopped unexpectedly: the worker thread exited \(code 3\)/);
    }
    for (const r of of('throw')) {
      assert.deepEqual([r.status, r.rule], ['error', 'crash']);
      assert.match(r.message ?? '', /uncaught exception: Error: thrown from a callback/);
    }
    for (const r of of('hang-driver')) {
      assert.deepEqual([r.status, r.rule, r.ddi], ['fail', 'tdr', 'DxgkDdiBuildPagingBuffer']);
      assert.match(r.message ?? '', /^verifier: tdr: DxgkDdiBuildPagingBuffer did not return within the TDR delay of 300 ms/);
    }
    for (const r of of('oom')) {
      assert.deepEqual([r.status, r.rule, r.ddi], ['fail', 'out-of-memory', 'DxgkDdiPatch']);
      assert.match(r.message ?? '', /^the run used up its 64 MiB of JavaScript memory while the driver's DxgkDdiPatch was running/);
    }
    for (const r of of('hang')) {
      assert.deepEqual([r.status, r.rule], ['error', 'timeout']);
      assert.match(r.message ?? '', /the run did not end within 5000 ms \(--timeout-ms\)/);
    }
  });

  it('puts a crash down to the pair that crashed, not to the one before it, when the host is slow to listen', async () => {
    // The pair held ahead in the worker throws right after the pair before it reported; a busy host
    // hears both at once, and may hear the thread's death first. Each 'fail' must stay a plain
    // failure and each 'pass' a pass: 8 of the 10 were reported as crashes before the host read the
    // worker's last messages first. In a process of its own: in mocha's the order did not show.
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', SLOW_HOST, 'fail,throw,pass,throw', '5'], { cwd: ROOT, timeout: 120_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    const said = JSON.parse(out) as [string, string, string, string][];
    const of = (k: string) => said.filter((r) => r[0] === k).map((r) => r.slice(1));
    assert.deepEqual(of('fail'), Array(5).fill(['fail', 'ddi-status', '']));
    assert.deepEqual(of('pass'), Array(5).fill(['pass', '', '']));
    assert.deepEqual(of('throw'), Array(10).fill(['error', 'crash', '']));
  });

  it('reports a driver that cannot load once, and runs nothing', async () => {
    const started = await SweepPool.start({ script: WORKER, driver: '/drivers/broken.ts', jobs: 2, pairTimeoutMs: 5000, heapMb: 64 });
    assert.equal(started.pool, undefined);
    assert.equal(started.error, '/drivers/broken.ts:2:3: error: Expected ";" but found "+"');
  });
});
