// Validates a `wddm` launch configuration and resolves it to what the runtime needs. Every problem
// names the attribute and says what to put there, because the user sees it as a launch error.

import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve, extname } from 'node:path';

export interface ResolvedLaunch {
  mode: 'program' | 'driver';
  /** Absolute path of the `.pgasm` program (program mode). */
  program?: string;
  /** Absolute path of the driver module; undefined: the bundled reference driver. */
  driver?: string;
  /** Absolute path of the scenario; undefined: the bundled default scenario. */
  scenario?: string;
  seed: number;
  stopOnEntry: boolean;
  /** Wall-clock time a driver call may run without returning before it is declared hung; undefined: the scenario's, else the default. */
  tdrDelayMs?: number;
  verifier: boolean;
}

export class LaunchError extends Error {
  constructor(readonly attribute: string, message: string) {
    super(`'${attribute}': ${message}`);
  }
}

function file(args: Record<string, unknown>, name: string, exts: string[], cwd: string): string | undefined {
  const v = args[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.trim() === '') {
    throw new LaunchError(name, `must be a path to a ${exts.join(' or ')} file, got ${JSON.stringify(v)}`);
  }
  if (v.includes('${')) throw new LaunchError(name, `contains an unresolved variable: ${v}`);
  const p = isAbsolute(v) ? v : resolve(cwd, v);
  if (!exts.includes(extname(p).toLowerCase())) {
    throw new LaunchError(name, `must be a ${exts.join(' or ')} file, got ${v}`);
  }
  if (!existsSync(p)) throw new LaunchError(name, `file not found: ${p}`);
  if (!statSync(p).isFile()) throw new LaunchError(name, `is not a file: ${p}`);
  return p;
}

/** Checks `args` (the launch request's arguments); throws LaunchError on the first problem. */
export function resolveLaunch(raw: unknown): ResolvedLaunch {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new LaunchError('arguments', 'the launch request needs an object of attributes');
  }
  const args = raw as Record<string, unknown>;
  let cwd = process.cwd();
  if (args.cwd !== undefined) {
    if (typeof args.cwd !== 'string' || !existsSync(args.cwd)) {
      throw new LaunchError('cwd', `must be an existing folder, got ${JSON.stringify(args.cwd)}`);
    }
    cwd = args.cwd;
  }
  const program = file(args, 'program', ['.pgasm'], cwd);
  const driver = file(args, 'driver', ['.ts', '.js', '.mts', '.mjs'], cwd);
  const scenario = file(args, 'scenario', ['.json'], cwd);
  if (program && (driver || scenario)) {
    throw new LaunchError('program', `runs a .pgasm program on its own and cannot be combined with '${driver ? 'driver' : 'scenario'}'; remove one of them`);
  }

  let seed = 1;
  if (args.seed !== undefined) {
    if (typeof args.seed !== 'number' || !Number.isInteger(args.seed) || args.seed < 0 || args.seed > 0xffffffff) {
      throw new LaunchError('seed', `must be an integer from 0 to 4294967295, got ${JSON.stringify(args.seed)}`);
    }
    seed = args.seed;
  }
  let stopOnEntry = false;
  if (args.stopOnEntry !== undefined) {
    if (typeof args.stopOnEntry !== 'boolean') {
      throw new LaunchError('stopOnEntry', `must be true or false, got ${JSON.stringify(args.stopOnEntry)}`);
    }
    stopOnEntry = args.stopOnEntry;
  }
  let tdrDelayMs: number | undefined;
  if (args.tdrDelayMs !== undefined) {
    const v = args.tdrDelayMs;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 50 || v > 600000) {
      throw new LaunchError('tdrDelayMs', `must be a number of milliseconds from 50 to 600000, got ${JSON.stringify(v)}`);
    }
    tdrDelayMs = v;
  }
  let verifier = true;
  if (args.verifier !== undefined) {
    if (typeof args.verifier !== 'boolean') {
      throw new LaunchError('verifier', `must be true (check the driver against the DDI rules) or false, got ${JSON.stringify(args.verifier)}`);
    }
    verifier = args.verifier;
  }
  return { mode: program ? 'program' : 'driver', program, driver, scenario, seed, stopOnEntry, tdrDelayMs, verifier };
}
