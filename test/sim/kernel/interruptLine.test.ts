// The adapter's interrupt line (src/sim/kernel/interruptLine.ts): on a line shared with another
// device, DxgkDdiInterruptRoutine is called for that device's interrupts too; when the scenario does
// not share it, nothing about claiming is judged. The three rules themselves are caught on their
// buggy samples (test/sim/verifier/rules.test.ts, ruleLines.test.ts).

import assert from 'node:assert/strict';
import { buggyDriver, REFERENCE, runSample } from '../verifier/helpers';

describe('the interrupt line', () => {
  it('shared-interrupt.json: the other device interrupts before every step, and the reference driver answers FALSE to each and TRUE to its own', async () => {
    const run = await runSample(REFERENCE, 'shared-interrupt');
    assert.equal(run.result.ok, true, run.result.error?.message);
    const steps = run.events.filter((e) => e.kind === 'scenario-step').length;
    let foreign = 0;
    let own = 0;
    let from: 'foreign' | 'own' | undefined;
    const answers = { foreign: [] as unknown[], own: [] as unknown[] };
    for (const e of run.events) {
      if (e.kind === 'kernel' && e.what === 'interrupt') {
        from = e.data.sharedLine ? 'foreign' : 'own';
        if (from === 'foreign') foreign++;
        else own++;
      } else if (e.kind === 'ddi-return' && e.call.ddi === 'DxgkDdiInterruptRoutine' && from) {
        answers[from].push(e.call.result);
        from = undefined;
      }
    }
    assert.ok(steps > 50, `${steps} steps`);
    assert.equal(foreign, steps, 'one interrupt of the other device before each step');
    assert.deepEqual(new Set(answers.foreign), new Set([false]), 'the routine refuses every one of them');
    assert.equal(answers.foreign.length, foreign);
    assert.ok(own > 10, `${own} interrupts of the adapter's own engines`);
    assert.ok(answers.own.includes(true), 'and claims its own');
  });

  it('a line the scenario does not share is the adapter\'s alone: a routine that claims every interrupt passes default.json', async () => {
    const run = await runSample(buggyDriver('interrupt-claimed-foreign'), 'default');
    assert.equal(run.result.ok, true, run.result.error?.message);
    assert.ok(!run.events.some((e) => e.kind === 'kernel' && e.what === 'interrupt' && e.data.sharedLine));
  });

  it('with the verifier off, a routine that never queues its DPC still ends the run as the driver\'s error, not as a hang', async () => {
    const run = await runSample(buggyDriver('interrupt-dpc-not-queued'), 'default', { verifier: false });
    assert.equal(run.result.ok, false);
    assert.equal(run.result.error?.category, 'driver');
    assert.match(run.result.error!.message, /returned without calling DxgkCbQueueDpc/);
  });
});
