// Named steps for the end-to-end harness: each step logs its name and duration, sends the output of
// the programs it runs to a log file, and on failure throws a StepError that names the step, shows
// the end of the log and says what to install or fix, so a broken machine never shows up as a
// time-out in a test.
import { spawnSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export class StepError extends Error {
  /**
   * @param {string} step the step's name
   * @param {string} reason what went wrong
   * @param {string} hint what to install or do to fix it
   */
  constructor(step, reason, hint) {
    super(`step "${step}" failed: ${reason}\n  to fix: ${hint}`);
    this.step = step;
    this.hint = hint;
  }
}

/** Runs `fn` as a named step; errors other than StepError are wrapped with the step's hint. */
export async function step(name, hint, fn) {
  const started = Date.now();
  process.stdout.write(`e2e: ${name} ...\n`);
  try {
    const result = await fn();
    process.stdout.write(`e2e: ${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return result;
  } catch (err) {
    if (err instanceof StepError) throw err;
    throw new StepError(name, err instanceof Error ? err.message : String(err), hint);
  }
}

/** The environment for child npm processes: without the variables by which `npm run` tells a script
 * which project it runs in, so an install in the cache folder cannot be taken for one in the
 * project. The user's npm settings (registry, proxy, cache...) pass through. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_(package_|lifecycle_|command$|config_local_prefix$)/i.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

/**
 * Runs a program to completion with its output in `logFile`; throws with the log's last lines when
 * it cannot start or exits non-zero.
 */
export function run(cmd, args, { cwd, env, logFile, timeoutMs = 20 * 60_000 }) {
  mkdirSync(join(logFile, '..'), { recursive: true });
  const fd = openSync(logFile, 'a');
  let res;
  try {
    res = spawnSync(cmd, args, { cwd, env: env ?? cleanEnv(), stdio: ['ignore', fd, fd], timeout: timeoutMs });
  } finally {
    closeSync(fd);
  }
  const shown = `${cmd} ${args.join(' ')}`;
  if (res.error) {
    const code = /** @type {NodeJS.ErrnoException} */ (res.error).code;
    throw new Error(code === 'ENOENT' ? `\`${cmd}\` is not installed (cwd ${cwd})` : `\`${shown}\`: ${res.error.message}`);
  }
  if (res.status !== 0) {
    throw new Error(`\`${shown}\` exited with ${res.status ?? res.signal} (cwd ${cwd}); last lines of ${logFile}:\n${tail(logFile, 25)}`);
  }
}

/** The last `n` lines of a file, indented, for error messages. */
export function tail(file, n) {
  if (!existsSync(file)) return '    (no output)';
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  return lines.slice(-n).map((l) => `    ${l}`).join('\n');
}
