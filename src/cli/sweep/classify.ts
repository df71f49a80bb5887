// How one pair ended, in the sweep's terms: a run's MachineError, a TDR from the watchdog, a
// crashed worker or a run past the time limit becomes a PairResult with a short rule name, the
// message, and the driver's file and line where there is one.

import { formatViolation } from '../../sim/verifier/violation';
import { locateDdi } from '../runWorker';
import type { PairOutcome } from './pool';
import { displayPath, type PairResult } from './result';
import type { PairJob } from './serve';

/** Rule names of failures that are not verifier rules, by MachineError category. */
const CATEGORY_RULE: Record<string, string> = {
  driver: 'driver-error',
  gpu: 'gpu-fault',
  verify: 'content-lost',
  internal: 'internal-error',
  scenario: 'workload-does-not-fit',
};

function at(location: string | undefined): Pick<PairResult, 'file' | 'line' | 'column'> {
  const m = location && /^(.*):(\d+):(\d+)$/.exec(location);
  return m ? { file: displayPath(m[1]), line: Number(m[2]), column: Number(m[3]) } : {};
}

export function classify(job: PairJob, scenario: string, outcome: PairOutcome, pairTimeoutMs: number): PairResult {
  const base = { scenario, seed: job.seed, pagingOps: 0, ms: 0 };
  switch (outcome.kind) {
    case 'ran': {
      const { report } = outcome;
      const done = { ...base, pagingOps: report.pagingOps, ms: report.ms };
      if (report.ok) return { ...done, status: 'pass' };
      const e = report.error!;
      const where = e.location ? { file: displayPath(e.location.file), line: e.location.line, column: e.location.column } : {};
      if (report.invalidScenario) return { ...done, status: 'error', rule: 'invalid-scenario', message: e.message };
      // The kernel could not run this workload on this adapter (e.g. a render's allocations do not fit together): not the driver's doing.
      if (e.category === 'scenario') return { ...done, status: 'skip', rule: CATEGORY_RULE.scenario, message: `${e.message}${e.path ? ` (scenario step ${e.path})` : ''}` };
      return { ...done, status: 'fail', rule: e.rule ?? CATEGORY_RULE[e.category] ?? e.category, message: e.message, ddi: e.ddi, ...where };
    }
    case 'tdr': {
      const what =
        `${outcome.ddi} did not return within the TDR delay of ${outcome.delayMs} ms (it ran for ${outcome.ms} ms); ` +
        'the worker running the driver was stopped, as Windows would reset the adapter';
      const location = outcome.at ?? locateDdi(job.driver, outcome.ddi);
      return { ...base, ms: outcome.ms, status: 'fail', rule: 'tdr', ddi: outcome.ddi, message: formatViolation('tdr', what, location), ...at(location) };
    }
    case 'out-of-memory': {
      const location = outcome.ddi ? (outcome.at ?? locateDdi(job.driver, outcome.ddi)) : undefined;
      const where = outcome.ddi ? `while the driver's ${outcome.ddi === 'DriverEntry' ? "DriverEntry (or its module's top level)" : outcome.ddi} was running` : 'between DDI calls';
      return {
        ...base,
        status: 'fail',
        rule: 'out-of-memory',
        ddi: outcome.ddi,
        message:
          `the run used up its ${outcome.limitMb} MiB of JavaScript memory ${where}, and was stopped. The simulator keeps its own memory elsewhere, ` +
          'so a driver that allocates without end (an array or a map that only grows, a cache never emptied) causes this',
        ...at(location),
      };
    }
    case 'crash':
      return { ...base, status: 'error', rule: 'crash', message: `the worker thread running this pair stopped unexpectedly: ${outcome.message}` };
    case 'timeout':
      return {
        ...base,
        ms: outcome.ms,
        status: 'error',
        rule: 'timeout',
        message: `the run did not end within ${pairTimeoutMs} ms (--timeout-ms) although no driver code was running too long: the simulator itself hung or is very slow on this pair`,
      };
  }
}
