// The pgasm assembler's two passes over a text.
//
// Instruction sizes come from the table alone, so the first pass lexes and parses every line, lays
// out offsets and defines labels; the second resolves names, evaluates expressions (bigint, so
// nothing silently wraps), checks values against the table and the segments, and writes the bytes.
// Only `.align` needs a value during the first pass, so only it forbids forward references. Most
// instructions name only what is defined above them (or nothing): those are encoded during the
// first pass and keep nothing; the others wait for the second (deferred.ts).

import type { AsmDiagnostic, AssembleOptions, AssembleResult } from '../asmTypes';
import { CLS_PENDING, forEachLine, headRangeOf, TokenTable } from '../lineTable';
import type { Lexemes } from '../lexer';
import { PAGE_LIST_HEADER_BYTES } from '../opcodes';
import { ExprOperand, OperandParser, ParseSink, SymRef } from '../parser';
import { DEFAULT_SEGMENTS } from '../profile';
import { Fill, PendingData, writeData, writeFill } from './data';
import { DeferredInstructions } from './deferred';
import type { DirectiveStatement } from './directiveStatement';
import { InstructionEncoder } from './encode';
import { Evaluator } from './evaluate';
import { LineMap } from './lineMap';
import { LineContext, LineKind, ParsedLine, parseSourceLine } from './lineStatement';
import { Names, Sym } from './names';
import { OutputBuffer } from './output';
import { PageListUses } from './pageLists';
import { checkDmaSize, checkReachability } from './programChecks';
import { DiagnosticList, range } from './report';
import { EarlyMiss, evaluateDmaSize, evaluatePadding } from './sizes';
import { finishDiagnostics, makeResult } from './result';
import { WORKSPACE } from './workspace';

export class Assembler implements ParseSink, LineContext {
  private readonly diagnostics = new DiagnosticList();
  private readonly tokenTable: TokenTable;
  private readonly names: Names;
  private readonly ev: Evaluator;
  private readonly out: OutputBuffer;
  private readonly encoder: InstructionEncoder;
  private readonly pageListUses = new PageListUses();
  private readonly lineMap: LineMap;
  private readonly deferred = new DeferredInstructions();
  /** Unresolved references, the first `refCount` entries (a count, so dropping the last few is cheap). */
  private readonly refs: SymRef[] = [];
  private refCount = 0;
  private readonly data: PendingData[] = [];
  private readonly fills: Fill[] = [];
  /** Page lists emitted by `.pages`: offset → page count. */
  private readonly pageLists = new Map<number, number>();
  /** Names a `.align` needed before their definition: reported once pass 1 knows all names. */
  private readonly earlyMisses: (EarlyMiss & { line: number })[] = [];
  private dmaSizeDef: { op: ExprOperand; line: number } | undefined;
  private dmaSize: number | undefined;
  /** Where the next line's bytes go. */
  private offset = 0;
  /** Where the line being parsed begins in the text (tokens are stored by offset in the text). */
  private lineFrom = 0;
  readonly lx: Lexemes = WORKSPACE.lexemes;
  private readonly parsed = new ParsedLine();
  readonly parser: OperandParser;

  constructor(
    readonly text: string,
    private readonly options: AssembleOptions,
  ) {
    const tables = WORKSPACE.tables(text.length);
    this.tokenTable = tables.tokens;
    this.lineMap = new LineMap(tables.lineMap);
    this.parser = new OperandParser(this);
    this.parser.text = text;
    this.parser.lx = this.lx;
    this.names = new Names(this.diagnostics, this.tokenTable, options.segments ?? DEFAULT_SEGMENTS, /\.segment/i.test(text));
    this.ev = new Evaluator(this.diagnostics, this.names);
    this.out = new OutputBuffer(text.length);
    this.encoder = new InstructionEncoder(this.diagnostics, this.names, this.ev, this.out, this.pageListUses);
  }

  // --- where the parser reports ------------------------------------------------------------

  beginLine(_line: number, from: number): void {
    this.lineFrom = from;
  }

  diag(code: string, message: string, line: number, s: number, e: number, topic?: string, data?: AsmDiagnostic['data']): void {
    this.diagnostics.diag(code, message, line, s, e, topic, data);
  }

  token(line: number, s: number, e: number, cls: number): number {
    return this.tokenTable.add(this.lineFrom + s, e - s, cls);
  }

  ref(r: SymRef): void {
    if (!this.names.resolveRef(r, false)) this.refs[this.refCount++] = r;
  }

  // --- the two passes ----------------------------------------------------------------------

  run(): AssembleResult {
    const names = this.names;
    const ev = this.ev;
    names.defineBuiltins();
    const text = this.text;
    forEachLine(text, (line, from, to) => this.parseLine(line, from, to));
    names.buildSegments(ev);
    this.resolveRefs();
    for (const c of names.consts.values()) ev.constValue(c);
    if (this.dmaSizeDef) this.dmaSize = evaluateDmaSize(ev, this.diagnostics, this.dmaSizeDef.op, this.dmaSizeDef.line);
    const out = this.out;
    out.reserve(this.offset);
    for (const f of this.fills) writeFill(out, f);
    const cls = this.tokenTable.cls;
    this.deferred.replay((ins, refs, from, to) => {
      for (let j = from; j < to; j++) {
        const r = refs[j];
        if (cls[r.token] === CLS_PENDING) names.resolveRef(r, true);
      }
      this.encoder.emit(ins);
    });
    for (const d of this.data) writeData(out, ev, this.diagnostics, d);
    out.finish(this.offset);
    this.pageListUses.check(this.pageLists, this.diagnostics);
    const headRange = (line: number) => headRangeOf(text, line, this.lx);
    checkDmaSize(this.diagnostics, this.lineMap, this.offset, this.dmaSize, headRange);
    // With errors the bytes are not the program yet; the errors matter more than reachability.
    if (!this.diagnostics.list.some((d) => d.severity === 'error')) checkReachability(this.diagnostics, this.lineMap, out.bytes, out.view, headRange);
    return makeResult({
      text,
      bytes: out.bytes,
      diagnostics: finishDiagnostics(this.diagnostics.list, this.options),
      symbols: names.symbols,
      segments: [...names.segById.values()].sort((a, b) => a.id - b.id),
      tokens: this.tokenTable.compact(),
      lineMap: this.lineMap.compact(),
      dmaSize: this.dmaSize,
    });
  }

  // --- pass 1 ------------------------------------------------------------------------------

  private parseLine(line: number, from: number, to: number): void {
    const refsMark = this.refCount;
    const p = parseSourceLine(this, line, from, to, this.parsed);
    if (p.label && this.names.checkNewName(p.label.name, line, p.label.s, p.label.e)) {
      this.names.symbols.set(p.label.name, new Sym(p.label.name, 'label', BigInt(this.offset), range(line, p.label.s, p.label.e)));
    }
    if (p.kind === LineKind.Instruction) this.instruction(p, refsMark);
    else if (p.kind === LineKind.Directive) this.directive(p.directive!, line, p.hs, p.he);
  }

  /** Places an instruction: encoded now if every name it uses is known, else kept for pass 2. */
  private instruction(p: ParsedLine, refsMark: number): void {
    const ins = p.instr!;
    const op = ins.op;
    ins.offset = this.offset;
    if (ins.ok) {
      // Most instructions use only names defined above (or none): encode them now and keep nothing.
      // One that names something not defined yet waits for pass 2 without trying.
      let defer = this.refCount > refsMark;
      if (!defer) {
        const ev = this.ev;
        const mark = this.diagnostics.list.length;
        ev.early = true;
        ev.earlyMiss = undefined;
        this.encoder.emit(ins);
        ev.early = false;
        if (ev.earlyMiss !== undefined) {
          this.diagnostics.list.length = mark;
          ev.earlyMiss = undefined;
          defer = true;
        }
      }
      if (defer) {
        // Its unresolved names are resolved just before pass 2 encodes it.
        const cls = this.tokenTable.cls;
        for (let k = refsMark; k < this.refCount; k++) cls[this.refs[k].token] = CLS_PENDING;
        this.deferred.keep(ins, this.refs, refsMark, this.refCount);
        this.refCount = refsMark;
      }
    }
    this.lineMap.add(ins.line, this.offset, op.size, true);
    this.offset += op.size;
  }

  /** What a directive does in pass 1: define a name, note a declaration, pad or place data. */
  private directive(d: DirectiveStatement, line: number, hs: number, he: number): void {
    const names = this.names;
    switch (d.kind) {
      case '.equ': {
        const id = d.name;
        if (!id || !names.checkNewName(id.name, line, id.s, id.e)) return;
        const sym = new Sym(id.name, 'constant', 0n, range(line, id.s, id.e));
        names.symbols.set(id.name, sym);
        names.consts.set(id.name, { sym, expr: d.expr?.expr, state: 0, value: undefined, cycleReported: false });
        return;
      }
      case '.dmasize': {
        if (!d.size) return;
        if (this.dmaSizeDef) {
          this.diag('PGA027', `.dmasize is already given on line ${this.dmaSizeDef.line + 1}`, line, hs, he, '.dmasize');
          return;
        }
        this.dmaSizeDef = { op: d.size, line };
        return;
      }
      case '.segment': {
        const id = d.name;
        if (!id) return;
        const prev = names.symbols.get(id.name);
        const def = range(line, id.s, id.e);
        const decl = { line, id: d.id, size: d.size, kind: d.segmentKind, cpuVisible: d.cpuVisible };
        if (prev?.builtin) {
          // Redeclaring a profile segment replaces it.
          prev.builtin = undefined;
          prev.definition = def;
          names.segDefs.push({ sym: prev, ...decl });
          return;
        }
        if (!names.checkNewName(id.name, line, id.s, id.e)) return;
        const sym = new Sym(id.name, 'segment', 0n, def);
        names.symbols.set(id.name, sym);
        names.segDefs.push({ sym, ...decl });
        return;
      }
      case '.align':
      case '.zero': {
        const op = d.kind === '.align' ? d.alignment : d.size;
        if (!op) return;
        const r = evaluatePadding(this.ev, this.diagnostics, d.kind, op, line, this.offset);
        if (r.miss) this.earlyMisses.push({ ...r.miss, line });
        if (r.size > 0) {
          // `.zero` bytes are zero already; `.align` padding is written in pass 2.
          if (d.kind === '.align') this.fills.push({ offset: this.offset, length: r.size });
          this.lineMap.add(line, this.offset, r.size, false);
          this.offset += r.size;
        }
        return;
      }
      case 'data': {
        const size = d.width === 0 ? PAGE_LIST_HEADER_BYTES + 8 * d.count : d.width * d.count;
        if (d.width === 0) this.pageLists.set(this.offset, d.count);
        this.data.push({ width: d.width, line, offset: this.offset, values: d.values, ok: d.ok });
        this.lineMap.add(line, this.offset, size, false);
        this.offset += size;
        return;
      }
    }
  }

  // --- names -------------------------------------------------------------------------------

  private resolveRefs(): void {
    for (let k = 0; k < this.refCount; k++) this.names.resolveRef(this.refs[k], true);
    for (const m of this.earlyMisses) {
      if (this.names.symbols.has(m.name)) {
        this.diag('PGA019', `${m.directive} needs its value here, but '${m.name}' is defined after this line`, m.line, m.s, m.e, m.directive);
      }
    }
  }
}

