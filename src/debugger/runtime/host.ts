// The session's side of the runtime boundary: starts the worker that hosts the simulator, sends it
// calls and matches the answers, and watches it. A worker that makes no progress for the TDR delay
// while busy (a driver stuck in a loop) is terminated, as is one that crashes; either way the
// session hears about it through `onDeath` and stays alive.

import { Worker } from 'node:worker_threads';
import { CONTROL, WorkerCall, WorkerMessage, WorkerResults } from './protocol';

export class RuntimeGone extends Error {}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; watched: boolean };

export interface HostOptions {
  /** Script the worker runs (the bundle itself, which starts the worker side off the main thread). */
  script: string;
  tdrDelayMs: number;
  onOutput(category: 'stdout' | 'stderr' | 'console' | 'important', text: string): void;
  onDeath(message: string): void;
}

export class RuntimeHost {
  private readonly worker: Worker;
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL.size * 4));
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: string | undefined;
  private lastBeat = 0;
  private lastBeatAt = 0;
  private readonly watchdog: NodeJS.Timeout;

  constructor(private readonly options: HostOptions) {
    this.worker = new Worker(options.script, {
      workerData: { pagingLabRuntime: true, control: this.control },
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: 2048 },
    });
    this.worker.stdout.on('data', (d: Buffer) => options.onOutput('stdout', d.toString()));
    this.worker.stderr.on('data', (d: Buffer) => options.onOutput('stderr', d.toString()));
    this.worker.on('message', (m: WorkerMessage) => this.onMessage(m));
    this.worker.on('error', (e) => this.die(`The simulator crashed: ${e instanceof Error ? e.message : String(e)}`));
    this.worker.on('exit', (code) => this.die(`The simulator stopped unexpectedly (exit code ${code}).`));
    const period = Math.max(20, Math.min(250, options.tdrDelayMs / 4));
    this.watchdog = setInterval(() => this.checkProgress(), period);
    this.watchdog.unref();
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  /** Asks a running target to stop at the next opportunity. */
  requestPause(): void {
    Atomics.store(this.control, CONTROL.pause, 1);
  }

  /**
   * Sends a call. Calls are watched for hangs, except a launch: compiling a driver takes its time,
   * and no driver code runs before the machine starts.
   */
  call<K extends WorkerCall['op']>(call: Extract<WorkerCall, { op: K }>, transfer?: ArrayBuffer[]): Promise<WorkerResults[K]> {
    if (this.dead !== undefined) return Promise.reject(new RuntimeGone(this.dead));
    const id = this.nextId++;
    const watched = call.op !== 'launch';
    if (![...this.pending.values()].some((p) => p.watched)) {
      this.lastBeat = Atomics.load(this.control, CONTROL.heartbeat);
      this.lastBeatAt = Date.now();
    }
    return new Promise<WorkerResults[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, watched });
      this.worker.postMessage({ ...call, id }, transfer ?? []);
    });
  }

  private onMessage(m: WorkerMessage): void {
    if ('event' in m) {
      this.options.onOutput(m.category, m.output);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(m.error));
  }

  private checkProgress(): void {
    if (this.dead !== undefined) return;
    let watched = false;
    for (const p of this.pending.values()) watched ||= p.watched;
    if (!watched) return;
    const beat = Atomics.load(this.control, CONTROL.heartbeat);
    const now = Date.now();
    if (beat !== this.lastBeat) {
      this.lastBeat = beat;
      this.lastBeatAt = now;
      return;
    }
    if (now - this.lastBeatAt >= this.options.tdrDelayMs) {
      const ms = now - this.lastBeatAt;
      this.die(
        `Timeout detection and recovery (TDR): the driver made no progress for ${ms} ms ` +
          `(tdrDelayMs is ${this.options.tdrDelayMs}); the simulation was stopped. ` +
          'A DDI that loops forever, or waits on something that never happens, causes this.',
      );
    }
  }

  private die(message: string): void {
    if (this.dead !== undefined) return;
    this.dead = message;
    clearInterval(this.watchdog);
    void this.terminateWorker();
    const err = new RuntimeGone(message);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.options.onDeath(message);
  }

  /** Stops the worker without reporting a death (the session is ending on purpose). */
  async dispose(): Promise<void> {
    if (this.dead === undefined) this.dead = 'The debug session ended.';
    clearInterval(this.watchdog);
    const err = new RuntimeGone(this.dead);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.worker.removeAllListeners('exit');
    this.worker.removeAllListeners('error');
    this.worker.on('error', () => undefined);
    await this.terminateWorker();
  }

  private terminating: Promise<void> | undefined;

  /** Terminates the worker once; later callers share the same wait, bounded so nothing hangs on it. */
  private terminateWorker(): Promise<void> {
    this.terminating ??= Promise.race([
      this.worker.terminate().then(
        () => undefined,
        () => undefined,
      ),
      new Promise<void>((r) => setTimeout(r, 1000).unref()),
    ]);
    return this.terminating;
  }
}
