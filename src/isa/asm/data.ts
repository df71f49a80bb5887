// What directives put into the buffer besides instructions: `.pages` page lists, `.u8`..`.u64`
// values, and `.align` padding (made of `nop`s where it can be, so the engine runs through it).
// Their values may use names defined anywhere, so they are written in pass 2.

import { PAGE_LIST_HEADER_BYTES, PAGE_SIZE } from '../opcodes';
import type { ExprOperand } from '../parser';
import type { Evaluator } from './evaluate';
import type { ByteSink } from './output';
import { DiagnosticSink, fmt } from './report';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A data directive, placed in pass 1 and written in pass 2. */
export interface PendingData {
  /** Bytes per value, or 0 for `.pages`. */
  width: number;
  line: number;
  offset: number;
  values: ExprOperand[];
  ok: boolean;
}

/** `.align` padding. */
export interface Fill {
  offset: number;
  length: number;
}

export function writeFill(out: ByteSink, f: Fill): void {
  const b = out.bytes;
  let at = f.offset;
  let left = f.length;
  // Whole dwords at dword boundaries become `nop`s, so the engine runs through the padding.
  while (at % 4 !== 0 && left > 0) {
    at++;
    left--;
  }
  while (left >= 4) {
    b[at] = 0x01;
    b[at + 2] = 1;
    at += 4;
    left -= 4;
  }
}

export function writeData(out: ByteSink, ev: Evaluator, sink: DiagnosticSink, d: PendingData): void {
  ev.line = d.line;
  if (!d.ok) {
    for (const v of d.values) ev.evalOperand(v);
    return;
  }
  const view = out.view;
  let at = d.offset;
  if (d.width === 0) {
    view.setUint32(at, d.values.length, true);
    at += PAGE_LIST_HEADER_BYTES;
    for (const op of d.values) {
      const v = ev.evalOperand(op);
      if (v !== undefined && ev.checkRange(v, 0n, MAX_SAFE, 'page address', d.line, op.s, op.e, '.pages')) {
        if (v % BigInt(PAGE_SIZE) !== 0n) sink.diag('PGA007', `page address ${fmt(v)} must be a multiple of ${PAGE_SIZE}`, d.line, op.s, op.e, '.pages');
        else view.setBigUint64(at, v, true);
      }
      at += 8;
    }
    return;
  }
  const bits = BigInt(d.width * 8);
  const max = (1n << bits) - 1n;
  const min = -(1n << (bits - 1n));
  const name = `.u${d.width * 8}`;
  for (const op of d.values) {
    const v = ev.evalOperand(op);
    if (v !== undefined && ev.checkRange(v, min, max, `${name} value`, d.line, op.s, op.e, name)) {
      const u = BigInt.asUintN(Number(bits), v);
      if (d.width === 1) view.setUint8(at, Number(u));
      else if (d.width === 2) view.setUint16(at, Number(u), true);
      else if (d.width === 4) view.setUint32(at, Number(u), true);
      else view.setBigUint64(at, u, true);
    }
    at += d.width;
  }
}
