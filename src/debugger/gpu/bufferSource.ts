// The paging buffer a GPU engine runs, as a read-only pgasm document: the source of a GPU frame
// when the instructions came from no file (a driver wrote them). A frame with a source is one a
// client focuses after a stop and shows with a current-line marker; one without stays blank until
// clicked (VS Code 1.100 focuses a frame without a source only after an instruction-granularity
// step). The text is the disassembler's, so it assembles back to the same bytes, one line per
// instruction; DAP clients fetch it with the `source` request by the document's sourceReference.
//
// One document per submitted buffer: a buffer's bytes do not change while the engine runs them,
// and a client keeps a document's content once fetched, so a new submission (or the debugger
// rewriting an instruction) gets a new reference rather than new content under an old one.

import { disassemble } from '../../isa/disassembler';
import type { SegmentDecl } from '../../isa/asmTypes';
import type { SourceRef } from '../model';
import { hex } from '../../isa/hex';

/** Documents kept for `source` requests; older ones are dropped (a client has fetched them by then). */
const KEPT = 64;

export interface BufferDocument {
  ref: number;
  source: SourceRef;
  physical: number;
  length: number;
  submissionId: number;
  text: string;
  /** 1-based line of each line's first byte, by offset in the buffer. */
  lines: Map<number, number>;
  /** The line shown once the engine ran the whole buffer. */
  endLine: number;
}

export interface BufferReader {
  read(address: number, length: number): Uint8Array;
  segments: readonly SegmentDecl[];
}

export class BufferDocuments {
  private readonly byKey = new Map<string, BufferDocument>();
  private readonly byRef = new Map<number, BufferDocument>();
  private nextRef = 1;

  constructor(private readonly memory: BufferReader) {}

  /** The document of the `length` bytes at `physical` submitted as `submissionId`, made on first use. */
  document(physical: number, length: number, submissionId: number, engine: number): BufferDocument {
    const key = `${physical}:${length}:${submissionId}`;
    const known = this.byKey.get(key);
    if (known) return known;
    const doc = this.make(physical, length, submissionId, engine);
    this.byKey.set(key, doc);
    this.byRef.set(doc.ref, doc);
    if (this.byRef.size > KEPT) {
      const [oldest] = this.byRef.values();
      this.forget(oldest);
    }
    return doc;
  }

  /**
   * A short read-only document that is no buffer (what an idle engine waits for), so a frame with
   * nothing to run can still be focused: VS Code 1.100 focuses a thread only through a frame with
   * a source, and a step then goes to the thread the user chose. Same text, same reference.
   */
  note(name: string, text: string, origin: string): SourceRef {
    const key = `note:${name}:${text}`;
    let doc = this.byKey.get(key);
    if (!doc) {
      const ref = this.nextRef++;
      doc = { ref, source: { name, sourceReference: ref, origin }, physical: -1, length: 0, submissionId: 0, text, lines: new Map(), endLine: 1 };
      this.byKey.set(key, doc);
      this.byRef.set(ref, doc);
      if (this.byRef.size > KEPT) {
        const [oldest] = this.byRef.values();
        this.forget(oldest);
      }
    }
    return { ...doc.source };
  }

  /** The 1-based line of the instruction at `offset` (the line holding it, if it starts inside one). */
  lineOf(doc: BufferDocument, offset: number): number {
    const exact = doc.lines.get(offset);
    if (exact !== undefined) return exact;
    if (offset >= doc.length) return doc.endLine;
    let best = 1;
    let bestOffset = -1;
    for (const [o, l] of doc.lines) {
      if (o <= offset && o > bestOffset) {
        best = l;
        bestOffset = o;
      }
    }
    return best;
  }

  /** The text of a document by its reference. */
  text(ref: number): string {
    const doc = this.byRef.get(ref);
    if (!doc) throw new Error(`there is no paging buffer document ${ref} (it was dropped, or never made in this session): step to the buffer again to see it`);
    return doc.text;
  }

  /** Bytes at [address, address + length) changed: documents over them are made again when next used. */
  changed(address: number, length: number): void {
    for (const doc of [...this.byKey.values()]) {
      if (doc.length > 0 && address < doc.physical + doc.length && address + length > doc.physical) this.forget(doc, true);
    }
  }

  private forget(doc: BufferDocument, keepRef = false): void {
    for (const [key, d] of this.byKey) if (d === doc) this.byKey.delete(key);
    // A client may still ask for the old text by its reference (an editor left open): keep it until it ages out.
    if (!keepRef) this.byRef.delete(doc.ref);
  }

  private make(physical: number, length: number, submissionId: number, engine: number): BufferDocument {
    const bytes = this.memory.read(physical, length);
    const d = disassemble(bytes, { segments: this.memory.segments, addresses: true, baseAddress: physical, header: true });
    const body = d.text.replace(/\n$/, '').split('\n');
    const intro = [
      `; Paging buffer of submission ${submissionId} on GPU paging engine ${engine}: ${length} bytes at ${hex(physical)}.`,
      '; Read-only: the bytes the engine runs, disassembled (they assemble back to the same bytes).',
    ];
    // Each record is one line, after a line of its own for its label; the rest of the text before them is the header.
    const recordLines = d.lines.reduce((n, l) => n + (l.label ? 2 : 1), 0);
    let line = intro.length + body.length - recordLines + 1;
    const lines = new Map<number, number>();
    for (const l of d.lines) {
      if (l.label) line++;
      lines.set(l.offset, line);
      line++;
    }
    const text = [...intro, ...body, '    ; (end of paging buffer)', ''].join('\n');
    const ref = this.nextRef++;
    return {
      ref,
      source: {
        name: `submission ${submissionId} at ${hex(physical)}.pgasm`,
        sourceReference: ref,
        origin: `paging buffer on GPU paging engine ${engine} (read-only)`,
      },
      physical,
      length,
      submissionId,
      text,
      lines,
      endLine: line,
    };
  }
}
