// A watched job ends when the job does: a timer the driver left behind neither keeps the worker
// (and so `paging-lab run`) alive nor loses the output written before the end.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { runWatched } from '../../src/host/watchedJob';
import { distFile } from '../setup';

describe('host: a watched job', function () {
  this.timeout(30000);

  it('ends with its job, whatever is left scheduled, with all of its output', async () => {
    let out = 0;
    const t0 = Date.now();
    const r = await Promise.race([
      runWatched({ script: join(__dirname, 'fixtures', 'leavesTimer.ts'), data: { bytes: 2_000_000 }, tdrDelayMs: 2000, stdout: (d) => (out += d.length) }),
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 20000).unref()),
    ]);
    assert.notEqual(r, 'hung', 'the run ended');
    assert.deepEqual(r, { kind: 'done', result: 7 });
    assert.equal(out, 2_000_000, 'every byte written before the end arrived');
    assert.ok(Date.now() - t0 < 20000);
  });

  it('paging-lab run exits when the scenario ends although the driver left a timer running', async () => {
    const driver = join(__dirname, 'fixtures', 'timerDriver.ts');
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }>((resolve) => {
      execFile(process.execPath, [distFile('cli.js'), 'run', '--driver', driver, '--quiet'], { timeout: 25000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr, killed: !!err?.killed });
      });
    });
    assert.equal(r.killed, false, 'the command ended by itself');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /summary: ok/);
  });
});
