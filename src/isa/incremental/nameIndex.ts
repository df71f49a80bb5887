// Which lines define and use each name, kept up to date line by line, and which definition wins.
// The assembler defines names as it reads the file from the top: the first definition wins, a
// later one is an error, a `.segment` may replace a segment of the adapter profile once. The same
// rules are applied here to the definitions of one name at a time, so an edit re-decides only the
// names whose definitions it touched.

import type { AsmDiagnostic, SegmentDecl } from '../asmTypes';
import { Names, Sym } from '../asm/names';
import { diagnostic, range, ZERO_RANGE } from '../asm/report';
import { NUMBERED_SEGMENT } from '../directives';
import { editDistance } from '../suggest';
import { Definer, LineRec, NameInfo, RecKind } from './lineRecord';

const RESERVED = new Set(['mdl', 'phys', 'va']);

function kindOf(d: Definer): Sym['kind'] {
  return d.role === 0 ? 'label' : d.rec.kind === RecKind.Equ ? 'constant' : 'segment';
}

function before(a: Definer, b: Definer): boolean {
  return a.rec.index < b.rec.index || (a.rec.index === b.rec.index && a.role < b.role);
}

export class NameIndex {
  private readonly infos = new Map<string, NameInfo>();

  constructor(
    private readonly names: Names,
    profile: readonly SegmentDecl[],
  ) {
    profile.forEach((seg, i) => {
      const info = this.info(seg.name);
      const sym = new Sym(seg.name, 'segment', BigInt(seg.id), ZERO_RANGE);
      sym.builtin = true;
      sym.fromProfile = true;
      info.profileSym = sym;
      info.profileIndex = i;
      info.profileId = seg.id;
      info.sym = sym;
      names.symbols.set(seg.name, sym);
    });
  }

  info(name: string): NameInfo {
    let i = this.infos.get(name);
    if (!i) this.infos.set(name, (i = new NameInfo(name)));
    return i;
  }

  get(name: string): NameInfo | undefined {
    return this.infos.get(name);
  }

  values(): IterableIterator<NameInfo> {
    return this.infos.values();
  }

  addDefiner(name: string, d: Definer): NameInfo {
    const info = this.info(name);
    const list = info.definers;
    let at = list.length;
    while (at > 0 && before(d, list[at - 1])) at--;
    list.splice(at, 0, d);
    return info;
  }

  removeDefiner(name: string, rec: LineRec, role: 0 | 1): NameInfo {
    const info = this.info(name);
    const list = info.definers;
    const at = list.findIndex((d) => d.rec === rec && d.role === role);
    if (at >= 0) list.splice(at, 1);
    return info;
  }

  /**
   * Decides the name's winner again, as the assembler's first pass would, and puts its symbol in
   * Names.symbols. Returns whether the symbol changed (another object, kind or value).
   */
  settle(info: NameInfo): boolean {
    // What the assembler ended with last time (the segment declarations may have removed a profile segment).
    const before = this.names.symbols.get(info.name);
    const beforeKind = before?.kind;
    const beforeValue = before?.value;
    const reserved = RESERVED.has(info.name.toLowerCase()) || NUMBERED_SEGMENT.test(info.name);
    let state: { sym: Sym; winner: Definer | undefined } | undefined = info.profileSym ? { sym: info.profileSym, winner: undefined } : undefined;
    if (info.profileSym) {
      info.profileSym.builtin = true;
      info.profileSym.definition = ZERO_RANGE;
      info.profileSym.value = BigInt(info.profileId);
    }
    let conflict = false;
    for (const d of info.definers) {
      const kind = kindOf(d);
      if (kind === 'segment' && state && state.winner === undefined && state.sym.builtin) {
        // Redeclaring a profile segment replaces it.
        state.sym.builtin = undefined;
        state.sym.definition = range(d.rec.index, d.s, d.e);
        state.winner = d;
        continue;
      }
      if (reserved || state) {
        conflict = true;
        continue;
      }
      const reuse = info.sym && info.sym !== info.profileSym && info.winner?.rec === d.rec && info.sym.kind === kind ? info.sym : undefined;
      const sym = reuse ?? new Sym(info.name, kind, 0n, range(d.rec.index, d.s, d.e));
      sym.definition = range(d.rec.index, d.s, d.e);
      sym.value = kind === 'label' ? BigInt(d.rec.offset) : reuse ? reuse.value : 0n;
      state = { sym, winner: d };
    }
    info.conflict = conflict;
    info.sym = state?.sym;
    info.winner = state?.winner;
    if (info.sym) this.names.symbols.set(info.name, info.sym);
    else this.names.symbols.delete(info.name);
    return info.sym !== before || info.sym?.kind !== beforeKind || info.sym?.value !== beforeValue;
  }

  /** The diagnostics of defining `info`'s name: reserved, defined twice, taken from the profile. */
  definitionDiagnostics(info: NameInfo, out: AsmDiagnostic[]): void {
    const reserved = RESERVED.has(info.name.toLowerCase()) || NUMBERED_SEGMENT.test(info.name);
    let prev: { builtin: boolean; kind: string; line: number; s: number; e: number } | undefined = info.profileSym
      ? { builtin: true, kind: 'segment', line: 0, s: 0, e: 0 }
      : undefined;
    for (const d of info.definers) {
      const kind = kindOf(d);
      const line = d.rec.index;
      if (kind === 'segment' && prev?.builtin) {
        prev = { builtin: false, kind, line, s: d.s, e: d.e };
        continue;
      }
      if (reserved) {
        out.push(diagnostic('PGA028', `'${info.name}' is reserved (${RESERVED.has(info.name.toLowerCase()) ? 'a location space' : 'it names a segment by number'}) and cannot be defined`, line, d.s, d.e));
        continue;
      }
      if (prev) {
        const where = prev.builtin ? 'as a segment of the adapter profile' : `as a ${prev.kind} on line ${prev.line + 1}`;
        out.push(diagnostic('PGA011', `'${info.name}' is already defined ${where}`, line, d.s, d.e, undefined, { previous: prev.builtin ? ZERO_RANGE : range(prev.line, prev.s, prev.e) }));
        continue;
      }
      prev = { builtin: false, kind, line, s: d.s, e: d.e };
    }
  }

  /** A symbol's place in the order the assembler defines them: the profile's first, then the file's from the top. */
  rank(sym: Sym): number {
    if (sym.fromProfile) return this.info(sym.name).profileIndex;
    return (sym.definition.start.line + 1) * 65536 * 1024 + sym.definition.start.character;
  }

  /** The defined name closest to `word` (as `closest` over the symbols in the assembler's order). */
  closestSymbol(word: string, candidates: Iterable<Sym>, extra: readonly string[] = []): string | undefined {
    const w = word.toLowerCase();
    const limit = w.length <= 3 ? 1 : w.length <= 6 ? 2 : 3;
    let best: string | undefined;
    let bestD = limit + 1;
    let bestRank = Infinity;
    for (const sym of candidates) {
      const d = editDistance(w, sym.name.toLowerCase(), limit);
      if (d > limit || d > bestD) continue;
      const r = this.rank(sym);
      if (d < bestD || r < bestRank) {
        bestD = d;
        best = sym.name;
        bestRank = r;
      }
    }
    // Names after the symbols (location spaces) lose ties to them.
    for (const c of extra) {
      const d = editDistance(w, c.toLowerCase(), limit);
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    return best;
  }
}
