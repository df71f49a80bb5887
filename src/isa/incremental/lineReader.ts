// Reading one line for the incremental analysis, through the assembler's own line parser: either
// its summary (what it is, defines and uses, read from its text alone), or its tokens, or the
// references it makes. Evaluating a line (resolving and encoding it) reads it the same way and
// keeps the diagnostics too.

import type { AsmDiagnostic } from '../asmTypes';
import { LineKind, LineContext, ParsedLine, parseSourceLine } from '../asm/lineStatement';
import { diagnostic } from '../asm/report';
import { WORKSPACE } from '../asm/workspace';
import { PAGE_LIST_HEADER_BYTES } from '../opcodes';
import { OperandParser, ParseSink, SymRef } from '../parser';
import { LineRec, RecKind } from './lineRecord';

/** What a read keeps. */
export const enum Keep {
  /** Names only (a summary, or the references of a line). */
  Names = 0,
  /** Names and tokens. */
  Tokens = 1,
  /** Names, tokens and diagnostics. */
  Everything = 2,
}

const SEGMENT_WORD = /\.segment/i;

export class LineReader implements LineContext, ParseSink {
  text = '';
  readonly lx = WORKSPACE.lexemes;
  readonly parser: OperandParser;
  readonly parsed = new ParsedLine();
  keep = Keep.Everything;
  /** Tokens of the line read: start (in the line), length, class. */
  tokens: number[] = [];
  refs: SymRef[] = [];
  diags: AsmDiagnostic[] = [];
  private from = 0;

  constructor() {
    this.parser = new OperandParser(this);
  }

  beginLine(_line: number, from: number): void {
    this.from = from;
    this.tokens.length = 0;
    this.refs.length = 0;
    this.diags.length = 0;
  }

  diag(code: string, message: string, line: number, s: number, e: number, topic?: string, data?: AsmDiagnostic['data']): void {
    if (this.keep === Keep.Everything) this.diags.push(diagnostic(code, message, line, s, e, topic, data));
  }

  token(_line: number, s: number, e: number, cls: number): number {
    if (this.keep === Keep.Names) return -1;
    const t = this.tokens;
    t.push(s, e - s, cls);
    return t.length / 3 - 1;
  }

  ref(r: SymRef): void {
    this.refs.push(r);
  }

  /** Reads line `line` (its text without the line break) and keeps what `keep` says. */
  read(text: string, line: number, keep: Keep): ParsedLine {
    this.text = text;
    this.parser.text = text;
    this.parser.lx = this.lx;
    this.keep = keep;
    return parseSourceLine(this, line, 0, text.length, this.parsed);
  }

  /** Reads what `rec` is, defines and uses from its text. */
  summarize(text: string, rec: LineRec): void {
    const p = this.read(text, rec.index, Keep.Names);
    rec.fresh = false;
    rec.kind = RecKind.Empty;
    rec.size = 0;
    rec.label = p.label;
    rec.head = [p.hs, p.he];
    rec.def = undefined;
    rec.expr = undefined;
    rec.segment = undefined;
    rec.pages = 0;
    const names = new Set<string>();
    for (const r of this.refs) names.add(r.name);
    rec.uses = names.size ? [...names] : [];
    rec.segmentWord = SEGMENT_WORD.test(text);
    if (p.kind === LineKind.Instruction) {
      rec.kind = RecKind.Instruction;
      rec.size = p.instr!.op.size;
      return;
    }
    if (p.kind !== LineKind.Directive) return;
    const d = p.directive!;
    switch (d.kind) {
      case '.equ':
        rec.kind = RecKind.Equ;
        rec.def = d.name;
        rec.expr = d.expr;
        return;
      case '.segment':
        rec.kind = RecKind.Segment;
        rec.def = d.name;
        rec.segment = d;
        return;
      case '.dmasize':
        rec.kind = RecKind.DmaSize;
        rec.expr = d.size;
        return;
      case '.align':
        rec.kind = RecKind.Align;
        rec.expr = d.alignment;
        return;
      case '.zero':
        rec.kind = RecKind.Zero;
        rec.expr = d.size;
        return;
      case 'data':
        rec.kind = d.width === 0 ? RecKind.Pages : RecKind.Data;
        rec.size = d.width === 0 ? PAGE_LIST_HEADER_BYTES + 8 * d.count : d.width * d.count;
        rec.pages = d.width === 0 ? d.count : 0;
        return;
    }
  }
}
