// Every call into the driver goes through here: it yields the DDI's entry event (before the driver
// runs, with its arguments) and return event (with the status and the arguments as the driver left
// them), times the driver for the benchmark, and turns a throw, a returned Promise or a status the
// DDI may not return into a DriverError naming the DDI, the arguments and the driver's file and line.
// Whatever the driver does wrong is reported as the driver's fault (`blame`), never as ours.

import { readFileSync } from 'node:fs';
import { types } from 'node:util';
import { type DdiName, statusName } from '../ddi/contract';
import { describeAllowed, errorConsequence, isAllowedStatus } from '../ddi/statusRules';
import { describeThrown, DriverError, locateInFiles, type SourceLocation } from '../driver/errors';
import { inspectQuietly, type DriverSandbox } from '../driver/sandbox';
import type { DriverSourceMap } from '../driver/sourceMap';
import { enterDriverCode, leaveDriverCode } from '../runtime/driverCode';
import { describeValue } from './describe';
import type { DdiCall, Gen, MachineEvent } from './events';
import { KernelError } from './kernelError';

export type ReturnKind = 'status' | 'boolean' | 'void';

/** What the kernel tells a DDI call's observers beside the call: the paging operation, the driver's function, the inputs VidMm asked for. */
export interface DdiCallOptions {
  operation?: number;
  fn?: unknown;
  /** DxgkDdiBuildPagingBuffer: the inputs VidMm asked for (the verifier compares what the driver got and left against them). */
  inputs?: Record<string, unknown>;
}

/** Sees each DDI call around the driver's code; may throw a DriverError (a verifier violation) to end the run. */
export interface DdiHook {
  before?(call: DdiCall, opts: DdiCallOptions): void;
  after?(call: DdiCall, result: unknown, opts: DdiCallOptions): void;
  threw?(call: DdiCall, error: unknown, opts: DdiCallOptions): void;
  /** When the driver's code for the call has ended, however it ended (before `after` or `threw`). */
  ended?(call: DdiCall): void;
}

const NO_OPTIONS: DdiCallOptions = Object.freeze({});

export class DdiCaller {
  private nextId = 0;
  /** The call in progress (between its entry and return events), for hosts. */
  current: DdiCall | undefined;
  /** Wall-clock milliseconds spent inside the driver. */
  driverMs = 0;
  calls = 0;
  /** Events raised by kernel callbacks during the call in progress (DbgPrint...), yielded before its return. */
  readonly pending: MachineEvent[] = [];
  private readonly definitions = new Map<string, SourceLocation | undefined>();
  /** Observers of every call (the verifier): before the driver runs, and right after it returns or throws, before the kernel's own checks. */
  readonly hooks: DdiHook[] = [];
  /** The compiled driver's source map and context, when the driver was loaded from its sources (not given as functions). */
  private code: { sourceMap: DriverSourceMap; sandbox: DriverSandbox } | undefined;
  /** The function the driver registered for a DDI (DRIVER_INITIALIZATION_DATA), to find its definition whatever its name. */
  functionOf: ((ddi: string) => unknown) | undefined;

  constructor(
    /** The driver's source files, to locate errors. Empty for drivers given as functions. */
    readonly files: readonly string[],
    private readonly now: () => number,
    private readonly cause: () => readonly string[],
  ) {}

  /** Where a DDI's function is, for whoever watches the driver's code (./runtime/driverCode.ts). */
  private readonly locator = (ddi: string, fn: unknown): SourceLocation | undefined => this.implementationOf(ddi, fn);

  /** The last calls made (their arguments are where a driver may have left a trap for the kernel). */
  private readonly recent: DdiCall[] = [];

  /** Gives the caller the driver's compiled script: driver lines then come from its source map. */
  attachDriver(code: { sourceMap: DriverSourceMap; sandbox: DriverSandbox }): void {
    this.code = code;
  }

  /** The driver's source map, when it was compiled from files. */
  get sourceMap(): DriverSourceMap | undefined {
    return this.code?.sourceMap;
  }

  /** The innermost driver line of a printed stack. */
  locateStack(stack: string | undefined): SourceLocation | undefined {
    if (!stack) return undefined;
    return this.code?.sourceMap.locateStack(stack) ?? locateInFiles(stack, this.files);
  }

  /** The driver line running now (call it from code the driver called: a kernel callback, an accessor). */
  here(): SourceLocation | undefined {
    return this.code?.sourceMap.here();
  }

  /** `here()`, mapped only when the returned function is called (sourceMap.ts). */
  hereLater(): () => SourceLocation | undefined {
    return this.code?.sourceMap.hereLater() ?? (() => undefined);
  }

  /**
   * What an exception that ended the run means: a DriverError when the driver caused it, whether it
   * threw it, it came from the driver's own code run by the kernel (a getter, a Proxy trap, a
   * toJSON), or it is not an Error of ours at all. Our own errors are returned as they are.
   */
  blame(e: unknown): unknown {
    if (isOurs(e, DriverError) || isOurs(e, KernelError)) return e;
    const call = this.current;
    const during = call ? ` after ${call.ddi} returned` : '';
    if (isOurs(e, Error) && !this.code?.sandbox.owns(e)) {
      const location = this.locateStack(e.stack);
      if (!location) return this.tampered(e) ?? e; // An error of the simulator's own, unless the driver broke the arguments under it.
      return new DriverError('throw', `the driver's code threw while the kernel used what it ${call ? 'returned or left in the arguments' : 'gave it'}${during} at ${location.file}:${location.line}:${location.column}: ${describeThrown(e)}`, {
        location,
        ddi: call?.ddi,
        driverStack: e.stack,
      });
    }
    const fallback = call ? this.definitionOf(call.ddi) : undefined;
    return DriverError.fromThrow('throw', e, (s) => this.locateStack(s), `the driver's code threw while the kernel used what it ${call ? 'returned or left in the arguments' : 'gave it'}${during}`, call?.ddi, undefined, fallback);
  }

  *call<R>(ddi: DdiName, args: Record<string, unknown>, invoke: () => R, kind: ReturnKind, opts: DdiCallOptions = NO_OPTIONS): Gen<R> {
    // The generator only yields; the work is in plain methods, so each call's suspended frame (a
    // hundred thousand of them in the kernel stress) holds a few registers, not all of the work's.
    const call = this.enter(ddi, args);
    yield { kind: 'ddi-entry', time: this.now(), call };
    const result = this.run(call, invoke, opts);
    while (this.pending.length) yield this.pending.shift()!;
    this.check(call, result, kind, opts);
    yield { kind: 'ddi-return', time: this.now(), call };
    this.current = undefined;
    return result;
  }

  private enter(ddi: DdiName, args: Record<string, unknown>): DdiCall {
    // status and result are there from the start, so the object keeps one shape when they are filled in.
    const call: DdiCall = { id: ++this.nextId, ddi, args, status: undefined, result: undefined, cause: this.cause() };
    this.current = call;
    if (this.recent.push(call) > 4) this.recent.shift();
    this.calls++;
    return call;
  }

  /** Runs the driver's code for `call` between the hooks, timed, with its throw or returned Promise turned into a DriverError. */
  private run<R>(call: DdiCall, invoke: () => R, opts: DdiCallOptions): R {
    const { ddi, args } = call;
    const hooks = this.hooks;
    for (let i = 0; i < hooks.length; i++) hooks[i].before?.(call, opts);
    let result: R;
    const t0 = performance.now();
    enterDriverCode(ddi, opts.fn ?? this.functionOf?.(ddi), this.locator);
    try {
      result = invoke();
      // Promise reactions the driver queued run now, inside the call (and its TDR watch).
      this.code?.sandbox.runMicrotasks();
    } catch (e) {
      if (isOurs(e, DriverError)) {
        // A kernel callback refused what the driver passed: point at the driver's line that called it.
        if (e.location) throw e;
        const location = this.locateStack(e.stack);
        const where = location ? `\n  at ${location.file}:${location.line}:${location.column}` : '';
        throw new DriverError(e.kind, `${e.message} (during ${ddi})${where}`, { location, ddi, args, driverStack: e.stack });
      }
      for (let i = 0; i < hooks.length; i++) hooks[i].threw?.(call, e, opts);
      throw DriverError.fromThrow('throw', e, (s) => this.locateStack(s), `${ddi} threw`, ddi, args, this.implementationOf(ddi, opts.fn));
    } finally {
      leaveDriverCode();
      this.driverMs += performance.now() - t0;
      for (let i = 0; i < hooks.length; i++) hooks[i].ended?.(call);
    }
    if (types.isPromise(result)) {
      for (let i = 0; i < hooks.length; i++) hooks[i].threw?.(call, result, opts);
      throw this.promiseError(ddi, args, opts.fn, result);
    }
    for (let i = 0; i < hooks.length; i++) hooks[i].after?.(call, result, opts);
    return result;
  }

  /** What the DDI returned, against what it may return; kept on the call for its return event. */
  private check(call: DdiCall, result: unknown, kind: ReturnKind, opts: DdiCallOptions): void {
    const { ddi, args } = call;
    if (kind === 'status') {
      if (typeof result !== 'number' || !Number.isInteger(result)) {
        throw this.statusError(ddi, args, opts.fn, `${ddi} returned ${describeValue(result)}, not an NTSTATUS`);
      }
      if (!isAllowedStatus(ddi, result, opts.operation)) {
        const allowed = describeAllowed(ddi);
        throw this.statusError(
          ddi,
          args,
          opts.fn,
          `${ddi} returned ${statusName(result)}, which it may not return here (allowed: ${allowed})${errorConsequence(ddi, result)}`,
        );
      }
      call.status = result >>> 0;
    }
    call.result = result;
  }

  /**
   * When the kernel's own code failed on arguments whose shape the driver changed (a member turned
   * into a getter/setter, made read-only, a frozen object, a Proxy), that is the driver's fault.
   */
  private tampered(e: Error): DriverError | undefined {
    const sandbox = this.code?.sandbox;
    for (let i = this.recent.length - 1; i >= 0; i--) {
      const call = this.recent[i];
      const found = findTampering(call.args, 'the arguments', sandbox, 0);
      if (!found) continue;
      const location = (found.fn !== undefined ? this.code?.sourceMap.locateFunction(found.fn) : undefined) ?? this.implementationOf(call.ddi);
      const where = location ? `\n  at ${location.file}:${location.line}:${location.column}` : '';
      return new DriverError(
        'contract',
        `${call.ddi} ${found.what}, and the kernel could not use it (${e.message}): a driver changes the values of its arguments' members, never their kind${where}`,
        { location, ddi: call.ddi },
      );
    }
    return undefined;
  }

  /** A DriverError for a bad return value, located at the driver's implementation of the DDI. */
  statusError(ddi: string, args: unknown, fn: unknown, message: string): DriverError {
    const location = this.implementationOf(ddi, fn);
    const where = location ? `\n  at ${location.file}:${location.line}:${location.column}` : '';
    return new DriverError('status', `${message}\n  arguments: ${this.describeArgs(args)}${where}`, { ddi, args, location });
  }

  /** A DDI that returned a Promise (an async function): refused, and the Promise marked handled so its rejection cannot end the host. */
  private promiseError(ddi: string, args: unknown, fn: unknown, promise: Promise<unknown>): DriverError {
    try {
      Promise.prototype.then.call(promise, undefined, () => undefined);
    } catch {
      // A Promise whose `constructor` the driver broke: its rejection is counted by the sandbox.
    }
    const shown = inspectQuietly(promise);
    const rejected = /<rejected>\s*([^\n]*)/.exec(shown);
    const state = rejected ? `(rejected with ${rejected[1].replace(/[\s{]+$/, '')})` : shown.includes('<pending>') ? '(pending)' : '(fulfilled)';
    return this.statusError(
      ddi,
      args,
      fn,
      `${ddi} returned a Promise ${state}: the kernel calls a DDI synchronously and uses what it returns at once, so a DDI cannot be an async function or wait for anything`,
    );
  }

  /** The arguments for a report: described without ever failing (the driver may have left anything in them). */
  private describeArgs(args: unknown): string {
    try {
      return describeValue(args);
    } catch (e) {
      return `<could not be described: ${describeThrown(e)}>`;
    }
  }

  /** Where the driver implements `ddi`: the function it registered (found by its code, whatever its name), else by name. */
  implementationOf(ddi: string, fn?: unknown): SourceLocation | undefined {
    const f = typeof fn === 'function' ? fn : this.functionOf?.(ddi);
    const map = this.code?.sourceMap;
    if (map && typeof f === 'function') {
      const l = map.locateFunction(f);
      if (l) return l;
    }
    const name = typeof f === 'function' ? quietName(f) : '';
    return (name ? this.definitionOf(name, false) : undefined) ?? this.definitionOf(ddi, false);
  }

  /** Where the driver defines the DDI or function named `name`: the function it registered when known, else a declaration, method or property of that name. */
  definitionOf(name: string, registered = true): SourceLocation | undefined {
    if (registered && this.code) {
      const f = this.functionOf?.(name);
      const l = typeof f === 'function' ? this.code.sourceMap.locateFunction(f) : undefined;
      if (l) return l;
    }
    if (this.definitions.has(name)) return this.definitions.get(name);
    const found = declarationIn(this.files, name);
    this.definitions.set(name, found);
    return found;
  }
}

/** Where `files` declare a function, method or function-valued property named `name` (the first, by source text). */
export function declarationIn(files: readonly string[], name: string): SourceLocation | undefined {
  const patterns = [
    new RegExp(`function\\s*\\*?\\s*${name}\\s*\\(`),
    new RegExp(`^\\s*(?:async\\s+)?${name}\\s*\\(`),
    new RegExp(`\\b${name}\\s*[:=]\\s*(?:function|\\(|async|[A-Za-z_$][\\w$]*\\s*=>)`),
  ];
  for (const re of patterns) {
    for (const file of files) {
      let lines: string[];
      try {
        lines = readFileSync(file, 'utf8').split('\n');
      } catch {
        continue;
      }
      for (let i = 0; i < lines.length; i++) {
        const m = re.exec(lines[i]);
        if (m) return { file, line: i + 1, column: m.index + 1, lineText: lines[i] };
      }
    }
  }
  return undefined;
}

/** What the driver did to the shape of the kernel's argument objects, if anything (plain objects and arrays only, a few levels down). */
function findTampering(v: unknown, path: string, sandbox: DriverSandbox | undefined, depth: number): { what: string; fn?: unknown } | undefined {
  if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v) || types.isAnyArrayBuffer(v)) return undefined;
  if (types.isProxy(v)) return { what: `left a Proxy in ${path}` };
  if (sandbox?.owns(v)) return undefined; // the driver's own object (a handle, its context)
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return undefined;
  if (!Object.isExtensible(v)) return { what: `froze or sealed ${path}` };
  for (const key of Object.keys(v)) {
    const d = Object.getOwnPropertyDescriptor(v, key);
    if (!d) continue;
    const member = `${path === 'the arguments' ? '' : path + '.'}${key}`;
    if (d.get || d.set) {
      // The verifier's own accessors (pDmaBuffer.Offset during a call) are not the driver's doing.
      if (sandbox && !sandbox.owns(d.get ?? d.set)) continue;
      return { what: `turned ${member} into an accessor (a getter/setter)`, fn: d.get ?? d.set };
    }
    if (!d.writable) return { what: `made ${member} read-only` };
    if (depth < 3) {
      const inner = findTampering(d.value, member, sandbox, depth + 1);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** `e instanceof C`, without running a Proxy's traps. */
function isOurs<T>(e: unknown, C: abstract new (...args: never[]) => T): e is T {
  return typeof e === 'object' && e !== null && !types.isProxy(e) && e instanceof C;
}

function quietName(f: unknown): string {
  try {
    const n = (f as { name?: unknown }).name;
    return typeof n === 'string' && /^[A-Za-z_$][\w$]*$/.test(n) ? n : '';
  } catch {
    return '';
  }
}
