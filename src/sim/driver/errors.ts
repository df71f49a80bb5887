// What goes wrong with a driver, said so the author can fix it: which DDI, with which arguments,
// and where in the driver's own TypeScript (file, line, column), found through the source map.
// Whatever a driver throws (an Error, a string, an object with no prototype, a Proxy, an object
// whose getters throw) is described without running the driver's code and without failing.

import { types } from 'node:util';

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  lineText?: string;
}

export type DriverErrorKind = 'compile' | 'load' | 'throw' | 'status' | 'contract';

/** Finds the driver line in a printed stack (the driver's source map, or the .ts paths of drivers compiled with Node's own source maps). */
export type StackLocator = (stack: string) => SourceLocation | undefined;

export class DriverError extends Error {
  readonly kind: DriverErrorKind;
  readonly location?: SourceLocation;
  readonly ddi?: string;
  readonly args?: unknown;
  /** The driver's own stack (mapped to its sources), when it threw. */
  readonly driverStack?: string;

  constructor(
    kind: DriverErrorKind,
    message: string,
    extra: { location?: SourceLocation; ddi?: string; args?: unknown; driverStack?: string } = {},
  ) {
    super(message);
    this.name = 'DriverError';
    this.kind = kind;
    this.location = extra.location;
    this.ddi = extra.ddi;
    this.args = extra.args;
    this.driverStack = extra.driverStack;
  }

  /**
   * Wraps something a driver threw, located at the innermost frame of its stack inside the driver
   * (`locate`: the driver's source map, or a list of its files), else at `fallback` (the DDI's own line).
   */
  static fromThrow(
    kind: DriverErrorKind,
    thrown: unknown,
    locate: StackLocator | readonly string[],
    what: string,
    ddi?: string,
    args?: unknown,
    fallback?: SourceLocation,
  ): DriverError {
    const find: StackLocator = typeof locate === 'function' ? locate : (s) => locateInFiles(s, locate);
    const stack = thrownStack(thrown);
    const location = (stack && find(stack)) || fallback;
    const where = location ? ` at ${location.file}:${location.line}:${location.column}` : '';
    return new DriverError(kind, `${what}${where}: ${describeThrown(thrown)}`, { location, ddi, args, driverStack: stack });
  }
}

/** The first stack frame that points into one of `files` (frames printed with .ts paths). */
export function locateInFiles(stack: string, files: readonly string[]): SourceLocation | undefined {
  for (const line of stack.split('\n')) {
    const m = /\(?((?:[A-Za-z]:)?[^():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    const file = m[1].replace(/^at\s+/, '').trim();
    if (files.includes(file)) return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

/** Reads a property without letting a getter or a Proxy trap escape (undefined if it throws). */
function quietly<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** The printed stack of a thrown value, if it carries one (never runs a Proxy's traps). */
export function thrownStack(thrown: unknown): string | undefined {
  if ((typeof thrown !== 'object' && typeof thrown !== 'function') || thrown === null || types.isProxy(thrown)) return undefined;
  const stack = quietly(() => (thrown as { stack?: unknown }).stack);
  return typeof stack === 'string' ? stack : undefined;
}

/** One line saying what was thrown: `TypeError: x is not a function`, `the string "busy"`, `a Proxy`... */
export function describeThrown(thrown: unknown): string {
  switch (typeof thrown) {
    case 'string':
      return `the string ${JSON.stringify(thrown.length > 200 ? thrown.slice(0, 200) + '…' : thrown)} (throw an Error to get a stack)`;
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return `the ${typeof thrown} ${String(thrown)}${typeof thrown === 'bigint' ? 'n' : ''} (throw an Error to get a stack)`;
    case 'symbol':
      return `${String(thrown)} (throw an Error to get a stack)`;
  }
  if (thrown === null) return 'null (throw an Error to get a stack)';
  if (types.isProxy(thrown)) return 'a Proxy (its traps were not run; throw an Error to get a stack)';
  const o = thrown as Record<string, unknown>;
  const proto = quietly(() => Object.getPrototypeOf(o) as unknown);
  const name = quietly(() => o.name);
  const message = quietly(() => o.message);
  if (typeof name === 'string' && typeof message === 'string') return message ? `${name}: ${message}` : name;
  if (typeof message === 'string') return `an object with message ${JSON.stringify(message)}`;
  if (proto === null) {
    const keys = quietly(() => Object.keys(o)) ?? [];
    return `an object with no prototype${keys.length ? ` { ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''} }` : ''} (throw an Error to get a stack)`;
  }
  const tag = quietly(() => Object.prototype.toString.call(o)) ?? '[object]';
  const ctor = quietly(() => (proto as { constructor?: { name?: unknown } }).constructor?.name);
  return `${typeof ctor === 'string' && ctor ? `a ${ctor}` : tag} that is not an Error (throw an Error to get a stack)`;
}
