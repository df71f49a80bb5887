// Validates a `wddm` launch configuration and resolves it to what the runtime needs. The values are
// checked against the schema of the one table of launch attributes (launchAttributes.ts), by ajv's
// code for it generated at development time (scripts/gen-validators.ts);
// what a schema cannot say (the files exist, have the right kind, program excludes driver) is
// checked here. Every problem names the attribute and says what to put there, because the user
// sees it as a launch error.

import type { ErrorObject } from 'ajv';
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve, extname } from 'node:path';
import { readRecording, RecordingError, type ReplayPlan } from '../sim/recording/recording';
import { knob, RENAMED_ATTRIBUTES, type LaunchAttribute } from './launchAttributes';
// The launch attributes' schema as code, generated from the table (launchArgumentsSchema) at
// development time: compiling it when a session started cost the first launch 34 ms.
import validator from './launchValidator.generated';

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
  /** A recording to run again: driver, scenario, seed, tdrDelayMs and verifier above come from it. */
  replay?: ReplayPlan;
}

/** What a recording sets: a launch configuration that replays one leaves them out. */
const SET_BY_RECORDING = ['program', 'driver', 'scenario', 'seed', 'tdrDelayMs', 'verifier'] as const;

export class LaunchError extends Error {
  constructor(readonly attribute: string, message: string) {
    super(`'${attribute}': ${message}`);
  }
}

/** The first schema problem, as a LaunchError naming the attribute and what it must be. */
function schemaError(args: Record<string, unknown>): LaunchError | undefined {
  if (validator(args)) return undefined;
  const e = (validator.errors as ErrorObject[])[0];
  const attribute = e.instancePath.split('/')[1] as LaunchAttribute;
  return new LaunchError(attribute, `must be ${knob(attribute).expects}, got ${JSON.stringify(args[attribute])}`);
}

const EXTENSIONS: Record<'program' | 'driver' | 'scenario', string[]> = {
  program: ['.pgasm'],
  driver: ['.ts', '.js', '.mts', '.mjs'],
  scenario: ['.json'],
};

function file(args: Record<string, unknown>, name: 'program' | 'driver' | 'scenario', cwd: string): string | undefined {
  const v = args[name] as string | undefined;
  if (v === undefined) return undefined;
  const exts = EXTENSIONS[name];
  if (!v.trim()) throw new LaunchError(name, `must be ${knob(name).expects}, got ${JSON.stringify(v)}`);
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
  const args: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const [old, now] of RENAMED_ATTRIBUTES) {
    if (args[old] !== undefined) {
      throw new LaunchError(old, `was renamed '${now}': rename it in the launch configuration (launch.json)${args[now] !== undefined ? `, which sets '${now}' as well` : ''}`);
    }
  }
  // A path attribute set to null means "not set", as it always has.
  for (const name of ['program', 'driver', 'scenario'] as const) if (args[name] === null) delete args[name];
  const invalid = schemaError(args);
  if (invalid) throw invalid;

  let cwd = process.cwd();
  if (args.cwd !== undefined) {
    if (!existsSync(args.cwd as string)) throw new LaunchError('cwd', `must be ${knob('cwd').expects}, got ${JSON.stringify(args.cwd)}`);
    cwd = args.cwd as string;
  }
  if (args.replay !== undefined) {
    const given = SET_BY_RECORDING.find((k) => args[k] !== undefined);
    if (given) throw new LaunchError(given, `the recording in 'replay' sets it: remove '${given}' from the launch configuration, or 'replay' to run it your way`);
    const v = args.replay as string;
    if (v.includes('${')) throw new LaunchError('replay', `contains an unresolved variable: ${v}`);
    let plan: ReplayPlan;
    try {
      plan = readRecording(isAbsolute(v) ? v : resolve(cwd, v));
    } catch (e) {
      if (e instanceof RecordingError) throw new LaunchError('replay', e.message);
      throw e;
    }
    return {
      mode: 'driver',
      driver: plan.driver,
      scenario: plan.scenario,
      seed: plan.seed,
      stopOnEntry: (args.stopOnEntry as boolean | undefined) ?? false,
      tdrDelayMs: plan.tdrDelayMs,
      verifier: plan.verifier,
      replay: plan,
    };
  }
  const program = file(args, 'program', cwd);
  const driver = file(args, 'driver', cwd);
  const scenario = file(args, 'scenario', cwd);
  if (program && (driver || scenario)) {
    throw new LaunchError('program', `runs a .pgasm program on its own and cannot be combined with '${driver ? 'driver' : 'scenario'}'; remove one of them`);
  }
  const value = <T>(name: LaunchAttribute): T => (args[name] ?? knob(name).default) as T;
  return {
    mode: program ? 'program' : 'driver',
    program,
    driver,
    scenario,
    seed: value<number>('seed'),
    stopOnEntry: value<boolean>('stopOnEntry'),
    // Left out, the scenario's tdrDelayMs applies, else the watchdog's default (src/host/watchdog.ts).
    tdrDelayMs: args.tdrDelayMs as number | undefined,
    verifier: value<boolean>('verifier'),
  };
}
