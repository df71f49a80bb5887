// Runs a job in a worker thread and watches the DDI calls it makes (ddiWatch.ts): a call that does
// not return within the TDR delay gets the worker terminated and reported, so a driver stuck in a
// loop never hangs the host process. Layer-independent: the command line uses it for
// `paging-lab run`; the job is whatever the script does when `isWatchedWorker()` is true.

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { WATCH, WATCHED_DDIS, watchDdiCalls } from './ddiWatch';
import type { DdiName } from '../ddi/contract';

export const DEFAULT_TDR_DELAY_MS = 2000;

export type WatchedResult =
  | { kind: 'done'; result: unknown }
  | { kind: 'tdr'; ddi: DdiName; ms: number }
  | { kind: 'crash'; message: string };

export interface WatchedOptions {
  /** The script to run in the worker: a .js bundle, or a .ts source (run through tsx, in development and tests). */
  script: string;
  /** Passed to the worker as `jobData()`. */
  data: unknown;
  tdrDelayMs: number;
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

/** In the worker: reports DDI calls to the watcher, runs `job`, and sends its result back. */
export function runWatchedJob(job: () => Promise<unknown>): void {
  watchDdiCalls((workerData as WatchedWorkerData).control);
  job().then(
    (result) => parentPort!.postMessage({ done: true, result }),
    (e: unknown) => parentPort!.postMessage({ done: false, message: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
  );
}

export function runWatched(o: WatchedOptions): Promise<WatchedResult> {
  const control = new Int32Array(new SharedArrayBuffer(WATCH.size * 4));
  const wd: WatchedWorkerData = { pagingLabWatched: true, control, data: o.data };
  const ts = o.script.endsWith('.ts');
  const worker = ts
    ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(o.script)});`, { eval: true, workerData: wd, stdout: true, stderr: true })
    : new Worker(o.script, { workerData: wd, stdout: true, stderr: true });
  return new Promise((resolve) => {
    let outcome: WatchedResult | undefined;
    let open = 3; // exit, stdout end, stderr end
    const settle = (): void => {
      if (--open === 0) {
        clearInterval(timer);
        resolve(outcome ?? { kind: 'crash', message: 'the worker ended without a result' });
      }
    };
    worker.stdout.on('data', (d: Buffer) => o.stdout?.(d));
    worker.stderr.on('data', (d: Buffer) => o.stderr?.(d));
    worker.stdout.on('end', settle);
    worker.stderr.on('end', settle);
    worker.on('message', (m: { done: boolean; result?: unknown; message?: string }) => {
      outcome ??= m.done ? { kind: 'done', result: m.result } : { kind: 'crash', message: m.message ?? 'unknown error' };
    });
    worker.on('error', (e) => {
      outcome ??= { kind: 'crash', message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    });
    worker.on('exit', settle);
    // The watchdog: the same DDI call still running after the TDR delay is a timeout.
    let seenCall = -1;
    let since = 0;
    const period = Math.max(10, Math.min(200, o.tdrDelayMs / 8));
    const timer = setInterval(() => {
      if (outcome) return;
      const now = Date.now();
      if (Atomics.load(control, WATCH.inDdi) !== 1) {
        seenCall = -1;
        return;
      }
      const call = Atomics.load(control, WATCH.calls);
      if (call !== seenCall) {
        seenCall = call;
        since = now;
        return;
      }
      if (now - since >= o.tdrDelayMs) {
        outcome = { kind: 'tdr', ddi: WATCHED_DDIS[Atomics.load(control, WATCH.ddi)] ?? 'DxgkDdiBuildPagingBuffer', ms: now - since };
        void worker.terminate();
      }
    }, period);
  });
}
