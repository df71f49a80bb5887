// A DAP request's arguments, checked: each reader names the argument and says what it must be, so
// the error response a client gets says what to fix. Also the error codes the session answers with.

/** A request the client got wrong (or made at the wrong time); answered with an error response that says what to fix. */
export class RequestError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** The `id` of an error response's message, by what went wrong. */
export const E_LAUNCH = 1001;
export const E_STATE = 1003;
export const E_ARGS = 1004;
export const E_GONE = 1005;
export const E_RUNTIME = 1006;
export const E_UNKNOWN = 1014;

export type Args = Record<string, unknown>;

export function argInt(args: Args, name: string, opts: { optional?: boolean; min?: number; max?: number } = {}): number {
  const v = args[name];
  if (v === undefined && opts.optional) return NaN;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new RequestError(E_ARGS, `'${name}' must be an integer, got ${JSON.stringify(v) ?? 'nothing'}`);
  if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
    throw new RequestError(E_ARGS, `'${name}' must be from ${opts.min ?? '-∞'} to ${opts.max ?? '∞'}, got ${v}`);
  }
  return v;
}

export function argString(args: Args, name: string, optional = false): string {
  const v = args[name];
  if (v === undefined && optional) return '';
  if (typeof v !== 'string') throw new RequestError(E_ARGS, `'${name}' must be a string, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}

export function argArray(args: Args, name: string, optional = false): unknown[] {
  const v = args[name];
  if (v === undefined && optional) return [];
  if (!Array.isArray(v)) throw new RequestError(E_ARGS, `'${name}' must be an array, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}

/** A string argument that may be left out (undefined, null or empty). */
export function optString(o: Args, name: string): string | undefined {
  const v = o[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new RequestError(E_ARGS, `'${name}' must be a string, got ${JSON.stringify(v)}`);
  return v;
}

export function asObject(v: unknown, what: string): Args {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RequestError(E_ARGS, `${what} must be an object`);
  return v as Args;
}
