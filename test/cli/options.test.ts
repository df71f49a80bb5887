// Every command's options go through util.parseArgs: unknown options, missing or malformed values
// and stray arguments exit 2 with a message naming the option and what it needs, then the usage.

import assert from 'node:assert/strict';
import { parseOptions, UsageError } from '../../src/cli/options';
import { runCli } from './helpers';

describe('cli: command-line options', () => {
  const specs = { seed: { type: 'string', value: 'N' }, quiet: { type: 'boolean', short: 'q' } } as const;
  const refused = (args: string[], max = 0): string => {
    try {
      parseOptions(args, specs, { max, noun: 'file' });
    } catch (e) {
      assert.ok(e instanceof UsageError, String(e));
      return e.message;
    }
    assert.fail(`accepted ${JSON.stringify(args)}`);
  };

  it('parses long, short, inline and separate values, and positionals', () => {
    const r = parseOptions(['-q', '--seed=3', 'a.bin'], specs, { max: 1, noun: 'file' });
    assert.deepEqual({ ...r.values }, { quiet: true, seed: '3' });
    assert.deepEqual(r.positionals, ['a.bin']);
    assert.equal(parseOptions(['--seed', '3'], specs).values.seed, '3');
    assert.equal(parseOptions(['--seed=-3'], specs).values.seed, '-3', 'an inline value may start with a dash');
    assert.equal(parseOptions(['--help'], specs).values.help, true);
  });

  it('says which option is wrong and what it needs', () => {
    assert.equal(refused(['--frob']), "unknown option '--frob'");
    assert.equal(refused(['-x']), "unknown option '-x'");
    assert.equal(refused(['--seed']), '--seed needs N');
    assert.equal(refused(['--seed', '--quiet']), "--seed needs N, got the option '--quiet' (write --seed=--quiet for a value that starts with '-')");
    assert.equal(refused(['--quiet=yes']), "--quiet takes no value, got '--quiet=yes'");
    assert.equal(refused(['stray']), "unexpected argument 'stray'");
    assert.equal(refused(['a', 'b'], 1), "one file only ('a' and 'b' given)");
  });

  const cases: [string, string[], RegExp][] = [
    ['run: unknown option', ['run', '--seeds', '3'], /^paging-lab run: unknown option '--seeds'\n\nusage: paging-lab run/],
    ['run: option without its value', ['run', '--driver'], /^paging-lab run: --driver needs a file\n/],
    ['run: a flag given a value', ['run', '--quiet=1'], /^paging-lab run: --quiet takes no value/],
    ['run: a seed out of range', ['run', '--seed', '4294967296'], /^paging-lab run: --seed needs a non-negative integer up to 4294967295, got '4294967296'/],
    ['run: a TDR delay out of range', ['run', '--tdr-delay-ms', '5'], /^paging-lab run: --tdr-delay-ms needs a number of milliseconds from 50 to 600000, got '5'/],
    ['run: a stray argument', ['run', 'driver.ts'], /^paging-lab run: unexpected argument 'driver\.ts'/],
    ['asm: two inputs', ['asm', 'a.pgasm', 'b.pgasm'], /^paging-lab asm: one input file only \('a\.pgasm' and 'b\.pgasm' given\)\nusage: paging-lab asm/],
    ['asm: -o without a file', ['asm', 'a.pgasm', '-o'], /^paging-lab asm: -o needs a file name\n/],
    ['disasm: a negative offset', ['disasm', 'x.bin', '--limit', '-4'], /^paging-lab disasm: --limit needs a byte offset \(decimal or 0x hex\), got the option '-4'/],
    ['disasm: a bad offset', ['disasm', 'x.bin', '--start=abc'], /^paging-lab disasm: --start needs a byte offset \(decimal or 0x hex\), got 'abc'/],
    ['exec: unknown option', ['exec', 'x.pgasm', '--traces'], /^paging-lab exec: unknown option '--traces'\nusage: paging-lab exec/],
    ['exec: two programs', ['exec', 'a.pgasm', 'b.pgasm'], /^paging-lab exec: one program only/],
  ];
  for (const [name, args, expected] of cases) {
    it(`${name}: exit status 2 and a message naming the option`, async () => {
      const r = await runCli(args);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, expected);
      assert.equal(r.out, '');
    });
  }

  it('--help prints the usage on stdout with exit status 0, for every command', async () => {
    for (const command of ['run', 'asm', 'disasm', 'exec']) {
      const r = await runCli([command, '--help']);
      assert.equal(r.code, 0, command);
      assert.match(r.out, new RegExp(`^usage: paging-lab ${command}`));
    }
  });
});
