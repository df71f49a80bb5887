// Compilations of drivers kept on disk between processes. Each debug session, `paging-lab run` and
// `paging-lab test` start a process whose esbuild (WebAssembly) is cold: there, compiling the
// reference driver took 0.8-1.1 s, most of it the compiler warming up, against 0.1 s in a process
// that had compiled once. A stored compilation is used only when it was made by this Paging Lab and
// this esbuild, and the loader has found every file that went into it unchanged (loader.ts); a
// missing, unreadable or damaged entry, or a folder that cannot be written, means compiling as
// before. The folder is the user's own cache folder (what is stored there is run as code, so never
// a shared one such as /tmp: on POSIX it must belong to this user and be closed to others), or
// PAGING_LAB_CACHE_DIR (`off`: no cache).

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { version as TOOL_VERSION } from '../../../package.json';
import { compilerFiles } from './esbuildWasm';
import type { DriverScript } from './sourceMap';

/** A compilation as stored: the script, each input with its content hash, and how each import was resolved. */
export interface StoredCompilation {
  entry: string;
  script: DriverScript;
  inputs: [string, string][];
  /** [specifier, directory it was resolved from, the file it resolved to]. */
  resolutions: [string, string, string][];
  hash: string;
}

let compiler: string | undefined;

/**
 * What makes this process's compilations: Paging Lab's version and the esbuild files it loads (their
 * sizes: another esbuild is another build); a compilation stored by any other is not used.
 */
function compilerId(): string {
  if (compiler === undefined) {
    const files = compilerFiles();
    compiler = `paging-lab ${TOOL_VERSION}, esbuild ${files ? `${statSync(files.wasm).size}/${statSync(files.js).size}` : 'none'}, format 1`;
  }
  return compiler;
}

/** The user's home folder, or '' when there is none to be found. */
function homeFolder(): string {
  try {
    return homedir();
  } catch {
    return '';
  }
}

/** The folder compilations are kept in, or undefined when there is none (the arguments: for tests). */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homeFolder()): string | undefined {
  const set = env.PAGING_LAB_CACHE_DIR;
  if (set === 'off') return undefined;
  if (set) return set;
  // The XDG variable counts only as an absolute path, as its specification says.
  const xdg = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : undefined;
  // Without a home folder the path would be relative: the cache would land in whatever folder the
  // run started in. No cache then, unless the platform's variable says where.
  const at = (...parts: string[]): string | undefined => (isAbsolute(home) ? join(home, ...parts) : undefined);
  const base = platform === 'win32' ? (env.LOCALAPPDATA ?? at('AppData', 'Local')) : platform === 'darwin' ? at('Library', 'Caches') : (xdg ?? at('.cache'));
  return base === undefined ? undefined : join(base, 'paging-lab', 'drivers');
}

/** Whether `dir` is this user's alone (POSIX); elsewhere the user's own cache folder is private already. */
function isPrivate(dir: string): boolean {
  if (typeof process.getuid !== 'function') return true;
  const st = statSync(dir);
  return st.isDirectory() && st.uid === process.getuid() && (st.mode & 0o022) === 0;
}

function fileFor(dir: string, entry: string): string {
  return join(dir, `${createHash('sha256').update(entry).digest('hex').slice(0, 32)}.json`);
}

/** The stored compilation of `entry` made by this compiler, if there is a readable one (its inputs not checked here). */
export function readStoredCompilation(entry: string): StoredCompilation | undefined {
  const dir = compileCacheDir();
  if (!dir) return undefined;
  try {
    if (!isPrivate(dir)) return undefined;
    const r = JSON.parse(readFileSync(fileFor(dir, entry), 'utf8')) as Partial<StoredCompilation> & { compiler?: unknown };
    const wellFormed =
      r.compiler === compilerId() &&
      r.entry === entry &&
      typeof r.hash === 'string' &&
      typeof r.script?.name === 'string' &&
      typeof r.script.code === 'string' &&
      typeof r.script.sourceMap === 'object' &&
      r.script.sourceMap !== null &&
      Array.isArray(r.inputs) &&
      r.inputs.every((i) => Array.isArray(i) && typeof i[0] === 'string' && typeof i[1] === 'string') &&
      Array.isArray(r.resolutions) &&
      r.resolutions.every((x) => Array.isArray(x) && x.length === 3 && x.every((s) => typeof s === 'string'));
    return wellFormed ? (r as StoredCompilation) : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps `c` for the next process; a folder that cannot be written only costs that process a compilation. */
export function storeCompilation(c: StoredCompilation): void {
  const dir = compileCacheDir();
  if (!dir) return;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!isPrivate(dir)) return;
    const file = fileFor(dir, c.entry);
    // Written aside, then renamed over: workers of `paging-lab test` may store the same driver at once.
    const aside = `${file}.${process.pid}-${threadId}.tmp`;
    writeFileSync(aside, JSON.stringify({ compiler: compilerId(), ...c }));
    renameSync(aside, file);
  } catch {
    // Read-only or full: compile next time.
  }
}
