// The one way the timeline's column stores (moments.ts, callColumns.ts, writeLog.ts) grow: a typed
// array of the same kind, `cap` long, with the old one's values at its start.

type Column = Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Int16Array<ArrayBuffer> | Uint16Array<ArrayBuffer> | Uint8Array<ArrayBuffer>;

export function grown<T extends Column>(a: T, cap: number): T {
  const b = new (a.constructor as new (length: number) => T)(cap);
  (b as unknown as { set(values: ArrayLike<number>): void }).set(a);
  return b;
}
