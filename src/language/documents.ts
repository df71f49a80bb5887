// The open documents and their analyses. Edits arrive as incremental changes; besides applying
// them to the document (a LineDocument, which copies only the lines a change touches), the store
// keeps each one as text offsets, so the document's incremental analysis can be brought to the new
// version by those edits alone. Each version is analysed at most once, and only when a feature or
// the validation asks for it, so a burst of edits is analysed once.

import { TextDocumentContentChangeEvent, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { IncrementalAssembly, TextEdit } from '../isa/incremental/assembly';
import { Analysis, fullAnalysis, incrementalAnalysis, SERVER_OPTIONS } from './analysis';
import { LineDocument } from './lineDocument';

interface State {
  engine: IncrementalAssembly | undefined;
  /** Edits since the engine's version. */
  edits: TextEdit[];
  analysis: Analysis | undefined;
}

export class PgasmDocuments {
  readonly documents: TextDocuments<TextDocument>;
  private readonly states = new Map<string, State>();

  constructor(private readonly log: (msg: string) => void) {
    this.documents = new TextDocuments<TextDocument>({
      create: (uri, languageId, version, content) => {
        this.states.delete(uri);
        return new LineDocument(uri, languageId, version, content);
      },
      update: (doc, changes, version) => {
        const state = this.states.get(doc.uri);
        const lines = doc as LineDocument;
        for (const change of changes) {
          if (state?.engine) state.edits.push(editOf(doc, change));
          lines.update([change], version);
        }
        if (state) state.analysis = undefined;
        return doc;
      },
    });
  }

  get(uri: string): TextDocument | undefined {
    return this.documents.get(uri);
  }

  forget(uri: string): void {
    this.states.delete(uri);
  }

  /** The analysis of the document's current version, bringing its analysis up to date if needed. */
  analysisOf(doc: TextDocument): Analysis {
    let state = this.states.get(doc.uri);
    if (state?.analysis && state.analysis.version === doc.version) return state.analysis;
    if (!state) this.states.set(doc.uri, (state = { engine: undefined, edits: [], analysis: undefined }));
    try {
      if (state.engine) state.engine.update(state.edits);
      else state.engine = new IncrementalAssembly(doc.getText(), SERVER_OPTIONS);
      state.edits = [];
      state.analysis = incrementalAnalysis(doc.uri, doc.version, state.engine);
    } catch (e) {
      // Start afresh with the next version; this one is assembled whole.
      const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      this.log(`incremental analysis failed on ${doc.uri} version ${doc.version}: ${error}`);
      state.engine = undefined;
      state.edits = [];
      state.analysis = fullAnalysis(doc.uri, doc.version, doc.getText(), error);
    }
    return state.analysis;
  }
}

/** A change of `doc` (before it is applied) as text offsets. */
function editOf(doc: TextDocument, change: TextDocumentContentChangeEvent): TextEdit {
  if (!('range' in change) || !change.range) return { start: 0, end: doc.getText().length, text: change.text };
  let start = doc.offsetAt(change.range.start);
  let end = doc.offsetAt(change.range.end);
  // TextDocument.update turns a backwards range around too.
  if (start > end) [start, end] = [end, start];
  return { start, end, text: change.text };
}
