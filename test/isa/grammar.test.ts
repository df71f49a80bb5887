// The TextMate grammar's word lists come from the opcode table and the assembler: every mnemonic,
// directive and flag it highlights exists, and every one that exists is highlighted, with the
// conventional scope names editors and themes expect.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';
import { DIRECTIVES, SEGMENT_KEYWORDS, SPACE_KEYWORDS } from '../../src/isa/directives';
import { OPCODES } from '../../src/isa/opcodes';

const ROOT = join(__dirname, '..', '..');
const PATH = join(ROOT, 'syntaxes', 'pgasm.tmLanguage.json');
const GRAMMAR = JSON.parse(readFileSync(PATH, 'utf8')) as { repository: Record<string, { match: string; name: string }> };

/** The words of the `(a|b|c)` alternation in a repository rule. */
function words(rule: string): string[] {
  const m = /\(([a-z0-9|]+)\)/.exec(GRAMMAR.repository[rule].match);
  assert.ok(m, `rule ${rule} has a word alternation`);
  return m[1].split('|').sort();
}

async function grammar(): Promise<vsctm.IGrammar> {
  const wasm = readFileSync(join(ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength)).catch(() => undefined);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => vsctm.parseRawGrammar(readFileSync(PATH, 'utf8'), PATH),
  });
  return (await registry.loadGrammar('source.pgasm'))!;
}

/** [text, innermost pgasm scope] for each token of a line. */
function scopes(g: vsctm.IGrammar, line: string): [string, string][] {
  return g
    .tokenizeLine(line, vsctm.INITIAL)
    .tokens.filter((t) => line.slice(t.startIndex, t.endIndex).trim())
    .map((t) => [line.slice(t.startIndex, t.endIndex).trim(), t.scopes[t.scopes.length - 1]]);
}

describe('isa: TextMate grammar', () => {
  it('highlights exactly the mnemonics of the opcode table', () => {
    assert.deepEqual(words('mnemonic'), OPCODES.map((o) => o.mnemonic).sort());
    assert.equal(GRAMMAR.repository.mnemonic.name, 'keyword.other.mnemonic.pgasm');
  });

  it('highlights exactly the directives the assembler knows', () => {
    assert.deepEqual(words('directive').map((w) => '.' + w), DIRECTIVES.map((d) => d.name).sort());
    assert.equal(GRAMMAR.repository.directive.name, 'keyword.control.directive.pgasm');
  });

  it('highlights exactly the flags of the table and the .segment keywords', () => {
    const flags = new Set([...OPCODES.flatMap((o) => o.flags.map((f) => f.name)), ...SEGMENT_KEYWORDS]);
    assert.deepEqual(words('flag'), [...flags].sort());
    assert.deepEqual(words('location'), [...SPACE_KEYWORDS].sort());
  });

  it('gives each kind of word its conventional scope', async () => {
    const g = await grammar();
    assert.deepEqual(scopes(g, 'start: fence phys:0x10, 4K, irq ; done'), [
      ['start', 'entity.name.label.pgasm'],
      [':', 'punctuation.separator.pgasm'],
      ['fence', 'keyword.other.mnemonic.pgasm'],
      ['phys', 'support.type.space.pgasm'],
      [':', 'punctuation.separator.pgasm'],
      ['0x10', 'constant.numeric.pgasm'],
      [',', 'punctuation.separator.pgasm'],
      ['4K', 'constant.numeric.pgasm'],
      [',', 'punctuation.separator.pgasm'],
      ['irq', 'constant.language.flag.pgasm'],
      ['; done', 'comment.line.semicolon.pgasm'],
    ]);
    assert.deepEqual(scopes(g, '  .pages vram:1 << 2'), [
      ['.pages', 'keyword.control.directive.pgasm'],
      ['vram', 'variable.other.segment.pgasm'],
      [':', 'punctuation.separator.pgasm'],
      ['1', 'constant.numeric.pgasm'],
      ['<<', 'keyword.operator.arithmetic.pgasm'],
      ['2', 'constant.numeric.pgasm'],
    ]);
  });
});
