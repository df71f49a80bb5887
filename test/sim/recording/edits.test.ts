// A recording's edits replayed without the debugger: a memory edit recorded at moment M is in
// memory once a machine of the same run has gone past its M-th event, and not before; the edits of
// a recording come back sorted by moment; a setVariable edit is handed to the caller (the debugger
// knows what its name means), not applied to memory.

import assert from 'node:assert/strict';
import { debugAddressOfSegment } from '../../../src/sim/hw';
import { createMachine } from '../../../src/sim/machine';
import { EditReplay } from '../../../src/sim/recording/edits';
import { REFERENCE, sample } from '../driver/drivers';

describe('sim/recording: edits replayed at their moments', function () {
  this.timeout(60000);

  it('writes memory when the run reaches the moment, before the next event', async () => {
    const machine = await createMachine({ driver: REFERENCE, scenario: sample('default') });
    const address = debugAddressOfSegment(1) + 0x3000;
    const edits = new EditReplay([
      { moment: 40, kind: 'writeMemory', address, data: 'c0ffee' },
      { moment: 60, kind: 'setVariable', path: 'MultipassOffset', value: '2' },
    ]);
    const handed: string[] = [];
    machine.beforeEvent = () => handed.push(...edits.apply(machine).map((e) => e.path!));
    const at = (): string => Buffer.from(machine.gpu.debugRead(address, 3).bytes).toString('hex');
    const before = at();
    assert.notEqual(before, 'c0ffee');
    while (machine.eventCount < 40) machine.next();
    assert.equal(at(), before, 'not before its moment');
    assert.equal(edits.pending, 2);
    machine.next();
    assert.equal(at(), 'c0ffee', 'applied as the 41st event is made');
    assert.equal(edits.pending, 1);
    while (machine.eventCount < 61) machine.next();
    assert.deepEqual(handed, ['MultipassOffset']);
    assert.equal(edits.pending, 0);
    assert.equal(edits.variables.length, 1);
  });

  it('an edit the memory cannot take ends the run with an error that says which edit', async () => {
    const machine = await createMachine({ driver: REFERENCE, scenario: sample('default') });
    const edits = new EditReplay([{ moment: 0, kind: 'writeMemory', address: 2 ** 52, data: '00' }]);
    machine.beforeEvent = () => edits.apply(machine);
    const result = machine.run();
    assert.equal(result.ok, false);
    assert.match(result.error!.message, /the recorded edit at moment 0 writes 1 bytes at 0x10000000000000, and only 0 are writable now/);
  });
});
