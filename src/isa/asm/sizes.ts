// Sizes that directives decide: `.align` padding and `.zero` runs, which the first pass needs where
// the line is (so their values may use only names defined above them), and `.dmasize`, evaluated
// once every name is known.

import type { ExprOperand } from '../parser';
import { Evaluator, MAX_CONSTANT_DEPTH } from './evaluate';
import { DiagnosticSink, fmt } from './report';

const U32_MAX = 0xffffffffn;
const MAX_ALIGN = 65536n;
/** The longest `.zero` run: a DMA buffer is never near this large. */
const MAX_ZERO = 1n << 28n;

/** A `.align` or `.zero` whose value needs a name not defined above it (reported once every name is known). */
export interface EarlyMiss {
  directive: '.align' | '.zero';
  name: string;
  s: number;
  e: number;
}

/** How many bytes an `.align` at `offset` pads, or a `.zero` places; what it could not evaluate yet. */
export function evaluatePadding(
  ev: Evaluator,
  sink: DiagnosticSink,
  directive: '.align' | '.zero',
  op: ExprOperand,
  line: number,
  offset: number,
  visibleBefore = Infinity,
): { size: number; miss?: EarlyMiss } {
  ev.early = true;
  ev.earlyMiss = undefined;
  ev.visibleBefore = visibleBefore;
  ev.line = line;
  const v = ev.evalExpr(op.expr);
  ev.early = false;
  ev.visibleBefore = Infinity;
  const name = ev.earlyMiss;
  ev.earlyMiss = undefined;
  if (v === undefined) {
    if (name === undefined) return { size: 0 };
    if (ev.earlyMissReason === 'deep') {
      sink.diag('PGA029', `${directive} needs its value here, but '${name}' is reached through more than ${MAX_CONSTANT_DEPTH} other constants`, line, op.s, op.e, directive);
    }
    // A constant that depends on itself is reported where it is defined.
    return { size: 0, miss: ev.earlyMissReason === 'later' ? { directive, name, s: op.s, e: op.e } : undefined };
  }
  if (directive === '.zero') {
    if (!ev.checkRange(v, 0n, MAX_ZERO, '.zero', line, op.s, op.e, '.zero')) return { size: 0 };
    return { size: Number(v) };
  }
  if (!ev.checkRange(v, 1n, MAX_ALIGN, '.align', line, op.s, op.e, '.align')) return { size: 0 };
  if ((v & (v - 1n)) !== 0n) {
    sink.diag('PGA006', `.align ${fmt(v)} is not a power of two`, line, op.s, op.e, '.align');
    return { size: 0 };
  }
  const a = Number(v);
  return { size: (a - (offset % a)) % a };
}

/** The DMA buffer size `.dmasize` gives, if it is valid (a multiple of 4 in 4..2^32-1). */
export function evaluateDmaSize(ev: Evaluator, sink: DiagnosticSink, op: ExprOperand, line: number): number | undefined {
  ev.line = line;
  const v = ev.evalOperand(op);
  if (v === undefined || !ev.checkRange(v, 4n, U32_MAX, '.dmasize', line, op.s, op.e, '.dmasize')) return undefined;
  if (v % 4n !== 0n) {
    sink.diag('PGA007', `.dmasize ${fmt(v)} is not a multiple of 4`, line, op.s, op.e, '.dmasize');
    return undefined;
  }
  return Number(v);
}
