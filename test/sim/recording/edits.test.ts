// A recording's edits replayed without the debugger: a memory edit recorded at moment M is in
// memory once a machine of the same run has gone past its M-th event, and not before; the edits of
// a recording come back sorted by moment; a setVariable edit sets the DDI argument in the call the
// machine stands at, and one that finds no such argument is listed as not applied.

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
    const edits = new EditReplay([{ moment: 40, kind: 'writeMemory', address, data: 'c0ffee' }]);
    machine.beforeEvent = () => edits.apply(machine);
    const at = (): string => Buffer.from(machine.gpu.debugRead(address, 3).bytes).toString('hex');
    const before = at();
    assert.notEqual(before, 'c0ffee');
    while (machine.eventCount < 40) machine.next();
    assert.equal(at(), before, 'not before its moment');
    assert.equal(edits.pending, 1);
    machine.next();
    assert.equal(at(), 'c0ffee', 'applied as the 41st event is made');
    assert.equal(edits.pending, 0);
  });

  it('sets a DDI argument (setVariable) in the call the machine stands at; one with no such argument is listed as not applied', async () => {
    // The moment of the first DxgkDdiBuildPagingBuffer entry.
    const probe = await createMachine({ driver: REFERENCE, scenario: sample('default') });
    let moment = -1;
    for (let e = probe.next(); e && moment < 0; e = probe.next()) if (e.kind === 'ddi-entry' && e.call.ddi === 'DxgkDdiBuildPagingBuffer') moment = probe.eventCount;
    assert.ok(moment > 0);
    const machine = await createMachine({ driver: REFERENCE, scenario: sample('default') });
    const edits = new EditReplay([
      { moment: 1, kind: 'setVariable', path: 'NoSuchArgument', value: '1' },
      { moment, kind: 'setVariable', path: 'DmaSize', value: '4096' },
    ]);
    while (machine.eventCount < moment) {
      edits.apply(machine);
      machine.next();
    }
    const call = machine.kernel.ddi.current!;
    assert.equal(call.ddi, 'DxgkDdiBuildPagingBuffer');
    assert.notEqual((call.args as { DmaSize: number }).DmaSize, 4096);
    // What the machine's beforeEvent does before the next event: the driver gets the edited argument.
    edits.apply(machine);
    assert.equal((call.args as { DmaSize: number }).DmaSize, 4096);
    assert.deepEqual(edits.variables.map((e) => e.path), ['NoSuchArgument']);
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
