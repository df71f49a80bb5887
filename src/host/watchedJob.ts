// Runs one job in a worker thread under the hang watchdog (watchdog.ts): driver code that does not
// return within the TDR delay gets the worker terminated and reported, so a driver stuck in a loop
// never hangs the host process. The command line uses it for `paging-lab run`; the job is whatever
// the script does when `isWatchedWorker()` is true. The run ends when the job does, whatever the
// driver left scheduled (a timer, a pending promise): the worker flushes its output, says it is done,
// and is terminated rather than waited for.

import { Worker, isMainThread, parentPort, workerData, type ResourceLimits } from 'node:worker_threads';
import type { DdiName } from '../sim/ddi/contract';
import { meterDriverCode, Watchdog } from './watchdog';

export type WatchedResult =
  | { kind: 'done'; result: unknown }
  /** `at`: where the driver implements `ddi`, when the worker said so. */
  | { kind: 'tdr'; ddi: DdiName; ms: number; delayMs: number; at?: string }
  | { kind: 'crash'; message: string }
  /** The worker used up its heap (`resourceLimits`); `ddi`: the driver code it was running then. */
  | { kind: 'out-of-memory'; limitMb: number; ddi: DdiName | undefined; at?: string };

export interface WatchedOptions {
  /** The script to run in the worker: a .js bundle, or a .ts source (run through tsx, in development and tests). */
  script: string;
  /** Passed to the worker as `jobData()`. */
  data: unknown;
  tdrDelayMs: number;
  /** The worker's heap limit: past it, the worker is stopped and the result says so. */
  resourceLimits?: ResourceLimits;
  /** Output of the worker, forwarded as it comes. */
  stdout?(chunk: Buffer): void;
  stderr?(chunk: Buffer): void;
}

interface WatchedWorkerData {
  pagingLabWatched: true;
  control: Int32Array;
  data: unknown;
}

export function isWatchedWorker(): boolean {
  return !isMainThread && !!(workerData as Partial<WatchedWorkerData> | undefined)?.pagingLabWatched;
}

/** In the worker: the job's data. */
export function jobData<T>(): T {
  return (workerData as WatchedWorkerData).data as T;
}

/** Resolves once what was written to `stream` so far has reached the main thread. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/** In the worker: reports driver code to the watchdog, runs `job`, and sends its result back once its output is out. */
export function runWatchedJob(job: () => Promise<unknown>): void {
  meterDriverCode((workerData as WatchedWorkerData).control);
  const send = (m: { done: boolean; result?: unknown; message?: string }): void => {
    void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => parentPort!.postMessage(m));
  };
  job().then(
    (result) => send({ done: true, result }),
    (e: unknown) => send({ done: false, message: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
}

export function runWatched(o: WatchedOptions): Promise<WatchedResult> {
  let outcome: WatchedResult | undefined;
  const watchdog = new Watchdog({
    tdrDelayMs: o.tdrDelayMs,
    onTimeout: (t) => {
      outcome ??= { kind: 'tdr', ...t };
      // Fires from a timer, so only once the worker below exists.
      void w.terminate();
    },
  });
  const wd: WatchedWorkerData = { pagingLabWatched: true, control: watchdog.control, data: o.data };
  const ts = o.script.endsWith('.ts');
  const w = ts
    ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(o.script)});`, { eval: true, workerData: wd, stdout: true, stderr: true, resourceLimits: o.resourceLimits })
    : new Worker(o.script, { workerData: wd, stdout: true, stderr: true, resourceLimits: o.resourceLimits });
  return new Promise((resolve) => {
    let open = 3; // exit, stdout end, stderr end
    const settle = (): void => {
      if (--open === 0) {
        watchdog.stop();
        resolve(outcome ?? { kind: 'crash', message: 'the worker ended without a result' });
      }
    };
    w.stdout.on('data', (d: Buffer) => o.stdout?.(d));
    w.stderr.on('data', (d: Buffer) => o.stderr?.(d));
    w.stdout.on('end', settle);
    w.stderr.on('end', settle);
    w.on('message', (m: { done: boolean; result?: unknown; message?: string }) => {
      outcome ??= m.done ? { kind: 'done', result: m.result } : { kind: 'crash', message: m.message ?? 'unknown error' };
      // The job is over and its output is here: whatever the driver left scheduled does not keep the run alive.
      void w.terminate();
    });
    w.on('error', (e) => {
      if ((e as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        const at = watchdog.driverCodeAt();
        outcome ??= { kind: 'out-of-memory', limitMb: o.resourceLimits?.maxOldGenerationSizeMb ?? 0, ddi: watchdog.driverCode(), ...(at ? { at } : {}) };
      }
      outcome ??= { kind: 'crash', message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    });
    w.on('exit', settle);
  });
}
