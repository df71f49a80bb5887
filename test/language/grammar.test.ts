// The TextMate grammar (syntaxes/pgasm.tmLanguage.json, what VS Code colours before the server
// answers) against the semantic tokens (the assembler's lexical classes): wherever both give a
// class, they must give the same one, so colours do not flicker when semantic tokens arrive.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';
import { assemble } from '../../src/isa/assembler';
import type { TokenClass } from '../../src/isa/asmTypes';
import { DIRECTIVES } from '../../src/isa/directives';
import { OPCODES } from '../../src/isa/opcodes';
import { DEFAULT_SEGMENTS } from '../../src/isa/profile';
import { ROOT } from '../setup';
import { GRAMMAR_SAMPLE } from './fixtures';

/** TextMate scope prefixes and the lexical class each stands for. */
const SCOPE_CLASSES: [string, TokenClass][] = [
  ['keyword.other.mnemonic', 'mnemonic'],
  ['keyword.control.directive', 'directive'],
  ['entity.name.label', 'label'],
  ['support.type.space', 'space'],
  ['constant.numeric', 'number'],
  ['comment', 'comment'],
];
/**
 * Classes a grammar can see from the text alone. A label reference or a constant needs the symbol
 * table (the grammar leaves them plain), but a label definition (`name:` starting a line) does not.
 */
const LEXICAL = new Set<TokenClass>(['mnemonic', 'directive', 'space', 'number', 'comment']);

async function loadGrammar(): Promise<vsctm.IGrammar> {
  const wasm = readFileSync(join(ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) => {
      if (scopeName !== 'source.pgasm') return null;
      const path = join(ROOT, 'syntaxes', 'pgasm.tmLanguage.json');
      return vsctm.parseRawGrammar(readFileSync(path, 'utf8'), path);
    },
  });
  const grammar = await registry.loadGrammar('source.pgasm');
  assert.ok(grammar, 'the pgasm grammar loads');
  return grammar;
}

/** Per line, per character: the class the grammar gives it, if any. */
function grammarClasses(grammar: vsctm.IGrammar, text: string): (TokenClass | undefined)[][] {
  let state = vsctm.INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    const classes: (TokenClass | undefined)[] = new Array(line.length).fill(undefined);
    for (const t of r.tokens) {
      const scope = [...t.scopes].reverse().find((s) => SCOPE_CLASSES.some(([p]) => s.startsWith(p)));
      const cls = scope ? SCOPE_CLASSES.find(([p]) => scope.startsWith(p))![1] : undefined;
      for (let c = t.startIndex; c < Math.min(t.endIndex, line.length); c++) classes[c] = cls;
    }
    return classes;
  });
}

/** Per line, per character: the semantic token class, and whether the grammar must give it too. */
function semanticClasses(text: string): { cls: (TokenClass | undefined)[][]; lexical: boolean[][] } {
  const lines = text.split('\n');
  const cls = lines.map((l) => new Array<TokenClass | undefined>(l.length).fill(undefined));
  const lexical = lines.map((l) => new Array<boolean>(l.length).fill(false));
  const result = assemble(text, { segments: [...DEFAULT_SEGMENTS] });
  for (const t of result.tokens) {
    for (let c = t.start; c < t.start + t.length && c < cls[t.line].length; c++) {
      cls[t.line][c] = t.cls;
      lexical[t.line][c] = LEXICAL.has(t.cls);
    }
  }
  for (const s of result.statements) {
    if (!s.label) continue;
    for (let c = s.label.range.start.character; c < s.label.range.end.character; c++) lexical[s.line][c] = true;
  }
  return { cls, lexical };
}

function mismatches(grammar: vsctm.IGrammar, text: string): string[] {
  const g = grammarClasses(grammar, text);
  const { cls: s, lexical } = semanticClasses(text);
  const lines = text.split('\n');
  const found: string[] = [];
  lines.forEach((line, l) => {
    for (let c = 0; c < line.length; c++) {
      const gc = g[l][c];
      const sc = s[l][c];
      if (line[c] === ' ' || line[c] === '\t') continue;
      // Both apply: the grammar gave a class, or the semantic class is one the text alone shows.
      if (gc || lexical[l][c]) {
        if (gc !== sc) {
          found.push(`line ${l + 1} col ${c + 1} '${line[c]}' in "${line.trim()}": grammar ${gc ?? 'none'}, semantic ${sc ?? 'none'}`);
          // One report per token is enough.
          while (c + 1 < line.length && g[l][c + 1] === gc && s[l][c + 1] === sc) c++;
        }
      }
    }
  });
  return found;
}

describe('language: TextMate grammar and semantic tokens agree', function () {
  let grammar: vsctm.IGrammar;
  before(async function () {
    grammar = await loadGrammar();
  });

  it('gives the same class to every character of a program using every opcode and directive', function () {
    assert.deepEqual(mismatches(grammar, GRAMMAR_SAMPLE), []);
  });

  it('agrees on the examples of the opcode table', function () {
    const text = ['pages: .pages 0x100000', ...OPCODES.map((o) => o.example), ...DIRECTIVES.map((d) => d.example)].join('\n');
    assert.deepEqual(mismatches(grammar, text), []);
  });

  it('agrees on every sample program', function () {
    const dir = join(ROOT, 'samples', 'pgasm');
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.pgasm')) : [];
    assert.ok(files.length > 0, 'samples/pgasm has programs');
    for (const f of files) assert.deepEqual(mismatches(grammar, readFileSync(join(dir, f), 'utf8')), [], f);
  });

  it('agrees on binary literals and a label glued to its mnemonic', function () {
    const text = ['    tlbflush 0b1010, 0', 'a:nop', '.u8 0x1F, 1_000, 4k', 'copy.x: nop', 'lbl:   ; only'].join('\n');
    assert.deepEqual(mismatches(grammar, text), []);
  });

  it('finds a difference when there is one (the comparison is not vacuous)', function () {
    // A grammar that knows nothing would agree with nothing: check the comparison sees classes.
    const g = grammarClasses(grammar, 'copy vram:0x0, phys:0x10, 4K ; c');
    assert.equal(g[0][0], 'mnemonic');
    assert.equal(g[0][10], 'number');
    assert.equal(g[0][31], 'comment');
  });
});
