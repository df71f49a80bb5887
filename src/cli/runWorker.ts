// `paging-lab run` runs the machine (driver included) in a worker thread watched for timeouts: a DDI
// that does not return within the TDR delay gets the worker terminated and the verifier's `tdr`
// rule reported, and the command exits non-zero instead of hanging. The worker runs this same
// command with --in-process.

import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DdiCaller } from '../sim/kernel/ddiCaller';
import { runWatched } from '../host/watchedJob';
import { formatViolation } from '../sim/verifier/violation';

/** The script a worker runs: this bundle (dist/cli.js), or the sources' entry under tsx. */
function cliScript(): string {
  return __filename.endsWith('.ts') ? join(__dirname, 'main.ts') : __filename;
}

/**
 * The worker's heap, in MiB. The simulator's memory (VRAM, system memory, the verifier's content
 * copies) lives outside it, in array buffers; what fills it is JavaScript objects, and a run that
 * needs more than this is a driver that allocates without end.
 */
export const WORKER_HEAP_MB = 1024;

export async function runInWorker(args: string[], tdrDelayMs: number, driver: string): Promise<number> {
  const r = await runWatched({
    script: cliScript(),
    data: { argv: ['run', ...args, '--in-process'] },
    tdrDelayMs,
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    stdout: (d) => process.stdout.write(d),
    stderr: (d) => process.stderr.write(d),
  });
  if (r.kind === 'done') return typeof r.result === 'number' ? r.result : 1;
  if (r.kind === 'out-of-memory') {
    const where = r.ddi ? `while the driver's ${r.ddi === 'DriverEntry' ? 'DriverEntry (or its module\'s top level)' : r.ddi} was running` : 'between DDI calls';
    const at = r.ddi ? (r.at ?? locateDdi(driver, r.ddi)) : undefined;
    process.stdout.write(
      `\nsummary: FAILED\n\nerror (driver): the run used up its ${r.limitMb} MiB of JavaScript memory ${where}, and was stopped. ` +
        `The simulator keeps its own memory elsewhere, so a driver that allocates without end (an array or a map that only grows, a cache never emptied) causes this${at ? `\n  at ${at}` : ''}\n`,
    );
    return 1;
  }
  if (r.kind === 'crash') {
    process.stderr.write(`paging-lab run: the simulator stopped unexpectedly: ${r.message}\n`);
    return 1;
  }
  // The worker said where the DDI's function is as it entered it; its name is the fallback (the module's top level).
  const location = r.at ?? locateDdi(driver, r.ddi) ?? driver;
  const what =
    `${r.ddi} did not return within the TDR delay of ${r.delayMs} ms (it ran for ${r.ms} ms); ` +
    'the machine running the driver was stopped, as Windows would reset the adapter. A DDI that loops forever, or waits for something only the GPU or another DDI can do, causes this';
  process.stdout.write(`\nsummary: FAILED\n\nerror (driver): ${formatViolation('tdr', what, location)}\n`);
  return 1;
}

/** Where the driver (its entry file's folder) defines `ddi`, as file:line:column. */
export function locateDdi(driver: string, ddi: string): string | undefined {
  let files: string[] = [driver];
  try {
    files = [driver, ...readdirSync(dirname(driver)).filter((f) => f.endsWith('.ts')).map((f) => join(dirname(driver), f))];
  } catch {
    // The entry file alone.
  }
  const l = new DdiCaller(files, () => 0, () => []).definitionOf(ddi);
  return l && `${l.file}:${l.line}:${l.column}`;
}
