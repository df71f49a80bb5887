// Every way a driver can fail is the driver's fault, reported as such with its line, and the host
// stays up: odd things thrown (an object with no prototype, a Proxy), getters that throw when the
// kernel reads what the driver left, a polluted Object.prototype, async DDIs (a rejected Promise,
// an async interrupt routine), process.exit.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { distFile, tempDir } from '../../setup';
import { lineOf, run, wrapReference } from './drivers';

const dir = tempDir('paging-lab-faults-');

/** Lets pending rejections and ticks run, so an unhandled one would fail the test process now. */
const settle = () => new Promise((r) => setTimeout(r, 20));

interface Case {
  name: string;
  prelude?: string[];
  overrides: string[];
  /** The message, after the driver line. */
  message: RegExp;
  /** Text on the line the report must point at. */
  line: string;
}

const CASES: Case[] = [
  {
    name: 'throw Object.create(null)',
    overrides: ['DxgkDdiBuildPagingBuffer(h: unknown, a: never): number {', '  if (h) throw Object.create(null);', '  return ref.DxgkDdiBuildPagingBuffer(h, a);', '},'],
    message: /^DxgkDdiBuildPagingBuffer threw at .*:\d+:\d+: an object with no prototype/,
    line: 'DxgkDdiBuildPagingBuffer(h: unknown',
  },
  {
    name: 'throw a Proxy whose traps throw',
    overrides: [
      'DxgkDdiBuildPagingBuffer(h: unknown, a: never): number {',
      '  if (h) throw new Proxy({}, { get() { throw new Error("trap"); }, getPrototypeOf() { throw new Error("trap"); }, ownKeys() { throw new Error("trap"); } });',
      '  return ref.DxgkDdiBuildPagingBuffer(h, a);',
      '},',
    ],
    message: /^DxgkDdiBuildPagingBuffer threw at .*: a Proxy/,
    line: 'DxgkDdiBuildPagingBuffer(h: unknown',
  },
  {
    name: 'a throwing getter left on the arguments',
    overrides: [
      'DxgkDdiBuildPagingBuffer(h: unknown, a: { DmaSize: number }): number {',
      '  const st = ref.DxgkDdiBuildPagingBuffer(h, a as never);',
      '  Object.defineProperty(a, "DmaSize", { get() { throw new Error("DmaSize is secret"); } });',
      '  return st;',
      '},',
    ],
    message: /^DxgkDdiBuildPagingBuffer turned DmaSize into an accessor \(a getter\/setter\), and the kernel could not use it/,
    line: 'DmaSize is secret',
  },
  {
    name: 'a throwing getter on pDmaBuffer.Offset',
    overrides: [
      'DxgkDdiBuildPagingBuffer(h: unknown, a: { pDmaBuffer: object }): number {',
      '  const st = ref.DxgkDdiBuildPagingBuffer(h, a as never);',
      '  Object.defineProperty(a.pDmaBuffer, "Offset", { get() { throw new TypeError("no offset for you"); }, set() {} });',
      '  return st;',
      '},',
    ],
    message: /the driver's code threw .*: TypeError: no offset for you/,
    line: 'no offset for you',
  },
  {
    name: 'a DDI that returns a rejected Promise',
    overrides: ['async DxgkDdiBuildPagingBuffer(): Promise<number> {', '  throw new Error("not now");', '},'],
    message: /^DxgkDdiBuildPagingBuffer returned a Promise .*rejected.*not now.*: the kernel calls a DDI synchronously/s,
    line: 'async DxgkDdiBuildPagingBuffer',
  },
  {
    name: 'an async DxgkDdiInterruptRoutine',
    overrides: ['DxgkDdiInterruptRoutine: async (ctx: unknown, n: number) => ref.DxgkDdiInterruptRoutine(ctx, n),'],
    message: /^DxgkDdiInterruptRoutine returned a Promise .*: the kernel calls a DDI synchronously/s,
    line: 'DxgkDdiInterruptRoutine: async',
  },
  {
    name: 'process.exit(0) inside a DDI',
    prelude: ['declare const process: { exit(code: number): never };'],
    overrides: ['DxgkDdiBuildPagingBuffer(h: unknown, a: never): number {', '  if (h) process.exit(0);', '  return ref.DxgkDdiBuildPagingBuffer(h, a);', '},'],
    message: /^DxgkDdiBuildPagingBuffer threw at .*: ReferenceError: process is not defined/,
    line: 'process.exit(0)',
  },
];

describe("sim/driver: a driver's failures are the driver's fault, with its line", function () {
  this.timeout(60000);

  for (const c of CASES) {
    it(c.name, async () => {
      const file = wrapReference(dir, `${c.name.replace(/\W+/g, '-')}.ts`, c.prelude ?? [], c.overrides);
      const { result } = await run(file);
      await settle();
      assert.equal(result.ok, false);
      const e = result.error!;
      assert.equal(e.category, 'driver', e.message);
      assert.match(e.message, c.message);
      assert.doesNotMatch(e.message, /internal|returned \{/);
      assert.deepEqual({ file: e.location?.file, line: e.location?.line }, { file, line: lineOf(file, c.line) }, e.message);
    });
  }

  it('a polluted Object.prototype.toJSON and toString stay in the driver: the run is not disturbed', async () => {
    const file = wrapReference(
      dir,
      'polluted.ts',
      ['Object.defineProperty(Object.prototype, "toJSON", { value() { throw new Error("polluted"); }, writable: true, configurable: true });', '(Object.prototype as { toString(): string }).toString = () => { throw new Error("polluted"); };'],
      [],
    );
    const { result } = await run(file);
    assert.equal(result.ok, true, result.error?.message);
    assert.equal(({} as { toJSON?: unknown }).toJSON, undefined, "the host's Object.prototype is untouched");
  });

  it('paging-lab run reports these as "error (driver)" with the line, exit code 1, and no stack of ours', () => {
    for (const c of [CASES[3], CASES[5]]) {
      const file = wrapReference(dir, `cli-${c.name.replace(/\W+/g, '-')}.ts`, c.prelude ?? [], c.overrides);
      const r = spawnSync(process.execPath, [distFile('cli.js'), 'run', '--quiet', '--driver', file], { encoding: 'utf8', timeout: 60000 });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /error \(driver\): /, c.name);
      assert.ok(r.stdout.includes(`${file}:${lineOf(file, c.line)}:`), `${c.name}: ${r.stdout}`);
      assert.doesNotMatch(r.stdout + r.stderr, /internal|src\/sim|dist\/cli\.js|stopped unexpectedly/, c.name);
    }
  });
});
