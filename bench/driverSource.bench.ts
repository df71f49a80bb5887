// The debugger suite's figures for the driver's own source, run by debugger.bench.ts:
// - the random-pressure scenario under the adapter (the worker's inspector attached in both) with
//   one breakpoint on a driver line that never runs, against the same run with none, in
//   interleaved rounds (A, B, A, B...): the cost of having the driver debuggable;
// - a line step in driver code (next -> stopped) and a stop refresh at a driver-line stop (threads
//   + stackTrace + scopes + variables), medians against the floor adapter measured in the same run;
// - reverse continue from one driver line breakpoint stop to the one before, median and p95.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import * as esbuild from 'esbuild';
import { medianMsAsync, medianRound, row } from './suite';

const ROOT = join(__dirname, '..');
const REFERENCE = join(ROOT, 'samples', 'drivers', 'reference', 'driver.ts');
const KERNEL = 1;
const ROUNDS = 3;
const STEPS = 300;
/** Calls deep the inspector floor's worker spins: with Node's own frames, as many as V8 reports at a driver-line stop in the simulator (22). */
const STACK_DEPTH = 12;

function lineOf(file: string, text: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`'${text}' is not in ${file}`);
  return i + 1;
}

async function open(executable: string): Promise<DebugClient> {
  const dc = new DebugClient(process.execPath, executable, 'wddm');
  dc.defaultTimeout = 120000;
  await dc.start();
  await dc.initializeRequest();
  return dc;
}

/** Wall time from configurationDone to the end of a run of `scenario`, with `breakpoints` set in the reference driver. */
async function timedRun(adapter: string, scenario: string, breakpoints: { line: number }[]): Promise<number> {
  const dc = await open(adapter);
  try {
    const initialized = dc.waitForEvent('initialized');
    const launched = dc.launchRequest({ driver: REFERENCE, scenario, tdrDelayMs: 600000 } as never);
    await initialized;
    const set = await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints });
    if (breakpoints.length && !set.body.breakpoints.every((b) => b.verified)) throw new Error('the benchmark breakpoint was not placed');
    const ended = dc.waitForEvent('terminated', 600000);
    // A listener, not waitForEvent: its timer, never cleared when no stop comes, kept the bench's
    // process alive for ten minutes after its last figure.
    const stopped = new Promise<never>((_resolve, reject) => dc.once('stopped', () => reject(new Error('the never-hit breakpoint was hit'))));
    stopped.catch(() => undefined);
    const t0 = process.hrtime.bigint();
    await dc.configurationDoneRequest();
    await launched;
    await Promise.race([ended, stopped]);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  } finally {
    await dc.stop();
  }
}

/** Line steps in a loop of driver code, and refreshes after them. */
async function stepFigures(adapter: string, driver: string, loopLine: number): Promise<{ step: number; refresh: number }> {
  const dc = await open(adapter);
  try {
    const initialized = dc.waitForEvent('initialized');
    const launched = dc.launchRequest({ driver, tdrDelayMs: 600000 } as never);
    await initialized;
    await dc.setBreakpointsRequest({ source: { path: driver }, breakpoints: [{ line: loopLine }] });
    const first = dc.waitForEvent('stopped');
    await dc.configurationDoneRequest();
    await launched;
    await first;
    await dc.setBreakpointsRequest({ source: { path: driver }, breakpoints: [] });
    const next = async (): Promise<void> => {
      const stopped = dc.waitForEvent('stopped');
      await dc.nextRequest({ threadId: KERNEL });
      await stopped;
    };
    const step = await medianMsAsync(STEPS, next);
    const times: number[] = [];
    for (let i = 0; i <= STEPS; i++) {
      await next();
      const t0 = process.hrtime.bigint();
      await dc.threadsRequest();
      const st = await dc.stackTraceRequest({ threadId: KERNEL, startFrame: 0, levels: 20 });
      const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
      await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference });
      if (i > 0) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (st.body.stackFrames[0].source?.path !== driver) throw new Error(`the step left the driver's loop: ${st.body.stackFrames[0].name}`);
    }
    times.sort((a, b) => a - b);
    return { step, refresh: times[times.length >> 1] };
  } finally {
    await dc.stop();
  }
}

/**
 * Going back to a driver line breakpoint: on random-pressure, `stops` stops forward at a line of the
 * Transfer case (once per call), then Reverse Continue from each back to the one before (the call
 * finishes, the worker searches back on a machine of its own with V8 telling it of each pause, and
 * the call found runs again to the pause): reverseContinue -> stopped, each.
 */
async function reverseFigures(adapter: string, scenario: string, stops: number): Promise<number[]> {
  const dc = await open(adapter);
  try {
    const initialized = dc.waitForEvent('initialized');
    const launched = dc.launchRequest({ driver: REFERENCE, scenario, tdrDelayMs: 600000 } as never);
    await initialized;
    await dc.setBreakpointsRequest({ source: { path: REFERENCE }, breakpoints: [{ line: lineOf(REFERENCE, 'const allocation = t.hAllocation as Allocation | null;') }] });
    let stopped = dc.waitForEvent('stopped');
    await dc.configurationDoneRequest();
    await launched;
    await stopped;
    for (let i = 1; i < stops; i++) {
      stopped = dc.waitForEvent('stopped');
      await dc.continueRequest({ threadId: KERNEL });
      await stopped;
    }
    const times: number[] = [];
    for (let i = 1; i < stops; i++) {
      const t0 = process.hrtime.bigint();
      const back = dc.waitForEvent('stopped');
      await dc.customRequest('reverseContinue', { threadId: KERNEL });
      const e = (await back) as { body: { reason: string } };
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (e.body.reason !== 'breakpoint') throw new Error(`reverse continue stopped for '${e.body.reason}', not at the breakpoint`);
    }
    return times;
  } finally {
    await dc.stop();
  }
}

interface InspectorFloor {
  step: number;
  evaluate: number;
  pausedBytes: number;
  frames: number;
}

/**
 * What any line step through a worker's V8 inspector costs, with no adapter around it
 * (inspectorFloor.ts, run in a plain Node process of its own: the bench's loaders add threads).
 */
function inspectorFloor(depth: number, bindings?: { count: number; as: 'module' | 'script' }): InspectorFloor {
  const dir = mkdtempSync(join(tmpdir(), 'paging-lab-bench-inspector-'));
  const script = join(dir, 'inspectorFloor.js');
  esbuild.buildSync({ entryPoints: [join(__dirname, 'inspectorFloor.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: script, logLevel: 'error' });
  const extra = bindings ? [String(bindings.count), bindings.as] : [];
  return JSON.parse(execFileSync(process.execPath, [script, String(depth), String(STEPS), ...extra], { encoding: 'utf8', timeout: 120000 })) as InspectorFloor;
}

/** Top-level bindings of the adapter bundle (about 1,200), for the inspector floor's module/script rows. */
const BUNDLE_BINDINGS = 1200;

/** Floor adapter's step and refresh, as debugger.bench.ts measures them. */
async function floorFigures(floor: string): Promise<{ step: number; refresh: number }> {
  const dc = await open(floor);
  try {
    const stopped = dc.waitForEvent('stopped');
    await dc.launchRequest({} as never);
    await dc.configurationDoneRequest();
    await stopped;
    const next = async (): Promise<void> => {
      const s = dc.waitForEvent('stopped');
      await dc.nextRequest({ threadId: 100 });
      await s;
    };
    const step = await medianMsAsync(STEPS, next);
    const refresh = await medianMsAsync(STEPS, async () => {
      await dc.threadsRequest();
      const st = await dc.stackTraceRequest({ threadId: 100, startFrame: 0, levels: 20 });
      const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
      await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference });
    });
    return { step, refresh };
  } finally {
    await dc.stop();
  }
}

export async function driverSourceFigures(adapter: string, floor: string): Promise<void> {
  const ms = (n: number): string => `${n.toFixed(3)} ms`;
  const scenario = join(ROOT, 'samples', 'scenarios', 'random-pressure.json');
  // A line random-pressure never runs: DxgkDdiQueryAdapterInfo is only asked the two types it answers.
  const text = readFileSync(REFERENCE, 'utf8').split('\n');
  const never = text.findIndex((l, i) => i > lineOf(REFERENCE, 'function DxgkDdiQueryAdapterInfo(') && l.trim() === 'default:') + 2;
  const none: number[] = [];
  const one: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    none.push(await timedRun(adapter, scenario, []));
    one.push(await timedRun(adapter, scenario, [{ line: never }]));
  }
  const hit = medianRound(one, none);
  const secs = (l: number[]): string => l.map((x) => (x / 1000).toFixed(2)).join(' ');
  console.log(`  the driver's source: random-pressure, ${ROUNDS} interleaved rounds (no breakpoint, one never hit), the worker's inspector attached in both, the round with the median ratio; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  row('random-pressure, no breakpoint (that round; all rounds)', `${(none[hit.round] / 1000).toFixed(2)} s`, secs(none));
  row('random-pressure, one never-hit driver-line breakpoint', `${(one[hit.round] / 1000).toFixed(2)} s`, `${secs(one)}  ${hit.ratio.toFixed(2)}x  (target <= 1.15x); ${hit.rounds}`);

  const dir = mkdtempSync(join(tmpdir(), 'paging-lab-bench-driver-'));
  const driver = join(dir, 'loop.driver.ts');
  writeFileSync(
    driver,
    [
      `import { DriverEntry as ReferenceDriverEntry } from ${JSON.stringify(REFERENCE)};`,
      `import type { DRIVER_OBJECT, DRIVER_INITIALIZATION_DATA } from 'paging-lab/ddi';`,
      'let spins = 0;',
      'export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): number {',
      '  const status = ReferenceDriverEntry(DriverObject, RegistryPath);',
      '  const ref = DriverObject.DriverInitializationData!;',
      '  DriverObject.DriverInitializationData = { ...ref,',
      '    DxgkDdiBuildPagingBuffer(h: unknown, a: never): number {',
      '      let total = 0;',
      '      for (let i = 0; i < 100000; i++) {',
      '        total += i;',
      '        spins++;',
      '      }',
      '      return total >= 0 ? ref.DxgkDdiBuildPagingBuffer(h, a) : 1;',
      '    },',
      '  } as DRIVER_INITIALIZATION_DATA;',
      '  return status;',
      '}',
    ].join('\n') + '\n',
  );
  // Floor and adapter alternate, three rounds each; each figure from the round with the median ratio.
  const floors: { step: number; refresh: number }[] = [];
  const ours: { step: number; refresh: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    floors.push(await floorFigures(floor));
    ours.push(await stepFigures(adapter, driver, lineOf(driver, 'total += i;')));
  }
  const step = medianRound(ours.map((x) => x.step), floors.map((x) => x.step));
  const refresh = medianRound(ours.map((x) => x.refresh), floors.map((x) => x.refresh));
  console.log(`  medians over ${STEPS} iterations, ${ROUNDS} rounds alternating with the floor adapter, the round with the median ratio; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  row('driver line step (next -> stopped)', ms(ours[step.round].step), `${step.ratio.toFixed(2)}x floor  (target <= 3x); ${step.rounds}`);
  row('stop refresh at a driver line', ms(ours[refresh.round].refresh), `${refresh.ratio.toFixed(2)}x floor  (target <= 3x); ${refresh.rounds}`);
  row('floor: step / refresh', `${ms(floors[step.round].step)} / ${ms(floors[refresh.round].refresh)}`);
  const REVERSE_STOPS = 30;
  const back = (await reverseFigures(adapter, scenario, REVERSE_STOPS)).sort((x, y) => x - y);
  const p95 = back[Math.min(back.length - 1, Math.ceil(back.length * 0.95) - 1)];
  row(
    `reverse continue to a driver line breakpoint (random-pressure, ${back.length} times)`,
    `${ms(back[back.length >> 1])} median`,
    `p95 ${ms(p95)}, most ${ms(back[back.length - 1])}: the call finished, the run searched back, the call found run again; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  // A driver line step needs at least one inspector round trip (the floor adapter answers `next` at
  // once): what that costs alone, at one call deep and at the depth of a driver stop in the simulator.
  const shallow = inspectorFloor(1);
  const deep = inspectorFloor(STACK_DEPTH);
  row(`inspector alone: stepInto -> paused, ${shallow.frames} frames`, ms(shallow.step), `Runtime.evaluate ${ms(shallow.evaluate)}; paused event ${shallow.pausedBytes} bytes`);
  row(`inspector alone: stepInto -> paused, ${deep.frames} frames`, ms(deep.step), `${(deep.step / floors[step.round].step).toFixed(1)}x the floor adapter's step by itself; the adapter's driver line step is ${(ours[step.round].step / deep.step).toFixed(2)}x it; paused event ${deep.pausedBytes} bytes`);
  // Why the simulator's worker runs its bundle as a classic script (runtime/host.ts): functions
  // closing over a module's top-level bindings make V8 copy that context into every frame's scopes
  // at each pause; as a script's, the bindings are the global object's, handed over as they are.
  // Interleaved: module, script, module, script; the best of each.
  const asModule: InspectorFloor[] = [];
  const asScript: InspectorFloor[] = [];
  for (let r = 0; r < 2; r++) {
    asModule.push(inspectorFloor(STACK_DEPTH, { count: BUNDLE_BINDINGS, as: 'module' }));
    asScript.push(inspectorFloor(STACK_DEPTH, { count: BUNDLE_BINDINGS, as: 'script' }));
  }
  const bestOf = (l: InspectorFloor[]): InspectorFloor => l.reduce((x, y) => (y.step < x.step ? y : x));
  const m = bestOf(asModule);
  const sc = bestOf(asScript);
  row(`inspector alone, ${m.frames} frames using ${BUNDLE_BINDINGS} module bindings`, ms(m.step), `paused event ${m.pausedBytes} bytes (the simulator's worker before it ran its bundle as a script)`);
  row(`inspector alone, ${sc.frames} frames using ${BUNDLE_BINDINGS} script bindings`, ms(sc.step), `paused event ${sc.pausedBytes} bytes; ${(m.step / sc.step).toFixed(2)}x faster than as a module; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
