// Where each line's bytes go, redone from the first edited line down: offsets, label values,
// `.align` and `.zero` padding (evaluated where the line is, as the assembler's first pass does),
// and the bytes of lines that did not change moved to their new place in block copies.

import { writeFill } from '../asm/data';
import { evaluatePadding } from '../asm/sizes';
import type { AsmDiagnostic } from '../asmTypes';
import { diagnostic } from '../asm/report';
import type { AnalysisState } from './state';
import type { ByteMove } from './byteBuffer';
import { LineRec, type NameInfo, RecKind } from './lineRecord';

export class Layout {
  constructor(private readonly a: AnalysisState) {}

  /**
   * Places the lines from `from` on. Past `editTo` the walk stops at the first line that is where
   * it was, unless `toEnd` (then every padding below is evaluated again). Labels whose value
   * changed are added to `revalued`.
   */
  run(from: number, editTo: number, toEnd: boolean, revalued: Set<NameInfo>): void {
    const a = this.a;
    const recs = a.recs;
    const oldTotal = a.total;
    let off = from > 0 ? recs[from - 1].offset + recs[from - 1].size : 0;
    const moves: ByteMove[] = off > 0 ? [{ from: 0, to: 0, length: off }] : [];
    const paddings: LineRec[] = [];
    let moved = false;
    for (let i = from; i < recs.length; i++) {
      const rec = recs[i];
      if (!toEnd && i > editTo && rec.placed && rec.offset === off) {
        // The rest is where it was.
        move(moves, off, off, oldTotal - off);
        off = oldTotal;
        break;
      }
      const oldOffset = rec.offset;
      const oldSize = rec.size;
      if (rec.kind === RecKind.Align || rec.kind === RecKind.Zero) {
        this.pad(rec, off);
        paddings.push(rec);
      }
      rec.offset = off;
      if (rec.placed) {
        if (oldOffset !== off) {
          moved = true;
          if (rec.kind === RecKind.Pages) a.pagesMoved = true;
        }
        if (rec.size > 0 && rec.kind !== RecKind.Align && rec.kind !== RecKind.Zero) {
          if (!rec.dirty) move(moves, oldOffset, off, rec.size);
        }
      } else if (rec.kind === RecKind.Pages) a.pagesMoved = true;
      const placedBefore = rec.placed;
      rec.placed = true;
      if (rec.labelInfo) {
        const info = rec.labelInfo;
        if (info.sym && info.winner?.rec === rec && info.winner.role === 0) {
          const v = BigInt(off);
          if (info.sym.value !== v) {
            info.sym.value = v;
            revalued.add(info);
          }
        }
      }
      off += rec.size;
      if (oldSize !== rec.size && placedBefore) moved = true;
    }
    a.total = off;
    const out = a.out;
    if (moved || off !== oldTotal) {
      a.reachabilityStale = true;
      // Lines whose bytes are not carried over (new, or to be evaluated again) are written by their evaluation.
      out.relayout(off, moves, oldTotal);
    } else out.reserve(off);
    for (const rec of paddings) {
      out.clear(rec.offset, rec.size);
      if (rec.kind === RecKind.Align) writeFill(out, { offset: rec.offset, length: rec.size });
    }
  }

  /** Evaluates a `.align` or `.zero` where it is (names defined above it only), setting its size and what it reports. */
  private pad(rec: LineRec, offset: number): void {
    const a = this.a;
    const found: AsmDiagnostic[] = [];
    a.sink.target = { diag: (code, message, line, s, e, topic, data) => found.push(diagnostic(code, message, line, s, e, topic, data)) };
    const directive = rec.kind === RecKind.Align ? '.align' : '.zero';
    const r = rec.expr ? evaluatePadding(a.ev, a.sink, directive, rec.expr, rec.index, offset, rec.index) : undefined;
    a.sink.target = undefined;
    rec.size = r?.size ?? 0;
    rec.layoutDiags = found.length ? found : null;
    rec.earlyMiss = r?.miss ? { directive, name: r.miss.name, s: r.miss.s, e: r.miss.e } : undefined;
    a.noteReporting(rec);
    a.reachabilityStale = true;
  }
}

/** Adds a move, joined to the last one when it continues it. */
function move(moves: ByteMove[], from: number, to: number, length: number): void {
  if (length <= 0) return;
  const last = moves[moves.length - 1];
  if (last && last.from + last.length === from && last.to + last.length === to) last.length += length;
  else moves.push({ from, to, length });
}
