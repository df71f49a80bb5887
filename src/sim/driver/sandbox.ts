// The driver's own JavaScript context (node:vm) inside the simulator's thread. Its globals are what
// a miniport driver needs and nothing of the host: the language's built-ins (its own copies), the
// two provided modules, `console` (into the run's trace), and `Math.random`, `Date` and
// `performance.now` driven by the run's seed and virtual time, so the same driver, scenario and
// seed give the same run inside the driver too. There is no `process`, no timers, no module loader
// (`require` serves only paging-lab/ddi and paging-lab/gpu), no FinalizationRegistry or WeakRef
// (their timing is the collector's), and the context's microtasks run at the end of each DDI call.
//
// This keeps honest drivers deterministic and away from the host by accident. It is not a security
// boundary: the DDI arguments and the provided modules are the host's own objects, and a driver that
// sets out to reach the host through them can. Workspace trust is what decides whether a driver runs.

import { format, inspect, types } from 'node:util';
import { promiseHooks } from 'node:v8';
import vm from 'node:vm';
import * as ddi from '../ddi/contract';
import * as gpu from '../ddi/gpu';
import { captureCallSites, type DriverSourceMap } from './sourceMap';
import { trackDriverContext } from './takenContexts';

/** What the driver's context takes from the run it belongs to. */
export interface DriverEnvironment {
  /** Seed of the driver's `Math.random` (its own sequence: the simulator's random source is not touched). */
  seed: number;
  /** The run's virtual time in nanoseconds (`Date`, `performance.now`). */
  now(): number;
  /** Where `console` writes (the run's trace); a line per call. */
  print(level: ConsoleLevel, text: string): void;
}

export type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';

/** `Date` in the driver's context: this instant plus the run's virtual time. */
export const DRIVER_EPOCH_MS = Date.UTC(2025, 0, 1);

/** The modules a driver may import besides its own files. */
export const PROVIDED_MODULES = { 'paging-lab/ddi': ddi, 'paging-lab/gpu': gpu } as const;

export function importRefusal(id: string): string {
  return `a driver may import 'paging-lab/ddi', 'paging-lab/gpu' and its own files, not '${id}'`;
}

// Runs once inside each new context, before any driver code. `host` stays in this closure: nothing
// the driver can reach holds it.
const SETUP = `(function setup(host) {
  'use strict';
  const g = globalThis;
  const define = (o, k, value) => Object.defineProperty(o, k, { value, writable: true, configurable: true, enumerable: false });
  const floor = Math.floor;
  const nowNs = host.nowNs;
  const epoch = host.epochMs;
  const nowMs = () => epoch + nowNs() / 1e6;

  // Date: the virtual clock when asked for "now", the real Date for everything else.
  const RealDate = g.Date;
  const construct = Reflect.construct;
  function Date(...args) {
    const now = floor(nowMs());
    if (new.target === undefined) return construct(RealDate, [now], RealDate).toString();
    return construct(RealDate, args.length === 0 ? [now] : args, new.target);
  }
  Date.prototype = RealDate.prototype;
  Object.defineProperty(Date, 'prototype', { writable: false });
  Object.defineProperty(Date, 'length', { value: 7 });
  define(RealDate.prototype, 'constructor', Date);
  define(Date, 'now', function now() { return floor(nowMs()); });
  define(Date, 'parse', RealDate.parse);
  define(Date, 'UTC', RealDate.UTC);
  define(g, 'Date', Date);

  define(g, 'performance', Object.freeze({ timeOrigin: epoch, now: function now() { return nowNs() / 1e6; } }));

  // Math.random: sfc32 seeded through splitmix32 from the run's seed.
  let s = host.seed | 0;
  const mix = () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = mix(), b = mix(), c = mix(), d = mix() ^ 0x5a5a5a5a;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  define(Math, 'random', function random() { return next(); });

  // What would run driver code outside a DDI call, or depends on the collector's timing.
  delete g.FinalizationRegistry;
  delete g.WeakRef;
  if (g.Atomics) delete g.Atomics.waitAsync;
  if (g.WebAssembly) for (const k of ['compile', 'instantiate', 'compileStreaming', 'instantiateStreaming']) delete g.WebAssembly[k];

  const print = host.print;
  const con = {};
  for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace']) define(con, level, { [level](...args) { print(level, args); } }[level]);
  define(con, 'dir', function dir(value) { print('log', [value]); });
  define(con, 'table', function table(...args) { print('log', args); });
  define(con, 'assert', function assert(condition, ...args) { if (!condition) print('error', ['Assertion failed' + (args.length ? ':' : ''), ...args]); });
  define(g, 'console', con);

  // Stack traces name the driver's .ts files and lines.
  const formatStack = host.formatStack;
  define(g.Error, 'prepareStackTrace', function prepareStackTrace(error, sites) { return formatStack(error, sites); });

  const modules = host.modules;
  const refusal = host.refusal;
  function require(id) {
    if (id === 'paging-lab/ddi') return modules.ddi;
    if (id === 'paging-lab/gpu') return modules.gpu;
    throw new Error(refusal(String(id)));
  }
  return { require, module: { exports: {} } };
})`;

/** Sandboxes by their context's Promise.prototype, to recognise their promises (weakly held). */
const byPromisePrototype = new WeakMap<object, DriverSandbox>();
let rejectionsWatched = false;

/**
 * A rejected promise that the driver's code never handled must not take the host down (Node ends a
 * process or worker on one). Those of a driver context are counted on it; any other keeps Node's
 * default when no one else listens: it is thrown as an uncaught exception.
 */
function watchRejections(): void {
  if (rejectionsWatched) return;
  rejectionsWatched = true;
  const listener = (reason: unknown, promise: Promise<unknown>): void => {
    let owner: DriverSandbox | undefined;
    try {
      owner = byPromisePrototype.get(Object.getPrototypeOf(promise) as object);
    } catch {
      owner = undefined;
    }
    if (owner) {
      owner.unhandledRejections++;
      return;
    }
    if (process.listenerCount('unhandledRejection') === 1) throw reason;
  };
  process.on('unhandledRejection', listener);
}

/**
 * Whether a driver context may have microtasks queued: draining its queue runs a script in it, and
 * with the V8 inspector's Debugger domain enabled (a debug session) every script run costs about
 * 10 us, ~19 us in the adapter: more than half of a step back's replay went there. A microtask is
 * only queued when a promise of the driver's realm is made (a `then`, an `await`, an async call) or
 * settles, so the drain is skipped while none was. A promise of an unknown realm marks every
 * context (`unknownRealmEpoch`); host promises mark none.
 */
let unknownRealmEpoch = 0;
let promisesWatched = false;
function watchPromises(): void {
  if (promisesWatched) return;
  promisesWatched = true;
  const hostPrototype = Promise.prototype;
  const mark = (promise: Promise<unknown>): void => {
    const proto = Object.getPrototypeOf(promise) as object;
    if (proto === hostPrototype) return;
    const owner = byPromisePrototype.get(proto);
    if (owner) owner.microtasksMaybeQueued = true;
    else unknownRealmEpoch++;
  };
  promiseHooks.onInit(mark);
  promiseHooks.onSettled(mark);
}

/**
 * V8's code cache of the driver scripts compiled in this thread, by their code, the latest few. Every
 * run evaluates its driver in a context of its own, so a sweep or a debug session's replays compile
 * the same script again and again: from the cache it takes about a third of the time (0.24 ms
 * against 0.69 ms for the reference driver; a sweep pair takes about 14 ms in all).
 */
const codeCache = new Map<string, Buffer>();
const CODE_CACHE_ENTRIES = 4;

function compileDriverFunction(code: string, filename: string, context: vm.Context): (...args: unknown[]) => unknown {
  const params = ['exports', 'require', 'module'];
  const cachedData = codeCache.get(code);
  if (cachedData) {
    const body = vm.compileFunction(code, params, { filename, parsingContext: context, cachedData }) as ((...args: unknown[]) => unknown) & { cachedDataRejected?: boolean };
    // V8 refuses a cache made under other flags or by another version: the source was compiled anyway.
    if (body.cachedDataRejected) codeCache.delete(code);
    return body;
  }
  const body = vm.compileFunction(code, params, { filename, parsingContext: context, produceCachedData: true }) as ((...args: unknown[]) => unknown) & { cachedData?: Buffer };
  if (body.cachedData) {
    codeCache.set(code, body.cachedData);
    if (codeCache.size > CODE_CACHE_ENTRIES) codeCache.delete(codeCache.keys().next().value as string);
  }
  return body;
}

export class DriverSandbox {
  /** A promise of this context was made or settled since its queue was last drained (see watchPromises). */
  microtasksMaybeQueued = true;
  private seenEpoch = unknownRealmEpoch;
  readonly context: vm.Context;
  /** Promises of the driver's context rejected with no handler (counted, never fatal). */
  unhandledRejections = 0;
  private readonly drain = new vm.Script('', { filename: 'paging-lab:driver-microtasks' });
  private readonly requireFn: unknown;
  private readonly module: { exports: Record<string, unknown> };
  private readonly objectPrototype: object;
  private readonly functionPrototype: object;
  private sourceMap: DriverSourceMap | undefined;

  constructor(env: DriverEnvironment) {
    // A null-prototype global backing object: a default `{}` would let a bare `constructor` resolve to the host's Object.
    this.context = vm.createContext(Object.create(null) as object, {
      name: 'paging-lab driver',
      codeGeneration: { strings: true, wasm: true },
      microtaskMode: 'afterEvaluate',
    });
    const setup = vm.runInContext(SETUP, this.context, { filename: 'paging-lab:driver-globals' }) as (host: unknown) => {
      require: unknown;
      module: { exports: Record<string, unknown> };
    };
    const made = setup({
      nowNs: () => env.now(),
      epochMs: DRIVER_EPOCH_MS,
      seed: env.seed,
      print: (level: ConsoleLevel, args: unknown[]) => env.print(level, this.formatConsole(level, args)),
      formatStack: (error: unknown, sites: NodeJS.CallSite[]) => this.formatStack(error, sites),
      modules: { ddi: PROVIDED_MODULES['paging-lab/ddi'], gpu: PROVIDED_MODULES['paging-lab/gpu'] },
      refusal: importRefusal,
    });
    this.requireFn = made.require;
    this.module = made.module;
    const intrinsics = vm.runInContext('[Object.prototype, Function.prototype, Promise.prototype, globalThis]', this.context) as object[];
    // Its global object lives exactly as long as the context does (what the debugger needs to know).
    trackDriverContext(intrinsics[3]);
    [this.objectPrototype, this.functionPrototype] = intrinsics;
    byPromisePrototype.set(intrinsics[2], this);
    watchPromises();
    watchRejections();
  }

  /**
   * Compiles the driver's script in this context under its own name (what stack traces and the V8
   * inspector report) and runs its module body; returns its exports (objects of the driver's realm).
   */
  evaluate(code: string, sourceMap: DriverSourceMap): Record<string, unknown> {
    this.sourceMap = sourceMap;
    const body = compileDriverFunction(code, sourceMap.script.name, this.context);
    const m = this.module;
    body.call(m.exports, m.exports, this.requireFn, m);
    this.runMicrotasks();
    return m.exports;
  }

  /** Runs what the driver queued on its microtask queue (promise reactions): at the end of each DDI call. */
  runMicrotasks(): void {
    if (!this.microtasksMaybeQueued && this.seenEpoch === unknownRealmEpoch) return;
    this.microtasksMaybeQueued = false;
    this.seenEpoch = unknownRealmEpoch;
    this.drain.runInContext(this.context);
  }

  /** Whether `value` is an object or function of the driver's realm (or a Proxy, which only a driver makes). */
  owns(value: unknown): boolean {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
    if (types.isProxy(value)) return true;
    try {
      for (let p: unknown = value, n = 0; p !== null && n < 64; n++) {
        if (p === this.objectPrototype || p === this.functionPrototype) return true;
        if (types.isProxy(p)) return true;
        p = Object.getPrototypeOf(p);
      }
    } catch {
      return true;
    }
    return false;
  }

  /** `Error.prepareStackTrace` of the driver's context: V8's format, with driver frames at their .ts lines. */
  private formatStack(error: unknown, sites: readonly NodeJS.CallSite[]): string {
    let header: string;
    try {
      header = Error.prototype.toString.call(error);
    } catch {
      header = 'Error';
    }
    const map = this.sourceMap;
    const frames = sites.map((s) => (map ? map.formatSite(s) : `    at ${safeSite(s)}`));
    return frames.length ? `${header}\n${frames.join('\n')}` : header;
  }

  private formatConsole(level: ConsoleLevel, args: unknown[]): string {
    let text: string;
    try {
      text = format(...args);
    } catch (e) {
      text = `<console.${level} could not print its arguments: ${e instanceof Error ? e.message : 'a value threw'}>`;
    }
    if (level === 'trace') {
      const map = this.sourceMap;
      const frames = captureCallSites(32).filter((s) => map?.isDriverSite(s));
      text = `Trace${text ? ': ' + text : ''}${frames.map((s) => '\n' + map!.formatSite(s)).join('')}`;
    }
    return text;
  }
}

function safeSite(s: NodeJS.CallSite): string {
  try {
    return s.toString();
  } catch {
    return '<unknown>';
  }
}

/** `inspect` that never runs a value's own code (no custom inspectors, no getters). */
export function inspectQuietly(v: unknown): string {
  try {
    return inspect(v, { depth: 1, customInspect: false, getters: false, showProxy: true, breakLength: Infinity, maxArrayLength: 8, maxStringLength: 200 });
  } catch {
    return '<value>';
  }
}
