// Each verifier rule against its buggy sample driver: the run stops with that rule and no other,
// the message says what happened, states the rule with the WDK's words, and points into the buggy
// driver; with the verifier off the rule is not reported. The reference driver trips no rule on any
// sample scenario.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { RULES, RULE_IDS, type RuleId } from '../../../src/sim/verifier/rules';
import { createMachine } from '../../../src/sim/machine';
import { BUGGY, buggyDriver, CONTENT_BUGS, contentBugDriver, REFERENCE, runSample, sampleScenario, SCENARIOS } from './helpers';

describe('verifier: each rule catches its buggy sample driver', () => {
  const rules = RULE_IDS.filter((r) => r !== 'tdr'); // tdr needs a worker: cli.test.ts

  it('every rule has a buggy sample driver and every buggy sample driver a rule', () => {
    const files = readdirSync(buggyDriver('tdr').replace(/tdr\.ts$/, '')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
    assert.deepEqual(files.sort(), [...RULE_IDS].sort());
    assert.deepEqual(Object.keys(BUGGY).sort(), [...RULE_IDS].sort());
  });

  for (const rule of rules) {
    it(`${rule}: stopped by ${rule}, with the rule, the WDK's words and the driver's line`, async () => {
      const run = await runSample(buggyDriver(rule), BUGGY[rule]);
      assert.equal(run.result.ok, false, `the buggy driver ${rule}.ts ran to the end`);
      const err = run.result.error!;
      assert.equal(err.rule, rule, `stopped by ${err.rule ?? err.category}: ${err.message}`);
      assert.equal(err.category, 'driver');
      assert.match(err.message, new RegExp(`^verifier: ${rule}: `));
      assert.ok(err.message.includes(`rule: ${RULES[rule].rule}`), err.message);
      assert.ok(err.message.includes(`"${RULES[rule].quote!.slice(0, 60)}`), 'quotes the WDK');
      assert.ok(err.location, 'names a source location');
      const at = rule === 'common-buffer-leak' ? 'DxgkDdiStopDevice' : undefined;
      assert.match(err.location!.file, new RegExp(`buggy[\\\\/]${rule}\\.ts$`), `points into the buggy driver, not ${err.location!.file}`);
      if (at) assert.equal(err.ddi, at);
      assert.ok(run.events.some((e) => e.kind === 'error'));
    });
  }

  for (const rule of rules) {
    it(`${rule}: with the verifier off the rule is not reported`, async () => {
      const run = await runSample(buggyDriver(rule), BUGGY[rule], { verifier: false });
      assert.equal(run.result.error?.rule, undefined);
    });
  }
});

describe('buggy sample drivers no rule catches: the end-of-run content check does', () => {
  it('every one in samples/drivers/buggy/content/ is listed', () => {
    const files = readdirSync(contentBugDriver('x').replace(/x\.ts$/, '')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
    assert.deepEqual(files.sort(), Object.keys(CONTENT_BUGS).sort());
  });
  for (const [name, bug] of Object.entries(CONTENT_BUGS)) {
    it(`${name}: no rule, and the content of '${bug.allocation}' comes back wrong`, async () => {
      const run = await runSample(contentBugDriver(name), bug.scenario);
      assert.equal(run.result.ok, false, 'the run passed its content check');
      const err = run.result.error!;
      assert.equal(err.rule, undefined, `a rule caught it: ${err.message}`);
      assert.equal(err.category, 'verify');
      assert.match(err.message, new RegExp(`^content of '${bug.allocation}' is wrong at byte \\d+`));
    });
  }
});

describe('verifier: the reference driver trips no rule', () => {
  const samples = readdirSync(SCENARIOS).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  it('covers the WDK paths among the samples', () => {
    for (const s of ['default', 'cpu-access', 'aperture', 'paging-queue', 'bus-master-dma']) assert.ok(samples.includes(s), s);
  });
  for (const s of samples) {
    it(`reference driver on samples/scenarios/${s}.json`, async () => {
      const run = await runSample(REFERENCE, s);
      assert.equal(run.result.error?.rule, undefined, run.result.error?.message);
      assert.equal(run.result.ok, true, run.result.error?.message);
    });
  }
});

describe('verifier: the rule catalogue', () => {
  it('every rule has a stable id, a statement, the WDK words and their page', () => {
    for (const id of RULE_IDS) {
      const r = RULES[id as RuleId];
      assert.equal(r.id, id);
      assert.match(id, /^[a-z]+(-[a-z]+)*$/);
      assert.ok(r.rule.length > 20 && r.source.length > 5, id);
      // Every rule but the TDR comes from a sentence of the WDK pages, quoted.
      if (id !== 'tdr') assert.ok(r.quote && r.quote.length > 40, id);
    }
  });
});

describe('verifier: turning it off', () => {
  it('a scenario saying "verifier": false turns it off even when the host asks for it', async () => {
    const s = sampleScenario('bus-master-dma');
    s.verifier = false;
    const machine = await createMachine({ driver: buggyDriver('common-buffer-leak'), scenario: s, verifier: true });
    const r = machine.run();
    assert.equal(r.ok, true, r.error?.message);
    s.verifier = undefined;
    const on = (await createMachine({ driver: buggyDriver('common-buffer-leak'), scenario: s })).run();
    assert.equal(on.error?.rule, 'common-buffer-leak');
  });
});
