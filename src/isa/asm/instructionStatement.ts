// Parsing an instruction's operands and flags, once the line's mnemonic is known: trailing flag
// keywords, each operand checked for its kind (a location, a number or a segment), the operand
// count, misspelt and repeated flags. The result is the workspace's instruction record; evaluating
// and encoding it is the encoder's job.

import type { Lexemes } from '../lexer';
import { Lx } from '../lexer';
import { CLS } from '../lineTable';
import { LocationSpace, OpcodeInfo, OperandInfo } from '../opcodes';
import type { Operand, OperandParser } from '../parser';
import { closest } from '../suggest';
import type { LineShape } from './lineShape';
import type { DiagnosticSink } from './report';
import { PendingInstr, WORKSPACE } from './workspace';

const CLS_FLAG = CLS.flag;
const LX_IDENT = Lx.Ident;
const SPACE_NAME: Record<number, string> = {
  [LocationSpace.Segment]: 'segment',
  [LocationSpace.Mdl]: 'mdl',
  [LocationSpace.Physical]: 'phys',
  [LocationSpace.GpuVirtual]: 'va',
};
const SPACE_SYNTAX: Record<number, string> = {
  [LocationSpace.Segment]: 'SEGMENT:offset',
  [LocationSpace.Mdl]: 'mdl(page_list)+offset',
  [LocationSpace.Physical]: 'phys:address',
  [LocationSpace.GpuVirtual]: 'va:address',
};

/** What parsing a statement needs: the line's text and lexemes, the operand parser, and where diagnostics and tokens go. */
export interface StatementContext extends DiagnosticSink {
  readonly text: string;
  readonly lx: Lexemes;
  readonly parser: OperandParser;
  /** Records a token (class from CLS); returns its index. */
  token(line: number, s: number, e: number, cls: number): number;
}

/** Whether the identifier lexeme text[s, e) is `lower` in any case (identifiers are ASCII). */
export function identIs(text: string, s: number, e: number, lower: string): boolean {
  if (e - s !== lower.length) return false;
  for (let i = s; i < e; i++) {
    let c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i - s)) return false;
  }
  return true;
}

/** Whether operand `k` of the shape is a single identifier. */
export function isBareIdent(lx: Lexemes, shape: LineShape, k: number): boolean {
  const first = shape.spans[2 * k];
  return shape.spans[2 * k + 1] - first === 1 && lx.kind[first] === LX_IDENT;
}

/**
 * Parses the operands of `op` on `line` (shaped in `shape`, text from `from`) into the workspace's
 * instruction record; `ok` is false if anything is missing or wrong. The mnemonic is at [hs, he).
 */
export function parseInstruction(ctx: StatementContext, shape: LineShape, line: number, hs: number, he: number, op: OpcodeInfo, from: number, syntaxOk: boolean): PendingInstr {
  const lx = ctx.lx;
  const text = ctx.text;
  const parser = ctx.parser;
  const spans = shape.spans;
  // Trailing flag keywords.
  const total = shape.operandCount;
  let n = total;
  let flags = 0;
  let flagsFrom = n;
  if (op.flags.length) {
    while (n > 0 && isBareIdent(lx, shape, n - 1)) {
      const i = spans[(n - 1) * 2];
      let known = false;
      for (const f of op.flags) if (identIs(text, lx.start[i], lx.end[i], f.name)) known = true;
      if (!known) break;
      n--;
    }
    flagsFrom = n;
  }
  const want = op.operands.length;
  const ins = WORKSPACE.instr;
  ins.op = op;
  ins.line = line;
  for (let k = 0; k < want; k++) ins.operands[k] = undefined;
  ins.flags = 0;
  ins.ok = syntaxOk;
  ins.headS = hs;
  ins.headE = he;
  for (let k = 0; k < Math.min(n, want); k++) {
    const parsed = parser.parseOperand(spans[2 * k], spans[2 * k + 1]);
    if (!parsed) {
      ins.ok = false;
      continue;
    }
    if (!checkKind(ctx, op, op.operands[k], parsed, line)) ins.ok = false;
    else ins.operands[k] = parsed;
  }
  if (n < want) {
    ins.ok = false;
    const names = op.operands.map((o) => o.name).join(', ');
    ctx.diag('PGA004', `${op.mnemonic} takes ${want} operand${want === 1 ? '' : 's'} (${names}), found ${n}`, line, hs, he, op.mnemonic);
  } else if (n > want) {
    ins.ok = false;
    let k = want;
    if (op.flags.length) {
      // Extra bare words where flags go are most likely misspelt flags.
      for (; k < n && isBareIdent(lx, shape, k); k++) {
        const word = parser.lexText(spans[2 * k]);
        const guess = closest(word, op.flags.map((f) => f.name));
        ctx.diag(
          'PGA014',
          `${op.mnemonic} has no flag '${word}' (its flags: ${op.flags.map((f) => f.name).join(', ')})${guess ? `; did you mean '${guess}'?` : ''}`,
          line,
          lx.start[spans[2 * k]] - from,
          lx.end[spans[2 * k]] - from,
          op.mnemonic,
          guess ? { replacement: guess } : undefined,
        );
      }
    }
    if (k < n) {
      const s = lx.start[spans[2 * k]] - from;
      const e = lx.end[spans[2 * n - 1] - 1] - from;
      const what = want === 0 ? `${op.mnemonic} takes no operands` : `${op.mnemonic} takes ${want} operand${want === 1 ? '' : 's'} (${op.operands.map((o) => o.name).join(', ')})`;
      const flagNote = op.flags.length ? ` plus flags (${op.flags.map((f) => f.name).join(', ')})` : '';
      ctx.diag('PGA004', `${what}${flagNote}, found ${n}`, line, s, e, op.mnemonic);
    }
  }
  for (let k = flagsFrom; k < total; k++) {
    const i = spans[2 * k];
    let f = op.flags[0];
    for (const x of op.flags) if (identIs(text, lx.start[i], lx.end[i], x.name)) f = x;
    const s = lx.start[i] - from;
    const e = lx.end[i] - from;
    ctx.token(line, s, e, CLS_FLAG);
    if (flags & (1 << f.bit)) ctx.diag('PGA021', `flag '${f.name}' is given more than once`, line, s, e, op.mnemonic);
    flags |= 1 << f.bit;
  }
  ins.flags = flags;
  return ins;
}

/** Whether `parsed` is the kind of operand `o` is (a location in an allowed space, or a number); reports why not. */
function checkKind(sink: DiagnosticSink, op: OpcodeInfo, o: OperandInfo, parsed: Operand, line: number): boolean {
  if (o.kind === 'loc') {
    if (parsed.t !== 'loc') {
      const forms = (o.spaces ?? []).map((s) => SPACE_SYNTAX[s]).join(', ');
      sink.diag('PGA005', `${op.mnemonic} ${o.name} must be a location (${forms}), not a number`, line, parsed.s, parsed.e, op.mnemonic);
      return false;
    }
    if (!(o.spaces ?? []).includes(parsed.space)) {
      const allowed = (o.spaces ?? []).map((s) => SPACE_NAME[s]).join(', ');
      sink.diag('PGA009', `${op.mnemonic} ${o.name} cannot be a ${SPACE_NAME[parsed.space]} location (it accepts: ${allowed})`, line, parsed.s, parsed.e, op.mnemonic);
      return false;
    }
    return true;
  }
  if (parsed.t === 'loc') {
    sink.diag('PGA005', `${op.mnemonic} ${o.name} must be ${o.kind === 'seg' ? 'a segment' : 'a number'}, not a location`, line, parsed.s, parsed.e, op.mnemonic);
    return false;
  }
  return true;
}
