// Loads a driver written in TypeScript: compiles it at run time with esbuild (WebAssembly build, in
// process), bundling the driver's own relative imports, and keeps the compiler's source map beside
// the code, so errors, stack frames and the debugger point into the user's .ts files and lines. The
// compiled script has its own name (`paging-lab-driver:` + the entry's path + `.js`), never the .ts
// path. Each run evaluates it in a context of its own (sandbox.ts): `paging-lab/ddi` and
// `paging-lab/gpu` provided, the seed and virtual time behind Math.random/Date/performance.now.
// Compiled code is cached by the content hash of every input file and the file each import resolved
// to, in this process and on disk for the next ones (compileCache.ts), so reloading an unchanged
// driver costs nothing.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as ddi from '../ddi/contract';
import { readStoredCompilation, type StoredCompilation, storeCompilation } from './compileCache';
import { esbuild, type EsbuildMessage } from './esbuildWasm';
import { DriverError, type SourceLocation } from './errors';
import { DriverSandbox, importRefusal, PROVIDED_MODULES, type DriverEnvironment } from './sandbox';
import { absoluteSources, DriverSourceMap, type DriverScript, type RawSourceMap } from './sourceMap';
import { enterDriverCode, leaveDriverCode } from '../runtime/driverCode';

export type DriverEntryFunction = (DriverObject: ddi.DRIVER_OBJECT, RegistryPath: string) => ddi.NTSTATUS;

/** A compiled driver, before any run: what the debugger needs to place breakpoints before it runs. */
export interface CompiledDriver {
  /** Absolute path of the entry file. */
  file: string;
  /** Every source file compiled into the driver (absolute paths). */
  inputs: string[];
  /** Content hash of all inputs: the cache key. */
  hash: string;
  /** The compiled script (its name, code and source map). */
  script: DriverScript;
  /** The script's positions in the .ts sources and back. */
  sourceMap: DriverSourceMap;
  /** Whether this load reused an earlier compilation. */
  cached: boolean;
}

/** A compiled driver evaluated in a context of its own, ready for a run. */
export interface LoadedDriver extends CompiledDriver {
  DriverEntry: DriverEntryFunction;
  /** The driver's context: microtasks, realm checks. */
  sandbox: DriverSandbox;
}

interface Compiled {
  script: DriverScript;
  sourceMap: DriverSourceMap;
  inputs: Map<string, string>; // path -> content hash
  /** Each relative import: [specifier, directory resolved from, file found]. */
  resolutions: [string, string, string][];
  hash: string;
}

const cache = new Map<string, Compiled>();

function sha(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Resolves a relative import from `from` the way TypeScript projects expect (.ts first). */
function resolveImport(spec: string, fromDir: string): string | undefined {
  const base = resolve(fromDir, spec);
  const tries = [base, `${base}.ts`, `${base}.js`, `${base}/index.ts`, `${base}/index.js`];
  if (extname(base) === '.js') tries.unshift(base.slice(0, -3) + '.ts');
  return tries.find((p) => existsSync(p) && statSync(p).isFile());
}

/** A compilation from its plain data (stored on disk, or handed over by another thread). */
function fromData(d: StoredCompilation): Compiled {
  return { script: d.script, sourceMap: new DriverSourceMap(d.script), inputs: new Map(d.inputs), resolutions: d.resolutions, hash: d.hash };
}

/** A compilation's plain data, to store or to hand to another thread. */
function dataOf(entry: string, c: Omit<Compiled, 'sourceMap'>): StoredCompilation {
  return { entry, script: c.script, inputs: [...c.inputs], resolutions: c.resolutions, hash: c.hash };
}

/** Whether the files a compilation read still hold what it read, and its imports still find the same files. */
function unchanged(inputs: Iterable<[string, string]>, resolutions: readonly [string, string, string][]): boolean {
  for (const [path, hash] of inputs) {
    if (!existsSync(path) || sha(readFileSync(path)) !== hash) return false;
  }
  // A file added beside an import (`./x.ts` where `./x/index.ts` was found) changes the driver too.
  for (const [spec, dir, found] of resolutions) if (resolveImport(spec, dir) !== found) return false;
  return true;
}

/** This process's compilation of `entry`, else the one stored on disk, when still valid. */
function cachedFor(entry: string): Compiled | undefined {
  const c = cache.get(entry);
  if (c && unchanged(c.inputs, c.resolutions)) return c;
  const s = readStoredCompilation(entry);
  if (!s || !unchanged(s.inputs, s.resolutions)) return undefined;
  const kept = fromData(s);
  cache.set(entry, kept);
  return kept;
}

async function compile(entry: string): Promise<Compiled> {
  const inputs = new Map<string, string>();
  const resolutions: [string, string, string][] = [];
  const api = await esbuild();
  const plugin = {
    name: 'paging-lab-driver-files',
    setup(build: {
      onResolve(o: { filter: RegExp }, cb: (a: { path: string; importer: string; resolveDir: string }) => unknown): void;
      onLoad(o: { filter: RegExp }, cb: (a: { path: string }) => unknown): void;
    }) {
      build.onResolve({ filter: /.*/ }, (a) => {
        if (a.path in PROVIDED_MODULES) return { path: a.path, external: true };
        if (a.importer === '' && isAbsolute(a.path)) return { path: a.path };
        if (a.path.startsWith('.') || isAbsolute(a.path)) {
          const from = a.resolveDir || dirname(a.importer);
          const found = resolveImport(a.path, from);
          if (found) {
            resolutions.push([a.path, from, found]);
            return { path: found };
          }
          return { errors: [{ text: `cannot find '${a.path}' (imported from ${a.importer})` }] };
        }
        return { errors: [{ text: importRefusal(a.path) }] };
      });
      build.onLoad({ filter: /.*/ }, (a) => {
        const text = readFileSync(a.path, 'utf8');
        inputs.set(a.path, sha(text));
        const ext = extname(a.path);
        return { contents: text, loader: ext === '.js' ? 'js' : 'ts', resolveDir: dirname(a.path) };
      });
    },
  };
  let result;
  try {
    result = await api.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      sourcemap: 'external',
      sourcesContent: true,
      outfile: `${entry}.js`,
      logLevel: 'silent',
      plugins: [plugin],
    });
  } catch (e) {
    const errors = (e as { errors?: EsbuildMessage[] }).errors ?? [];
    throw compileError(entry, absolute(errors, inputs), e);
  }
  if (result.errors.length) throw compileError(entry, absolute(result.errors, inputs));
  const code = result.outputFiles?.find((f) => f.path.endsWith('.js'))?.text ?? '';
  const mapText = result.outputFiles?.find((f) => f.path.endsWith('.map'))?.text;
  const raw: RawSourceMap = mapText ? (JSON.parse(mapText) as RawSourceMap) : { version: 3, sources: [], names: [], mappings: '' };
  const script: DriverScript = { name: scriptName(entry), code, sourceMap: absoluteSources(raw, dirname(entry), [...inputs.keys()]) };
  const hash = sha([...inputs].map(([p, h]) => `${p}\0${h}`).join('\n'));
  storeCompilation(dataOf(entry, { script, inputs, resolutions, hash }));
  return { script, sourceMap: new DriverSourceMap(script), inputs, resolutions, hash };
}

/** esbuild-wasm names files relative to its own working directory: map them back to the inputs. */
function absolute(errors: EsbuildMessage[], inputs: Map<string, string>): EsbuildMessage[] {
  return errors.map((m) => {
    if (!m.location || isAbsolute(m.location.file)) return m;
    const rel = m.location.file.replace(/\\/g, '/').replace(/^(\.\.\/)+/, '');
    const file = [...inputs.keys()].find((p) => p.replace(/\\/g, '/').endsWith('/' + rel)) ?? resolve('/', rel);
    return { ...m, location: { ...m.location, file } };
  });
}

function compileError(entry: string, errors: EsbuildMessage[], cause?: unknown): DriverError {
  if (!errors.length) {
    return new DriverError('compile', `cannot compile ${entry}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  const lines = errors.map((m) =>
    m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: error: ${m.text}` : `error: ${m.text}`,
  );
  const first = errors.find((m) => m.location)?.location;
  const location: SourceLocation | undefined = first
    ? { file: first.file, line: first.line, column: first.column + 1, lineText: first.lineText }
    : undefined;
  return new DriverError('compile', `the driver does not compile:\n  ${lines.join('\n  ')}`, { location });
}

/** The compiled script's own name: a URL that is not the .ts file's, so the inspector and the editor never confuse them. */
export function scriptName(entry: string): string {
  return pathToFileURL(entry).href.replace(/^file:/, 'paging-lab-driver:') + '.js';
}

/** Compiles the driver at `file` (or reuses the compilation of unchanged sources). Throws DriverError when it does not compile. */
export async function compileDriver(file: string): Promise<CompiledDriver> {
  const entry = resolve(file);
  if (!existsSync(entry)) throw new DriverError('load', `driver file not found: ${entry}`);
  let compiled = cachedFor(entry);
  const cached = !!compiled;
  if (!compiled) {
    compiled = await compile(entry);
    cache.set(entry, compiled);
  }
  return { file: entry, inputs: [...compiled.inputs.keys()], hash: compiled.hash, script: compiled.script, sourceMap: compiled.sourceMap, cached };
}

/**
 * A compilation as plain data, for another thread (postMessage): the script, each input file with
 * the hash of the content it was compiled from, and how its imports resolved. The same data is what
 * is kept on disk for other processes.
 */
export type PortableCompilation = StoredCompilation;

/** The compilation `compileDriver` made of `driver`, as plain data another thread can adopt. */
export function portableCompilation(driver: CompiledDriver): PortableCompilation | undefined {
  const c = cache.get(driver.file);
  return c && c.hash === driver.hash ? dataOf(driver.file, c) : undefined;
}

/**
 * Takes another thread's compilation of a driver into this thread's cache, so loading it here
 * compiles nothing (esbuild is not even started). The cache still checks the inputs' contents and
 * the imports at each load: a file changed since is compiled again.
 */
export function adoptCompilation(p: PortableCompilation): void {
  cache.set(p.entry, fromData(p));
}

/** The environment of a driver evaluated outside a run (tests): virtual time 0, seed 1, console to stderr. */
export const STANDALONE_ENVIRONMENT: DriverEnvironment = {
  seed: 1,
  now: () => 0,
  print: (_level, text) => process.stderr.write(`driver: ${text}\n`),
};

/**
 * Evaluates a compiled driver in a new context of its own (its module's top level runs here, watched
 * for a TDR like DriverEntry). Throws DriverError with the file and line when the module throws or
 * has no DriverEntry.
 */
export function instantiateDriver(d: CompiledDriver, env: DriverEnvironment = STANDALONE_ENVIRONMENT): LoadedDriver {
  const sandbox = new DriverSandbox(env);
  const locate = (stack: string): SourceLocation | undefined => d.sourceMap.locateStack(stack);
  let DriverEntry: unknown;
  try {
    enterDriverCode('DriverEntry'); // the module's top level runs driver code: watched for a TDR like a DDI
    const exports = sandbox.evaluate(d.script.code, d.sourceMap);
    DriverEntry = exports.DriverEntry ?? (exports.default as Record<string, unknown> | undefined)?.DriverEntry;
  } catch (e) {
    throw DriverError.fromThrow('load', e, locate, 'the driver threw while loading');
  } finally {
    leaveDriverCode();
  }
  if (typeof DriverEntry !== 'function') {
    throw new DriverError(
      'load',
      `${d.file} does not export a DriverEntry function: add \`export function DriverEntry(DriverObject, RegistryPath) { return DxgkInitialize(DriverObject, RegistryPath, { ... }); }\``,
      { location: { file: d.file, line: 1, column: 1 } },
    );
  }
  return { ...d, DriverEntry: DriverEntry as DriverEntryFunction, sandbox };
}

/** Compiles (or reuses) the driver at `file` and evaluates it in a context of its own. */
export async function loadDriver(file: string, env?: DriverEnvironment): Promise<LoadedDriver> {
  return instantiateDriver(await compileDriver(file), env);
}
