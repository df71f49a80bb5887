// `!swizzle` in a driver session's Debug Console: the swizzling ranges VidMm holds (in use by a CPU
// lock, or cached since one) and the unswizzling ranges programmed in the hardware, each with the
// allocation it lies over.

import assert from 'node:assert/strict';
import { createMachine, type MachineEvent } from '../../src/sim/machine';
import { KernelView } from '../../src/debugger/kernel/state';
import { REFERENCE, sampleScenario } from '../sim/verifier/helpers';

describe('!swizzle', () => {
  it('lists the RangeIds VidMm holds and the hardware ranges, in use and cached', async () => {
    const machine = await createMachine({ driver: REFERENCE, scenario: sampleScenario('cpu-access') });
    const swizzle = new KernelView(() => machine.state(), machine.gpu).commands().swizzle;
    const until = (p: (e: MachineEvent) => boolean): void => {
      for (let e = machine.next(); e; e = machine.next()) if (p(e)) return;
      assert.fail('the run ended first');
    };
    const stepDone = (op: string, id: string) => (e: MachineEvent) => e.kind === 'scenario-step' && e.step.op === op && 'id' in e.step && e.step.id === id;
    // Once the surface is unlocked (its range released by the eviction under the lock) and s1 is locked.
    until(stepDone('lock', 's2'));
    const text = swizzle.run([]);
    assert.match(text, /^VidMm holds 1 of the 4 swizzling ranges the driver declared \(DXGK_DRIVERCAPS\.NumberOfSwizzlingRanges\):\n {2}RangeId 0: #\d+ s1, in use by a CPU lock, SwizzlingRangeData 0x[0-9a-f]+\n/);
    assert.match(text, /\nthe hardware has 1 of 4 unswizzling ranges programmed:\n {2}vram\+0x[0-9a-f]+\.\.0x[0-9a-f]+, pitch \d+: over #\d+ s1$/);
    // After an unlock the range stays with its allocation, cached (a scenario step's event comes before the step runs).
    until(stepDone('unlock', 's3'));
    const later = swizzle.run([]);
    assert.match(later, /\n {2}RangeId 0: #\d+ surface, cached since a lock, /);
    assert.match(later, /\n {2}RangeId 1: #\d+ s2, cached since a lock, /);
    assert.match(later, /\n {2}RangeId 2: #\d+ s3, in use by a CPU lock, /);
  });
});
