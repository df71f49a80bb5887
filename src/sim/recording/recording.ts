// A recording of a whole run, for sharing and for opening in the debugger: a small JSON file that
// names everything a run depends on (the driver's sources by content hash, the scenario by path
// and hash, the seed, the TDR delay and the verifier switch, the edits made while debugging) and
// what the run gave (its event count and digest, digest.ts). The simulator is deterministic, the
// driver's Math.random, Date and performance.now included (src/sim/driver/sandbox.ts), so these
// inputs reproduce the run exactly: `paging-lab run --record FILE` writes one, a `wddm` launch
// configuration with `"replay": FILE` and `paging-lab run --replay FILE` run it again.
//
// A recording is refused, with every difference named, when a driver source or the scenario no
// longer has the recorded content, or when it was written by another format or tool version (its
// run may not be this version's run). Paths are kept relative to the recording's folder, so a
// recording committed or shared beside the driver finds it on another machine.

import type { ErrorObject } from 'ajv';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { version as TOOL_VERSION } from '../../../package.json';
import { RECORDING_FORMAT, RECORDING_FORMAT_VERSION } from './schema';
// The schema's validator as code, generated from RECORDING_SCHEMA (./schema.ts) at development time
// by scripts/gen-validators.ts: no process compiles a schema at run time.
import validator from './recordingValidator.generated';

export { RECORDING_FORMAT, RECORDING_FORMAT_VERSION } from './schema';
export { TOOL_VERSION };

/** An edit made while debugging, applied before the event numbered `moment` + 1 (after `moment` events). */
export interface RecordedEdit {
  moment: number;
  kind: 'writeMemory' | 'setVariable';
  /** writeMemory: the debug address and the bytes written (hex). */
  address?: number;
  data?: string;
  /** setVariable: the variable (as the debugger names it) and the value typed. */
  path?: string;
  value?: string;
}

export interface RecordedFile {
  /** Relative to the recording's folder, with `/`. */
  path: string;
  sha256: string;
}

export interface Recording {
  format: typeof RECORDING_FORMAT;
  formatVersion: number;
  tool: { name: 'paging-lab'; version: string };
  driver: { entry: string; files: RecordedFile[] };
  scenario: RecordedFile & { name: string };
  seed: number;
  tdrDelayMs: number;
  verifier: boolean;
  edits: RecordedEdit[];
  /**
   * What the recorded run gave: a replay that gives the same digest reproduced it. No events and
   * digest when the run did not finish where the recording was written (a TDR ended its worker);
   * none at all when the debugger saved the recording before the run ended.
   */
  outcome?: { ok: boolean; events?: number; digest?: string; error?: string; inputs?: string };
}

/** What a recording asks for, with the paths made absolute, after its files were checked. */
export interface ReplayPlan {
  file: string;
  recording: Recording;
  driver: string;
  scenario: string;
  seed: number;
  tdrDelayMs: number;
  verifier: boolean;
  edits: RecordedEdit[];
}

/** A recording that cannot be replayed: `differences` says each field or file that differs, and how. */
export class RecordingError extends Error {
  constructor(
    readonly file: string,
    readonly differences: { field: string; problem: string }[],
  ) {
    super(
      `cannot replay ${file}: ${differences.length === 1 ? differences[0].field + ': ' + differences[0].problem : differences.map((d) => `\n  ${d.field}: ${d.problem}`).join('')}`,
    );
  }
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Relative to the recording's folder when both are under one top folder (a project), else absolute. */
function relativeTo(dir: string, path: string): string {
  const top = (p: string): string => resolve(p).split(/[\\/]/).filter(Boolean)[0] ?? '';
  if (top(dir) !== top(path)) return resolve(path).replace(/\\/g, '/');
  return relative(dir, path).replace(/\\/g, '/') || '.';
}


function schemaProblem(value: unknown): { field: string; problem: string } | undefined {
  if (validator(value)) return undefined;
  const e = (validator.errors as ErrorObject[])[0];
  const field = e.instancePath.slice(1).replace(/\//g, '.') || '(the file)';
  return { field, problem: `${e.message ?? 'is not valid'}${e.params && 'allowedValue' in e.params ? ` (${JSON.stringify(e.params.allowedValue)})` : ''}` };
}

export interface RecordInputs {
  /** Where the recording will be written (paths in it are relative to its folder). */
  file: string;
  /** Every source file compiled into the driver (absolute), and its entry. */
  driverFiles: string[];
  driverEntry: string;
  scenarioFile: string;
  scenarioName: string;
  seed: number;
  tdrDelayMs: number;
  verifier: boolean;
  edits?: RecordedEdit[];
  outcome: Recording['outcome'];
}

/** The recording of a run that has finished (or stopped), ready to be written. */
export function makeRecording(i: RecordInputs): Recording {
  const dir = dirname(resolve(i.file));
  const fileOf = (p: string): RecordedFile => ({ path: relativeTo(dir, p), sha256: sha256(readFileSync(p)) });
  return {
    format: RECORDING_FORMAT,
    formatVersion: RECORDING_FORMAT_VERSION,
    tool: { name: 'paging-lab', version: TOOL_VERSION },
    driver: { entry: relativeTo(dir, i.driverEntry), files: [...i.driverFiles].sort().map(fileOf) },
    scenario: { ...fileOf(i.scenarioFile), name: i.scenarioName },
    seed: i.seed,
    tdrDelayMs: i.tdrDelayMs,
    verifier: i.verifier,
    edits: i.edits ?? [],
    outcome: i.outcome && { ...i.outcome, inputs: inputsDigest({ seed: i.seed, tdrDelayMs: i.tdrDelayMs, verifier: i.verifier, edits: i.edits ?? [] }) },
  };
}

/**
 * The digest of what a recording says beside its files (seed, TDR delay, verifier, edits), kept in
 * its outcome: a replay that does not reproduce the outcome tells a recording changed by hand from a
 * simulator that ran the same inputs another way.
 */
export function inputsDigest(r: Pick<Recording, 'seed' | 'tdrDelayMs' | 'verifier' | 'edits'>): string {
  const edits = r.edits.map((e) => [e.moment, e.kind, e.address ?? null, e.data ?? null, e.path ?? null, e.value ?? null]);
  return sha256(JSON.stringify([r.seed, r.tdrDelayMs, r.verifier, edits]));
}

/** Why a replay whose driver and scenario were checked gave another outcome than its recording's. */
export function notReproducedBecause(r: Recording): string {
  const kept = r.outcome?.inputs;
  if (kept === undefined) return "Unless the recording's seed, settings or edits were changed by hand, this is a simulator bug: please report it with the recording";
  if (kept !== inputsDigest(r)) return "The recording's seed, settings or edits were changed after it was recorded (its outcome is of other inputs): record the run again to compare";
  return 'The driver, the scenario and the recording are unchanged, so this is a simulator bug: please report it with the recording';
}

/** Writes the recording, making its folder when needed. */
export function writeRecording(file: string, r: Recording): void {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
}

/**
 * Reads a recording and checks that it can be replayed here: its format and tool version are this
 * one's and every driver source and the scenario still have their recorded content. Throws
 * RecordingError naming every difference.
 */
export function readRecording(path: string): ReplayPlan {
  const file = resolve(path);
  const refuse = (field: string, problem: string): never => {
    throw new RecordingError(file, [{ field, problem }]);
  };
  if (!existsSync(file)) refuse('file', 'not found');
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    refuse('file', `is not JSON (${(e as Error).message}): a recording is what \`paging-lab run --record FILE\` writes`);
  }
  const v = value as Partial<Recording>;
  if (typeof v !== 'object' || v === null || v.format !== RECORDING_FORMAT) {
    refuse('format', `is ${JSON.stringify(v?.format)}, not "${RECORDING_FORMAT}": this is not a Paging Lab recording`);
  }
  if (v.formatVersion !== RECORDING_FORMAT_VERSION) {
    refuse('formatVersion', `is ${JSON.stringify(v.formatVersion)}; this Paging Lab reads format version ${RECORDING_FORMAT_VERSION}: record the run again`);
  }
  const invalid = schemaProblem(value);
  if (invalid) throw new RecordingError(file, [invalid]);
  const r = value as Recording;
  const differences: { field: string; problem: string }[] = [];
  // What the debugger records for a variable set in Variables: a number or a boolean, as JSON.
  r.edits.forEach((e, i) => {
    if (e.kind !== 'setVariable') return;
    let v: unknown;
    try {
      v = JSON.parse(e.value ?? '');
    } catch {
      v = undefined;
    }
    if (typeof v !== 'number' && typeof v !== 'boolean') {
      differences.push({ field: `edits[${i}].value`, problem: `is ${JSON.stringify(e.value)}: a recorded setVariable sets a number or a boolean, written as JSON (as the debugger records it: "4096", "true")` });
    }
    if (!e.path) differences.push({ field: `edits[${i}].path`, problem: 'is empty: it names the DDI argument set (as the debugger does: "Transfer.TransferSize")' });
  });
  if (r.tool.version !== TOOL_VERSION) {
    differences.push({ field: 'tool.version', problem: `recorded with Paging Lab ${r.tool.version}, this is ${TOOL_VERSION}: the simulator may run it differently; record it again with this version` });
  }
  const dir = dirname(file);
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(dir, p));
  const check = (field: string, what: string, f: RecordedFile): void => {
    const p = at(f.path);
    if (!existsSync(p)) {
      differences.push({ field, problem: `${what} ${p} is missing` });
      return;
    }
    const now = sha256(readFileSync(p));
    if (now !== f.sha256) differences.push({ field, problem: `${what} ${p} changed since the recording (sha256 ${f.sha256.slice(0, 12)}… then, ${now.slice(0, 12)}… now)` });
  };
  r.driver.files.forEach((f, i) => check(`driver.files[${i}]`, 'driver source', f));
  check('scenario', 'scenario', r.scenario);
  if (differences.length) throw new RecordingError(file, differences);
  return {
    file,
    recording: r,
    driver: at(r.driver.entry),
    scenario: at(r.scenario.path),
    seed: r.seed,
    tdrDelayMs: r.tdrDelayMs,
    verifier: r.verifier,
    edits: [...r.edits].sort((a, b) => a.moment - b.moment),
  };
}
