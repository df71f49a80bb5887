// A real LSP client side for the tests and the benchmark: a vscode-jsonrpc message connection to
// the pgasm server, either in-process over a stream pair (the server's own createConnection on the
// other end) or to a child process over stdio (dist/server.js, or any other server).

import { ChildProcess, fork, spawn } from 'node:child_process';
import { createConnection } from 'vscode-languageserver/node';
import { startServer } from '../../src/language/server';
import { CHECKED_PARAMS } from '../../src/language/params';
import { PassThrough } from 'node:stream';
import {
  CancellationToken,
  MessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  IPCMessageReader,
  IPCMessageWriter,
  createMessageConnection,
} from 'vscode-jsonrpc/node';
import {
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  InitializeRequest,
  InitializeResult,
  InitializedNotification,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  PublishDiagnosticsParams,
  ShutdownRequest,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol';

/** Waits for a child to exit after `exit`; kills it if it has not within 2 s. */
function waitForExit(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => {
      child.kill();
      resolve();
    }, 2000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

type Waiter = { uri: string; version?: number; resolve: (p: PublishDiagnosticsParams) => void };

export class LspClient {
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  /** Every version each document's diagnostics were published for, in order. */
  readonly publishedVersions = new Map<string, (number | undefined)[]>();
  readonly logs: string[] = [];
  private waiters: Waiter[] = [];
  private versions = new Map<string, number>();
  initializeResult!: InitializeResult;

  private constructor(
    readonly connection: MessageConnection,
    private readonly dispose: () => Promise<void> | void,
    readonly child?: ChildProcess,
  ) {
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.diagnostics.set(p.uri, p);
      const list = this.publishedVersions.get(p.uri) ?? [];
      list.push(p.version);
      this.publishedVersions.set(p.uri, list);
      this.waiters = this.waiters.filter((w) => {
        if (w.uri !== p.uri || (w.version !== undefined && p.version !== undefined && p.version < w.version)) return true;
        w.resolve(p);
        return false;
      });
    });
    connection.onNotification(LogMessageNotification.type, (p) => {
      this.logs.push(typeof p.message === 'string' ? p.message : JSON.stringify(p.message));
    });
    // Servers may ask for configuration or register capabilities; answer like a plain editor would.
    connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.listen();
  }

  /** The pgasm server from src/language, in this process, over a stream pair. */
  static async inProcess(initializationOptions: object = {}): Promise<LspClient> {
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    const serverConnection = createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient), CHECKED_PARAMS);
    startServer(serverConnection);
    const connection = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
    const client = new LspClient(connection, () => {
      connection.dispose();
      serverConnection.dispose();
      toServer.end();
      toClient.end();
    });
    await client.initialize(initializationOptions);
    return client;
  }

  /** A server as a child process over node IPC, the transport the extension uses. */
  static async fork(modulePath: string, initializationOptions: object = {}): Promise<LspClient> {
    const child = fork(modulePath, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    const client = new LspClient(
      connection,
      async () => {
        try {
          await connection.sendRequest(ShutdownRequest.type);
          await connection.sendNotification('exit');
        } catch {
          // Already gone.
        }
        connection.dispose();
        await waitForExit(child);
      },
      child,
    );
    await client.initialize(initializationOptions);
    return client;
  }

  /** A server as a child process over stdio (`node dist/server.js --stdio`, or another server). */
  static async spawn(command: string, args: string[], initializationOptions: object = {}, capabilities: object = {}): Promise<LspClient> {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr!.on('data', () => undefined);
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(
      connection,
      async () => {
        try {
          await connection.sendRequest(ShutdownRequest.type);
          await connection.sendNotification('exit');
        } catch {
          // Already gone.
        }
        connection.dispose();
        await waitForExit(child);
      },
      child,
    );
    await client.initialize(initializationOptions, capabilities);
    return client;
  }

  private async initialize(initializationOptions: object, capabilities: object = {}): Promise<void> {
    this.initializeResult = await this.connection.sendRequest(InitializeRequest.type, {
      processId: null,
      rootUri: null,
      capabilities: {
        textDocument: {
          publishDiagnostics: { versionSupport: true, relatedInformation: true, codeDescriptionSupport: true, dataSupport: true },
          synchronization: { didSave: false, dynamicRegistration: false },
        },
        ...capabilities,
      },
      initializationOptions,
      workspaceFolders: null,
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
  }

  async open(uri: string, text: string, languageId = 'pgasm'): Promise<void> {
    this.versions.set(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Sends an edit and returns the new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  /** Resolves with the first diagnostics published for `uri` at `version` or later (or any, without a version). */
  waitForDiagnostics(uri: string, version?: number, timeoutMs = 15000): Promise<PublishDiagnosticsParams> {
    const have = this.diagnostics.get(uri);
    if (have && (version === undefined || (have.version ?? 0) >= version)) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no diagnostics for ${uri} version ${version} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        uri,
        version,
        resolve: (p) => {
          clearTimeout(t);
          resolve(p);
        },
      });
    });
  }

  /** Forgets what was published, so the next wait sees only new diagnostics. */
  forget(uri: string): void {
    this.diagnostics.delete(uri);
  }

  request<R>(method: string, params: unknown, token?: CancellationToken): Promise<R> {
    return (token ? this.connection.sendRequest(method, params, token) : this.connection.sendRequest(method, params)) as Promise<R>;
  }

  async stop(): Promise<void> {
    await this.dispose();
  }
}
