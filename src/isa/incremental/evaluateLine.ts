// Evaluating one line with everything else as it is now: read it again, resolve its names, and
// write its bytes, keeping what it reports. Nothing else about the document changes.
//
// A line whose names only changed value (a label moved by an edit above, a constant given another
// value) is not read again: its parsed operands are kept (for lines that use names), and only its
// encoding is redone, which is all such a change can affect.

import { writeData } from '../asm/data';
import { PageListUses } from '../asm/pageLists';
import { resolution } from '../asm/names';
import { LineKind } from '../asm/lineStatement';
import type { AsmDiagnostic } from '../asmTypes';
import { cloneOperand } from '../parser';
import { WORKSPACE } from '../asm/workspace';
import type { AnalysisState } from './state';
import { LineRec, RecKind } from './lineRecord';
import { Keep } from './lineReader';

export function evaluateLine(a: AnalysisState, rec: LineRec): void {
  rec.dirty = false;
  rec.revalue = false;
  const reader = a.reader;
  a.sink.target = reader;
  const p = reader.read(a.line(rec.index), rec.index, Keep.Everything);
  let unresolved = false;
  for (const r of reader.refs) {
    const sym = a.names.symbols.get(r.name);
    resolution(r, sym, reader, a.suggestions);
    if (!sym && !isNumberedSegment(r.name)) unresolved = true;
  }
  // What the line says on its own and about its names; what encoding it adds comes after.
  const mark = reader.diags.length;
  rec.retained = undefined;
  if (rec.kind === RecKind.Instruction && p.kind === LineKind.Instruction) {
    const ins = p.instr!;
    if (rec.uses.length) {
      const operands = ins.operands.slice(0, ins.op.operands.length).map((o) => (o ? cloneOperand(o) : undefined));
      rec.retained = { instr: { op: ins.op, flags: ins.flags, ok: ins.ok, headS: ins.headS, headE: ins.headE, operands } };
    }
    encodeInstruction(a, rec, ins.ok ? ins : undefined);
  } else if ((rec.kind === RecKind.Data || rec.kind === RecKind.Pages) && p.directive?.kind === 'data') {
    const d = p.directive;
    if (rec.uses.length) rec.retained = { data: { width: d.width, values: d.values, ok: d.ok } };
    encodeData(a, rec, d);
  } else rec.pageUses = null;
  a.sink.target = undefined;
  rec.diags = mark ? reader.diags.slice(0, mark) : null;
  rec.encodeDiags = reader.diags.length > mark ? reader.diags.slice(mark) : null;
  rec.unresolved = unresolved;
  if (unresolved) a.unresolved.add(rec);
  else a.unresolved.delete(rec);
  rec.tokens = null;
  finishEncoding(a, rec);
}

/** Encodes a line again from its kept operands, when only the values of the names it uses changed. */
export function reencodeLine(a: AnalysisState, rec: LineRec): void {
  rec.revalue = false;
  const kept = rec.retained;
  if (!kept) return evaluateLine(a, rec);
  const found: AsmDiagnostic[] = [];
  const reader = a.reader;
  a.sink.target = reader;
  reader.diags.length = 0;
  if (kept.instr) {
    const ins = WORKSPACE.instr;
    const k = kept.instr;
    ins.op = k.op;
    ins.line = rec.index;
    ins.flags = k.flags;
    ins.ok = k.ok;
    ins.headS = k.headS;
    ins.headE = k.headE;
    for (let i = 0; i < k.operands.length; i++) ins.operands[i] = k.operands[i];
    encodeInstruction(a, rec, k.ok ? ins : undefined);
  } else if (kept.data) encodeData(a, rec, kept.data);
  a.sink.target = undefined;
  found.push(...reader.diags);
  rec.encodeDiags = found.length ? found : null;
  finishEncoding(a, rec);
}

function encodeInstruction(a: AnalysisState, rec: LineRec, ins: typeof WORKSPACE.instr | undefined): void {
  const out = a.out;
  out.reserve(rec.offset + rec.size);
  out.clear(rec.offset, rec.size);
  const uses = rec.pageUses ?? new PageListUses(1);
  uses.clear();
  rec.pageUses = null;
  if (!ins) return;
  ins.offset = rec.offset;
  a.encoder.pageListUses = uses;
  a.encoder.emit(ins);
  if (uses.count) rec.pageUses = uses;
}

function encodeData(a: AnalysisState, rec: LineRec, d: { width: number; values: import('../parser').ExprOperand[]; ok: boolean }): void {
  const out = a.out;
  out.reserve(rec.offset + rec.size);
  out.clear(rec.offset, rec.size);
  rec.pageUses = null;
  writeData(out, a.ev, a.reader, { width: d.width, line: rec.index, offset: rec.offset, values: d.values, ok: d.ok });
}

function finishEncoding(a: AnalysisState, rec: LineRec): void {
  if (rec.pageUses) a.pageUsers.add(rec);
  else a.pageUsers.delete(rec);
  if (rec.pageUses) a.checkUses(rec);
  else {
    rec.pageDiags = null;
    a.noteReporting(rec);
  }
  if (rec.kind !== RecKind.Instruction && rec.kind !== RecKind.Empty) a.reachabilityStale = true;
}

const NUMBERED = /^seg[0-9]+$/i;

function isNumberedSegment(name: string): boolean {
  return NUMBERED.test(name);
}
