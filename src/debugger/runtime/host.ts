// The session's side of the runtime boundary: starts the worker that hosts the simulator, sends it
// calls and matches the answers, and watches it with the hang watchdog (src/host/watchdog.ts).
// Driver code that does not return within the TDR delay gets the worker terminated, as does a
// crash; either way the session hears about it through `onDeath` and stays alive.

import { Worker } from 'node:worker_threads';
import { tdrDelayFor, Timeout, Watchdog } from '../../host/watchdog';
import { CONTROL, WorkerCall, WorkerMessage, WorkerResults } from './protocol';

export class RuntimeGone extends Error {}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export interface HostOptions {
  /** Script the worker runs (the bundle itself, which starts the worker side off the main thread). */
  script: string;
  /** The launch's TDR delay; undefined: the scenario's, else the default (the worker sets it once it has read the scenario). */
  tdrDelayMs?: number;
  onOutput(category: 'stdout' | 'stderr' | 'console' | 'important', text: string): void;
  onDeath(message: string): void;
}

export class RuntimeHost {
  private readonly worker: Worker;
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL.size * 4));
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: string | undefined;
  /** Hold it while a debugger keeps the driver paused, so the pause is not taken for a hang. */
  readonly watchdog: Watchdog;

  constructor(private readonly options: HostOptions) {
    this.watchdog = new Watchdog({ tdrDelayMs: tdrDelayFor(options.tdrDelayMs, undefined), onTimeout: (t) => this.die(tdrMessage(t)) });
    this.worker = new Worker(options.script, {
      workerData: { pagingLabRuntime: true, control: this.control, watchdog: this.watchdog.control },
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: 2048 },
    });
    this.worker.stdout.on('data', (d: Buffer) => options.onOutput('stdout', d.toString()));
    this.worker.stderr.on('data', (d: Buffer) => options.onOutput('stderr', d.toString()));
    this.worker.on('message', (m: WorkerMessage) => this.onMessage(m));
    this.worker.on('error', (e) => this.die(`The simulator crashed: ${e instanceof Error ? e.message : String(e)}`));
    this.worker.on('exit', (code) => this.die(`The simulator stopped unexpectedly (exit code ${code}).`));
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  /** Asks a running target to stop at the next opportunity. */
  requestPause(): void {
    Atomics.store(this.control, CONTROL.pause, 1);
  }

  /** Sends a call and resolves with the worker's answer. */
  call<K extends WorkerCall['op']>(call: Extract<WorkerCall, { op: K }>, transfer?: ArrayBuffer[]): Promise<WorkerResults[K]> {
    if (this.dead !== undefined) return Promise.reject(new RuntimeGone(this.dead));
    const id = this.nextId++;
    return new Promise<WorkerResults[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
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

  private die(message: string): void {
    if (this.dead !== undefined) return;
    this.dead = message;
    this.watchdog.stop();
    void this.terminateWorker();
    const err = new RuntimeGone(message);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.options.onDeath(message);
  }

  /** Stops the worker without reporting a death (the session is ending on purpose). */
  async dispose(): Promise<void> {
    if (this.dead === undefined) this.dead = 'The debug session ended.';
    this.watchdog.stop();
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

function tdrMessage(t: Timeout): string {
  return (
    `Timeout detection and recovery (TDR): the driver made no progress for ${t.ms} ms (tdrDelayMs is ${t.delayMs}): ` +
    `${t.ddi === 'DriverEntry' ? 'DriverEntry (or the module\'s top level)' : t.ddi} did not return, and the simulation was stopped. ` +
    'A DDI that loops forever, or waits on something that never happens, causes this.'
  );
}
