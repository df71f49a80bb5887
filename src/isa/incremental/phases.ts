// The whole-program evaluations, redone whole when an edit may change them: the `.segment`
// declarations, then every constant in the order they are defined, then `.dmasize`, exactly as the
// assembler does them after its first pass (so a constant that depends on itself is blamed on the
// same line, and an over-long chain broken at the same place).

import type { AsmDiagnostic, SegmentDecl } from '../asmTypes';
import { evaluateDmaSize } from '../asm/sizes';
import { diagnostic } from '../asm/report';
import type { AnalysisState } from './state';
import { type NameInfo, RecKind } from './lineRecord';

const ABSENT = Symbol('absent');

/**
 * The segment declarations, constants and `.dmasize` lines in the order of the text, as the
 * assembler's first pass would have collected them, ready to be evaluated (constants not yet).
 */
export function collectDeclarations(a: AnalysisState): void {
  const { names, index, recs } = a;
  names.segDefs.length = 0;
  names.consts.clear();
  a.dmaSizeRecs = [];
  for (const rec of recs) {
    if (rec.kind === RecKind.DmaSize && rec.expr) a.dmaSizeRecs.push(rec);
    if (!rec.def) continue;
    const info = index.get(rec.def.name);
    if (!info?.sym || info.winner?.rec !== rec || info.winner.role !== 1) continue;
    const sym = info.sym;
    if (rec.kind === RecKind.Equ) {
      names.consts.set(info.name, { sym, expr: rec.expr?.expr, state: 0, value: undefined, cycleReported: false });
    } else if (rec.kind === RecKind.Segment && rec.segment) {
      const d = rec.segment;
      names.segDefs.push({ sym, line: rec.index, id: d.id, size: d.size, kind: d.segmentKind, cpuVisible: d.cpuVisible });
    }
  }
}

/**
 * Runs the phases; adds the names that came or went to `changed`, those whose value alone changed
 * to `revalued` (as their index entries); returns whether the segments in effect changed.
 */
export function runPhases(a: AnalysisState, changed: Set<string>, revalued: Set<NameInfo>): boolean {
  const { names, index, ev, recs } = a;
  for (const rec of a.phaseRecs) {
    rec.phaseDiags = null;
    a.noteReporting(rec);
  }
  a.phaseRecs.clear();
  a.sink.target = {
    diag(code, message, line, s, e, topic, data): void {
      const rec = recs[line];
      if (!rec) return;
      (rec.phaseDiags ??= []).push(diagnostic(code, message, line, s, e, topic, data) as AsmDiagnostic);
      a.phaseRecs.add(rec);
    },
  };
  // Values before, to tell what changed.
  const before = new Map<string, bigint | typeof ABSENT>();
  for (const info of index.values()) if (info.sym && info.sym.kind !== 'label') before.set(info.name, names.symbols.get(info.name)?.value ?? ABSENT);
  // The profile's segments as the first pass leaves them, and the declarations in order.
  for (const info of index.values()) {
    if (!info.profileSym) continue;
    info.profileSym.value = BigInt(info.profileId);
    if (info.sym) names.symbols.set(info.name, info.sym);
  }
  collectDeclarations(a);
  // As the first pass leaves them: constants and declared segments without a value yet.
  for (const c of names.consts.values()) c.sym.value = 0n;
  for (const d of names.segDefs) if (!d.sym.fromProfile) d.sym.value = 0n;
  const segmentsBefore = names.segById;
  names.buildSegments(ev);
  for (const c of names.consts.values()) ev.constValue(c);
  a.dmaSize = undefined;
  const first = a.dmaSizeRecs[0];
  if (first) a.dmaSize = evaluateDmaSize(ev, a.sink, first.expr!, first.index);
  a.sink.target = undefined;
  for (const rec of a.phaseRecs) a.noteReporting(rec);
  for (const info of index.values()) {
    if (!info.sym || info.sym.kind === 'label') continue;
    const was = before.get(info.name);
    const now = names.symbols.get(info.name)?.value ?? ABSENT;
    if (now === was) continue;
    if (now === ABSENT || was === ABSENT) changed.add(info.name);
    else revalued.add(info);
  }
  return !sameSegments(segmentsBefore, names.segById);
}

function sameSegments(x: ReadonlyMap<number, SegmentDecl>, y: ReadonlyMap<number, SegmentDecl>): boolean {
  if (x.size !== y.size) return false;
  for (const [id, s] of x) {
    const t = y.get(id);
    if (!t || t.name !== s.name || t.kind !== s.kind || t.size !== s.size || t.cpuVisible !== s.cpuVisible) return false;
  }
  return true;
}

