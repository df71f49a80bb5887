// The worker threads of `paging-lab test`: one per job slot, each loading the driver once and then
// running the pairs it is handed, watched by the one hang watchdog (src/host/watchdog.ts) as
// `paging-lab run` is. A pair whose driver code does not return within the TDR delay, whose worker
// crashes, or that runs past the per-pair time limit (a hang outside driver code) ends that
// worker: the pair gets the reason, a fresh worker takes the slot, and the sweep goes on.

import { setFlagsFromString } from 'node:v8';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { DdiName } from '../../sim/ddi/contract';
import { DEFAULT_TDR_DELAY_MS, tdrDelayFor, Watchdog } from '../../host/watchdog';
import type { PortableCompilation } from '../../sim/driver/loader';
import { sweepWorkerData, type FromWorker, type PairJob, type RunReport, type ToWorker } from './serve';

export type PairOutcome =
  | { kind: 'ran'; report: RunReport }
  | { kind: 'tdr'; ddi: DdiName; ms: number; delayMs: number; at?: string }
  | { kind: 'crash'; message: string }
  /** The worker used up its heap; `ddi`: the driver code running then. */
  | { kind: 'out-of-memory'; limitMb: number; ddi?: DdiName; at?: string }
  | { kind: 'timeout'; ms: number };

export interface PoolOptions {
  /** The script a worker runs: the CLI bundle, or its TypeScript entry under tsx (tests, development). */
  script: string;
  driver: string;
  jobs: number;
  tdrDelayMs?: number;
  /** Wall-clock limit of one pair, driver code or not. */
  pairTimeoutMs: number;
  /** Each worker's JavaScript heap, in MiB (`paging-lab run` has the same limit). */
  heapMb: number;
  /**
   * The driver compiled by the host, sent to each worker as it starts: the workers then compile
   * nothing. Undefined (or a promise of undefined, when the host could not compile it): each worker
   * compiles the driver itself, and says why it cannot.
   */
  compiled?: Promise<PortableCompilation | undefined>;
}

type Load = { ok: true; hash: string } | { ok: false; message: string };

interface Waiting {
  job: PairJob;
  resolve(outcome: PairOutcome): void;
}

/** Keeps the end of what a worker wrote to stderr, for a crash report. */
const TAIL = 2000;

class Slot {
  private worker!: Worker;
  /** The host's end of the worker's channel (serve.ts). */
  private port!: MessagePort;
  private watchdog!: Watchdog;
  private onLoad: ((l: Load) => void) | undefined;
  private loading = false;
  private current: (Waiting & { timer: NodeJS.Timeout; started: number }) | undefined;
  /** A pair sent ahead, waiting in the worker for the current one to end (its time limit starts then). */
  private next: Waiting | undefined;
  private stderr = '';
  /** What the worker said it threw, before it ended. */
  private uncaught: string | undefined;
  ready!: Promise<Load>;
  dead = false;

  constructor(
    private readonly o: PoolOptions,
    private readonly idle: (slot: Slot) => void,
    /** A pair sent ahead to a worker that ended before running it: to run elsewhere. */
    private readonly giveBack: (waiting: Waiting) => void,
  ) {
    this.spawn();
  }

  /** How many more pairs it takes now: one to run and one to hold ahead; none while loading. */
  get room(): number {
    if (this.dead || this.loading) return 0;
    return this.current === undefined ? 2 : this.next === undefined ? 1 : 0;
  }

  private spawn(): void {
    this.stderr = '';
    this.uncaught = undefined;
    this.watchdog = new Watchdog({ tdrDelayMs: Math.max(DEFAULT_TDR_DELAY_MS, tdrDelayFor(this.o.tdrDelayMs, undefined)), onTimeout: (t) => this.end({ kind: 'tdr', ...t }) });
    const channel = new MessageChannel();
    const options = {
      workerData: sweepWorkerData(this.watchdog.control, channel.port2),
      transferList: [channel.port2],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: this.o.heapMb },
    };
    const w = this.o.script.endsWith('.ts')
      ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(this.o.script)});`, { ...options, eval: true })
      : new Worker(this.o.script, options);
    this.worker = w;
    this.port = channel.port1;
    // What the driver prints is not the sweep's output; stderr is kept for a crash report.
    w.stdout.resume();
    w.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-TAIL)));
    this.port.on('message', (m: FromWorker) => this.message(m));
    // The thread's death can arrive before what it said last (its report of the pair before, then
    // the uncaught exception of the pair held ahead): that is read first, so the death is put down
    // to the pair it ended.
    w.on('error', (e) => {
      if (!this.heard(w)) return;
      if ((e as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') this.end({ kind: 'out-of-memory', limitMb: this.o.heapMb, ddi: this.watchdog.driverCode(), at: this.watchdog.driverCodeAt() });
      else this.end({ kind: 'crash', message: `uncaught exception: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` });
    });
    w.on('exit', (code) => {
      if (this.heard(w)) this.end({ kind: 'crash', message: `the worker thread exited (code ${code})${this.stderr ? `; it wrote:\n${this.stderr.trim()}` : ''}` });
    });
    this.loading = true;
    this.ready = new Promise((resolve) => (this.onLoad = resolve));
    // The worker starts while the host compiles the driver; it is sent the compilation when there is one.
    void Promise.resolve(this.o.compiled).then((compiled) => {
      if (this.worker === w && !this.dead) this.port.postMessage({ kind: 'load', driver: this.o.driver, tdrDelayMs: this.o.tdrDelayMs, compiled } satisfies ToWorker);
    });
  }

  run(waiting: Waiting): void {
    if (this.current) this.next = waiting;
    else this.start(waiting);
    this.port.postMessage({ kind: 'run', job: waiting.job } satisfies ToWorker);
  }

  /** The worker begins `waiting` now: its time limit runs from here. */
  private start(waiting: Waiting): void {
    const timer = setTimeout(() => this.end({ kind: 'timeout', ms: Date.now() - started }), this.o.pairTimeoutMs);
    const started = Date.now();
    this.current = { ...waiting, timer, started };
  }

  /**
   * Reads what worker `w` sent and was not yet handled; whether `w` is still this slot's worker
   * after that (a message read may have ended it already, 'exiting' does).
   */
  private heard(w: Worker): boolean {
    const port = this.port;
    while (this.worker === w) {
      const m = receiveMessageOnPort(port);
      if (!m) break;
      this.message(m.message as FromWorker);
    }
    return this.worker === w;
  }

  private message(m: FromWorker): void {
    if (m.kind === 'uncaught') {
      this.uncaught = m.message;
      return;
    }
    if (m.kind === 'exiting') {
      this.end({ kind: 'crash', message: this.uncaught ? `uncaught exception: ${this.uncaught}` : `the worker thread exited (code ${m.code})${this.stderr ? `; it wrote:\n${this.stderr.trim()}` : ''}` });
      return;
    }
    if (m.kind === 'loaded' || m.kind === 'load-failed') {
      const load: Load = m.kind === 'loaded' ? { ok: true, hash: m.hash } : { ok: false, message: m.message };
      this.settleLoad(load);
      return;
    }
    if (this.current?.job.id !== m.id) return;
    const { resolve, timer } = this.current;
    clearTimeout(timer);
    this.current = undefined;
    const next = this.next;
    this.next = undefined;
    if (next) this.start(next);
    resolve({ kind: 'ran', report: m.report });
    this.idle(this);
  }

  private settleLoad(load: Load): void {
    const done = this.onLoad;
    this.onLoad = undefined;
    this.loading = false;
    if (!load.ok) this.dead = true;
    done?.(load);
    this.idle(this);
  }

  /** The worker is finished with (hang, crash or time limit): report, then start a fresh one. */
  private end(outcome: Exclude<PairOutcome, { kind: 'ran' }>): void {
    this.stopWorker();
    if (this.loading) {
      const what =
        outcome.kind === 'tdr'
          ? `${outcome.ddi === 'DriverEntry' ? "the driver module's top level" : outcome.ddi} did not return within the TDR delay of ${outcome.delayMs} ms while the driver was loading`
          : outcome.kind === 'crash'
            ? outcome.message
            : outcome.kind === 'out-of-memory'
              ? `loading the driver used up the worker's ${outcome.limitMb} MiB of JavaScript memory`
              : `loading the driver took longer than ${this.o.pairTimeoutMs} ms`;
      this.settleLoad({ ok: false, message: what });
      return;
    }
    const current = this.current;
    const next = this.next;
    this.current = undefined;
    this.next = undefined;
    if (current) {
      clearTimeout(current.timer);
      current.resolve(outcome);
    }
    if (!this.dead) this.spawn();
    // The pair sent ahead never began: it runs on the next worker free, this one's fresh one (once
    // it has loaded the driver) or another.
    if (next) this.giveBack(next);
  }

  private stopWorker(): void {
    this.watchdog.stop();
    this.port.close();
    this.worker.removeAllListeners();
    this.worker.stdout.removeAllListeners();
    this.worker.stderr.removeAllListeners();
    // An exit or error after this is the termination itself.
    this.worker.on('error', () => undefined);
    void this.worker.terminate();
  }

  close(): void {
    this.dead = true;
    if (this.current) clearTimeout(this.current.timer);
    this.stopWorker();
  }
}

/**
 * V8 settings for the workers' isolates, set once before the first one starts (V8's flags are per
 * process; an isolate reads them when it is made). A sweep's worker makes and drops a whole machine,
 * a driver context and its code every ~14 ms: with V8's defaults its small heap reached its limit
 * every few pairs (158 full collections in 850 pairs, marked on V8's helper threads, ~0.4 of a core
 * beside the worker), and each new driver context's hot functions were optimized again (1,259
 * optimizing compiles). A larger starting heap lets garbage of many pairs go in one collection (35),
 * and a larger interrupt budget leaves a pair's short-lived driver functions to the baseline tiers.
 * Measured on the bench's 850 pairs, --jobs 1: user CPU 16.1-17.0 s -> 13.3-13.8 s; the speed-up
 * of --jobs 2 over --jobs 1 1.27x -> 1.36-1.44x (load 2.0-2.4); peak RSS 305 -> 400-570 MB.
 */
let isolatesTuned = false;
function tuneWorkerIsolates(): void {
  if (isolatesTuned) return;
  isolatesTuned = true;
  setFlagsFromString('--initial-heap-size=128');
  setFlagsFromString('--interrupt-budget=300000');
}

export class SweepPool {
  private readonly queue: Waiting[] = [];
  private readonly slots: Slot[];

  private constructor(o: PoolOptions) {
    tuneWorkerIsolates();
    this.slots = Array.from(
      { length: Math.max(1, o.jobs) },
      () =>
        new Slot(
          o,
          () => this.dispatch(),
          (w) => {
            this.queue.unshift(w);
            this.dispatch();
          },
        ),
    );
  }

  /** Starts the workers and loads the driver in each; a driver that cannot load is reported once. */
  static async start(o: PoolOptions): Promise<{ pool: SweepPool; driverHash: string } | { error: string; pool?: undefined }> {
    const pool = new SweepPool(o);
    const loads = await Promise.all(pool.slots.map((s) => s.ready));
    const failed = loads.find((l): l is Extract<Load, { ok: false }> => !l.ok);
    if (failed) {
      pool.close();
      return { error: failed.message };
    }
    return { pool, driverHash: (loads[0] as Extract<Load, { ok: true }>).hash };
  }

  /** Runs one pair; `first` puts it ahead of the pairs already waiting (a re-run). */
  run(job: PairJob, first = false): Promise<PairOutcome> {
    return new Promise((resolve) => {
      if (first) this.queue.unshift({ job, resolve });
      else this.queue.push({ job, resolve });
      this.dispatch();
    });
  }

  private dispatch(): void {
    // A pair for every worker with none first, then one more for each to hold ahead: a worker then
    // starts its next pair without waiting for a round trip to this thread (about 1 ms a pair here).
    for (const want of [2, 1]) {
      for (const slot of this.slots) {
        if (!this.queue.length) return;
        if (slot.room >= want) slot.run(this.queue.shift()!);
      }
    }
    if (this.queue.length && this.slots.every((s) => s.dead)) {
      for (const w of this.queue.splice(0)) w.resolve({ kind: 'crash', message: 'no worker thread is left to run this pair: each failed to load the driver again' });
    }
  }

  close(): void {
    for (const s of this.slots) s.close();
  }
}
