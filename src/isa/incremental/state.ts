// What the incremental analysis of a document holds (assembly.ts updates it): its lines and their
// records, the names, the assembler's own parts (evaluator, encoder, line reader) working on them,
// the bytes and what the program-wide checks need, and the few operations every step of an update
// uses. The steps (laying out, evaluating, the program-wide phases, the results) each have a file
// of their own and work on this state.

import type { AsmDiagnostic, AssembleOptions, SegmentDecl } from '../asmTypes';
import { InstructionEncoder } from '../asm/encode';
import { Evaluator } from '../asm/evaluate';
import { Names, NameSuggestions } from '../asm/names';
import { PageListUses } from '../asm/pageLists';
import { DiagnosticList, DiagnosticSink } from '../asm/report';
import { lastAtOrBefore } from '../lineTable';
import { DEFAULT_SEGMENTS } from '../profile';
import { ByteBuffer } from './byteBuffer';
import { LineRec, NameInfo } from './lineRecord';
import { LineReader } from './lineReader';
import { NameIndex } from './nameIndex';

/** An edit: text[start, end) of the text as it was before this edit (after the ones before it) becomes `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Diagnostics go to whichever list is collecting (a line's, a phase's). */
export class SwitchSink implements DiagnosticSink {
  target: DiagnosticSink | undefined;
  diag(code: string, message: string, line: number, s: number, e: number, topic?: string, data?: AsmDiagnostic['data']): void {
    this.target?.diag(code, message, line, s, e, topic, data);
  }
}

export class AnalysisState {
  /**
   * The text, line by line (split at '\n', a '\r' before it kept): an edit replaces the lines it
   * touches, so the analysis never copies the whole text (a document of 15 MB would be copied at
   * every keystroke).
   */
  lines: string[] = [];
  /** Where each line starts in the text. */
  lineStart: number[] = [];
  protected joined: string | undefined;
  recs: LineRec[] = [];
  readonly names: Names;
  readonly index: NameIndex;
  readonly sink = new SwitchSink();
  readonly ev: Evaluator;
  readonly out = new ByteBuffer();
  readonly encoder: InstructionEncoder;
  readonly reader = new LineReader();
  readonly profile: readonly SegmentDecl[];
  /** Where a misspelt name's closest match is looked for: the names in the order the assembler defines them. */
  readonly suggestions: NameSuggestions;
  /** The program's size in bytes. */
  total = 0;
  dmaSize: number | undefined;
  /** The `.dmasize` lines with a size, in order: the first counts, the others are errors. */
  dmaSizeRecs: LineRec[] = [];
  /** Page lists: offset → page count. */
  pageLists = new Map<number, number>();
  /** Lines with anything to report, and names whose definitions are in conflict. */
  readonly reporting = new Set<LineRec>();
  /** Lines the whole-program phases reported on. */
  readonly phaseRecs = new Set<LineRec>();
  readonly conflicts = new Set<NameInfo>();
  /** Lines that refer to a name nobody defines (their messages suggest the closest one that is). */
  readonly unresolved = new Set<LineRec>();
  /** `.pages` lines. */
  readonly pagesRecs = new Set<LineRec>();
  /** Lines with mdl() uses of the buffer. */
  readonly pageUsers = new Set<LineRec>();
  /** Lines waiting to be evaluated. */
  dirty: LineRec[] = [];
  /** Page lists moved, came or went: every mdl() use is checked again. */
  pagesMoved = false;
  /** How many lines mention `.segment`, and how many are `.align` or `.zero`. */
  segmentWords = 0;
  paddings = 0;
  /** Counts updates; results of an older one are no longer valid. */
  version = 0;

  reachabilityStale = true;
  reachability: AsmDiagnostic | undefined;

  constructor(readonly options: AssembleOptions) {
    this.profile = options.segments ?? DEFAULT_SEGMENTS;
    this.names = new Names(this.sink, undefined, this.profile, false);
    this.index = new NameIndex(this.names, this.profile);
    const index = this.index;
    const names = this.names;
    this.suggestions = {
      closestName: (word) => index.closestSymbol(word, names.symbols.values()),
      segmentNames: () =>
        [...names.symbols.values()]
          .filter((s) => s.kind === 'segment')
          .sort((x, y) => index.rank(x) - index.rank(y))
          .map((s) => s.name),
    };
    this.ev = new Evaluator(this.sink, this.names);
    this.encoder = new InstructionEncoder(this.sink, this.names, this.ev, this.out, new PageListUses());
  }

  /** The whole text (joined from the lines when asked for). */
  get text(): string {
    return (this.joined ??= this.lines.join('\n'));
  }
  /** Line `line` as the assembler reads it: without its line break. */
  line(line: number): string {
    const s = this.lines[line];
    return s.length > 0 && s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
  }
  /** The line the text offset `at` is on. */
  lineAt(at: number): number {
    return lastAtOrBefore(this.lineStart, at);
  }
  markDirty(rec: LineRec): void {
    if (rec.dirty) return;
    rec.dirty = true;
    this.dirty.push(rec);
  }
  /** One collector for every mdl() check: an edit that moves the page lists checks every use. */
  private readonly usesFound = new DiagnosticList();

  /** Checks one line's mdl() uses. */
  checkUses(rec: LineRec): void {
    const found = this.usesFound.list;
    found.length = 0;
    this.sink.target = this.usesFound;
    rec.pageUses!.check(this.pageLists, this.sink, rec.index);
    this.sink.target = undefined;
    rec.pageDiags = found.length ? found.slice() : null;
    this.noteReporting(rec);
  }
  noteReporting(rec: LineRec): void {
    if (rec.hasDiagnostics() && !rec.gone) this.reporting.add(rec);
    else this.reporting.delete(rec);
  }}
