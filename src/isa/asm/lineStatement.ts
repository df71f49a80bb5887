// Parsing one source line: its label, its mnemonic or directive and operands, its comment, with
// every token and every problem the line has on its own. Nothing here depends on other lines: what
// the line then does (define its label, lay out its bytes, encode) is up to the caller, so the
// assembler and the language server's incremental analysis read lines through the same code.

import type { Lexemes } from '../lexer';
import { lexLine } from '../lexer';
import { CLS } from '../lineTable';
import { OPCODE_BY_MNEMONIC, OPCODES, OpcodeInfo } from '../opcodes';
import { closest } from '../suggest';
import { DirectiveStatement, NameOperand, parseDirective } from './directiveStatement';
import { parseInstruction, StatementContext } from './instructionStatement';
import { LineShape, shapeLine } from './lineShape';
import { PendingInstr, WORKSPACE } from './workspace';

const CLS_LABEL = CLS.label;
const CLS_COMMENT = CLS.comment;
const CLS_DIRECTIVE = CLS.directive;
const CLS_MNEMONIC = CLS.mnemonic;

/** Mnemonics by length and first letter (length * 128 + letter), to find one in the text without cutting a string out of it. */
const MNEMONICS_BY_KEY: readonly (OpcodeInfo[] | undefined)[] = (() => {
  const t: OpcodeInfo[][] = [];
  for (const o of OPCODES) (t[o.mnemonic.length * 128 + o.mnemonic.charCodeAt(0)] ??= []).push(o);
  return t;
})();

/** The opcode whose (lower-case) mnemonic is exactly text[s, e), if any. */
function mnemonicAt(text: string, s: number, e: number): OpcodeInfo | undefined {
  const c = text.charCodeAt(s);
  if (c >= 128) return undefined;
  const candidates = MNEMONICS_BY_KEY[(e - s) * 128 + c];
  if (candidates) for (const o of candidates) if (text.startsWith(o.mnemonic, s)) return o;
  return undefined;
}

/** What a line is. */
export const enum LineKind {
  /** Blank, a comment, a label alone. */
  Empty = 0,
  /** Code that does not start with a name, or an unknown mnemonic or directive, or a directive with the wrong operand count. */
  Invalid = 1,
  Directive = 2,
  Instruction = 3,
}

/** One parsed line. Reused from line to line: copy what must outlive the next parse. */
export class ParsedLine {
  kind: LineKind = LineKind.Empty;
  /** The label and its characters, if the line has one. */
  label: NameOperand | undefined;
  directive: DirectiveStatement | undefined;
  /** The workspace's instruction record, for an instruction. */
  instr: PendingInstr | undefined;
  /** The mnemonic's or directive's characters (-1 if the line has none). */
  hs = -1;
  he = -1;
}

/** Where a line's tokens and problems go, and how its name references are handled. */
export interface LineContext extends StatementContext {
  readonly lx: Lexemes;
  /** A new line starts at `from` in the text (token positions are relative to it). */
  beginLine(line: number, from: number): void;
}

/** Parses line `line` (text[from, to), without its line break) into `out`. */
export function parseSourceLine(ctx: LineContext, line: number, from: number, to: number, out: ParsedLine): ParsedLine {
  const lx = ctx.lx;
  const text = ctx.text;
  ctx.beginLine(line, from);
  lexLine(text, from, to, lx);
  out.kind = LineKind.Empty;
  out.label = undefined;
  out.directive = undefined;
  out.instr = undefined;
  out.hs = -1;
  out.he = -1;
  if (lx.count === 0) return out;
  const shape = WORKSPACE.shape;
  shapeLine(text, lx, shape);
  const parser = ctx.parser;
  parser.ls = from;
  parser.line = line;
  parser.startLine();
  if (shape.label >= 0) {
    const s = lx.start[0] - from;
    const e = lx.end[0] - from;
    ctx.token(line, s, e, CLS_LABEL);
    out.label = { name: text.slice(lx.start[0], lx.end[0]), s, e };
  }
  const i = shape.code;
  if (i < shape.end && shape.head < 0) {
    out.kind = LineKind.Invalid;
    ctx.diag('PGA001', `expected a mnemonic or directive, found '${parser.lexText(i)}'`, line, lx.start[i] - from, lx.end[i] - from);
  } else if (shape.head >= 0) {
    statement(ctx, shape, line, from, out);
  }
  if (shape.comment >= 0) ctx.token(line, lx.start[shape.comment] - from, lx.end[shape.comment] - from, CLS_COMMENT);
  return out;
}

/** The mnemonic or directive of a shaped line and its operands. */
function statement(ctx: LineContext, shape: LineShape, line: number, from: number, out: ParsedLine): void {
  const lx = ctx.lx;
  const text = ctx.text;
  const i = shape.head;
  for (let m = 0; m < shape.missingCount; m++) {
    // An empty operand: `a,,b`, `,a` or a trailing comma.
    const at = shape.missing[m];
    const k = at >= 0 ? at : -at - 1;
    ctx.diag('PGA001', at >= 0 ? "missing operand before ','" : "missing operand after ','", line, lx.start[k] - from, lx.end[k] - from);
  }
  const syntaxOk = shape.missingCount === 0;
  // Mnemonics are usually written in lower case already: then the table's string is the text.
  let headOp = mnemonicAt(text, lx.start[i], lx.end[i]);
  const headText = headOp ? headOp.mnemonic : text.slice(lx.start[i], lx.end[i]);
  const head = headOp ? headText : headText.toLowerCase();
  if (!headOp && head !== headText) headOp = OPCODE_BY_MNEMONIC.get(head);
  const hs = lx.start[i] - from;
  const he = lx.end[i] - from;
  out.hs = hs;
  out.he = he;
  if (head.charCodeAt(0) === 46) {
    ctx.token(line, hs, he, CLS_DIRECTIVE);
    out.directive = parseDirective(ctx, shape, line, hs, he, head, headText, from, syntaxOk);
    out.kind = out.directive ? LineKind.Directive : LineKind.Invalid;
  } else if (!headOp) {
    out.kind = LineKind.Invalid;
    const guess = closest(head, OPCODE_BY_MNEMONIC.keys());
    ctx.diag('PGA002', `unknown mnemonic '${headText}'${guess ? ` (did you mean '${guess}'?)` : ''}`, line, hs, he, undefined, guess ? { replacement: guess } : undefined);
    const spans = shape.spans;
    for (let k = 0; k < shape.spanCount; k += 2) ctx.parser.parseOperand(spans[k], spans[k + 1]);
  } else {
    ctx.token(line, hs, he, CLS_MNEMONIC);
    out.kind = LineKind.Instruction;
    out.instr = parseInstruction(ctx, shape, line, hs, he, headOp, from, syntaxOk);
  }
}
