// `paging-lab run` on each buggy sample driver (the shipped dist/cli.js, as a child process): exit
// status 1 and the rule's message; the machine runs in a watched worker, so a driver stuck in a DDI
// is stopped after the TDR delay with the `tdr` rule and the command returns instead of hanging;
// --no-verifier turns the verifier off.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { distFile } from '../../setup';
import { RULES, RULE_IDS, type RuleId } from '../../../src/sim/verifier/rules';
import { main } from '../../../src/cli/main';
import { BUGGY, buggyDriver, SCENARIOS } from './helpers';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Exit {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[]): Promise<Exit> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [distFile('cli.js'), ...args], { timeout: 60000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

const run = (rule: RuleId, extra: string[] = []): Promise<Exit> =>
  cli(['run', '--driver', buggyDriver(rule), '--scenario', join(SCENARIOS, `${BUGGY[rule]}.json`), '--quiet', ...extra]);

/** Runs `paging-lab <args>` in this process through main(), capturing what it prints. */
async function inProcess(args: string[]): Promise<Exit> {
  const t0 = Date.now();
  const out: string[] = [];
  const err: string[] = [];
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => (out.push(String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => (err.push(String(c)), true)) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join(''), ms: Date.now() - t0 };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

describe('paging-lab run: buggy sample drivers', function () {
  this.timeout(60000);

  // In this process (--in-process), so the compiled drivers are shared with the other tests; the
  // worker that `run` uses by default is exercised below through dist/cli.js.
  for (const rule of RULE_IDS.filter((r) => r !== 'tdr')) {
    it(`${rule}: exits 1 with the rule's message`, async () => {
      const r = await inProcess(['run', '--driver', buggyDriver(rule), '--scenario', join(SCENARIOS, `${BUGGY[rule]}.json`), '--quiet', '--in-process']);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /summary: FAILED/);
      assert.ok(r.stdout.includes(`error (driver): verifier: ${rule}: `), r.stdout);
      assert.ok(r.stdout.includes(`rule: ${RULES[rule].rule}`));
      assert.match(r.stdout, new RegExp(`at .*${rule}\\.ts:\\d+:\\d+`));
    });
  }

  it('dist/cli.js runs the machine in a worker: a buggy driver still exits 1 with its rule', async () => {
    const r = await run('patch-changed-size');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(r.stdout.includes('error (driver): verifier: patch-changed-size: '), r.stdout);
  });

  // "Returns" is the test finishing inside its time limit: a hang outlives any limit, while a timed
  // assertion on a loaded machine only measures the load.
  it('tdr: a DDI stuck in a loop is stopped after --tdr-delay-ms and reported; the command returns', async function () {
    this.timeout(120_000);
    const r = await run('tdr', ['--tdr-delay-ms', '300']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(r.stdout.includes('error (driver): verifier: tdr: DxgkDdiBuildPagingBuffer did not return within the TDR delay of 300 ms'), r.stdout);
    assert.ok(r.stdout.includes(`rule: ${RULES.tdr.rule}`));
    assert.match(r.stdout, /at .*buggy[\\/]tdr\.ts:\d+:\d+/);
  });

  it('tdr: a driver whose module loops while loading is stopped too (reported as DriverEntry)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paging-lab-tdr-'));
    try {
      const file = join(dir, 'driver.ts');
      writeFileSync(file, 'for (;;) {\n  // never ends\n}\nexport function DriverEntry(): number {\n  return 0;\n}\n');
      const r = await cli(['run', '--driver', file, '--quiet', '--tdr-delay-ms', '300']);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.ok(r.stdout.includes('verifier: tdr: DriverEntry did not return within the TDR delay of 300 ms'), r.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--no-verifier: a leak the verifier would report is not an error', async () => {
    const r = await run('common-buffer-leak', ['--no-verifier']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /summary: ok/);
  });

  it('--tdr-delay-ms rejects a value that is not a number of milliseconds', async () => {
    const r = await cli(['run', '--tdr-delay-ms', 'soon']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--tdr-delay-ms needs a number of milliseconds/);
  });
});
