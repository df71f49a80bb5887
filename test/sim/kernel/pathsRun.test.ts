// The memory paths around the kernel's run (PathsRun): every kernel event passes through in order;
// after each one but a GPU instruction the paths react (events of their own come right after the
// event they react to) and the verifier looks; the device is stopped once the kernel's run is done;
// a run ended early, or a reaction that throws, returns the kernel's run so its `finally` blocks run.

import assert from 'node:assert/strict';
import type { Gen, MachineEvent } from '../../../src/sim/kernel/events';
import { PathsRun, type PathsHost } from '../../../src/sim/kernel/pathsRun';

const kernelEvent = (what: string): MachineEvent => ({ kind: 'kernel', time: 0, what, message: what, data: {} }) as MachineEvent;
const instruction = (address: number): MachineEvent => ({ kind: 'instruction', time: 0, engine: 0, address, offset: 0, submissionId: 1 });
const nameOf = (e: MachineEvent): string => (e.kind === 'kernel' ? e.what : `instruction@${(e as { address: number }).address}`);

/** A host that logs what it is asked to do; `react` names the events it reacts to with two events of its own. */
function host(log: string[], react: string[] = [], failOn?: string): PathsHost {
  return {
    reaction(e) {
      if (e.kind !== 'kernel' || !react.includes(e.what)) return undefined;
      return (function* (): Gen {
        log.push(`react ${e.what}`);
        if (failOn === e.what) throw new Error(`reaction to ${e.what} failed`);
        yield kernelEvent(`${e.what}-cpu-1`);
        yield kernelEvent(`${e.what}-cpu-2`);
      })();
    },
    between: () => log.push('between'),
    finish: function* (): Gen {
      log.push('finish');
      yield kernelEvent('stop-device');
    },
  };
}

/** A kernel run yielding kernel events named `names`, whose `finally` block logs 'kernel finally'. */
function* kernelRun(log: string[], ...names: string[]): Gen {
  try {
    for (const n of names) yield kernelEvent(n);
  } finally {
    log.push('kernel finally');
  }
}

function drain(run: Gen): string[] {
  const out: string[] = [];
  for (let r = run.next(); r.done !== true; r = run.next()) out.push(nameOf(r.value));
  return out;
}

describe('memory paths around the kernel run (PathsRun)', () => {
  it('passes every event through, reacts after each but an instruction, then stops the device', () => {
    const log: string[] = [];
    function* kernel(): Gen {
      yield kernelEvent('submission');
      yield instruction(16);
      yield kernelEvent('eviction');
      yield kernelEvent('interrupt');
    }
    const events = drain(new PathsRun(kernel(), host(log, ['eviction'])));
    assert.deepEqual(events, ['submission', 'instruction@16', 'eviction', 'eviction-cpu-1', 'eviction-cpu-2', 'interrupt', 'stop-device']);
    assert.deepEqual(log, ['between', 'react eviction', 'between', 'between', 'finish']);
  });

  it('returned early, returns the kernel run (its finally blocks run) and does not stop the device', () => {
    const log: string[] = [];
    const run = new PathsRun(kernelRun(log, 'a', 'b'), host(log));
    run.next();
    assert.deepEqual(run.return(), { value: undefined, done: true });
    assert.deepEqual(log, ['kernel finally']);
    assert.equal(run.next().done, true);
  });

  it('a reaction that throws ends the run, returning the kernel run', () => {
    const log: string[] = [];
    const run = new PathsRun(kernelRun(log, 'relocation', 'never'), host(log, ['relocation'], 'relocation'));
    assert.equal(nameOf(run.next().value as MachineEvent), 'relocation');
    assert.throws(() => run.next(), /reaction to relocation failed/);
    assert.deepEqual(log, ['react relocation', 'kernel finally']);
    assert.equal(run.next().done, true);
  });

  it('an error thrown into it goes to the reaction running, as yield* passes it; else it ends the run', () => {
    const log: string[] = [];
    const paths: PathsHost = {
      ...host(log),
      reaction: () =>
        (function* (): Gen {
          try {
            yield kernelEvent('cpu');
          } catch {
            yield kernelEvent('caught');
          }
        })(),
    };
    const run = new PathsRun(kernelRun(log, 'eviction', 'after'), paths);
    run.next(); // eviction
    assert.equal(nameOf(run.next().value as MachineEvent), 'cpu');
    assert.equal(nameOf(run.throw(new Error('into the reaction')).value as MachineEvent), 'caught');
    assert.equal(nameOf(run.next().value as MachineEvent), 'after', 'the reaction ended and the run goes on');
    assert.deepEqual(log, ['between']);
    assert.throws(() => run.throw(new Error('into the run')), /into the run/);
    assert.deepEqual(log, ['between', 'kernel finally']);
    assert.equal(run.next().done, true);
  });

  it('a kernel run that throws ends the run without stopping the device', () => {
    const log: string[] = [];
    function* kernel(): Gen {
      yield kernelEvent('a');
      throw new Error('kernel failed');
    }
    const run = new PathsRun(kernel(), host(log));
    run.next();
    assert.throws(() => run.next(), /kernel failed/);
    assert.deepEqual(log, ['between']);
    assert.equal(run.next().done, true);
  });
});
