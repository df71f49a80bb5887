// Every call into the driver goes through here: it yields the DDI's entry event (before the driver
// runs, with its arguments) and return event (with the status and the arguments as the driver left
// them), times the driver for the benchmark, and turns a throw or a status the DDI may not return
// into a DriverError naming the DDI, the arguments and the driver's file and line.

import { readFileSync } from 'node:fs';
import { type DdiName, statusName } from '../ddi/contract';
import { allowedStatuses, isAllowedStatus } from '../ddi/statusRules';
import { DriverError, locateInFiles, type SourceLocation } from '../driver/errors';
import { enterDriverCode, leaveDriverCode } from '../runtime/driverCode';
import { describeValue } from './describe';
import type { DdiCall, Gen, MachineEvent } from './events';

export type ReturnKind = 'status' | 'boolean' | 'void';

/** Sees each DDI call around the driver's code; may throw a DriverError (a verifier violation) to end the run. */
export interface DdiHook {
  before?(call: DdiCall, opts: { operation?: number; fn?: unknown }): void;
  after?(call: DdiCall, result: unknown, opts: { operation?: number; fn?: unknown }): void;
  threw?(call: DdiCall, error: unknown, opts: { operation?: number; fn?: unknown }): void;
}

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

  constructor(
    /** The driver's source files, to locate errors. Empty for drivers given as functions. */
    readonly files: readonly string[],
    private readonly now: () => number,
    private readonly cause: () => string[],
  ) {}

  *call<R>(
    ddi: DdiName,
    args: Record<string, unknown>,
    invoke: () => R,
    kind: ReturnKind,
    opts: { operation?: number; fn?: unknown } = {},
  ): Gen<R> {
    const call: DdiCall = { id: ++this.nextId, ddi, args, cause: this.cause() };
    this.current = call;
    this.calls++;
    yield { kind: 'ddi-entry', time: this.now(), call };
    let result: R;
    for (const h of this.hooks) h.before?.(call, opts);
    const t0 = performance.now();
    enterDriverCode(ddi);
    try {
      result = invoke();
    } catch (e) {
      if (e instanceof DriverError) {
        // A kernel callback refused what the driver passed: point at the driver's line that called it.
        if (e.location) throw e;
        const location = locateInFiles(e.stack ?? '', this.files);
        const where = location ? `\n  at ${location.file}:${location.line}:${location.column}` : '';
        throw new DriverError(e.kind, `${e.message} (during ${ddi})${where}`, { location, ddi, args, driverStack: e.stack });
      }
      for (const h of this.hooks) h.threw?.(call, e, opts);
      throw DriverError.fromThrow('throw', e, this.files, `${ddi} threw`, ddi, args);
    } finally {
      leaveDriverCode();
      this.driverMs += performance.now() - t0;
    }
    for (const h of this.hooks) h.after?.(call, result, opts);
    while (this.pending.length) yield this.pending.shift()!;
    if (kind === 'status') {
      if (typeof result !== 'number' || !Number.isInteger(result)) {
        throw this.statusError(ddi, args, opts.fn, `${ddi} returned ${describeValue(result)}, not an NTSTATUS`);
      }
      if (!isAllowedStatus(ddi, result, opts.operation)) {
        const allowed = allowedStatuses(ddi).map(statusName).join(', ');
        throw this.statusError(
          ddi,
          args,
          opts.fn,
          `${ddi} returned ${statusName(result)}, which it may not return here (allowed: ${allowed})`,
        );
      }
      call.status = result >>> 0;
    }
    call.result = result;
    yield { kind: 'ddi-return', time: this.now(), call };
    this.current = undefined;
    return result;
  }

  /** A DriverError for a bad return value, located at the driver's implementation of the DDI. */
  statusError(ddi: string, args: unknown, fn: unknown, message: string): DriverError {
    const location = typeof fn === 'function' ? this.definitionOf(fn.name || ddi) ?? this.definitionOf(ddi) : this.definitionOf(ddi);
    const where = location ? `\n  at ${location.file}:${location.line}:${location.column}` : '';
    return new DriverError('status', `${message}\n  arguments: ${describeValue(args)}${where}`, { ddi, args, location });
  }

  /** Where the driver defines a function named `name` (a declaration, a method or a property). */
  definitionOf(name: string): SourceLocation | undefined {
    if (this.definitions.has(name)) return this.definitions.get(name);
    let found: SourceLocation | undefined;
    const patterns = [
      new RegExp(`function\\s*\\*?\\s*${name}\\s*\\(`),
      new RegExp(`^\\s*(?:async\\s+)?${name}\\s*\\(`),
      new RegExp(`\\b${name}\\s*[:=]\\s*(?:function|\\(|async|[A-Za-z_$][\\w$]*\\s*=>)`),
    ];
    outer: for (const re of patterns) {
      for (const file of this.files) {
        let lines: string[];
        try {
          lines = readFileSync(file, 'utf8').split('\n');
        } catch {
          continue;
        }
        for (let i = 0; i < lines.length; i++) {
          const m = re.exec(lines[i]);
          if (m) {
            found = { file, line: i + 1, column: m.index + 1, lineText: lines[i] };
            break outer;
          }
        }
      }
    }
    this.definitions.set(name, found);
    return found;
  }
}
