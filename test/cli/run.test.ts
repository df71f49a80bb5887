// `paging-lab run` as a user runs it: the bundled dist/cli.js from another directory, with no
// arguments (reference driver, default scenario), a trace file, and bad input of each kind.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { distFile, tempDir } from '../setup';

const dir = tempDir('paging-lab-run-');

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [distFile('cli.js'), 'run', ...args], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli: paging-lab run', function () {
  this.timeout(60000);

  it('with no arguments runs the bundled reference driver on the default scenario and exits 0', () => {
    const r = run();
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /DxgkDdiBuildPagingBuffer Transfer .*STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER/);
    assert.match(r.stdout, /STATUS_GRAPHICS_ALLOCATION_BUSY/);
    assert.match(r.stdout, /eviction: eviction '/);
    assert.match(r.stdout, /fence-completed: fence \d+ completed on engine 0/);
    assert.match(r.stdout, /summary: ok/);
    assert.match(r.stdout, /samples\/drivers\/reference\/driver\.ts/);
  });

  it('works as packaged: dist/cli.js with dist/esbuild-wasm and samples/, no node_modules anywhere', () => {
    const pkg = tempDir('paging-lab-pkg-');
    const root = join(distFile('cli.js'), '..', '..');
    cpSync(join(root, 'dist', 'cli.js'), join(pkg, 'dist', 'cli.js'));
    cpSync(join(root, 'dist', 'esbuild-wasm'), join(pkg, 'dist', 'esbuild-wasm'), { recursive: true });
    cpSync(join(root, 'samples'), join(pkg, 'samples'), { recursive: true });
    const r = spawnSync(process.execPath, [join(pkg, 'dist', 'cli.js'), 'run', '--quiet'], { cwd: pkg, encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /summary: ok/);
    assert.ok(r.stdout.includes(join(pkg, 'samples', 'drivers', 'reference', 'driver.ts')));
  });

  it('--trace writes Chrome trace-event JSON with a timeline per engine and paging operations as slices', () => {
    const out = join(dir, 'trace.json');
    const r = run('--quiet', '--trace', out);
    assert.equal(r.status, 0, r.stderr);
    const trace = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: { ph: string; name: string; pid: number; tid: number; dur?: number; cat?: string; args?: { name?: string } }[] };
    const threads = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args?.name);
    assert.ok(threads.includes('engine 0'));
    const slices = trace.traceEvents.filter((e) => e.ph === 'X');
    assert.ok(slices.some((e) => e.cat === 'paging' && /^Transfer '/.test(e.name) && (e.dur ?? 0) > 0));
    assert.ok(slices.some((e) => e.cat === 'render'));
    assert.ok(trace.traceEvents.some((e) => e.ph === 'i' && e.name === 'DxgkDdiBuildPagingBuffer'));
  });

  it('a driver that fails to compile exits 1 with its file and line, without a stack trace', () => {
    const bad = join(dir, 'bad.ts');
    writeFileSync(bad, 'export function DriverEntry( {\n');
    const r = run('--driver', bad);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.ts:\d+:\d+: error:/);
    assert.doesNotMatch(r.stderr, /at .*node:internal/);
  });

  it('a scenario that breaks the schema exits 1 listing JSON paths', () => {
    const bad = join(dir, 'bad.scenario.json');
    writeFileSync(bad, JSON.stringify({ workload: [{ op: 'create', id: 'a' }, { op: 'render', allocations: 'a' }] }));
    const r = run('--scenario', bad);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /\/workload\/0: must have required property 'size'/);
    assert.match(r.stderr, /\/workload\/1\/allocations: must be array/);
  });

  it('bad usage exits 2 with the usage text', () => {
    const r = run('--seed', 'many');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--seed needs a non-negative integer/);
    assert.match(r.stderr, /usage: paging-lab run/);
  });
});
