// The session's side of the runtime boundary: starts the worker that hosts the simulator, sends it
// calls and matches the answers, and watches it with the hang watchdog (src/host/watchdog.ts).
// Driver code that does not return within the TDR delay gets the worker terminated, as does a
// crash; either way the session hears about it through `onDeath` and stays alive.
//
// For a driver, the worker also runs under the adapter's own V8 inspector (inspector.ts), so the
// driver's source can be debugged: then a hang is first offered to the debugger (which pauses the
// driver on its looping line), calls are answered through the inspector while it holds the worker
// paused, and a paused worker is resumed and let go before it is terminated.

import { Worker } from 'node:worker_threads';
import { tdrDelayFor, Timeout, Watchdog } from '../../host/watchdog';
import type { EvaluateResponse } from './cdp';
import { attachToWorker, type WorkerInspector } from './inspector';
import { BRIDGE, fromWire, toWire } from './inspectorBridge';
import { CONTROL, isAnsweredAtOnce, STEP_CODES, WorkerCall, WorkerMessage, WorkerResults } from './protocol';
import type { Redirect } from '../targets/target';

export class RuntimeGone extends Error {}

type Pending = { call: WorkerCall; resolve: (v: unknown) => void; reject: (e: Error) => void };

export interface HostOptions {
  /** Script the worker runs (the bundle itself, which starts the worker side off the main thread). */
  script: string;
  /** The launch's TDR delay; undefined: the scenario's, else the default (the worker sets it once it has read the scenario). */
  tdrDelayMs?: number;
  onOutput(category: 'stdout' | 'stderr' | 'console' | 'important', text: string): void;
  onDeath(message: string): void;
  /**
   * Run the worker under the adapter's inspector: `attach` is called with it before the worker runs
   * its first line; `onHang` gets a hang first and answers true when it deals with it (pauses the
   * driver, holding the watchdog) instead of the run ending.
   */
  inspector?: {
    attach(link: WorkerInspector, host: RuntimeHost): Promise<void>;
    onHang(t: Timeout): boolean;
  };
}

/**
 * The worker runs the bundle as a classic script rather than as a CommonJS module. In a module, the
 * bundle's top-level declarations live in the module function's context, the closure scope of every
 * simulator function; at each driver pause V8 copies every scope of every frame into the paused
 * event's scope objects, so that context (about 1,200 bindings) was copied once per kernel frame
 * (20 of them) at every line step. As a script they are properties of the worker's global object,
 * which V8 hands over as it is. What the CommonJS wrapper provided (require relative to the bundle,
 * module, exports, __filename, __dirname) is put on the global object first.
 */
const CLASSIC_SCRIPT_BOOT = `(() => {
  const { workerData } = require('node:worker_threads');
  const file = workerData.pagingLabScript;
  const g = globalThis;
  g.require = require('node:module').createRequire(file);
  g.module = { exports: {}, filename: file };
  g.exports = g.module.exports;
  g.__filename = file;
  g.__dirname = require('node:path').dirname(file);
  require('node:vm').runInThisContext(require('node:fs').readFileSync(file, 'utf8'), { filename: file });
})();`;

/** How long a paused worker is given to resume and let go before it is terminated anyway. */
const RELEASE_TIMEOUT_MS = 500;

/** Calls the worker's inspector bridge (inspectorBridge.ts): `call` is `method(arguments)`; returns its answer. */
async function throughBridge(link: WorkerInspector, call: string): Promise<{ ok?: boolean; result?: unknown; error?: string; posted?: true }> {
  const r = await link.send<EvaluateResponse>('Runtime.evaluate', { expression: `globalThis.${BRIDGE}.${call}`, returnByValue: true, silent: true });
  if (r.exceptionDetails) throw new Error(String(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text).split('\n')[0]);
  return fromWire(String(r.result.value)) as { ok?: boolean; result?: unknown; error?: string; posted?: true };
}

let workers = 0;

export class RuntimeHost {
  private worker: Worker | undefined;
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL.size * 4));
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: string | undefined;
  private readonly ready: Promise<void>;
  /** The worker's inspector (driver sessions), undefined when it could not be attached. */
  link: WorkerInspector | undefined;
  private paused = false;
  /** Hold it while a debugger keeps the driver paused, so the pause is not taken for a hang. */
  readonly watchdog: Watchdog;

  constructor(private readonly options: HostOptions) {
    this.watchdog = new Watchdog({ tdrDelayMs: tdrDelayFor(options.tdrDelayMs, undefined), onTimeout: (t) => this.onHang(t) });
    const inspector = options.inspector;
    if (!inspector) {
      this.startWorker();
      this.ready = Promise.resolve();
      return;
    }
    const name = `paging-lab simulator ${++workers}`;
    this.ready = attachToWorker(
      name,
      () => this.startWorker(name),
      async (link) => {
        this.link = link;
        await inspector.attach(link, this);
      },
    ).then(
      () => undefined,
      (e: unknown) => {
        this.link = undefined;
        if (!this.worker) this.startWorker();
        options.onOutput('console', `The driver's source cannot be debugged in this session (line breakpoints, stepping): ${e instanceof Error ? e.message : String(e)}\n`);
      },
    );
  }

  private startWorker(name?: string): void {
    const script = this.options.script;
    const classic = script.endsWith('.js');
    const worker = new Worker(classic ? CLASSIC_SCRIPT_BOOT : script, {
      ...(classic ? { eval: true } : {}),
      ...(name ? { name } : {}),
      workerData: { pagingLabRuntime: true, pagingLabScript: script, control: this.control, watchdog: this.watchdog.control },
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: 2048 },
    });
    this.worker = worker;
    worker.stdout.on('data', (d: Buffer) => this.options.onOutput('stdout', d.toString()));
    worker.stderr.on('data', (d: Buffer) => this.options.onOutput('stderr', d.toString()));
    worker.on('message', (m: WorkerMessage) => this.onMessage(m));
    worker.on('error', (e) => this.die(`The simulator crashed: ${e instanceof Error ? e.message : String(e)}`));
    worker.on('exit', (code) => this.die(`The simulator stopped unexpectedly (exit code ${code}).`));
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  /** Asks a running target to stop at the next opportunity. */
  requestPause(): void {
    Atomics.store(this.control, CONTROL.pause, 1);
  }

  /**
   * A run is beginning: a pause asked for before now is forgotten, one asked for from now on stands
   * until the run sees it. Cleared here, in the order of the client's requests, and not when the
   * simulator's thread takes the run: a pause sent right behind a continue arrives before that.
   */
  clearPause(): void {
    Atomics.store(this.control, CONTROL.pause, 0);
  }

  /** Tells the run in progress what it is for from now on (the user went on from a driver stop inside it). */
  redirect(r: Redirect): void {
    Atomics.store(this.control, CONTROL.pause, 0);
    Atomics.store(this.control, CONTROL.redirectStep, Math.max(0, STEP_CODES.indexOf(r.step)));
    Atomics.store(this.control, CONTROL.redirectThread, r.threadId);
    Atomics.store(this.control, CONTROL.redirectCall, r.callId ?? 0);
    Atomics.add(this.control, CONTROL.redirect, 1);
  }

  /** While the inspector holds the worker paused, calls are answered through it (a paused worker reads no messages). */
  inspectorHoldsWorker(paused: boolean): void {
    this.paused = paused;
    if (paused && this.link) this.answerQueued(this.link);
  }

  /**
   * Calls posted just before the worker paused wait in its queue until it runs again, which may be
   * never (the user looks at the stop, then ends the session): those it answers at once go through
   * the inspector instead, and the worker skips them later (inspectorBridge.ts, `answerQueued`).
   */
  private answerQueued(link: WorkerInspector): void {
    for (const [id, p] of this.pending) {
      if (!isAnsweredAtOnce(p.call)) continue;
      throughBridge(link, `answerQueued(${JSON.stringify(toWire(p.call))}, ${id})`).then(
        (a) => {
          if (this.pending.get(id) !== p || a.posted) return; // Posted: the worker read it before pausing, and its own answer comes.
          this.pending.delete(id);
          if (a.ok) p.resolve(a.result);
          else p.reject(new Error(a.error));
        },
        () => undefined, // The worker ran again or went: it reads the call itself, or the death rejects it.
      );
    }
  }

  /** Sends a call and resolves with the worker's answer. */
  async call<K extends WorkerCall['op']>(call: Extract<WorkerCall, { op: K }>, transfer?: ArrayBuffer[]): Promise<WorkerResults[K]> {
    await this.ready;
    if (this.dead !== undefined) throw new RuntimeGone(this.dead);
    if (this.paused && this.link) return (await this.callThroughInspector(this.link, call)) as WorkerResults[K];
    const id = this.nextId++;
    return new Promise<WorkerResults[K]>((resolve, reject) => {
      this.pending.set(id, { call, resolve: resolve as (v: unknown) => void, reject });
      this.worker!.postMessage({ ...call, id }, transfer ?? []);
    });
  }

  private async callThroughInspector(link: WorkerInspector, call: WorkerCall): Promise<unknown> {
    const a = await throughBridge(link, `answer(${JSON.stringify(toWire(call))})`);
    if (!a.ok) throw new Error(a.error);
    return a.result;
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

  private onHang(t: Timeout): boolean {
    if (this.options.inspector?.onHang(t)) return true;
    this.die(tdrMessage(t));
    return false;
  }

  /** Ends the run as a TDR (the debugger could not pause the hung driver). */
  hang(t: Timeout): void {
    this.die(tdrMessage(t));
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
    await this.ready;
    this.worker?.removeAllListeners('exit');
    this.worker?.removeAllListeners('error');
    this.worker?.on('error', () => undefined);
    await this.terminateWorker();
  }

  private terminating: Promise<void> | undefined;

  /** Terminates the worker once; later callers share the same wait, bounded so nothing hangs on it. */
  private terminateWorker(): Promise<void> {
    this.terminating ??= (async () => {
      await this.ready;
      await this.letGo();
      const worker = this.worker;
      if (!worker) return;
      await Promise.race([
        worker.terminate().then(
          () => undefined,
          () => undefined,
        ),
        new Promise<void>((r) => setTimeout(r, 1000).unref()),
      ]);
    })();
    return this.terminating;
  }

  /** A worker paused by the inspector never finishes terminating: stop pausing, resume, detach. */
  private async letGo(): Promise<void> {
    const link = this.link;
    if (!link?.attached) return;
    this.paused = false;
    const steps = (async () => {
      await link.send('Debugger.setSkipAllPauses', { skip: true }).catch(() => undefined);
      await link.send('Debugger.resume').catch(() => undefined);
      await link.detach();
    })();
    await Promise.race([steps, new Promise<void>((r) => setTimeout(r, RELEASE_TIMEOUT_MS).unref())]);
  }
}

function tdrMessage(t: Timeout): string {
  return (
    `Timeout detection and recovery (TDR): the driver made no progress for ${t.ms} ms (tdrDelayMs is ${t.delayMs}): ` +
    `${t.ddi === 'DriverEntry' ? 'DriverEntry (or the module\'s top level)' : t.ddi} did not return, and the simulation was stopped. ` +
    'A DDI that loops forever, or waits on something that never happens, causes this.' +
    (t.at ? `\n  at ${t.at}` : '')
  );
}
