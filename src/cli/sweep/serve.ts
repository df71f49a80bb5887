// The protocol between `paging-lab test` and its worker threads, and the worker's side of it: load
// the driver once, then run the pairs it is sent one at a time, in the order sent, reporting how
// each ended. Driver
// code is metered for the host's hang watchdog (src/host/watchdog.ts). What loading and running
// mean is passed in (./worker.ts gives the simulator's), so the pool's handling of crashes and
// hangs can be tested with a worker that misbehaves on purpose.

import { isMainThread, type MessagePort, workerData } from 'node:worker_threads';
import { DEFAULT_TDR_DELAY_MS, meterDriverCode, setTdrDelay, tdrDelayFor } from '../../host/watchdog';
import type { PortableCompilation } from '../../sim/driver/loader';
import type { MachineError } from '../../sim/kernel/events';

export interface PairJob {
  id: number;
  driver: string;
  scenarioFile: string;
  seed: number;
  /** False: --no-verifier; undefined: the scenario decides. */
  verifier?: boolean;
  /** --tdr-delay-ms; undefined: the scenario's, else the default. */
  tdrDelayMs?: number;
}

/** `compiled`: the host's compilation of the driver, when it has one (the worker then compiles nothing). */
export type ToWorker = { kind: 'load'; driver: string; tdrDelayMs?: number; compiled?: PortableCompilation } | { kind: 'run'; job: PairJob };

export interface RunReport {
  ok: boolean;
  error?: MachineError;
  pagingOps: number;
  ms: number;
  /** The scenario file itself is invalid (for this seed), as opposed to a workload the adapter cannot run. */
  invalidScenario?: boolean;
}

export type FromWorker =
  | { kind: 'loaded'; hash: string }
  | { kind: 'load-failed'; message: string }
  | { kind: 'ran'; id: number; report: RunReport }
  | { kind: 'uncaught'; message: string }
  | { kind: 'exiting'; code: number };

interface SweepWorkerData {
  pagingLabSweepWorker: true;
  control: Int32Array;
  /**
   * The worker's end of the channel every message of the protocol goes through. Not the thread's
   * own port: the host must be able to read what a worker said before it died (receiveMessageOnPort)
   * when the death arrives first.
   */
  port: MessagePort;
}

/** The workerData of a sweep worker; `port` goes in the Worker's transferList too. */
export function sweepWorkerData(control: Int32Array, port: MessagePort): SweepWorkerData {
  return { pagingLabSweepWorker: true, control, port };
}

export function isSweepWorker(): boolean {
  return !isMainThread && !!(workerData as Partial<SweepWorkerData> | undefined)?.pagingLabSweepWorker;
}

export interface WorkerSide {
  /** Compiles and loads the driver; its content hash. Throws with the reason it cannot. */
  load(driver: string, compiled?: PortableCompilation): Promise<{ hash: string }>;
  /** Runs one pair; `control` is the watchdog's block, for the TDR delay in force. */
  run(job: PairJob, control: Int32Array): Promise<RunReport>;
}

/** In the worker: answers the host's messages until it is terminated. */
export function serveSweep(side: WorkerSide): void {
  const { control, port } = workerData as SweepWorkerData;
  meterDriverCode(control);
  // A thread that ends (process.exit, or an exception thrown from a callback) takes seconds to be
  // torn down, and the hang watchdog would fire first: say why and that it ends, at once.
  process.on('uncaughtExceptionMonitor', (e) => port.postMessage({ kind: 'uncaught', message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies FromWorker));
  process.on('exit', (code) => port.postMessage({ kind: 'exiting', code } satisfies FromWorker));
  port.on('message', (m: ToWorker) => {
    if (m.kind === 'load') {
      // Loading is checked once for the whole sweep: a short --tdr-delay-ms meant for the DDIs must
      // not turn a slow start on a busy machine into "the driver cannot run".
      setTdrDelay(control, Math.max(DEFAULT_TDR_DELAY_MS, tdrDelayFor(m.tdrDelayMs, undefined)));
      side.load(m.driver, m.compiled).then(
        (d) => port.postMessage({ kind: 'loaded', hash: d.hash } satisfies FromWorker),
        (e: unknown) => port.postMessage({ kind: 'load-failed', message: e instanceof Error ? e.message : String(e) } satisfies FromWorker),
      );
    } else {
      queue.push(m.job);
      runNext();
    }
  });
  // The host sends the next pair while this one runs (it waits here), so the worker does not sit
  // idle for a round trip between pairs; they still run one at a time.
  const queue: PairJob[] = [];
  let running = false;
  const runNext = (): void => {
    if (running || !queue.length) return;
    running = true;
    const job = queue.shift()!;
    // The user's delay, or the default; the runner sets the scenario's once it has read it.
    setTdrDelay(control, tdrDelayFor(job.tdrDelayMs, undefined));
    void side.run(job, control).then((report) => {
      port.postMessage({ kind: 'ran', id: job.id, report } satisfies FromWorker);
      running = false;
      runNext();
    });
  };
}
