// The adapter's line to the V8 inspector of the simulator's worker thread, in this process: one
// `node:inspector` Session on the main thread, the NodeWorker domain to reach the worker, no port
// and nothing listening on the network. A paused worker cannot answer postMessage, but its
// inspector still answers: this is how the debugger pauses, steps and reads driver code.
//
// NodeWorker is process-wide: every worker started while it is enabled waits for a debugger before
// running its first line. Ours are recognised by name and set up (Debugger.enable, breakpoints)
// before they run; any other worker is let go at once. The domain is switched off again when no
// worker of ours is attached, so the rest of the process is as it was.

import { Session } from 'node:inspector';

/** A CDP command failed (the message is V8's), or the worker is gone. */
export class InspectorError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

interface CdpMessage {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

type Listener = (params: never) => void;

interface AttachedParams {
  sessionId: string;
  workerInfo: { workerId: string; type: string; title: string; url: string };
  waitingForDebugger: boolean;
}

/** How long a worker of ours may take to show up on the inspector after it was started. */
const ATTACH_TIMEOUT_MS = 10000;

/** The process's one inspector session and the workers attached through it. */
class Hub {
  private readonly session = new Session();
  private enabled: Promise<void> | undefined;
  private readonly expected = new Map<string, (p: AttachedParams) => void>();
  private readonly links = new Map<string, WorkerInspector>();

  constructor() {
    this.session.connect();
    this.session.on('NodeWorker.attachedToWorker', (m) => this.attached(m.params as AttachedParams));
    this.session.on('NodeWorker.detachedFromWorker', (m) => {
      const id = (m.params as { sessionId: string }).sessionId;
      this.links.get(id)?.gone('The simulator thread is no longer attached to the debugger.');
      this.links.delete(id);
      this.idle();
    });
    this.session.on('NodeWorker.receivedMessageFromWorker', (m) => {
      const p = m.params as { sessionId: string; message: string };
      this.links.get(p.sessionId)?.receive(p.message);
    });
  }

  post(method: string, params?: object): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.session.post(method, params ?? {}, (e, r) => (e ? reject(new InspectorError(e.message)) : resolve(r))),
    );
  }

  /** Waits for the worker named `name` (started by `start`), attached and still waiting to run. */
  async attach(name: string, start: () => void): Promise<WorkerInspector> {
    this.enabled ??= this.post('NodeWorker.enable', { waitForDebuggerOnStart: true }).then(() => undefined);
    try {
      await this.enabled;
    } catch (e) {
      this.enabled = undefined;
      throw e;
    }
    let timer: NodeJS.Timeout | undefined;
    const found = new Promise<AttachedParams>((resolve, reject) => {
      this.expected.set(name, resolve);
      timer = setTimeout(() => reject(new InspectorError(`the simulator thread did not show up on the inspector within ${ATTACH_TIMEOUT_MS} ms`)), ATTACH_TIMEOUT_MS);
    });
    try {
      start();
      const p = await found;
      const link = new WorkerInspector(p.sessionId, this);
      this.links.set(p.sessionId, link);
      return link;
    } finally {
      clearTimeout(timer);
      this.expected.delete(name);
      this.idle();
    }
  }

  private attached(p: AttachedParams): void {
    const name = [...this.expected.keys()].find((n) => p.workerInfo.title === n || p.workerInfo.title.endsWith(`] ${n}`));
    if (name !== undefined) {
      this.expected.get(name)!(p);
      this.expected.delete(name);
      return;
    }
    // Not ours: let it run, and stop listening to it.
    const message = JSON.stringify({ id: 1, method: 'Runtime.runIfWaitingForDebugger' });
    void this.post('NodeWorker.sendMessageToWorker', { sessionId: p.sessionId, message })
      .catch(() => undefined)
      .then(() => this.post('NodeWorker.detach', { sessionId: p.sessionId }))
      .catch(() => undefined);
  }

  /** Leaves the worker; its link reports itself gone. */
  async detach(link: WorkerInspector): Promise<void> {
    if (!this.links.has(link.sessionId)) return;
    this.links.delete(link.sessionId);
    try {
      await this.post('NodeWorker.detach', { sessionId: link.sessionId });
    } catch {
      // Already gone with its worker.
    }
    this.idle();
  }

  /** With nothing of ours attached or expected, new workers need not wait for a debugger any more. */
  private idle(): void {
    if (this.links.size || this.expected.size || !this.enabled) return;
    const was = this.enabled;
    this.enabled = undefined;
    void was.then(() => this.post('NodeWorker.disable')).catch(() => undefined);
  }
}

let hub: Hub | undefined;

/**
 * Starts a worker through `start` (it must be created with `{ name }`) and attaches to its
 * inspector before it runs its first line. `setup` runs then (Debugger.enable, breakpoints...);
 * the worker is let go when it returns. Throws InspectorError when this Node has no inspector or
 * no NodeWorker domain; the caller then runs the worker without one.
 */
export async function attachToWorker(name: string, start: () => void, setup: (link: WorkerInspector) => Promise<void>): Promise<WorkerInspector> {
  try {
    hub ??= new Hub();
  } catch (e) {
    throw new InspectorError(`this Node.js has no inspector: ${(e as Error).message}`);
  }
  const link = await hub.attach(name, start);
  try {
    await setup(link);
  } finally {
    await link.send('Runtime.runIfWaitingForDebugger').catch(() => undefined);
  }
  return link;
}

/** One worker's inspector: CDP commands and events, as if it were a session of its own. */
export class WorkerInspector {
  private nextId = 1;
  private readonly replies = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, Listener[]>();
  private goneMessage: string | undefined;
  private readonly goneListeners: ((message: string) => void)[] = [];

  constructor(
    readonly sessionId: string,
    private readonly hub: Hub,
  ) {}

  get attached(): boolean {
    return this.goneMessage === undefined;
  }

  /** Sends a CDP command to the worker; resolves with its result, rejects with V8's error. */
  send<T = unknown>(method: string, params?: object): Promise<T> {
    if (this.goneMessage !== undefined) return Promise.reject(new InspectorError(this.goneMessage));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.replies.set(id, { resolve: resolve as (r: unknown) => void, reject });
      this.hub.post('NodeWorker.sendMessageToWorker', { sessionId: this.sessionId, message: JSON.stringify({ id, method, params: params ?? {} }) }).catch((e: Error) => {
        this.replies.delete(id);
        reject(e);
      });
    });
  }

  /** Listens to a CDP event of the worker (e.g. Debugger.paused). */
  on<P>(method: string, listener: (params: P) => void): void {
    const list = this.listeners.get(method) ?? [];
    list.push(listener as Listener);
    this.listeners.set(method, list);
  }

  /** Called once when the worker goes away (it ended, or it was detached). */
  onGone(listener: (message: string) => void): void {
    this.goneListeners.push(listener);
  }

  /** Stops listening to the worker. A paused worker must be resumed first: detaching does not resume it in every Node. */
  async detach(): Promise<void> {
    if (this.goneMessage !== undefined) return;
    await this.hub.detach(this);
    this.gone('The debugger detached from the simulator thread.');
  }

  receive(text: string): void {
    let m: CdpMessage;
    try {
      m = JSON.parse(text) as CdpMessage;
    } catch {
      return;
    }
    if (m.id !== undefined) {
      const r = this.replies.get(m.id);
      if (!r) return;
      this.replies.delete(m.id);
      if (m.error) r.reject(new InspectorError(m.error.message, m.error.code));
      else r.resolve(m.result);
      return;
    }
    if (m.method) for (const l of this.listeners.get(m.method) ?? []) (l as (p: unknown) => void)(m.params);
  }

  gone(message: string): void {
    if (this.goneMessage !== undefined) return;
    this.goneMessage = message;
    const err = new InspectorError(message);
    for (const r of this.replies.values()) r.reject(err);
    this.replies.clear();
    for (const l of this.goneListeners.splice(0)) l(message);
  }
}
