// The JSON schemas' validators are code generated at development time (scripts/gen-validators.ts),
// so no process compiles a schema when it starts. Each committed module must be what the generator
// makes from today's schema, and must judge as ajv compiling the schema itself does.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { generateValidator, VALIDATORS } from '../../scripts/gen-validators';
import { ROOT } from '../setup';

describe('generated schema validators', () => {
  for (const v of VALIDATORS) {
    it(`${v.file} and its typings are what scripts/gen-validators.ts makes of ${v.from}`, () => {
      for (const [file, text] of generateValidator(v)) {
        assert.ok(readFileSync(join(ROOT, file), 'utf8') === text, `${file} is stale: run \`npx tsx scripts/gen-validators.ts\` and commit it`);
      }
    });
  }

  it('judges the sample scenarios and broken ones as ajv compiling the schema does, with the same errors', () => {
    const scenario = VALIDATORS.find((v) => v.file.includes('scenario'))!;
    const generated = require(join(ROOT, scenario.file)) as { (d: unknown): boolean; errors?: unknown };
    const compiled = new Ajv(scenario.options).compile(scenario.schema());
    const sample = JSON.parse(readFileSync(join(ROOT, 'samples', 'scenarios', 'random-pressure.json'), 'utf8')) as Record<string, unknown>;
    const cases: unknown[] = [sample, { ...sample, seed: 'x' }, { ...sample, adapter: 3 }, { ...sample, nonsense: true }, { workload: [{ op: 'nope' }] }, 42];
    for (const c of cases) {
      assert.equal(generated(c), compiled(c), JSON.stringify(c).slice(0, 80));
      assert.deepEqual(generated.errors ?? null, compiled.errors ?? null);
    }
  });
});
