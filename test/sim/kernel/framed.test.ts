// The kernel's frames: a body run under a label has the label on the frame stack exactly while it
// runs, as a generator with try/finally around `yield* body` had it: through nested frames, when
// the body finishes, throws, is thrown into or is returned early (a stopped run), and not at all
// when it is returned before it started.

import assert from 'node:assert/strict';
import type { Gen, MachineEvent } from '../../../src/sim/kernel/events';
import { Framed, KernelFrames } from '../../../src/sim/kernel/framed';

const event = (message: string): MachineEvent => ({ kind: 'kernel', time: 0, what: 'wait', message, data: {} });

describe('kernel frames (Framed)', () => {
  it('holds the label while the body runs, through nested frames, and hands back its value', () => {
    const stack = new KernelFrames([]);
    const seen: string[][] = [];
    function* inner(): Gen<number> {
      seen.push(stack.labels.slice());
      yield event('inner');
      seen.push(stack.labels.slice());
      return 7;
    }
    function* outer(): Gen<number> {
      yield event('outer');
      const v = yield* new Framed(stack, 'inner frame', inner());
      seen.push(stack.labels.slice());
      return v * 2;
    }
    const run = new Framed(stack, 'outer frame', outer());
    assert.deepEqual(stack.labels, [], 'nothing runs before the first next');
    const messages: string[] = [];
    let r = run.next();
    for (; !r.done; r = run.next()) messages.push((r.value as { message: string }).message);
    assert.equal(r.value, 14);
    assert.deepEqual(messages, ['outer', 'inner']);
    assert.deepEqual(seen, [['outer frame', 'inner frame'], ['outer frame', 'inner frame'], ['outer frame']]);
    assert.deepEqual(stack.labels, []);
  });

  it('leaves the frame when the body throws, and when an error thrown into it is not caught', () => {
    const stack = new KernelFrames(['run']);
    function* failing(): Gen {
      yield event('a');
      throw new Error('boom');
    }
    const f = new Framed(stack, 'failing', failing());
    f.next();
    assert.deepEqual(stack.labels, ['run', 'failing']);
    assert.throws(() => f.next(), /boom/);
    assert.deepEqual(stack.labels, ['run']);

    function* waiting(): Gen {
      yield event('a');
      yield event('b');
    }
    const g = new Framed(stack, 'waiting', waiting());
    g.next();
    assert.throws(() => g.throw(new Error('stop')), /stop/);
    assert.deepEqual(stack.labels, ['run']);
  });

  it('runs the body\'s finally blocks on an early return, keeping the frame while they yield', () => {
    const stack = new KernelFrames([]);
    const inFinally: string[][] = [];
    function* body(): Gen {
      try {
        yield event('working');
        yield event('never');
      } finally {
        inFinally.push(stack.labels.slice());
        yield event('cleanup');
      }
    }
    const f = new Framed(stack, 'body', body());
    f.next();
    const r = f.return(undefined);
    assert.equal(r.done, false, 'the finally block yielded');
    assert.deepEqual(stack.labels, ['body']);
    assert.deepEqual(inFinally, [['body']]);
    assert.equal(f.next().done, true);
    assert.deepEqual(stack.labels, []);
  });

  it('returned or thrown into before it started, runs nothing and leaves the stack alone', () => {
    const stack = new KernelFrames(['run']);
    let ran = false;
    function* body(): Gen {
      ran = true;
      yield event('x');
    }
    const f = new Framed(stack, 'never', body());
    assert.deepEqual(f.return(undefined), { value: undefined, done: true });
    assert.equal(f.next().done, true);
    const g = new Framed(stack, 'never either', body());
    assert.throws(() => g.throw(new Error('early')), /early/);
    assert.equal(ran, false);
    assert.deepEqual(stack.labels, ['run']);
  });

  it('gives DDI calls under the same frames one copy of them as their cause', () => {
    const stack = new KernelFrames([]);
    stack.enterFrame('a');
    const first = stack.cause();
    assert.equal(stack.cause(), first);
    stack.enterFrame('b');
    assert.deepEqual(stack.cause(), ['a', 'b']);
    assert.deepEqual(first, ['a'], 'a cause handed out does not change');
    stack.leaveFrame();
    assert.notEqual(stack.cause(), first);
    assert.deepEqual(stack.cause(), ['a']);
  });
});
