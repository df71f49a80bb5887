// The pgasm language server: wires the editor features to a connection. Transport-agnostic, so
// main.ts runs it over stdio or node IPC and the tests run it in-process over a stream pair.
//
// Responsiveness: documents sync incrementally and are analysed incrementally (an edit costs what
// it changes, see documents.ts); each version is analysed at most once, validation runs after the
// queued messages are handled so a burst of edits is
// validated once, for its latest version; requests yield to the event loop first so a
// `$/cancelRequest` that is already queued is seen, and every handler is guarded so a failure
// answers with an empty result and a log line instead of ending the process.

import {
  CancellationToken,
  CodeActionKind,
  Connection,
  ErrorCodes,
  InitializeResult,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis } from './analysis';
import { PgasmDocuments } from './documents';
import { codeActions } from './codeActions';
import { completion } from './completion';
import { diagnosticsFor } from './diagnostics';
import { DocsLinks } from './docsLink';
import { foldingRanges } from './folding';
import { formatDocument } from './format';
import { hover } from './hover';
import { inlayHints } from './inlayHints';
import {
  definition,
  documentHighlights,
  documentSymbols,
  prepareRename,
  references,
  rename,
} from './navigation';
import { SEMANTIC_LEGEND, SemanticTokensCache, semanticTokens } from './semanticTokens';
import { INVALID_NOTIFICATION, INVALID_REQUEST, InvalidParams } from './params';
import { signatureHelp } from './signature';

export interface ServerSettings {
  /** Where docs/pgasm.md is, for diagnostic links (the extension passes its own copy). */
  docsUri?: string;
  /** Milliseconds to wait after an edit before validating; 0 validates as soon as the queue is drained. */
  debounceMs?: number;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Serves pgasm on `connection`, which should be created with CHECKED_PARAMS (params.ts) so malformed params are refused before any handler runs. */
export function startServer(connection: Connection): void {
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let debounceMs = 0;
  let links = new DocsLinks();
  const tokensCache = new SemanticTokensCache();

  const log = (msg: string) => {
    try {
      connection.console.error(msg);
    } catch {
      // The connection itself is gone; nothing left to tell.
    }
  };
  const store = new PgasmDocuments(log);
  const documents = store.documents;
  const analysisOf = (doc: TextDocument): Analysis => store.analysisOf(doc);

  function validatePending(): void {
    timer = undefined;
    immediate = undefined;
    for (const uri of [...pending]) {
      pending.delete(uri);
      const doc = documents.get(uri);
      if (!doc) continue;
      try {
        const a = analysisOf(doc);
        void connection.sendDiagnostics({ uri, version: doc.version, diagnostics: diagnosticsFor(a, links) });
      } catch (e) {
        log(`validation of ${uri} failed: ${e instanceof Error ? e.stack : String(e)}`);
      }
    }
  }

  /**
   * The connection handles one queued message per event-loop turn, so an edit that has already
   * arrived may still be waiting behind the validation. The validation therefore waits one more
   * turn for as long as edits keep coming in, and assembles only the version it ends up with.
   */
  let changes = 0;
  let changesAtLastTurn = -1;
  let turnsWaited = 0;
  /** Even under a continuous stream of edits, diagnostics are not held back longer than this. */
  const MAX_TURNS = 100;
  function validateWhenQuiet(): void {
    immediate = undefined;
    if (changes !== changesAtLastTurn && turnsWaited++ < MAX_TURNS) {
      changesAtLastTurn = changes;
      immediate = setImmediate(validateWhenQuiet);
      return;
    }
    turnsWaited = 0;
    validatePending();
  }

  function schedule(uri: string): void {
    pending.add(uri);
    changes++;
    if (debounceMs > 0) {
      if (timer) clearTimeout(timer);
      timer = setTimeout(validatePending, debounceMs);
    } else if (!immediate) {
      // The first turn always waits: the next queued message is handled after it.
      changesAtLastTurn = -1;
      immediate = setImmediate(validateWhenQuiet);
    }
  }

  /**
   * Wraps a request handler: yields once so a queued cancellation is seen, answers a cancelled
   * request with RequestCancelled, and turns any other failure into `fallback` plus a log line.
   */
  function guard<P extends { textDocument: { uri: string } }, R>(
    name: string,
    fallback: R,
    fn: (doc: TextDocument, a: Analysis, params: P, token: CancellationToken) => R,
  ): (params: P, token: CancellationToken) => Promise<R> {
    return async (params, token) => {
      await yieldToLoop();
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
      const doc = documents.get(params.textDocument.uri);
      if (!doc) return fallback;
      // A position outside the document (a stale request after an edit) has nothing to answer.
      const position = (params as { position?: { line: number; character: number } }).position;
      if (position && (position.line < 0 || position.line >= doc.lineCount || position.character < 0)) return fallback;
      try {
        const result = fn(doc, analysisOf(doc), params, token);
        if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
        return result;
      } catch (e) {
        if (e instanceof ResponseError) throw e;
        log(`${name} failed on ${doc.uri} version ${doc.version}: ${e instanceof Error ? e.stack : String(e)}`);
        return fallback;
      }
    };
  }

  connection.onInitialize((params): InitializeResult => {
    const settings = (params.initializationOptions ?? {}) as ServerSettings;
    if (typeof settings.debounceMs === 'number' && settings.debounceMs >= 0) debounceMs = settings.debounceMs;
    if (typeof settings.docsUri === 'string') links = new DocsLinks(settings.docsUri);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['.', ' ', ',', ':', '('] },
        signatureHelpProvider: { triggerCharacters: [' ', ','], retriggerCharacters: [','] },
        definitionProvider: true,
        referencesProvider: true,
        documentHighlightProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        inlayHintProvider: true,
        foldingRangeProvider: true,
        semanticTokensProvider: { legend: SEMANTIC_LEGEND, full: { delta: true }, range: true },
      },
      serverInfo: { name: 'pgasm-language-server', version: '0.1.0' },
    };
  });

  documents.onDidChangeContent((e) => schedule(e.document.uri));
  documents.onDidClose((e) => {
    store.forget(e.document.uri);
    pending.delete(e.document.uri);
    tokensCache.forget(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover(guard('hover', null, (doc, a, p) => hover(a, doc, p.position, links)));
  connection.onCompletion(guard('completion', [], (doc, a, p) => completion(a, doc, p.position)));
  connection.onSignatureHelp(guard('signatureHelp', null, (doc, a, p) => signatureHelp(a, doc, p.position)));
  connection.onDefinition(guard('definition', null, (doc, a, p) => definition(a, doc, p.position)));
  connection.onReferences(
    guard('references', [], (doc, a, p) => references(a, doc, p.position, p.context.includeDeclaration)),
  );
  connection.onDocumentHighlight(guard('documentHighlight', [], (doc, a, p) => documentHighlights(a, p.position)));
  connection.onPrepareRename(guard('prepareRename', null, (doc, a, p) => prepareRename(a, doc, p.position)));
  connection.onRenameRequest(async (p, token) => {
    // Not guarded like the others: an invalid new name must reach the user as an error.
    await yieldToLoop();
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'rename cancelled');
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return null;
    try {
      return rename(analysisOf(doc), doc, p.position, p.newName);
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      log(`rename failed on ${doc.uri}: ${e instanceof Error ? e.stack : String(e)}`);
      return null;
    }
  });
  connection.onDocumentSymbol(guard('documentSymbol', [], (doc, a) => documentSymbols(a, doc)));
  connection.onDocumentFormatting(guard('formatting', [], (doc, a, p) => formatDocument(a, doc, p.options)));
  connection.onDocumentRangeFormatting(
    guard('rangeFormatting', [], (doc, a, p) => formatDocument(a, doc, p.options, p.range)),
  );
  connection.onCodeAction(guard('codeAction', [], (doc, a, p) => codeActions(a, doc, p)));
  connection.languages.inlayHint.on(guard('inlayHint', [], (doc, a, p) => inlayHints(a, p.range)));
  connection.onFoldingRanges(guard('foldingRange', [], (doc, a) => foldingRanges(a, doc)));
  connection.languages.semanticTokens.on(guard('semanticTokens', { data: [] }, (doc, a) => tokensCache.full(a)));
  connection.languages.semanticTokens.onDelta(
    guard('semanticTokensDelta', { data: [] }, (doc, a, p) => tokensCache.delta(a, p.previousResultId)),
  );
  connection.languages.semanticTokens.onRange(
    guard('semanticTokensRange', { data: [] }, (doc, a, p) => semanticTokens(a, p.range)),
  );

  // Messages whose params are malformed (see params.ts, installed as the connection's message strategy).
  connection.onRequest(INVALID_REQUEST, (p: InvalidParams) => {
    throw new ResponseError(ErrorCodes.InvalidParams, `${p.method}: ${p.problem}`);
  });
  connection.onNotification(INVALID_NOTIFICATION, (p: InvalidParams) => log(`${p.method}: invalid params, ignored: ${p.problem}`));

  documents.listen(connection);
  connection.listen();
}
