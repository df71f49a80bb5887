// `paging-lab exec`: runs a .pgasm program on the simulated GPU, printing instructions, writes and
// fences; assembly errors and engine faults give non-zero exit statuses.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string | Uint8Array) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => (err.push(String(s)), true)) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}

describe('cli exec', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'paging-lab-exec-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('prints each instruction with its source line, the ranges written and the fences signalled', async () => {
    const p = file(
      'ok.pgasm',
      `; page in, then signal
      copy local:0x10, mdl(pages)+0x10, 5000
      fence phys:0x8000, 9, monitored
      fence phys:0, 42, irq
pages: .pages 0x100000, 0x101000
`,
    );
    const r = await run(['exec', p]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ok\.pgasm: 3 instructions/);
    assert.match(r.stdout, /\+0x0 +copy local:0x10, .*ok\.pgasm:2\n {6}wrote local:0x10\+0x1388\n/);
    assert.match(r.stdout, /monitored fence phys:0x8000 = 9/);
    assert.match(r.stdout, /paging fence = 42\n {6}interrupt dma-completed/);
    assert.match(r.stdout, /done: 3 instructions in \d+ ns; paging fence = 42/);
  });

  it('prints the hardware event trace with --trace', async () => {
    const p = file('t.pgasm', 'nop\nfence phys:0, 1\n');
    const r = await run(['exec', p, '--trace']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^0\.\.2 engine 0 exec nop @0x\w+ \(\+0x0, 4 bytes\)$/m);
    assert.match(r.stdout, /^32 engine 0 fence paging = 1$/m);
    assert.match(r.stdout, /buffer-complete 1/);
  });

  it('reports a fault with its record and exit status 3', async () => {
    const p = file('f.pgasm', 'nop\ncopy vram:0, vram:0x10, 0x100\nfence phys:0, 1\n');
    const r = await run(['exec', p]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /f\.pgasm:2: fault overlap at phys:0x\w+ \(\+0x4\)/);
    assert.match(r.stderr, /instruction: copy vram:0x0, vram:0x10, 0x100/);
    assert.doesNotMatch(r.stdout, /done:/);
  });

  it('reports a wait that can never be satisfied', async () => {
    const p = file('w.pgasm', 'wait phys:0x9000, 1\n');
    const r = await run(['exec', p]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /w\.pgasm:1: the engine is stalled on a wait/);
  });

  it('prints assembly errors as file:line:col and exits 1 without running', async () => {
    const p = file('e.pgasm', 'nop\nfil vram:0, 4\n');
    const r = await run(['exec', p]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /e\.pgasm:2:1: error PGA\d+: unknown mnemonic 'fil'/);
    assert.equal(r.stdout, '');
  });

  it('rejects missing files and bad options clearly', async () => {
    assert.equal((await run(['exec'])).code, 2);
    assert.equal((await run(['exec', '--bogus', 'x'])).code, 2);
    const r = await run(['exec', join(dir, 'missing.pgasm')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot read .*missing\.pgasm: ENOENT/);
  });
});
