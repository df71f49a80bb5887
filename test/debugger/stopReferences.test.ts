// A stop's references as the client holds them: frame ids that name their thread and place, scopes and
// variables references made once per stop, children referenced only when there are some, and every
// reference refused once the target has resumed.

import assert from 'node:assert/strict';
import { indexOfFrame, StopReferences, threadOfFrame } from '../../src/debugger/stopReferences';
import type { StopInfo } from '../../src/debugger/model';

const stop: StopInfo = {
  reason: 'breakpoint',
  threadId: 1,
  snapshot: {
    threads: [
      { id: 1, name: 'kernel' },
      { id: 100, name: 'engine 0' },
    ],
    frames: {
      1: [
        {
          name: 'DxgkDdiBuildPagingBuffer(Transfer)',
          source: { name: 'driver.ts', path: '/d/driver.ts' },
          line: 40,
          column: 3,
          instructionPointerReference: '0x1000',
          scopes: [
            {
              name: 'Arguments',
              presentationHint: 'arguments',
              expensive: false,
              vars: [
                { name: 'DmaSize', value: '0x100', type: 'UINT', settable: 'set:DmaSize' },
                { name: 'Transfer', value: '{...}', children: [{ name: 'TransferSize', value: '0x4000' }] },
                { name: 'pDmaBuffer', value: '0x2000', memoryReference: '0x2000', evaluateName: 'pDmaBuffer' },
              ],
            },
            { name: 'Adapter', expensive: false, lazy: 'adapter' },
          ],
        },
        { name: 'VidMm: page in', line: 0, column: 0, presentationHint: 'label', scopes: [] },
      ],
      100: [{ name: 'FILL', line: 0, column: 0, scopes: [] }],
    },
  },
};

describe('debugger: stop references', () => {
  it('frame ids name their thread and place; lines are given in the client numbering; a frame without source has line 0', () => {
    const refs = new StopReferences();
    const frames = refs.stackFrames(stop, 1, (n) => n - 1);
    assert.deepEqual(
      frames.map((f) => [f.id, threadOfFrame(f.id), indexOfFrame(f.id), f.line, f.column]),
      [
        [1025, 1, 0, 39, 3],
        [1026, 1, 1, 0, 0],
      ],
    );
    assert.equal(frames[0].instructionPointerReference, '0x1000');
    assert.equal(frames[1].presentationHint, 'label');
    assert.equal(refs.stackFrames(stop, 1, (n) => n), frames, 'made once per stop');
    const gpu = refs.stackFrames(stop, 100, (n) => n);
    assert.deepEqual([threadOfFrame(gpu[0].id), indexOfFrame(gpu[0].id)], [100, 0]);
    assert.deepEqual(refs.stackFrames(stop, 7, (n) => n), []);
    assert.throws(() => refs.frameOf(stop, 1027), /there is no frame 1027 at this stop/);
  });

  it('scopes and variables get references once; children only when there are some; types only when the client shows them', () => {
    const refs = new StopReferences();
    const scopes = refs.scopes(stop, 1025);
    assert.deepEqual(
      scopes.map((s) => [s.name, s.namedVariables, s.presentationHint]),
      [
        ['Arguments', 3, 'arguments'],
        ['Adapter', undefined, undefined],
      ],
    );
    assert.equal(refs.scopes(stop, 1025), scopes);
    assert.notEqual(scopes[0].variablesReference, scopes[1].variablesReference);
    assert.equal(refs.entry(scopes[1].variablesReference).lazy, 'adapter');

    const args = refs.entry(scopes[0].variablesReference);
    const plain = refs.variables(args, false);
    assert.equal(plain[0].type, undefined);
    assert.deepEqual(plain[0].presentationHint, undefined, 'a settable variable is not read-only');
    assert.deepEqual(plain[1].presentationHint, { attributes: ['readOnly'] });
    assert.equal(plain[2].variablesReference, 0);
    assert.equal(plain[2].memoryReference, '0x2000');
    assert.equal(plain[2].evaluateName, 'pDmaBuffer');
    const children = refs.entry(plain[1].variablesReference);
    assert.deepEqual(refs.variables(children, true).map((v) => [v.name, v.value]), [['TransferSize', '0x4000']]);
    // Made once: asking again with types on gives the same list.
    assert.equal(refs.variables(args, true), plain);
    const typed = new StopReferences();
    const typedScopes = typed.scopes(stop, 1025);
    assert.equal(typed.variables(typed.entry(typedScopes[0].variablesReference), true)[0].type, 'UINT');
  });

  it('refuses every reference of a stop once the target resumed, and does not hand the same number out again', () => {
    const refs = new StopReferences();
    const before = refs.scopes(stop, 1025)[0].variablesReference;
    refs.clear();
    assert.throws(() => refs.entry(before), new RegExp(`variablesReference ${before} is not valid at this stop`));
    const after = refs.scopes(stop, 1025)[0].variablesReference;
    assert.ok(after > before, `${after} after ${before}`);
  });
});
