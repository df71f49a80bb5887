// The driver's own context: no way to the host by accident (no process, no module loader, no
// timers), the provided modules and console only, and Math.random / Date / performance.now driven
// by the run's seed and virtual time, so the same seed gives the same run inside the driver too.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { compileDriver, loadDriver } from '../../../src/sim/driver/loader';
import { DRIVER_EPOCH_MS } from '../../../src/sim/driver/sandbox';
import { tempDir } from '../../setup';
import { lineOf, run, sample, wrapReference, writeDriver } from './drivers';

const dir = tempDir('paging-lab-sandbox-');

describe('sim/driver: the driver runs in a context of its own', function () {
  this.timeout(60000);

  it('has no process, no module loader, no require of other modules, no timers, and no way out through its globals', async () => {
    const file = writeDriver(dir, 'probe.ts', [
      'declare const module: { constructor: { _load?: unknown } };',
      'declare const require: (id: string) => unknown;',
      'const g = globalThis as Record<string, unknown>;',
      'const tryIt = (f: () => unknown): string => { try { return String(f()); } catch (e) { return "threw " + (e as Error).name; } };',
      'console.log(JSON.stringify({',
      '  process: typeof g.process,',
      '  getBuiltinModule: tryIt(() => typeof (g.process as { getBuiltinModule?: unknown }).getBuiltinModule),',
      '  moduleLoad: typeof module.constructor._load,',
      '  requireFs: tryIt(() => require(["node", "fs"].join(":"))),',
      '  requireDdi: typeof require("paging-lab/ddi"),',
      '  timers: ["setTimeout", "setInterval", "setImmediate", "clearTimeout", "queueMicrotask", "structuredClone", "fetch", "Buffer", "FinalizationRegistry", "WeakRef"].filter((n) => n in g),',
      '  bareConstructor: tryIt(() => (0, eval)("constructor.constructor(\\"return typeof process\\")()")),',
      '  globalProto: tryIt(() => Object.getPrototypeOf(globalThis)?.constructor?.constructor("return typeof process")()),',
      '  functionCtor: tryIt(() => Function("return typeof process")()),',
      '}));',
      '(0, eval)("import(\\"node:fs\\")").then(() => console.log("imported"), (e: Error) => console.log("import refused: " + e.message));',
      'export function DriverEntry(): number { return 0; }',
    ]);
    const printed: string[] = [];
    await loadDriver(file, { seed: 1, now: () => 0, print: (_l, t) => printed.push(t) });
    assert.equal(printed.length, 2, printed.join('\n'));
    assert.equal(printed[1], 'import refused: A dynamic import callback was not specified.');
    const seen = JSON.parse(printed[0]) as Record<string, unknown>;
    assert.deepEqual(seen, {
      process: 'undefined',
      getBuiltinModule: 'threw TypeError',
      moduleLoad: 'undefined',
      requireFs: 'threw Error',
      requireDdi: 'object',
      timers: [],
      bareConstructor: 'undefined',
      globalProto: 'undefined',
      functionCtor: 'undefined',
    });
  });

  for (const [how, reach] of [
    ['process.getBuiltinModule', `(globalThis as any).process.getBuiltinModule('child_process')`],
    ['module.constructor._load', `(module as any).constructor._load('child_process')`],
  ] as const) {
    it(`a driver that ran \`id -u\` and wrote a file through ${how} can no longer: the run fails at its line, as the driver's fault`, async () => {
      const out = join(dir, `owned-${how.replace(/\W/g, '')}.txt`);
      const file = wrapReference(
        dir,
        `escape-${how.replace(/\W/g, '')}.ts`,
        [
          'declare const module: unknown;',
          'function escape(): void {',
          `  const cp = ${reach};`,
          `  cp.execSync('id -u > ' + ${JSON.stringify(out)});`,
          '}',
        ],
        ['DxgkDdiAddDevice(pdo: unknown, out: { value: unknown }): number { escape(); return ref.DxgkDdiAddDevice(pdo, out); },'],
      );
      const { result } = await run(file);
      assert.equal(result.ok, false);
      assert.equal(result.error?.category, 'driver', result.error?.message);
      assert.match(result.error!.message, /^DxgkDdiAddDevice threw at .*escape-\w+\.ts:6:\d+: TypeError: /);
      assert.deepEqual({ file: result.error!.location!.file, line: result.error!.location!.line }, { file, line: lineOf(file, 'const cp =') });
      assert.equal(existsSync(out), false, 'the driver must not have run a command');
    });
  }

  it('a driver that starts a timer fails to load, at its line, instead of keeping the host alive', async () => {
    const file = writeDriver(dir, 'timer.ts', ['export function DriverEntry(): number { return 0; }', 'setInterval(() => undefined, 10);']);
    await assert.rejects(loadDriver(file), (e: Error) => /the driver threw while loading at .*timer\.ts:2:1: ReferenceError: setInterval is not defined/.test(e.message));
  });

  it('Math.random, Date and performance.now come from the seed and virtual time: two runs of one seed agree, another seed differs', async () => {
    const file = wrapReference(
      dir,
      'clock.ts',
      [`console.log('load', Math.random(), Date.now(), performance.now());`],
      [
        'DxgkDdiBuildPagingBuffer(h: unknown, a: never): number {',
        '  console.log("build", Math.random(), Date.now(), performance.now(), new Date().toISOString(), Date().length > 0);',
        '  return ref.DxgkDdiBuildPagingBuffer(h, a);',
        '},',
      ],
    );
    const runOf = async (seed: number) => {
      const s = sample('default');
      s.seed = seed;
      return run(file, s);
    };
    const a = await runOf(7);
    const b = await runOf(7);
    const c = await runOf(8);
    assert.equal(a.result.ok, true, a.result.error?.message);
    const builds = a.prints.filter((p) => p.startsWith('build'));
    assert.ok(builds.length > 5);
    assert.deepEqual(a.prints, b.prints, 'the same seed gives the same values inside the driver');
    const randoms = (p: string[]) => p.map((l) => l.split(' ')[1]);
    assert.notDeepEqual(randoms(a.prints), randoms(c.prints), 'another seed gives other random numbers');
    assert.equal(new Set(randoms(a.prints)).size, a.prints.length, 'Math.random moves on');
    // The clock is the virtual time of the call.
    const entries = a.events.filter((e) => e.kind === 'ddi-entry' && e.call.ddi === 'DxgkDdiBuildPagingBuffer').map((e) => e.time);
    assert.deepEqual(
      builds.map((l) => Number(l.split(' ')[3])),
      entries.map((ns) => ns / 1e6),
    );
    for (const l of builds) {
      const [, , now, perf, iso] = l.split(' ');
      assert.equal(Number(now), DRIVER_EPOCH_MS + Math.floor(Number(perf)));
      assert.equal(iso, new Date(Number(now)).toISOString());
    }
    assert.match(a.prints[0], new RegExp(`^load 0\\.\\d+ ${DRIVER_EPOCH_MS} 0$`));
  });

  it('the compiled script has a name of its own and keeps the compiler source map beside the code', async () => {
    const helper = writeDriver(dir, 'named-helper.ts', ['export function twice(n: number): number {', '  const r = n * 2;', '  return r;', '}']);
    const file = writeDriver(dir, 'named.ts', ['import { twice } from "./named-helper";', 'export function DriverEntry(): number {', '  return twice(0);', '}']);
    const d = await compileDriver(file);
    assert.match(d.script.name, /^paging-lab-driver:\/\/\/.*named\.ts\.js$/);
    assert.notEqual(d.script.name, file);
    assert.deepEqual([...d.script.sourceMap.sources].sort(), [file, helper].sort());
    assert.doesNotMatch(d.script.code, /sourceMappingURL/);
    const g = d.sourceMap.generated(helper, 3);
    assert.ok(g, 'a .ts line maps to the generated script');
    assert.equal(d.script.code.split('\n')[g.line - 1].trim(), 'return r;');
    assert.deepEqual({ ...d.sourceMap.original(g), lineText: undefined }, { file: helper, line: 3, column: 3, lineText: undefined });
  });
});
