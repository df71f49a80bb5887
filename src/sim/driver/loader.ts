// Loads a driver written in TypeScript: compiles it at run time with esbuild (WebAssembly build, in
// process), bundling the driver's own relative imports, with an inline source map so that errors and
// stack frames point into the user's .ts files and lines. `paging-lab/ddi` and `paging-lab/gpu` are
// provided by the simulator itself. Compiled code is cached by the content hash of every input file,
// so reloading an unchanged driver costs nothing.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import Module from 'node:module';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import * as ddi from '../ddi/contract';
import * as gpu from '../ddi/gpu';
import { esbuild, type EsbuildMessage } from './esbuildWasm';
import { DriverError, type SourceLocation } from './errors';
import { enterDriverCode, leaveDriverCode } from '../runtime/driverCode';

/** The modules a driver may import besides its own files. */
const PROVIDED: Record<string, unknown> = { 'paging-lab/ddi': ddi, 'paging-lab/gpu': gpu };

export type DriverEntryFunction = (DriverObject: ddi.DRIVER_OBJECT, RegistryPath: string) => ddi.NTSTATUS;

export interface LoadedDriver {
  /** Absolute path of the entry file. */
  file: string;
  /** Every source file compiled into the driver (absolute paths). */
  inputs: string[];
  /** Content hash of all inputs: the cache key. */
  hash: string;
  DriverEntry: DriverEntryFunction;
  /** Whether this load reused an earlier compilation. */
  cached: boolean;
}

interface Compiled {
  code: string;
  inputs: Map<string, string>; // path -> content hash
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

function cachedFor(entry: string): Compiled | undefined {
  const c = cache.get(entry);
  if (!c) return undefined;
  for (const [path, hash] of c.inputs) {
    if (!existsSync(path) || sha(readFileSync(path)) !== hash) return undefined;
  }
  return c;
}

async function compile(entry: string): Promise<Compiled> {
  const inputs = new Map<string, string>();
  const api = await esbuild();
  const plugin = {
    name: 'paging-lab-driver-files',
    setup(build: {
      onResolve(o: { filter: RegExp }, cb: (a: { path: string; importer: string; resolveDir: string }) => unknown): void;
      onLoad(o: { filter: RegExp }, cb: (a: { path: string }) => unknown): void;
    }) {
      build.onResolve({ filter: /.*/ }, (a) => {
        if (a.path in PROVIDED) return { path: a.path, external: true };
        if (a.importer === '' && isAbsolute(a.path)) return { path: a.path };
        if (a.path.startsWith('.') || isAbsolute(a.path)) {
          const found = resolveImport(a.path, a.resolveDir || dirname(a.importer));
          if (found) return { path: found };
          return { errors: [{ text: `cannot find '${a.path}' (imported from ${a.importer})` }] };
        }
        return {
          errors: [
            {
              text: `a driver may import 'paging-lab/ddi', 'paging-lab/gpu' and its own files, not '${a.path}'`,
            },
          ],
        };
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
      sourcemap: 'inline',
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
  const code = result.outputFiles?.[0]?.text ?? '';
  const hash = sha([...inputs].map(([p, h]) => `${p}\0${h}`).join('\n'));
  return { code, inputs, hash };
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

/** Evaluates compiled driver code as a CommonJS module whose `require` serves the provided modules. */
function evaluate(code: string, entry: string): Record<string, unknown> {
  // Stack traces of driver code map back to its TypeScript through the inline source map.
  process.setSourceMapsEnabled(true);
  type CompilableModule = Module & { _compile(code: string, filename: string): void };
  const m = new Module(entry) as CompilableModule;
  m.filename = entry;
  m.require = ((id: string) => {
    if (id in PROVIDED) return PROVIDED[id];
    throw new Error(`a driver may import 'paging-lab/ddi', 'paging-lab/gpu' and its own files, not '${id}'`);
  }) as NodeJS.Require;
  m._compile(code, entry);
  return m.exports as Record<string, unknown>;
}

/**
 * Compiles (or reuses) and evaluates the driver at `file`. Throws DriverError with the file and line
 * when it does not compile, throws while loading, or has no DriverEntry.
 */
export async function loadDriver(file: string): Promise<LoadedDriver> {
  const entry = resolve(file);
  if (!existsSync(entry)) throw new DriverError('load', `driver file not found: ${entry}`);
  let compiled = cachedFor(entry);
  const cached = !!compiled;
  if (!compiled) {
    compiled = await compile(entry);
    cache.set(entry, compiled);
  }
  const inputs = [...compiled.inputs.keys()];
  let exports: Record<string, unknown>;
  try {
    enterDriverCode('DriverEntry'); // the module's top level runs driver code: watched for a TDR like a DDI
    exports = evaluate(compiled.code, entry);
  } catch (e) {
    throw DriverError.fromThrow('load', e, inputs, 'the driver threw while loading');
  } finally {
    leaveDriverCode();
  }
  const DriverEntry = exports.DriverEntry ?? (exports.default as Record<string, unknown> | undefined)?.DriverEntry;
  if (typeof DriverEntry !== 'function') {
    throw new DriverError(
      'load',
      `${entry} does not export a DriverEntry function: add \`export function DriverEntry(DriverObject, RegistryPath) { return DxgkInitialize(DriverObject, RegistryPath, { ... }); }\``,
      { location: { file: entry, line: 1, column: 1 } },
    );
  }
  return { file: entry, inputs, hash: compiled.hash, DriverEntry: DriverEntry as DriverEntryFunction, cached };
}

/** Forgets compiled drivers (tests use it to measure a cold compile). */
export function clearDriverCache(): void {
  cache.clear();
}
