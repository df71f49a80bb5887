// docs/verifier.md stays true: it quotes every verifier rule's WDK sentence, and its table of the
// seed pages' rules names, for each, a verifier rule (which has its buggy sample) or a test (which
// exists, under that title), and covers every verifier rule drawn from the seeds.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES, RULE_IDS, type RuleId } from '../../../src/sim/verifier/rules';
import { BUGGY, buggyDriver, ROOT } from './helpers';

const doc = readFileSync(join(ROOT, 'docs', 'verifier.md'), 'utf8');

interface Row {
  page: string;
  words: string;
  model: string;
  rules: RuleId[];
  tests: { file: string; title: string }[];
  notModelled: boolean;
}

function seedTable(): Row[] {
  const section = doc.slice(doc.indexOf('## Every rule of the seed pages'));
  const body = section.slice(0, section.indexOf('\n## ') > 0 ? section.indexOf('\n## ') : undefined);
  return body
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| page ') && !l.startsWith('|---'))
    .map((l) => {
      const [page, words, model, checked] = l.slice(2, -2).split(' | ');
      return {
        page,
        words,
        model,
        rules: [...checked.matchAll(/`([a-z]+(?:-[a-z]+)*)`/g)].map((m) => m[1] as RuleId),
        tests: [...checked.matchAll(/(test\/[\w/.-]+\.test\.ts): "([^"]+)"/g)].map((m) => ({ file: m[1], title: m[2] })),
        notModelled: checked.trim() === 'not modelled',
      };
    });
}

/** The titles of a test file's `it(...)` cases, as mocha shows them. */
function titles(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/\bit\(\s*'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1].replace(/\\'/g, "'"));
}

/** The five seed pages, as the table and the rules' sources name them. */
const SEED_PAGES = ['Paging Video Memory Resources', 'DxgkDdiBuildPagingBuffer', 'Device Paging Queues', 'Mapping Virtual Addresses to a Memory Segment', 'Bus-Master DMA in Video Miniport Drivers'];

describe('docs/verifier.md: the rules of the seed pages', () => {
  const rows = seedTable();

  it('the table has a row for each page\'s rules', () => {
    for (const page of SEED_PAGES) {
      assert.ok(rows.filter((r) => r.page === page).length >= 2, page);
    }
    assert.ok(rows.length >= 40, `${rows.length} rows`);
  });

  it('every row is checked by a verifier rule with its buggy sample, or by a test that exists (or says why it is not modelled)', () => {
    for (const r of rows) {
      const what = `${r.page}: ${r.words.slice(0, 80)}`;
      if (r.notModelled) {
        assert.match(r.model, /^not modelled: /, what);
        continue;
      }
      assert.ok(r.rules.length + r.tests.length > 0, `nothing checks ${what}`);
      for (const id of r.rules) {
        assert.ok(id in RULES, `${what}: no rule '${id}'`);
        assert.ok(existsSync(buggyDriver(id)), `${what}: no buggy sample for '${id}'`);
        assert.ok(BUGGY[id], `${what}: '${id}' has no sample scenario`);
      }
      for (const t of r.tests) {
        assert.ok(existsSync(join(ROOT, t.file)), `${what}: ${t.file} does not exist`);
        assert.ok(titles(t.file).includes(t.title), `${what}: ${t.file} has no test "${t.title}"`);
      }
    }
  });

  it('every verifier rule drawn from the seeds appears in the table', () => {
    const named = new Set(rows.flatMap((r) => r.rules));
    // Rules from other WDK pages (DxgkDdiInterruptRoutine's) are not in it; each quotes its page.
    const fromSeeds = RULE_IDS.filter((x) => RULES[x].quote && SEED_PAGES.some((p) => RULES[x].source.startsWith(p)));
    assert.ok(fromSeeds.length >= 15, `only ${fromSeeds.length} rules name a seed page as their source`);
    for (const id of fromSeeds) assert.ok(named.has(id), id);
  });

  it('the WDK\'s words of every rule are quoted, under the rule\'s id', () => {
    for (const id of RULE_IDS) {
      const at = doc.indexOf(`### \`${id}\``);
      assert.ok(at >= 0, id);
      const quote = RULES[id].quote;
      if (quote) assert.ok(doc.slice(at).startsWith(`### \`${id}\``) && doc.includes(`> ${quote}`), `${id}: the WDK's words`);
      assert.ok(doc.includes(`| \`${id}\` |`), `${id} in the table of rules`);
    }
  });
});
