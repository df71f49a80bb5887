// The stand-ins the verifier hands the driver for an operation's inputs: one per shape of the inputs
// at a path, found again for inputs of the same shape and made anew for another (other member names,
// a member that is a plain object in one and a number in the other), each bound to the inputs of its
// call, recording the first line that changed a member and giving back what the driver left.

import { strict as assert } from 'node:assert';
import { InputsView, MemberWrites } from '../../../src/sim/verifier/memberWrites';

const LINE = { file: 'driver.ts', line: 7, column: 3 };

describe('verifier: stand-ins for an operation\'s inputs', () => {
  it('hands the same stand-in for inputs of the same shape, another for another shape', () => {
    const writes = new MemberWrites(() => LINE);
    const a = InputsView.for({ Size: 4096, Flags: { TransferStart: 1 }, hAllocation: { id: 1 } }, 'Transfer.t1', writes, 2);
    const b = InputsView.for({ Size: 8192, Flags: { TransferStart: 0 }, hAllocation: { id: 2 } }, 'Transfer.t1', writes, 2);
    assert.equal(a, b, 'same member names, plain objects in the same places');
    assert.equal(b.object.Size, 8192, 'bound to the latest inputs');
    assert.equal((b.object.Flags as { TransferStart: number }).TransferStart, 0);
    const other = InputsView.for({ Size: 1, Flags: 3, hAllocation: { id: 3 } }, 'Transfer.t1', writes, 2);
    assert.notEqual(other, a, 'Flags a number, not an object');
    assert.equal(other.object.Flags, 3);
    const more = InputsView.for({ Size: 1, Flags: { TransferStart: 1 }, hAllocation: { id: 3 }, MdlOffset: 0 }, 'Transfer.t1', writes, 2);
    assert.notEqual(more, a, 'one more member');
    const reordered = InputsView.for({ Flags: { TransferStart: 1 }, Size: 1, hAllocation: { id: 3 } }, 'Transfer.t1', writes, 2);
    assert.notEqual(reordered, a, 'members in another order');
    assert.equal(InputsView.for({ Size: 2, Flags: { TransferStart: 1 }, hAllocation: 5 }, 'Transfer.t1', writes, 2), a, 'a handle is held by reference, whatever it is');
  });

  it('records the line of a change and gives back what the driver left', () => {
    const writes = new MemberWrites(() => LINE);
    const inputs = { Size: 4096, Flags: { TransferStart: 1 } };
    const view = InputsView.for(inputs, 'Transfer.t2', writes, 2);
    (view.object.Flags as { TransferStart: number }).TransferStart = 0;
    view.object.Size = 4096;
    view.readBack();
    assert.deepEqual(inputs, { Size: 4096, Flags: { TransferStart: 0 } });
    assert.deepEqual(writes.lineOf(['Transfer.t2.Flags.TransferStart']), LINE);
    assert.equal(writes.lineOf(['Transfer.t2.Size']), undefined, 'written with the value it had');
  });
});
