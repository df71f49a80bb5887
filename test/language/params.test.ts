// Requests and notifications with params that are null, missing or malformed: every request the
// server handles answers InvalidParams (-32602) naming the method and the field, never
// InternalError; every such notification is ignored with a log line that says so; and the server
// goes on answering.

import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ErrorCodes, Message, NotificationMessage, ResponseMessage, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { createConnection } from 'vscode-languageserver/node';
import { CHECKED_PARAMS, CHECKED_METHODS } from '../../src/language/params';
import { startServer } from '../../src/language/server';

/**
 * A client that writes JSON-RPC messages exactly as given (a protocol library would turn `null`
 * params into `[null]` or refuse them), to the server of src/language in this process.
 */
class RawClient {
  private readonly toServer = new PassThrough();
  private readonly toClient = new PassThrough();
  private readonly writer = new StreamMessageWriter(this.toServer);
  private readonly reader = new StreamMessageReader(this.toClient);
  private readonly waiting = new Map<string | number, (r: ResponseMessage) => void>();
  private nextId = 1;
  readonly logs: string[] = [];
  readonly published: NotificationMessage[] = [];

  constructor() {
    const server = createConnection(new StreamMessageReader(this.toServer), new StreamMessageWriter(this.toClient), CHECKED_PARAMS);
    startServer(server);
    this.reader.listen((m: Message) => {
      const msg = m as Partial<ResponseMessage & NotificationMessage & { id: number }>;
      if (msg.method === 'window/logMessage') this.logs.push(String((msg.params as { message: unknown }).message));
      else if (msg.method === 'textDocument/publishDiagnostics') this.published.push(m as NotificationMessage);
      else if (msg.method !== undefined && msg.id !== undefined) void this.writer.write({ jsonrpc: '2.0', id: msg.id, result: null } as Message);
      else if (msg.id !== undefined && msg.id !== null) this.waiting.get(msg.id)?.(m as ResponseMessage);
    });
  }

  /** Sends a request; `params` is left out of the message when it is `undefined`. */
  async request(method: string, params?: unknown): Promise<ResponseMessage> {
    const id = this.nextId++;
    const answered = new Promise<ResponseMessage>((resolve) => this.waiting.set(id, resolve));
    await this.writer.write({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) } as Message);
    return answered;
  }

  async notify(method: string, params?: unknown): Promise<void> {
    await this.writer.write({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) } as Message);
  }

  dispose(): void {
    this.reader.dispose();
    this.writer.dispose();
    this.toServer.end();
    this.toClient.end();
  }
}

const pos = { line: 0, character: 0 };
const doc = { uri: 'file:///params/a.pgasm' };
const range = { start: pos, end: pos };

/** Each request with valid params, and one field of them made wrong (path, bad value, what the answer says). */
const REQUESTS: Record<string, { params: Record<string, unknown>; breakAt: string[]; bad: unknown; says: RegExp }> = {
  initialize: { params: { processId: null, rootUri: null, capabilities: {} }, breakAt: ['capabilities'], bad: 7, says: /params\.capabilities must be an object, got number 7/ },
  'textDocument/willSaveWaitUntil': { params: { textDocument: doc, reason: 1 }, breakAt: ['reason'], bad: 'soon', says: /params\.reason must be an integer/ },
  'textDocument/hover': { params: { textDocument: doc, position: pos }, breakAt: ['position', 'line'], bad: -1, says: /params\.position\.line must be a non-negative integer, got number -1/ },
  'textDocument/completion': { params: { textDocument: doc, position: pos }, breakAt: ['position', 'character'], bad: 1.5, says: /params\.position\.character must be a non-negative integer/ },
  'textDocument/signatureHelp': { params: { textDocument: doc, position: pos }, breakAt: ['position'], bad: null, says: /params\.position must be an object, got null/ },
  'textDocument/definition': { params: { textDocument: doc, position: pos }, breakAt: ['textDocument', 'uri'], bad: 42, says: /params\.textDocument\.uri must be a string/ },
  'textDocument/references': { params: { textDocument: doc, position: pos, context: { includeDeclaration: true } }, breakAt: ['context', 'includeDeclaration'], bad: 'yes', says: /params\.context\.includeDeclaration must be true or false/ },
  'textDocument/documentHighlight': { params: { textDocument: doc, position: pos }, breakAt: ['textDocument'], bad: [], says: /params\.textDocument must be an object, got an array/ },
  'textDocument/prepareRename': { params: { textDocument: doc, position: pos }, breakAt: ['position', 'line'], bad: '3', says: /params\.position\.line must be a non-negative integer/ },
  'textDocument/rename': { params: { textDocument: doc, position: pos, newName: 'x' }, breakAt: ['newName'], bad: null, says: /params\.newName must be a string, got null/ },
  'textDocument/documentSymbol': { params: { textDocument: doc }, breakAt: ['textDocument'], bad: 'a.pgasm', says: /params\.textDocument must be an object/ },
  'textDocument/formatting': { params: { textDocument: doc, options: { tabSize: 4, insertSpaces: true } }, breakAt: ['options', 'tabSize'], bad: -4, says: /params\.options\.tabSize must be a non-negative integer/ },
  'textDocument/rangeFormatting': { params: { textDocument: doc, range, options: { tabSize: 4, insertSpaces: true } }, breakAt: ['range', 'end'], bad: {}, says: /params\.range\.end\.line must be a non-negative integer, got nothing/ },
  'textDocument/codeAction': { params: { textDocument: doc, range, context: { diagnostics: [] } }, breakAt: ['context', 'diagnostics'], bad: [null], says: /params\.context\.diagnostics\[0\] must be an object, got null/ },
  'textDocument/inlayHint': { params: { textDocument: doc, range }, breakAt: ['range'], bad: undefined, says: /params\.range must be an object, got nothing/ },
  'textDocument/foldingRange': { params: { textDocument: doc }, breakAt: ['textDocument', 'uri'], bad: null, says: /params\.textDocument\.uri must be a string, got null/ },
  'textDocument/semanticTokens/full': { params: { textDocument: doc }, breakAt: ['textDocument', 'uri'], bad: {}, says: /params\.textDocument\.uri must be a string/ },
  'textDocument/semanticTokens/full/delta': { params: { textDocument: doc, previousResultId: '1' }, breakAt: ['previousResultId'], bad: 1, says: /params\.previousResultId must be a string, got number 1/ },
  'textDocument/semanticTokens/range': { params: { textDocument: doc, range }, breakAt: ['range', 'start', 'character'], bad: -2, says: /params\.range\.start\.character must be a non-negative integer/ },
};

/** Each notification with one field made wrong, and what the log line says. */
const NOTIFICATIONS: Record<string, { params: unknown; says: RegExp }> = {
  '$/setTrace': { params: { value: 3 }, says: /params\.value must be a string/ },
  'textDocument/didOpen': { params: { textDocument: { uri: 'file:///params/b.pgasm', languageId: 'pgasm', version: 1 } }, says: /params\.textDocument\.text must be a string, got nothing/ },
  'textDocument/didChange': { params: { textDocument: { uri: doc.uri, version: 2 }, contentChanges: [{ range: 'all', text: '' }] }, says: /params\.contentChanges\[0\]\.range must be an object/ },
  'textDocument/didClose': { params: { textDocument: {} }, says: /params\.textDocument\.uri must be a string/ },
  'textDocument/didSave': { params: { textDocument: doc, text: 5 }, says: /params\.text must be a string/ },
  'textDocument/willSave': { params: { textDocument: doc }, says: /params\.reason must be an integer, got nothing/ },
};

/** Methods that take no params, so there is nothing to get wrong. */
const NO_PARAMS = ['initialized', 'shutdown', 'exit'];

function withField(params: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(params);
  let at: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[path[path.length - 1]] = value;
  return copy;
}

describe('language server: malformed params', function () {
  let client: RawClient;
  before(async function () {
    client = new RawClient();
    const init = await client.request('initialize', { processId: null, rootUri: null, capabilities: {} });
    assert.ok(init.result, JSON.stringify(init.error));
    await client.notify('initialized', {});
    await client.notify('textDocument/didOpen', { textDocument: { uri: doc.uri, languageId: 'pgasm', version: 1, text: 'start: nop\n' } });
  });
  after(function () {
    client.dispose();
  });

  /** A request the server can answer, to show it still does. */
  async function hoverStillAnswered(): Promise<void> {
    const h = await client.request('textDocument/hover', { textDocument: doc, position: { line: 0, character: 8 } });
    assert.equal(h.error, undefined);
    assert.match(JSON.stringify(h.result), /nop/);
  }

  it('checks the params of every request and notification the server handles', function () {
    assert.deepEqual([...Object.keys(REQUESTS), ...Object.keys(NOTIFICATIONS), ...NO_PARAMS].sort(), [...CHECKED_METHODS].sort());
  });

  for (const [method, c] of Object.entries(REQUESTS)) {
    it(`${method}: null, missing or malformed params answer InvalidParams`, async function () {
      const cases: [unknown, RegExp][] = [
        [null, /params must be an object, got null/],
        [undefined, /params must be an object, got nothing/],
        [[c.params], /params must be an object, got an array/],
        [withField(c.params, c.breakAt, c.bad), c.says],
      ];
      for (const [params, says] of cases) {
        const r = await client.request(method, params);
        assert.ok(r.error, `${method} ${JSON.stringify(params)} answered ${JSON.stringify(r.result)}`);
        assert.equal(r.error.code, ErrorCodes.InvalidParams, `${method} ${JSON.stringify(params)}: ${r.error.code} ${r.error.message}`);
        assert.ok(r.error.message.startsWith(`${method}: `), r.error.message);
        assert.match(r.error.message, says);
      }
      await hoverStillAnswered();
    });
  }

  for (const [method, c] of Object.entries(NOTIFICATIONS)) {
    it(`${method}: null, missing or malformed params are ignored with a log line`, async function () {
      const logged = client.logs.length;
      await client.notify(method, null);
      await client.notify(method);
      await client.notify(method, c.params);
      // A request sent after the notifications is answered after them, so their log lines are in by then.
      await hoverStillAnswered();
      const lines = client.logs.slice(logged);
      const ignored = (says: RegExp) => lines.filter((l) => l.startsWith(`${method}: invalid params, ignored: `) && says.test(l)).length;
      assert.equal(ignored(/params must be an object, got null/), 1, lines.join('\n'));
      assert.equal(ignored(/params must be an object, got nothing/), 1, lines.join('\n'));
      assert.equal(ignored(c.says), 1, lines.join('\n'));
      assert.ok(!lines.some((l) => /Cannot read|TypeError|failed with message/.test(l)), lines.join('\n'));
    });
  }

  it('keeps the document as it was after the refused changes', async function () {
    const symbols = await client.request('textDocument/documentSymbol', { textDocument: doc });
    assert.deepEqual((symbols.result as { name: string }[]).map((s) => s.name), ['start']);
    assert.ok(client.published.length > 0 && client.published.every((p) => JSON.stringify(p.params).includes('"diagnostics":[]')));
  });
});
