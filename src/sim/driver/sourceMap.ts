// Where a point of the driver's compiled script is in the driver's own TypeScript: the one service
// every report of a driver line goes through (thrown errors, kernel callbacks refusing an argument,
// verifier rules, the DDI implementations the debugger shows), whatever the driver's functions are
// called. Positions come from the compiler's source map through @jridgewell/trace-mapping; the
// stack is taken from V8's structured call sites (Error.captureStackTrace with a prepareStackTrace
// that returns them), so nothing depends on the function names or on how a stack is printed.

import { isAbsolute, resolve } from 'node:path';
import { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, TraceMap, generatedPositionFor, originalPositionFor, sourceContentFor } from '@jridgewell/trace-mapping';
import type { SourceLocation } from './errors';

/** A source map as the compiler writes it (version 3). */
export interface RawSourceMap {
  version: number;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
  file?: string;
  sourceRoot?: string;
}

/** The driver's compiled script: its own name (never the .ts path), its code and its source map. */
export interface DriverScript {
  /** The script's URL, as V8 (stack traces, the inspector's Debugger.scriptParsed) reports it. */
  name: string;
  code: string;
  /** The compiler's source map, `sources` made absolute paths of the driver's .ts files. */
  sourceMap: RawSourceMap;
}

/** A position in the generated script: 1-based line, 1-based column (as V8's call sites give them). */
export interface GeneratedPosition {
  line: number;
  column: number;
}

type CallSite = NodeJS.CallSite;

/** Frames looked at by `here()`: the kernel's few (accessor, callback, rule context) and the driver's. */
const HERE_FRAMES = 16;

/** The frames of the current stack, innermost first, as V8 call sites (at most `limit`). */
export function captureCallSites(limit = 64, skip?: (...args: never[]) => unknown): CallSite[] {
  const holder: { stack?: CallSite[] } = {};
  const prepare = Error.prepareStackTrace;
  const max = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = limit;
    Error.prepareStackTrace = (_e, sites) => sites;
    Error.captureStackTrace(holder, skip ?? captureCallSites);
    return holder.stack ?? [];
  } catch {
    return [];
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = max;
  }
}

export class DriverSourceMap {
  private readonly map: TraceMap;
  private lineStarts: number[] | undefined;
  private readonly functions = new WeakMap<object, SourceLocation | null>();
  /**
   * `original` by generated position: the verifier asks for the line of every write a rule may name
   * (each member of every DXGK_ALLOCATIONINFO...), from the same few lines again and again, and a
   * lookup cuts the source text into lines to give the line's text.
   */
  private readonly originals = new Map<number, SourceLocation | null>();

  constructor(readonly script: DriverScript) {
    this.map = new TraceMap(script.sourceMap as never);
  }

  /** The driver's source files (absolute paths), as the source map names them. */
  get files(): string[] {
    return this.script.sourceMap.sources.slice();
  }

  /** The .ts position of a generated position; undefined when it maps to no driver source. */
  original(pos: GeneratedPosition): SourceLocation | undefined {
    if (!(pos.line >= 1) || !(pos.column >= 1)) return undefined;
    const key = pos.column < 0x100000 ? pos.line * 0x100000 + pos.column : NaN;
    let found = Number.isSafeInteger(key) ? this.originals.get(key) : undefined;
    if (found === undefined) {
      found = this.lookUp(pos) ?? null;
      if (Number.isSafeInteger(key)) this.originals.set(key, found);
    }
    return found ? { ...found } : undefined;
  }

  private lookUp(pos: GeneratedPosition): SourceLocation | undefined {
    let o = originalPositionFor(this.map, { line: pos.line, column: pos.column - 1, bias: GREATEST_LOWER_BOUND });
    if (o.source === null) o = originalPositionFor(this.map, { line: pos.line, column: pos.column - 1, bias: LEAST_UPPER_BOUND });
    if (o.source === null || o.line === null || o.column === null) return undefined;
    const lineText = sourceContentFor(this.map, o.source)?.split('\n', o.line)[o.line - 1];
    return { file: o.source, line: o.line, column: o.column + 1, ...(lineText !== undefined ? { lineText: lineText.replace(/\r$/, '') } : {}) };
  }

  /** The generated position of a .ts position (1-based line and column); for placing breakpoints. */
  generated(file: string, line: number, column = 1): GeneratedPosition | undefined {
    const g = generatedPositionFor(this.map, { source: file, line, column: Math.max(0, column - 1), bias: LEAST_UPPER_BOUND });
    return g.line === null || g.column === null ? undefined : { line: g.line, column: g.column + 1 };
  }

  /** Whether a call site is in the driver's compiled script. */
  isDriverSite(site: CallSite): boolean {
    try {
      return site.getFileName() === this.script.name;
    } catch {
      return false;
    }
  }

  /** The .ts location of one call site of the driver's script. */
  siteLocation(site: CallSite): SourceLocation | undefined {
    if (!this.isDriverSite(site)) return undefined;
    return this.original({ line: site.getLineNumber() ?? 0, column: site.getColumnNumber() ?? 0 });
  }

  /** The innermost driver frame of `sites`, mapped to its .ts line. */
  locateSites(sites: readonly CallSite[]): SourceLocation | undefined {
    for (const s of sites) {
      const l = this.siteLocation(s);
      if (l) return l;
    }
    return undefined;
  }

  /** Where the driver is right now: the innermost driver frame of the current stack (for code the driver called). */
  here(): SourceLocation | undefined {
    // Callers are the kernel's accessors and callbacks, a few frames below the driver's line; V8's
    // cost grows with the frames taken, and the kernel's generators stack up dozens below them.
    return this.locateSites(captureCallSites(HERE_FRAMES, this.here));
  }

  /**
   * `here()` for a line that is rarely asked for: the stack is taken now, but turned into call sites
   * and mapped only when the returned function is called (V8 formats a captured stack on its first
   * read, with the `Error.prepareStackTrace` of that moment). The verifier notes the line of every
   * write a rule may name; almost none is ever asked for.
   */
  hereLater(): () => SourceLocation | undefined {
    const holder: { stack?: unknown } = {};
    const max = Error.stackTraceLimit;
    try {
      Error.stackTraceLimit = HERE_FRAMES;
      Error.captureStackTrace(holder, this.hereLater);
    } catch {
      return () => undefined;
    } finally {
      Error.stackTraceLimit = max;
    }
    let found: SourceLocation | null | undefined;
    return () => {
      if (found === undefined) {
        const prepare = Error.prepareStackTrace;
        let sites: unknown;
        try {
          Error.prepareStackTrace = (_e, s) => s;
          sites = holder.stack;
        } catch {
          sites = undefined;
        } finally {
          Error.prepareStackTrace = prepare;
        }
        found = (Array.isArray(sites) ? this.locateSites(sites as CallSite[]) : undefined) ?? null;
      }
      return found ?? undefined;
    };
  }

  /**
   * The innermost driver frame of a printed stack: frames naming the compiled script are mapped,
   * frames already printed as a driver .ts position (the driver's own errors print so) are taken as they are.
   */
  locateStack(stack: string): SourceLocation | undefined {
    const files = new Set(this.script.sourceMap.sources);
    for (const line of stack.split('\n')) {
      const m = /(?:\(|at\s+)([^()]*?):(\d+):(\d+)\)?\s*$/.exec(line.trim());
      if (!m) continue;
      const pos = { line: Number(m[2]), column: Number(m[3]) };
      if (m[1] === this.script.name) {
        const l = this.original(pos);
        if (l) return l;
      } else if (files.has(m[1])) {
        return { file: m[1], ...pos };
      }
    }
    return undefined;
  }

  /** A printed frame for a call site: driver frames name the .ts position, others as V8 prints them. */
  formatSite(site: CallSite): string {
    try {
      const l = this.siteLocation(site);
      if (!l) return `    at ${site.toString()}`;
      const fn = site.getFunctionName();
      const method = site.getMethodName();
      const type = site.isToplevel() ? null : site.getTypeName();
      const name = fn ? (type && !fn.startsWith(type + '.') && method ? `${type}.${fn}` : fn) : method ? `${type ?? '<anonymous>'}.${method}` : null;
      const where = `${l.file}:${l.line}:${l.column}`;
      return `    at ${site.isAsync() ? 'async ' : ''}${site.isConstructor() ? 'new ' : ''}${name ? `${name} (${where})` : where}`;
    } catch {
      return '    at <unknown>';
    }
  }

  /**
   * Where the driver defines `fn`: found by the function's own source text in the compiled script
   * (V8 gives it exactly), so it holds for any name, a method, an arrow function or an alias.
   */
  locateFunction(fn: unknown): SourceLocation | undefined {
    if (typeof fn !== 'function') return undefined;
    const cached = this.functions.get(fn);
    if (cached !== undefined) return cached ?? undefined;
    let found: SourceLocation | undefined;
    try {
      const text = Function.prototype.toString.call(fn);
      const at = text.length > 8 && !text.endsWith('{ [native code] }') ? this.script.code.indexOf(text) : -1;
      if (at >= 0) found = this.original(this.positionOf(at));
    } catch {
      // A revoked proxy or an exotic function: no location.
    }
    this.functions.set(fn, found ?? null);
    return found;
  }

  /** The line and column (1-based) of a character offset in the compiled script. */
  positionOf(offset: number): GeneratedPosition {
    if (!this.lineStarts) {
      const starts = [0];
      const code = this.script.code;
      for (let i = code.indexOf('\n'); i >= 0; i = code.indexOf('\n', i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
    }
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  }
}

/** Makes a compiler's source map name absolute paths (esbuild names sources relative to the output file). */
export function absoluteSources(map: RawSourceMap, outputDir: string, inputs: readonly string[]): RawSourceMap {
  const sources = map.sources.map((s) => {
    const p = isAbsolute(s) ? s : resolve(outputDir, map.sourceRoot ?? '', s);
    if (inputs.includes(p)) return p;
    const tail = s.replace(/\\/g, '/').replace(/^(\.\.\/)+/, '');
    return inputs.find((i) => i.replace(/\\/g, '/').endsWith('/' + tail)) ?? p;
  });
  return { ...map, sources, sourceRoot: undefined };
}
