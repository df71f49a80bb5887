// Incremental assembly, for the language server: a document assembled once, then kept up to date
// edit by edit so that an edit costs what it changes. A line is read again only when its text
// changed; it is evaluated again only when it changed or uses a name whose definition, kind or value
// changed; a change of layout moves the bytes after it and updates the labels there, without
// reading those lines again. The results are those of assembling the whole text (a test replays
// thousands of random edits and compares after each), because the parts that decide them are the
// assembler's own: the same line parser, name rules, evaluator and encoder.
//
// What is decided over the whole program is redone whole, but only when an edit can affect it:
// constants and segment declarations (evaluated in the assembler's order, whenever a `.equ`,
// `.segment` or `.dmasize` line or a name one of them uses changed), `.align`/`.zero` padding (from
// the first edited line down, in a file that has any), the page lists mdl() operands point at.

import type { AsmDiagnostic, AssembleOptions } from '../asmTypes';
import { range } from '../asm/report';
import { evaluateLine, reencodeLine } from './evaluateLine';
import { Layout } from './layout';
import { LineRec, NameInfo, RecKind } from './lineRecord';
import { collectDeclarations, runPhases } from './phases';
import { AnalysisState, TextEdit } from './state';

export type { TextEdit } from './state';

export class IncrementalAssembly extends AnalysisState {
  readonly layout: Layout;

  // What the update in progress has to redo.
  private touched = new Set<NameInfo>();
  private editFrom = Infinity;
  private editTo = -1;
  private phasesNeeded = false;
  private symbolSetChanged = false;
  private lineCountChanged = false;

  constructor(text: string, options: AssembleOptions = {}) {
    super(options);
    this.layout = new Layout(this);
    this.lines = text.split('\n');
    let at = 0;
    this.lines.forEach((l, line) => {
      this.lineStart.push(at);
      this.recs.push(new LineRec(line));
      at += l.length + 1;
    });
    this.editFrom = 0;
    this.editTo = this.recs.length - 1;
    this.lineCountChanged = true;
    this.phasesNeeded = true;
    this.pagesMoved = true;
    this.finishUpdate();
  }

  /** Applies `edits`, in order, each to the text the ones before it made. */
  update(edits: readonly TextEdit[]): void {
    for (const e of edits) this.applyEdit(e);
    this.joined = undefined;
    this.finishUpdate();
  }




  private applyEdit(edit: TextEdit): void {
    const first = this.lineAt(edit.start);
    const last = this.lineAt(edit.end);
    const starts = this.lineStart;
    const joined = this.lines[first].slice(0, edit.start - starts[first]) + edit.text + this.lines[last].slice(edit.end - starts[last]);
    const pieces = joined.split('\n');
    const removed = this.recs.slice(first, last + 1);
    for (const rec of removed) this.unregister(rec);
    const added: LineRec[] = pieces.map((_, k) => new LineRec(first + k));
    this.recs.splice(first, last - first + 1, ...added);
    this.lines.splice(first, last - first + 1, ...pieces);
    const newStarts: number[] = [];
    let at = starts[first];
    for (let k = 0; k < pieces.length - 1; k++) newStarts.push((at += pieces[k].length + 1));
    starts.splice(first + 1, last - first, ...newStarts);
    const delta = edit.text.length - (edit.end - edit.start);
    for (let i = first + 1 + newStarts.length; i < starts.length; i++) starts[i] += delta;
    const shift = added.length - removed.length;
    if (shift !== 0) this.lineCountChanged = true;
    // The edited range, in the lines as they are now.
    if (this.editTo >= first) this.editTo = Math.max(this.editTo + shift, first + added.length - 1);
    else this.editTo = first + added.length - 1;
    this.editFrom = Math.min(this.editFrom, first);
    if (this.editFrom > this.editTo) this.editTo = this.editFrom;
  }

  /** Forgets what `rec` defined and used (it is leaving the document). */
  private unregister(rec: LineRec): void {
    rec.gone = true;
    this.reporting.delete(rec);
    this.phaseRecs.delete(rec);
    this.unresolved.delete(rec);
    this.pageUsers.delete(rec);
    this.pagesRecs.delete(rec);
    if (rec.fresh) return;
    if (rec.label) this.touched.add(this.index.removeDefiner(rec.label.name, rec, 0));
    if (rec.def) this.touched.add(this.index.removeDefiner(rec.def.name, rec, 1));
    for (const name of rec.uses) this.index.get(name)?.users.delete(rec);
    if (rec.segmentWord) this.segmentWords--;
    this.noteKind(rec, -1);
    this.reporting.delete(rec);
  }

  private register(rec: LineRec): void {
    if (rec.label) this.touched.add((rec.labelInfo = this.index.addDefiner(rec.label.name, { rec, role: 0, s: rec.label.s, e: rec.label.e })));
    if (rec.def) this.touched.add((rec.defInfo = this.index.addDefiner(rec.def.name, { rec, role: 1, s: rec.def.s, e: rec.def.e })));
    if (rec.kind === RecKind.Pages) this.pagesRecs.add(rec);
    for (const name of rec.uses) this.index.info(name).users.add(rec);
    if (rec.segmentWord) this.segmentWords++;
    this.noteKind(rec, 1);
  }

  /** What a line of this kind coming (+1) or going (-1) asks the update to redo. */
  private noteKind(rec: LineRec, sign: 1 | -1): void {
    switch (rec.kind) {
      case RecKind.Equ:
      case RecKind.Segment:
      case RecKind.DmaSize:
        this.phasesNeeded = true;
        break;
      case RecKind.Align:
      case RecKind.Zero:
        this.paddings += sign;
        break;
      case RecKind.Pages:
        this.pagesMoved = true;
        break;
    }
    if (rec.kind !== RecKind.Instruction && rec.kind !== RecKind.Empty) this.reachabilityStale = true;
  }

  private finishUpdate(): void {
    this.version++;
    const recs = this.recs;
    if (this.lineCountChanged) this.renumber(this.editFrom);
    const wasDeclaring = this.names.declaresSegments;
    // Read the new lines.
    for (let i = this.editFrom; i <= this.editTo && i < recs.length; i++) {
      const rec = recs[i];
      if (!rec.fresh) continue;
      this.reader.summarize(this.line(i), rec);
      this.register(rec);
      this.markDirty(rec);
    }
    this.names.declaresSegments = this.segmentWords > 0;
    // Decide the names whose definitions changed (their users are evaluated again), and note those
    // whose value alone changed (their users are only encoded again).
    const changed = new Set<string>();
    // Names whose value alone changed, as their index entries (no lookup by name for each of them).
    const revalued = new Set<NameInfo>();
    for (const info of this.touched) {
      // A profile segment's name, or a name a constant or segment declaration defines (or did):
      // the whole-program phases decide its value (and whether a profile segment stays).
      if (info.profileSym || info.winner?.role === 1 || info.definers.some((d) => d.role === 1)) this.phasesNeeded = true;
      // A name that came, went or moved changes which name a misspelling is closest to.
      if (this.index.settle(info)) {
        changed.add(info.name);
        this.symbolSetChanged = true;
      }
      if (info.conflict) this.conflicts.add(info);
      else this.conflicts.delete(info);
    }
    this.touched.clear();
    // Lay out the bytes. Padding is evaluated with the constants and segment declarations as they are now.
    if (this.phasesNeeded && this.paddings > 0) collectDeclarations(this);
    const declaringFlipped = wasDeclaring !== this.names.declaresSegments;
    if (this.editFrom <= this.editTo || declaringFlipped) {
      const from = declaringFlipped ? 0 : Math.min(this.editFrom, recs.length - 1);
      this.layout.run(Math.max(0, from), this.editTo, this.paddings > 0 || declaringFlipped, revalued);
    }
    // Constants, segments and .dmasize, when anything they depend on may have changed.
    if (!this.phasesNeeded) {
      const declarationsUse = (info: NameInfo | undefined) => {
        if (info) for (const u of info.users) if (u.kind === RecKind.Equ || u.kind === RecKind.Segment || u.kind === RecKind.DmaSize) return true;
        return false;
      };
      for (const name of changed) if (declarationsUse(this.index.get(name))) this.phasesNeeded = true;
      if (!this.phasesNeeded) for (const info of revalued) if (declarationsUse(info)) this.phasesNeeded = true;
    }
    let segmentsChanged = false;
    if (this.phasesNeeded || (this.lineCountChanged && this.phaseMentionsLines())) {
      const known = changed.size;
      segmentsChanged = runPhases(this, changed, revalued);
      // Segment declarations may have removed or restored profile segments, which misspellings are matched against.
      if (segmentsChanged || changed.size > known) this.symbolSetChanged = true;
    }
    // Evaluate the lines that need it.
    const pagesChanged = this.pagesMoved && this.rebuildPageLists();
    this.pagesMoved = false;
    for (const name of changed) {
      const info = this.index.get(name);
      if (info) for (const u of info.users) this.markDirty(u);
    }
    const revalue: LineRec[] = [];
    for (const info of revalued) {
      if (changed.has(info.name)) continue;
      for (const u of info.users) {
        if (u.dirty || u.revalue) continue;
        u.revalue = true;
        revalue.push(u);
      }
    }
    if (segmentsChanged) for (const rec of recs) if (rec.kind === RecKind.Instruction) this.markDirty(rec);
    if (this.symbolSetChanged) for (const rec of this.unresolved) this.markDirty(rec);
    const dirty = this.dirty;
    this.dirty = [];
    for (const rec of dirty) if (!rec.gone) evaluateLine(this, rec);
    for (const rec of revalue) if (!rec.gone && rec.revalue) reencodeLine(this, rec);
    if (pagesChanged) for (const rec of this.pageUsers) this.checkUses(rec);
    this.editFrom = Infinity;
    this.editTo = -1;
    this.phasesNeeded = false;
    this.symbolSetChanged = false;
    this.lineCountChanged = false;
  }

  /** Whether a stored phase diagnostic names a line number (which a change of line count makes stale). */
  private phaseMentionsLines(): boolean {
    for (const rec of this.reporting) if (rec.phaseDiags?.some((d) => d.code === 'PGA026')) return true;
    return false;
  }

  /** Gives the lines from `from` on their numbers again, and moves what they reported and defined along. */
  private renumber(from: number): void {
    const recs = this.recs;
    this.reachabilityStale = true;
    for (let i = Math.max(0, from); i < recs.length; i++) {
      const rec = recs[i];
      if (rec.index === i) continue;
      rec.index = i;
      if (rec.fresh) continue;
      if (rec.diags) moveTo(rec.diags, i);
      if (rec.encodeDiags) moveTo(rec.encodeDiags, i);
      if (rec.phaseDiags) moveTo(rec.phaseDiags, i);
      if (rec.layoutDiags) moveTo(rec.layoutDiags, i);
      if (rec.pageDiags) moveTo(rec.pageDiags, i);
      if (rec.labelInfo) this.moveDefinition(rec, 0, rec.label!.s, rec.label!.e, rec.labelInfo);
      if (rec.defInfo) this.moveDefinition(rec, 1, rec.def!.s, rec.def!.e, rec.defInfo);
    }
  }

  private moveDefinition(rec: LineRec, role: 0 | 1, s: number, e: number, info: NameInfo): void {
    if (info.sym && info.winner?.rec === rec && info.winner.role === role) info.sym.definition = range(rec.index, s, e);
  }

  /** Reads the page lists' places again; whether they changed. */
  private rebuildPageLists(): boolean {
    const lists = new Map<number, number>();
    for (const rec of this.pagesRecs) lists.set(rec.offset, rec.pages);
    const same = lists.size === this.pageLists.size && [...lists].every(([k, v]) => this.pageLists.get(k) === v);
    this.pageLists = lists;
    return !same;
  }



}

/** Puts diagnostics on line `line` (their line moved). */
function moveTo(list: AsmDiagnostic[], line: number): void {
  for (const d of list) d.range = range(line, d.range.start.character, d.range.end.character);
}
