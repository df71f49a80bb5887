// Parsing a directive's operands (`.equ`, `.dmasize`, `.segment`, `.align`, `.pages`, `.u8`..`.u64`):
// the operand count, names where names go, numbers where numbers go, the `.segment` keywords.
// What a directive then does (define a name, place data, pad) is up to the assembler; parsing has
// no effect beyond diagnostics and tokens.

import { DIRECTIVE_BY_NAME, DIRECTIVES } from '../directives';
import { CLS } from '../lineTable';
import { cloneOperand, ExprOperand } from '../parser';
import { closest } from '../suggest';
import { isBareIdent, StatementContext } from './instructionStatement';
import type { LineShape } from './lineShape';

const CLS_CONSTANT = CLS.constant;
const CLS_FLAG = CLS.flag;
const CLS_SEGMENT = CLS.segment;

/** A name operand and its characters. */
export interface NameOperand {
  name: string;
  s: number;
  e: number;
}

/**
 * A parsed directive. Operands that failed to parse (already reported) are undefined; a directive
 * with the wrong number of operands, or an unknown one, parses to nothing at all.
 */
export type DirectiveStatement =
  | { kind: '.equ'; name: NameOperand | undefined; expr: ExprOperand | undefined }
  | { kind: '.dmasize'; size: ExprOperand | undefined }
  | { kind: '.segment'; name: NameOperand | undefined; id: ExprOperand | undefined; segmentKind: 'memory' | 'aperture' | undefined; size: ExprOperand | undefined; cpuVisible: boolean }
  | { kind: '.align'; alignment: ExprOperand | undefined }
  | { kind: '.zero'; size: ExprOperand | undefined }
  /** `.pages` (width 0) and `.u8`..`.u64` (bytes per value); `count` operands, of which `values` parsed; `ok` if all did. */
  | { kind: 'data'; width: number; count: number; values: ExprOperand[]; ok: boolean };

/**
 * Parses directive `name` (lower case; `written` as in the text, at [hs, he)) on `line`, shaped in
 * `shape`, text from `from`.
 */
export function parseDirective(
  ctx: StatementContext,
  shape: LineShape,
  line: number,
  hs: number,
  he: number,
  name: string,
  written: string,
  from: number,
  syntaxOk: boolean,
): DirectiveStatement | undefined {
  const lx = ctx.lx;
  const parser = ctx.parser;
  const spans = shape.spans;
  const info = DIRECTIVE_BY_NAME.get(name);
  const count = shape.operandCount;
  if (!info) {
    const guess = closest(name, DIRECTIVES.map((d) => d.name));
    ctx.diag('PGA003', `unknown directive '${written}'${guess ? ` (did you mean '${guess}'?)` : ''}`, line, hs, he, undefined, guess ? { replacement: guess } : undefined);
    for (let k = 0; k < shape.spanCount; k += 2) parser.parseOperand(spans[k], spans[k + 1]);
    return undefined;
  }
  const wrongCount = (expected: string): undefined => {
    ctx.diag('PGA004', `${name} takes ${expected} (${info.syntax}), found ${count}`, line, hs, he, name);
    return undefined;
  };
  const exprAt = (k: number): ExprOperand | undefined => {
    const p = parser.parseOperand(spans[2 * k], spans[2 * k + 1]);
    if (!p) return undefined;
    if (p.t === 'loc') {
      ctx.diag('PGA005', `${name} needs a number here, not a location`, line, p.s, p.e, name);
      return undefined;
    }
    // Directives keep their operands until pass 2.
    return cloneOperand(p);
  };
  const nameAt = (k: number, cls: number): NameOperand | undefined => {
    const i = spans[2 * k];
    const s = lx.start[i] - from;
    if (!isBareIdent(lx, shape, k) || parser.lexText(i).charCodeAt(0) === 46) {
      ctx.diag('PGA001', `${name} expects a name here (${info.syntax})`, line, s, lx.end[spans[2 * k + 1] - 1] - from, name);
      return undefined;
    }
    const e = lx.end[i] - from;
    ctx.token(line, s, e, cls);
    return { name: parser.lexText(i), s, e };
  };
  switch (name) {
    case '.equ': {
      if (count !== 2) return wrongCount('2 operands');
      const id = nameAt(0, CLS_CONSTANT);
      return { kind: '.equ', name: id, expr: exprAt(1) };
    }
    case '.dmasize':
      if (count !== 1) return wrongCount('1 operand');
      return { kind: '.dmasize', size: exprAt(0) };
    case '.segment': {
      if (count !== 4 && count !== 5) return wrongCount('4 or 5 operands');
      const id = nameAt(0, CLS_SEGMENT);
      const idOp = exprAt(1);
      let kind: 'memory' | 'aperture' | undefined;
      const kindWord = isBareIdent(lx, shape, 2) ? parser.lexText(spans[4]).toLowerCase() : '';
      const ks = lx.start[spans[4]] - from;
      const ke = lx.end[spans[5] - 1] - from;
      if (kindWord === 'memory' || kindWord === 'aperture') {
        kind = kindWord;
        ctx.token(line, ks, ke, CLS_FLAG);
      } else {
        ctx.diag('PGA025', `segment kind must be 'memory' or 'aperture', found '${ctx.text.slice(ks + from, ke + from)}'`, line, ks, ke, name);
      }
      const sizeOp = exprAt(3);
      let cpuVisible = false;
      if (count === 5) {
        const s = lx.start[spans[8]] - from;
        const e = lx.end[spans[9] - 1] - from;
        if (isBareIdent(lx, shape, 4) && parser.lexText(spans[8]).toLowerCase() === 'cpuvisible') {
          cpuVisible = true;
          ctx.token(line, s, e, CLS_FLAG);
        } else {
          ctx.diag('PGA025', `the last operand of .segment can only be 'cpuvisible', found '${ctx.text.slice(s + from, e + from)}'`, line, s, e, name);
        }
      }
      return { kind: '.segment', name: id, id: idOp, segmentKind: kind, size: sizeOp, cpuVisible };
    }
    case '.align':
      if (count !== 1) return wrongCount('1 operand');
      return { kind: '.align', alignment: exprAt(0) };
    case '.zero':
      if (count !== 1) return wrongCount('1 operand');
      return { kind: '.zero', size: exprAt(0) };
    case '.pages':
    case '.u8':
    case '.u16':
    case '.u32':
    case '.u64': {
      if (count === 0) return wrongCount('at least 1 operand');
      const values: ExprOperand[] = [];
      let ok = syntaxOk;
      for (let k = 0; k < count; k++) {
        const v = exprAt(k);
        if (v) values.push(v);
        else ok = false;
      }
      const width = name === '.pages' ? 0 : name === '.u8' ? 1 : name === '.u16' ? 2 : name === '.u32' ? 4 : 8;
      return { kind: 'data', width, count, values, ok };
    }
  }
  return undefined;
}
