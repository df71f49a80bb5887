// `paging-lab asm` and `paging-lab disasm`, run in-process: output files, exit statuses and the
// `file:line:col: severity CODE: message` diagnostics.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { assemble } from '../../src/isa/assembler';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string | Uint8Array) => ((out += String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => ((err += String(s)), true)) as typeof process.stderr.write;
  try {
    return { code: await main(args), out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

describe('cli: asm and disasm', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'paging-lab-asm-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('asm writes the bytes the assembler produces, and disasm prints text that reassembles to them', async () => {
    const src = join(dir, 'prog.pgasm');
    const text = 'copy vram:0x1000, mdl(pages)+0, 8K\nfence phys:0, 1, irq\npages: .pages 0x100000, 0x101000\n';
    writeFileSync(src, text);
    const bin = join(dir, 'prog.bin');
    const a = await run(['asm', src, '-o', bin]);
    assert.equal(a.code, 0, a.err);
    assert.equal(a.out, `${bin}: 96 bytes, 2 instructions\n`);
    const bytes = new Uint8Array(readFileSync(bin));
    assert.deepEqual(bytes, assemble(text).bytes);
    const d = await run(['disasm', bin]);
    assert.equal(d.code, 0);
    assert.match(d.out, /copy vram:0x1000, mdl\(pl_0048\)\+0x0, 0x2000/);
    assert.deepEqual(assemble(d.out).bytes, bytes);
    const noAddr = await run(['disasm', bin, '--start', '44', '--no-addresses']);
    assert.equal(noAddr.code, 0);
    assert.doesNotMatch(noAddr.out, /; \+0x/);
    assert.deepEqual(assemble(noAddr.out).bytes, bytes.subarray(44));
  });

  it('asm defaults the output name to FILE.bin', async () => {
    const src = join(dir, 'one.pgasm');
    writeFileSync(src, 'nop\n');
    assert.equal((await run(['asm', src])).code, 0);
    assert.deepEqual([...readFileSync(join(dir, 'one.bin'))], [1, 0, 1, 0]);
  });

  it('asm reports errors as file:line:col: severity CODE: message, exits 1 and writes nothing', async () => {
    const src = join(dir, 'bad.pgasm');
    writeFileSync(src, 'nop\n  fense phys:0, 1\npread phys:0, 9\n.u32 1\nnop\n');
    const bin = join(dir, 'bad.bin');
    const r = await run(['asm', src, '-o', bin]);
    assert.equal(r.code, 1);
    assert.equal(
      r.err,
      `${src}:2:3: error PGA002: unknown mnemonic 'fense' (did you mean 'fence'?)\n` +
        `${src}:3:15: error PGA006: pread count 9 is out of range 1..8\n` +
        'paging-lab asm: 2 errors; no output written\n',
    );
    assert.equal(existsSync(bin), false);
  });

  it('asm prints warnings but still writes the output', async () => {
    const src = join(dir, 'warn.pgasm');
    writeFileSync(src, 'nop\n.u32 7\nnop\n');
    const r = await run(['asm', src]);
    assert.equal(r.code, 0);
    assert.match(r.err, /warn\.pgasm:3:1: warning PGA013: unreachable/);
  });

  it('bad command lines get a clear message and exit status 2; missing files exit 1', async () => {
    assert.deepEqual(await run(['asm']), { code: 2, out: '', err: 'paging-lab asm: no input file\nusage: paging-lab asm FILE.pgasm [-o FILE.bin]\n' });
    assert.equal((await run(['asm', 'a.pgasm', '--frob'])).code, 2);
    assert.equal((await run(['asm', 'a.pgasm', '-o'])).code, 2);
    const missing = await run(['asm', join(dir, 'nope.pgasm')]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /cannot read .*nope\.pgasm: ENOENT/);
    assert.equal((await run(['disasm'])).code, 2);
    assert.equal((await run(['disasm', 'x.bin', '--start', 'abc'])).code, 2);
    const bin = join(dir, 'x.bin');
    writeFileSync(bin, new Uint8Array([1, 0, 1, 0]));
    const odd = await run(['disasm', bin, '--start', '2']);
    assert.equal(odd.code, 1);
    assert.match(odd.err, /not a multiple of 4/);
  });
});
