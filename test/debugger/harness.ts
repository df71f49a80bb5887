// Drives the shipped adapter (dist/debugAdapter.js, spawned with node) through DebugClient over its
// real stdio stream. Every byte the adapter writes is also parsed here and each message checked
// against the protocol schema; `violations` collects what did not validate, and the suites assert
// it is empty.

import { spawn, ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { distFile } from '../setup';
import { protocolValidator } from './protocolSchema';

export interface SentMessage {
  type: string;
  command?: string;
  event?: string;
  success?: boolean;
  body?: unknown;
  [k: string]: unknown;
}

export class AdapterClient extends DebugClient {
  readonly messages: SentMessage[] = [];
  private readonly log = new AdapterClientLog();
  readonly stderr: string[] = [];
  private proc: ChildProcess | undefined;
  exitCode: number | null | undefined;
  /** How the adapter's process ended, once it has: requests then fail at once with it instead of waiting forever. */
  private ended: string | undefined;

  constructor() {
    super('node', distFile('debugAdapter.js'), 'wddm');
    this.defaultTimeout = 8000;
    // The adapter library reports unparsable input as an `error` event; an EventEmitter without an
    // `error` listener would throw it into the test's stream handling and stall the reading.
    this.on('error', () => undefined);
    // Once the adapter has ended, a request fails at once saying how (the library would wait for an answer forever).
    const client = this as unknown as { doSend(c: string, a: unknown, cb: (r: DebugProtocol.Response) => void): void };
    const send = client.doSend.bind(this);
    client.doSend = (command, args, callback) => (this.ended === undefined ? send(command, args, callback) : callback(this.failure(-1)));
  }

  /**
   * Messages that failed the schema. Checked when asked (not as they arrive), so that validating
   * never slows the reading of a fast adapter.
   */
  get violations(): string[] {
    return this.log.validate(this.messages);
  }

  override start(): Promise<void> {
    protocolValidator();
    const proc = spawn(process.execPath, [distFile('debugAdapter.js')], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc = proc;
    const tee = new PassThrough();
    proc.stdout!.on('data', (chunk: Buffer) => {
      this.log.scan(chunk, this.messages);
      tee.write(chunk);
    });
    proc.stderr!.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    proc.on('exit', (code, signal) => {
      this.exitCode = code;
      const last = this.stderr.join('').trim().split('\n').slice(-5).join('\n');
      this.ended = `the adapter's process ended (${signal ? `signal ${signal}` : `exit code ${code}`})${last ? `; its last words:\n${last}` : ''}`;
      const pending = (this as unknown as { pendingRequests: Map<number, (r: DebugProtocol.Response) => void> }).pendingRequests;
      for (const [seq, callback] of [...pending]) {
        pending.delete(seq);
        callback(this.failure(seq));
      }
    });
    this.connect(tee, proc.stdin!);
    return Promise.resolve();
  }

  /** A failed response saying how the adapter ended. */
  private failure(seq: number): DebugProtocol.Response {
    return { seq: 0, type: 'response', request_seq: seq, command: '', success: false, message: this.ended };
  }

  get alive(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** The adapter's process id (for its resident memory and thread count in /proc). */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Sends a request and resolves with the raw response, success or not. */
  request(command: string, args?: unknown): Promise<DebugProtocol.Response> {
    return new Promise((resolve) => {
      (this as unknown as { doSend(c: string, a: unknown, cb: (r: DebugProtocol.Response) => void): void }).doSend(command, args, resolve);
    });
  }

  /** Writes raw bytes to the adapter's stdin (for malformed-message tests). */
  writeRaw(data: string | Buffer): void {
    this.proc!.stdin!.write(data);
  }

  /** Closes the adapter's input, as a client that goes away does, and resolves with how the process ended (undefined: still running after `ms`). */
  async endInput(ms = 5000): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    const proc = this.proc;
    if (!proc) return undefined;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve({ code: proc.exitCode, signal: proc.signalCode });
      else proc.once('exit', (code, signal) => resolve({ code, signal }));
    });
    proc.stdin!.end();
    return Promise.race([exited, new Promise<undefined>((r) => setTimeout(r, ms))]);
  }

  async close(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    try {
      await Promise.race([this.disconnectRequest({}), new Promise((r) => setTimeout(r, 1000))]);
    } catch {
      // the adapter may already be gone
    }
    if (proc.exitCode === null) proc.kill();
    this.proc = undefined;
  }
}

/** Initializes like VS Code does (memory events, variable types, lines from 1). */
export async function initialize(dc: AdapterClient): Promise<DebugProtocol.InitializeResponse> {
  return dc.initializeRequest({
    adapterID: 'wddm',
    clientID: 'vscode',
    linesStartAt1: true,
    columnsStartAt1: true,
    pathFormat: 'path',
    supportsVariableType: true,
    supportsMemoryReferences: true,
    supportsMemoryEvent: true,
    supportsInvalidatedEvent: true,
  });
}

/** Sends `send` and waits for the next `event` that arrives after it. */
export async function expectEvent<T extends DebugProtocol.Event>(dc: AdapterClient, event: string, send: () => Promise<unknown>): Promise<T> {
  const ev = dc.waitForEvent(event);
  await send();
  return (await ev) as T;
}

export function decodeBase64(data: string | undefined): Buffer {
  return Buffer.from(data ?? '', 'base64');
}

/**
 * The adapter over a raw stream with no client library in between: for floods of generated and
 * malformed input, where a client library's own bookkeeping would be what is tested.
 */
export class RawAdapter {
  readonly messages: SentMessage[] = [];
  readonly stderr: string[] = [];
  private readonly proc: ChildProcess;
  private readonly log = new AdapterClientLog();

  constructor() {
    this.proc = spawn(process.execPath, [distFile('debugAdapter.js')], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (chunk: Buffer) => this.log.scan(chunk, this.messages));
    this.proc.stderr!.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.proc.stdin!.on('error', () => undefined);
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** How the process ended, if it did. */
  get ended(): string | undefined {
    return this.alive ? undefined : `exit code ${this.proc.exitCode}, signal ${this.proc.signalCode}`;
  }

  get violations(): string[] {
    return this.log.validate(this.messages);
  }

  send(message: unknown): void {
    const json = JSON.stringify(message);
    this.proc.stdin!.write(`Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`);
  }

  writeRaw(data: string): void {
    this.proc.stdin!.write(data);
  }

  close(): void {
    if (this.alive) this.proc.kill();
  }
}

/**
 * Framing and lazy schema validation of what an adapter writes: chunks are joined only once a
 * message is complete, and messages are checked against the schema when asked, not as they arrive,
 * so validating never slows the reading of a fast adapter.
 */
class AdapterClientLog {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private need = -1;
  private checked = 0;
  private readonly found: string[] = [];

  scan(chunk: Buffer, out: SentMessage[]): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.need < 0) {
        const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
        this.chunks = [all];
        const head = all.indexOf('\r\n\r\n');
        if (head < 0) return;
        const m = /Content-Length: *(\d+)/i.exec(all.subarray(0, head).toString());
        const rest = all.subarray(head + 4);
        this.chunks = [rest];
        this.buffered = rest.length;
        if (!m) {
          this.found.push(`bad header: ${all.subarray(0, head).toString()}`);
          continue;
        }
        this.need = Number(m[1]);
      }
      if (this.buffered < this.need) return;
      const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      const text = all.subarray(0, this.need).toString('utf8');
      const rest = all.subarray(this.need);
      this.chunks = [rest];
      this.buffered = rest.length;
      this.need = -1;
      try {
        out.push(JSON.parse(text) as SentMessage);
      } catch {
        this.found.push(`not JSON: ${text.slice(0, 200)}`);
      }
    }
  }

  validate(messages: readonly SentMessage[]): string[] {
    const v = protocolValidator();
    for (; this.checked < messages.length; this.checked++) {
      const p = v.problems(messages[this.checked]);
      if (p) this.found.push(`${p}\n    in ${JSON.stringify(messages[this.checked]).slice(0, 400)}`);
    }
    return this.found;
  }
}

/** Threads and resident memory of a process, from /proc (Linux); undefined elsewhere. */
export function processFigures(pid: number | undefined): { threads: number; rssKiB: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { threads: field('Threads'), rssKiB: field('VmRSS') };
  } catch {
    return undefined;
  }
}

/**
 * Launches with `args`, lets `configure` set breakpoints between `initialized` and
 * configurationDone (as a client does), and resolves with the first stop or the end.
 */
export async function launchAndStop(dc: AdapterClient, args: Record<string, unknown>, configure: () => Promise<void>, timeoutMs = 30000): Promise<DebugProtocol.Event> {
  await initialize(dc);
  const initialized = dc.waitForEvent('initialized', timeoutMs);
  const launched = dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
  launched.catch(() => undefined);
  await initialized;
  await configure();
  const first = Promise.race([dc.waitForEvent('stopped', timeoutMs), dc.waitForEvent('terminated', timeoutMs)]);
  await dc.configurationDoneRequest();
  await launched;
  return first;
}

/** The variables of a reference, by name. */
export async function variables(dc: AdapterClient, ref: number): Promise<Map<string, DebugProtocol.Variable>> {
  const r = await dc.variablesRequest({ variablesReference: ref });
  return new Map(r.body.variables.map((v) => [v.name, v]));
}

/**
 * A fresh adapter for each test of the suite (call inside `describe`); after each test its
 * messages must all have validated against the protocol schema.
 */
export function adapterPerTest(): () => AdapterClient {
  let dc: AdapterClient | undefined;
  beforeEach(async () => {
    dc = new AdapterClient();
    await dc.start();
  });
  afterEach(async () => {
    const violations = dc!.violations.slice();
    await dc!.close();
    if (violations.length) throw new Error(`messages the adapter sent do not validate against the DAP schema:\n${violations.join('\n')}`);
  });
  return () => dc!;
}

