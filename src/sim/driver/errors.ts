// What goes wrong with a driver, said so the author can fix it: which DDI, with which arguments,
// and where in the driver's own TypeScript (file, line, column), found through the source map.

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  lineText?: string;
}

export type DriverErrorKind = 'compile' | 'load' | 'throw' | 'status' | 'contract';

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

  /** Wraps something a driver threw, locating the innermost frame inside the driver's files. */
  static fromThrow(kind: DriverErrorKind, thrown: unknown, driverFiles: readonly string[], what: string, ddi?: string, args?: unknown): DriverError {
    const err = thrown instanceof Error ? thrown : new Error(String(thrown));
    const location = locateInFiles(err.stack ?? '', driverFiles);
    const where = location ? ` at ${location.file}:${location.line}:${location.column}` : '';
    return new DriverError(kind, `${what}${where}: ${err.name}: ${err.message}`, {
      location,
      ddi,
      args,
      driverStack: err.stack,
    });
  }
}

/** The first stack frame that points into one of `files` (stack frames are source-mapped by Node). */
export function locateInFiles(stack: string, files: readonly string[]): SourceLocation | undefined {
  for (const line of stack.split('\n')) {
    const m = /\(?((?:[A-Za-z]:)?[^():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    const file = m[1].replace(/^at\s+/, '').trim();
    if (files.includes(file)) return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}
