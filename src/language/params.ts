// The shape of the params of every request and notification the pgasm server handles, checked
// before any handler (the protocol library's or ours) sees the message. A request whose params are
// missing or malformed is answered with InvalidParams naming the field; such a notification is
// dropped with a log line. Without this a handler reads a field of null and the client gets an
// InternalError that says nothing about what it sent.
//
// Only what the handlers read is required; extra fields are allowed, as the protocol asks.
// `$/cancelRequest` is the exception: vscode-jsonrpc reads it as it arrives, before any hook.

import type { ConnectionOptions, Message, NotificationMessage, RequestMessage } from 'vscode-languageserver';

/** Says what is wrong with `v` (at `path`), or undefined when it is fine. */
type Check = (v: unknown, path: string) => string | undefined;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const str: Check = (v, path) => (typeof v === 'string' ? undefined : `${path} must be a string, got ${describe(v)}`);
const bool: Check = (v, path) => (typeof v === 'boolean' ? undefined : `${path} must be true or false, got ${describe(v)}`);
const uint: Check = (v, path) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : `${path} must be a non-negative integer, got ${describe(v)}`);
const int: Check = (v, path) => (typeof v === 'number' && Number.isInteger(v) ? undefined : `${path} must be an integer, got ${describe(v)}`);
const anyObject: Check = (v, path) => (isObject(v) ? undefined : `${path} must be an object, got ${describe(v)}`);

function optional(check: Check): Check & { optional: true } {
  return Object.assign((v: unknown, path: string) => (v === undefined ? undefined : check(v, path)), { optional: true as const });
}

function object(fields: Record<string, Check>): Check {
  return (v, path) => {
    if (!isObject(v)) return `${path} must be an object, got ${describe(v)}`;
    for (const [name, check] of Object.entries(fields)) {
      const problem = check(v[name], `${path}.${name}`);
      if (problem) return problem;
    }
    return undefined;
  };
}

function array(item: Check): Check {
  return (v, path) => {
    if (!Array.isArray(v)) return `${path} must be an array, got ${describe(v)}`;
    for (let i = 0; i < v.length; i++) {
      const problem = item(v[i], `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };
}

const position = object({ line: uint, character: uint });
const range = object({ start: position, end: position });
const document = object({ uri: str });
const atPosition = { textDocument: document, position };

/** What each method's params must be; `none` for methods that take none. */
const none: Check = () => undefined;
const PARAMS: Record<string, Check> = {
  initialize: object({ capabilities: anyObject }),
  initialized: none,
  shutdown: none,
  exit: none,
  '$/setTrace': object({ value: str }),
  'textDocument/didOpen': object({ textDocument: object({ uri: str, languageId: str, version: int, text: str }) }),
  'textDocument/didChange': object({
    textDocument: object({ uri: str, version: int }),
    contentChanges: array(object({ text: str, range: optional(range) })),
  }),
  'textDocument/didClose': object({ textDocument: document }),
  'textDocument/didSave': object({ textDocument: document, text: optional(str) }),
  'textDocument/willSave': object({ textDocument: document, reason: int }),
  'textDocument/willSaveWaitUntil': object({ textDocument: document, reason: int }),
  'textDocument/hover': object(atPosition),
  'textDocument/completion': object(atPosition),
  'textDocument/signatureHelp': object(atPosition),
  'textDocument/definition': object(atPosition),
  'textDocument/references': object({ ...atPosition, context: object({ includeDeclaration: bool }) }),
  'textDocument/documentHighlight': object(atPosition),
  'textDocument/prepareRename': object(atPosition),
  'textDocument/rename': object({ ...atPosition, newName: str }),
  'textDocument/documentSymbol': object({ textDocument: document }),
  'textDocument/formatting': object({ textDocument: document, options: object({ tabSize: uint, insertSpaces: bool }) }),
  'textDocument/rangeFormatting': object({ textDocument: document, range, options: object({ tabSize: uint, insertSpaces: bool }) }),
  'textDocument/codeAction': object({ textDocument: document, range, context: object({ diagnostics: array(anyObject), only: optional(array(str)) }) }),
  'textDocument/inlayHint': object({ textDocument: document, range }),
  'textDocument/foldingRange': object({ textDocument: document }),
  'textDocument/semanticTokens/full': object({ textDocument: document }),
  'textDocument/semanticTokens/full/delta': object({ textDocument: document, previousResultId: str }),
  'textDocument/semanticTokens/range': object({ textDocument: document, range }),
};

/** The methods whose params are checked (every one the server handles). */
export const CHECKED_METHODS: readonly string[] = Object.keys(PARAMS);

/** What is wrong with the params of `method`, or undefined (also for a method the server does not handle). */
export function paramsProblem(method: string, params: unknown): string | undefined {
  const check = PARAMS[method];
  return check ? check(params, 'params') : undefined;
}

/** The method a request with bad params is turned into; its handler answers InvalidParams (see startServer). */
export const INVALID_REQUEST = 'pgasm/invalidParams';
/** The method a notification with bad params is turned into; its handler logs it. */
export const INVALID_NOTIFICATION = 'pgasm/invalidNotificationParams';

export interface InvalidParams {
  method: string;
  problem: string;
}

/**
 * Connection options that check params before dispatch: a message whose params are wrong is
 * handed on as INVALID_REQUEST or INVALID_NOTIFICATION (with the original request id), so the
 * server answers or logs it without the original handler running.
 */
export const CHECKED_PARAMS: ConnectionOptions = {
  messageStrategy: {
    handleMessage(message: Message, next: (message: Message) => void): void {
      const m = message as Partial<RequestMessage & NotificationMessage>;
      if (typeof m.method !== 'string') return next(message);
      const problem = paramsProblem(m.method, m.params);
      if (problem === undefined) return next(message);
      const params: InvalidParams = { method: m.method, problem };
      next({ ...message, method: m.id === undefined ? INVALID_NOTIFICATION : INVALID_REQUEST, params } as Message);
    },
  },
};
