// Evaluating one line with everything else as it is now: read it again, resolve its names, and
// write its bytes, keeping what it reports. Nothing else about the document changes.

import { writeData } from '../asm/data';
import { PageListUses } from '../asm/pageLists';
import { resolution } from '../asm/names';
import { LineKind } from '../asm/lineStatement';
import type { IncrementalAssembly } from './assembly';
import { LineRec, RecKind } from './lineRecord';
import { Keep } from './lineReader';

export function evaluateLine(a: IncrementalAssembly, rec: LineRec): void {
  rec.dirty = false;
  const reader = a.reader;
  a.sink.target = reader;
  const p = reader.read(a.line(rec.index), rec.index, Keep.Everything);
  let unresolved = false;
  for (const r of reader.refs) {
    const sym = a.names.symbols.get(r.name);
    resolution(r, sym, reader, a.suggestions);
    if (!sym && !isNumberedSegment(r.name)) unresolved = true;
  }
  const out = a.out;
  const ev = a.ev;
  rec.pageUses = null;
  if (rec.kind === RecKind.Instruction && p.kind === LineKind.Instruction) {
    out.reserve(rec.offset + rec.size);
    out.clear(rec.offset, rec.size);
    const ins = p.instr!;
    if (ins.ok) {
      ins.offset = rec.offset;
      const uses = new PageListUses();
      a.encoder.pageListUses = uses;
      a.encoder.emit(ins);
      if (uses.count) rec.pageUses = uses;
    }
  } else if ((rec.kind === RecKind.Data || rec.kind === RecKind.Pages) && p.directive?.kind === 'data') {
    const d = p.directive;
    out.reserve(rec.offset + rec.size);
    out.clear(rec.offset, rec.size);
    writeData(out, ev, reader, { width: d.width, line: rec.index, offset: rec.offset, values: d.values, ok: d.ok });
  }
  a.sink.target = undefined;
  rec.diags = reader.diags.length ? [...reader.diags] : null;
  rec.unresolved = unresolved;
  if (unresolved) a.unresolved.add(rec);
  else a.unresolved.delete(rec);
  rec.tokens = null;
  if (rec.pageUses) a.checkUses(rec);
  else {
    rec.pageDiags = null;
    a.noteReporting(rec);
  }
}

const NUMBERED = /^seg[0-9]+$/i;

function isNumberedSegment(name: string): boolean {
  return NUMBERED.test(name);
}
