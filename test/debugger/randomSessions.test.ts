// Well-formed requests in random order against a driver session of the real adapter: stepping both
// ways, breakpoints of every kind (a line of the driver's module top level among them), restarts,
// time travel, memory, variables and console commands, with references taken from earlier answers
// as a user's client would. Malformed requests are protocol.test.ts's; here every request makes
// sense on its own, and the order is what is random. Each must be answered within a bound (no
// request waits on a paused worker or a load that never ends), no answer may be one of our own
// TypeErrors, and the adapter, its messages and the session must stay sound to the end.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { createRandom } from '../../src/sim/hw/random';
import { ROOT } from '../setup';
import { AdapterClient, initialize } from './harness';

const DRIVER = join(ROOT, 'samples', 'drivers', 'reference', 'driver.ts');
const BUS_MASTER = join(ROOT, 'samples', 'drivers', 'reference', 'busMaster.ts');
const SCENARIOS = ['default', 'random-pressure', 'shared-interrupt', 'two-engines', 'bus-master-dma', 'aperture', 'special-lock', 'multipass'];
/** Longest a request may take to be answered (the slowest ones replay a run from a checkpoint). */
const ANSWER_MS = 20000;
/** What an answer of ours must never say: an exception of the adapter's own code, not a reason. */
const INTERNAL = /Cannot read propert|is not a function|is not iterable|undefined \(reading|Maximum call stack/;

type Rnd = { pick<T>(xs: readonly T[]): T; int(n: number): number; chance(p: number): boolean };

function random(seed: number): Rnd {
  const r = createRandom(seed);
  return {
    pick: (xs) => xs[Math.floor(r.next() * xs.length)],
    int: (n) => Math.floor(r.next() * n),
    chance: (p) => r.next() < p,
  };
}

/** What earlier answers named, for later requests to use (and a few that name nothing). */
class Seen {
  readonly refs = new Set<number>([1, 2, 1000]);
  readonly frames = new Set<number>([0, 1000]);
  readonly memory = new Set<string>(['0x0', '0x1000', '0x20000000000', 'nonsense']);
  readonly threads = new Set<number>([1, 100, 999]);
  readonly dataIds = new Set<string>(['bogus']);
  readonly moments = new Set<number>([0, 1, 50, 1e9]);

  take(body: Record<string, unknown> | undefined): void {
    if (!body) return;
    const each = <T>(k: string, f: (x: T) => void): void => {
      const v = body[k];
      if (Array.isArray(v)) for (const x of v as T[]) f(x);
    };
    each<DebugProtocol.Variable>('variables', (v) => {
      if (v.variablesReference) this.refs.add(v.variablesReference);
      if (v.memoryReference) this.memory.add(v.memoryReference);
    });
    each<DebugProtocol.Scope>('scopes', (s) => this.refs.add(s.variablesReference));
    each<DebugProtocol.StackFrame>('stackFrames', (f) => {
      this.frames.add(f.id);
      if (f.instructionPointerReference) this.memory.add(f.instructionPointerReference);
    });
    each<DebugProtocol.Thread>('threads', (t) => this.threads.add(t.id));
    each<{ moment?: number }>('pieces', (p) => p.moment !== undefined && this.moments.add(p.moment));
    if (typeof body.dataId === 'string') this.dataIds.add(body.dataId);
    if (typeof body.variablesReference === 'number' && body.variablesReference) this.refs.add(body.variablesReference);
    if (typeof body.memoryReference === 'string') this.memory.add(body.memoryReference);
  }
}

function requests(x: Rnd, seen: Seen): (() => [string, Record<string, unknown>])[] {
  const { pick, int, chance } = x;
  const thread = (): number => pick([...seen.threads]);
  const mem = (): string => pick([...seen.memory]);
  return [
    () => ['threads', {}],
    () => ['stackTrace', { threadId: thread(), startFrame: int(3), levels: int(30) }],
    () => ['scopes', { frameId: pick([...seen.frames]) }],
    () => ['variables', { variablesReference: pick([...seen.refs]), ...(chance(0.3) ? { start: int(5), count: int(5) } : {}) }],
    () => ['evaluate', { expression: pick(['!help', '!who 0x20000000000 16', '!segments', '!alloc', '!pagingqueue', '1+1', 'args', 'Operation', '!pgasm 0x0', 'x.y']), context: pick(['repl', 'watch', 'hover']), ...(chance(0.7) ? { frameId: pick([...seen.frames]) } : {}) }],
    () => ['readMemory', { memoryReference: mem(), offset: pick([0, 16, -16]), count: pick([0, 1, 64, 4096]) }],
    () => ['writeMemory', { memoryReference: mem(), data: Buffer.alloc(pick([1, 4, 64]), int(256)).toString('base64'), allowPartial: chance(0.5) }],
    () => ['disassemble', { memoryReference: mem(), instructionOffset: pick([0, -10, 10]), instructionCount: pick([1, 50]), resolveSymbols: chance(0.5) }],
    () => [pick(['next', 'stepIn', 'stepOut', 'stepBack', 'continue', 'reverseContinue']), { threadId: thread(), ...(chance(0.3) ? { granularity: pick(['statement', 'line', 'instruction']) } : {}) }],
    () => ['pause', { threadId: thread() }],
    () => ['setBreakpoints', { source: { path: pick([DRIVER, BUS_MASTER]) }, breakpoints: Array.from({ length: int(3) }, () => ({ line: pick([82, 120, 300, 500, 700, 1 + int(600)]), ...(chance(0.2) ? { condition: pick(['true', 'false', 'args']) } : {}) })) }],
    () => ['setFunctionBreakpoints', { breakpoints: [{ name: pick(['DxgkDdiBuildPagingBuffer', 'DxgkDdiSubmitCommand', 'DxgkDdiPatch', 'DxgkDdiDpcRoutine', 'DxgkDdiInterruptRoutine']), ...(chance(0.3) ? { hitCondition: pick(['2', '>3', '%2']) } : {}) }] }],
    () => ['setInstructionBreakpoints', { breakpoints: chance(0.5) ? [] : [{ instructionReference: mem() }] }],
    () => ['dataBreakpointInfo', chance(0.5) ? { name: mem(), asAddress: true, bytes: pick([1, 16, 4096]) } : { variablesReference: pick([...seen.refs]), name: pick(['pDmaBuffer', 'Transfer', 'hAllocation']) }],
    () => ['setDataBreakpoints', { breakpoints: chance(0.5) ? [] : [{ dataId: pick([...seen.dataIds]), accessType: pick(['write', 'read', 'readWrite'] as const) }] }],
    () => ['setVariable', { variablesReference: pick([...seen.refs]), name: pick(['Operation', 'MultipassOffset', 'TransferOffset', 'x']), value: pick(['1', '0x10', 'abc']) }],
    () => ['setExceptionBreakpoints', { filters: pick([[], ['driverException'], ['driverException', 'verifier']]) }],
    () => ['exceptionInfo', { threadId: thread() }],
    () => ['completions', { text: pick(['!', '!w', 'ar']), column: 2 }],
    () => ['pagingLab.whoWrote', { memoryReference: mem(), length: pick([1, 16]), history: chance(0.5) }],
    () => ['pagingLab.goToMoment', { moment: pick([...seen.moments]) }],
    () => ['pagingLab.adapterState', {}],
    () => ['breakpointLocations', { source: { path: DRIVER }, line: 1 + int(300) }],
    () => ['source', { sourceReference: 1 + int(3) }],
    () => ['restart', {}],
  ];
}

/** `p`'s value, or undefined when it takes longer than ANSWER_MS. */
async function within<T>(p: Promise<T>): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ANSWER_MS);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function randomSession(seed: number, steps: number, driver = DRIVER, extra: Record<string, unknown> = {}): Promise<string[]> {
  const x = random(seed);
  const seen = new Seen();
  const dc = new AdapterClient();
  const log: string[] = [];
  let terminated = false;
  dc.on('terminated', () => (terminated = true));
  dc.on('stopped', () => seen.threads.add(1));
  await dc.start();
  try {
    await initialize(dc);
    const launch: Record<string, unknown> = { ...extra, driver, scenario: join(ROOT, 'samples', 'scenarios', `${x.pick(SCENARIOS)}.json`), stopOnEntry: x.chance(0.5) };
    log.push(`launch ${JSON.stringify(launch)}`);
    const initialized = dc.waitForEvent('initialized', ANSWER_MS);
    const launched = dc.request('launch', launch);
    await initialized;
    await dc.request('setFunctionBreakpoints', { breakpoints: [{ name: 'DxgkDdiBuildPagingBuffer', hitCondition: String(1 + x.int(20)) }] });
    await dc.request('configurationDone', {});
    const all = requests(x, seen);
    let answered = 0;
    for (let i = 0; i < steps && !terminated; i++) {
      const [command, args] = x.pick(all)();
      const r = await within(dc.request(command, args));
      const what = `${command} ${JSON.stringify(args)}`;
      assert.ok(r, `seed ${seed}, request ${i}: ${what} was not answered within ${ANSWER_MS} ms; before it:\n${log.slice(-8).join('\n')}`);
      assert.doesNotMatch(r.message ?? '', INTERNAL, `seed ${seed}, request ${i}: ${what}`);
      log.push(`${what} -> ${r.success ? 'ok' : r.message}`);
      seen.take(r.body as Record<string, unknown> | undefined);
      answered++;
      assert.ok(dc.alive, `seed ${seed}: the adapter ended after ${what}: ${dc.stderr.join('').slice(-1500)}`);
    }
    assert.ok(answered > 0);
    // The launch itself is answered too (success, or a reason), whatever came after it.
    const l = await within(launched);
    assert.ok(l, `seed ${seed}: the launch was never answered`);
    const d = await within(dc.request('disconnect', {}));
    assert.ok(d?.success, `seed ${seed}: the disconnect was not answered`);
    assert.deepEqual(dc.violations.slice(0, 5), [], `seed ${seed}: messages that fail the DAP schema`);
    assert.doesNotMatch(dc.stderr.join(''), /\n\s+at /, `seed ${seed}: a stack escaped to stderr`);
    return log;
  } finally {
    await dc.close();
  }
}

describe('debug adapter: well-formed requests in random order (driver sessions)', function () {
  this.timeout(240000);

  // Of seeds 1-30, these eight each failed before the fixes these sessions found (a restart from a
  // stop at a top-level line waited forever, a request posted as the driver paused waited for it to
  // run again, going to moment 0 broke the session); all 30 pass now.
  for (const seed of [2, 8, 12, 13, 15, 19, 23, 28]) {
    it(`seed ${seed}: every request answered within ${ANSWER_MS / 1000} s, none with an error of ours, the adapter alive and its messages valid`, async () => {
      const log = await randomSession(seed, 150);
      assert.ok(log.length > 1);
    });
  }

  // Buggy drivers: one that hangs in a DDI (paused on its loop at each TDR, a short delay), one the
  // verifier stops; restarts and steps go on from those stops (seeds 1-10 of each pass; these two
  // make 150 requests with six and eight restarts).
  for (const [seed, name, extra] of [
    [6, 'tdr', { tdrDelayMs: 300 }],
    [2, 'dma-buffer-overrun', {}],
  ] as const) {
    it(`seed ${seed}, buggy driver ${name}: the same`, async () => {
      const log = await randomSession(seed, 150, join(ROOT, 'samples', 'drivers', 'buggy', `${name}.ts`), extra);
      assert.ok(log.length > 1);
    });
  }
});
