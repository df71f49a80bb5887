// Drives the shipped adapter (dist/debugAdapter.js, spawned with node) through DebugClient over its
// real stdio stream. Every byte the adapter writes is also parsed here and each message checked
// against the protocol schema; `violations` collects what did not validate, and the suites assert
// it is empty.

import { spawn, ChildProcess } from 'node:child_process';
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
  readonly violations: string[] = [];
  readonly stderr: string[] = [];
  private proc: ChildProcess | undefined;
  private raw = Buffer.alloc(0);
  exitCode: number | null | undefined;

  constructor() {
    super('node', distFile('debugAdapter.js'), 'wddm');
    this.defaultTimeout = 8000;
  }

  override start(): Promise<void> {
    const validator = protocolValidator();
    const proc = spawn(process.execPath, [distFile('debugAdapter.js')], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc = proc;
    const tee = new PassThrough();
    proc.stdout!.on('data', (chunk: Buffer) => {
      this.scan(chunk, validator.problems.bind(validator));
      tee.write(chunk);
    });
    proc.stderr!.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    proc.on('exit', (code) => {
      this.exitCode = code;
    });
    this.connect(tee, proc.stdin!);
    return Promise.resolve();
  }

  get alive(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  private scan(chunk: Buffer, problems: (m: unknown) => string | null): void {
    this.raw = Buffer.concat([this.raw, chunk]);
    for (;;) {
      const head = this.raw.indexOf('\r\n\r\n');
      if (head < 0) return;
      const m = /Content-Length: *(\d+)/i.exec(this.raw.subarray(0, head).toString());
      if (!m) {
        this.violations.push(`bad header: ${this.raw.subarray(0, head).toString()}`);
        this.raw = this.raw.subarray(head + 4);
        continue;
      }
      const len = Number(m[1]);
      if (this.raw.length < head + 4 + len) return;
      const text = this.raw.subarray(head + 4, head + 4 + len).toString('utf8');
      this.raw = this.raw.subarray(head + 4 + len);
      let msg: SentMessage;
      try {
        msg = JSON.parse(text) as SentMessage;
      } catch {
        this.violations.push(`not JSON: ${text.slice(0, 200)}`);
        continue;
      }
      this.messages.push(msg);
      const p = problems(msg);
      if (p) this.violations.push(`${p}\n    in ${text.slice(0, 400)}`);
    }
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
