// The names of one assembly: labels, constants and segments (the adapter profile's and the file's
// own), with the rules for defining a name and for resolving a reference to one. A reference that
// resolves sets its token's class and is recorded on the symbol (for go-to-definition and rename);
// one that does not is reported with the closest known name.

import type { AsmSymbol, Range, SegmentDecl } from '../asmTypes';
import { NUMBERED_SEGMENT } from '../directives';
import { CLS, CLS_NONE, TokenTable } from '../lineTable';
import { NumberList } from './numberList';
import type { Expr, ExprOperand, SymRef } from '../parser';
import { closest } from '../suggest';
import { DiagnosticSink, range, ZERO_RANGE } from './report';

const CLS_LABEL = CLS.label;
const CLS_CONSTANT = CLS.constant;
const CLS_SEGMENT = CLS.segment;
/** Names that cannot be defined: location spaces (`segN` is checked with NUMBERED_SEGMENT). */
const RESERVED = new Set(['mdl', 'phys', 'va']);

/** A symbol whose reference ranges are stored packed and built into Range objects on first read. */
export class Sym implements AsmSymbol {
  builtin?: boolean;
  /** Whether it came from the adapter profile (it stays so when a `.segment` line redeclares it). */
  fromProfile?: boolean;
  /** line, start, end per reference; made on the first one (most labels are never referenced). */
  private packed: NumberList | undefined;
  private built: Range[] | undefined;
  constructor(
    public name: string,
    public kind: AsmSymbol['kind'],
    public value: bigint,
    public definition: Range,
  ) {}
  addReference(line: number, s: number, e: number): void {
    (this.packed ??= new NumberList(6)).push3(line, s, e);
    this.built = undefined;
  }
  get references(): Range[] {
    if (!this.built) {
      const list = this.packed;
      const out: Range[] = new Array(list ? list.length / 3 : 0);
      if (list) for (let i = 0; i < list.length; i += 3) out[i / 3] = range(list.data[i], list.data[i + 1], list.data[i + 2]);
      // In the order they are in the text (they are found in the order names get resolved).
      out.sort((x, y) => x.start.line - y.start.line || x.start.character - y.start.character);
      this.built = out;
    }
    return this.built;
  }
  set references(v: Range[]) {
    this.packed = new NumberList(6);
    for (const r of v) this.packed.push3(r.start.line, r.start.character, r.end.character);
    this.built = undefined;
  }
}

/** A `.equ` constant: its expression, evaluated on first use (state 0 not yet, 1 in progress, 2 done). */
export interface ConstDef {
  sym: Sym;
  expr: Expr | undefined;
  state: 0 | 1 | 2;
  value: bigint | undefined;
  cycleReported: boolean;
}

/** A `.segment` declaration, evaluated once every name is known (see buildSegments). */
export interface SegDef {
  sym: Sym;
  line: number;
  id: ExprOperand | undefined;
  size: ExprOperand | undefined;
  kind: 'memory' | 'aperture' | undefined;
  cpuVisible: boolean;
}

/** What buildSegments needs to evaluate a declaration's id and size. */
export interface SegmentEvaluator {
  /** The line diagnostics of the expressions go on. */
  line: number;
  evalOperand(op: ExprOperand): bigint | undefined;
  checkRange(v: bigint, min: bigint, max: bigint, what: string, line: number, s: number, e: number, topic?: string): boolean;
}

/** Where resolving a misspelt name looks for the name meant. */
export interface NameSuggestions {
  /** The defined name closest to `word`, the first defined winning a tie (see `closest`). */
  closestName(word: string): string | undefined;
  /** The names of the segments, in the order they were defined. */
  segmentNames(): string[];
}

/**
 * The class of a name reference's token once every name is known: the defined symbol's kind, a
 * segment for `segN`, or CLS_NONE for a name that means nothing usable here, which is reported to
 * `sink` (when given) with the name most likely meant.
 */
export function resolution(r: SymRef, sym: Sym | undefined, sink: DiagnosticSink | undefined, suggest: NameSuggestions): number {
  if (!sym) {
    if (NUMBERED_SEGMENT.test(r.name)) return CLS_SEGMENT;
    if (!sink) return CLS_NONE;
    if (r.seg) {
      const names = suggest.segmentNames();
      const guess = closest(r.name, [...names, 'phys', 'va']);
      sink.diag(
        'PGA015',
        `unknown segment or location space '${r.name}' (known: ${[...names, 'phys', 'va', 'mdl(...)'].join(', ')})${guess ? `; did you mean '${guess}'?` : ''}`,
        r.line,
        r.s,
        r.e,
        undefined,
        guess ? { replacement: guess } : undefined,
      );
    } else {
      const guess = suggest.closestName(r.name);
      sink.diag('PGA012', `undefined symbol '${r.name}'${guess ? ` (did you mean '${guess}'?)` : ''}`, r.line, r.s, r.e, undefined, guess ? { replacement: guess } : undefined);
    }
    return CLS_NONE;
  }
  if (r.seg && sym.kind !== 'segment') {
    sink?.diag('PGA015', `'${r.name}' is a ${sym.kind}, not a segment`, r.line, r.s, r.e);
    return CLS_NONE;
  }
  return sym.kind === 'label' ? CLS_LABEL : sym.kind === 'constant' ? CLS_CONSTANT : CLS_SEGMENT;
}

/**
 * A Map that counts its changes in `names.changes`, so that a lookup kept from before (a SymRef's,
 * see evaluate.ts) can tell that it still holds: nothing was added, replaced or removed since.
 */
class CountedMap<K, V> extends Map<K, V> {
  constructor(private readonly names: { changes: number }) {
    super();
  }
  override set(key: K, value: V): this {
    this.names.changes++;
    return super.set(key, value);
  }
  override delete(key: K): boolean {
    this.names.changes++;
    return super.delete(key);
  }
  override clear(): void {
    this.names.changes++;
    super.clear();
  }
}

export class Names implements NameSuggestions {
  /** Changes made to `symbols` and `consts` so far. */
  changes = 0;
  readonly symbols: Map<string, Sym> = new CountedMap<string, Sym>(this);
  readonly consts: Map<string, ConstDef> = new CountedMap<string, ConstDef>(this);
  readonly segDefs: SegDef[] = [];
  /** The adapter profile's segments, then (after buildSegments) the ones in effect, by id and by name. */
  segById = new Map<number, SegmentDecl>();
  segByName = new Map<string, SegmentDecl>();

  constructor(
    private readonly sink: DiagnosticSink,
    /** The token table whose name tokens get their class when resolved (resolveRef). */
    private readonly tokens: TokenTable | undefined,
    readonly baseSegments: readonly SegmentDecl[],
    /** Whether the file mentions `.segment` (then segment names resolve only after pass 1). */
    public declaresSegments: boolean,
  ) {
    for (const seg of baseSegments) {
      this.segById.set(seg.id, seg);
      this.segByName.set(seg.name, seg);
    }
  }

  /** Defines the profile's segments; they come first, so a file cannot take their names. */
  defineBuiltins(): void {
    for (const seg of this.baseSegments) {
      const sym = new Sym(seg.name, 'segment', BigInt(seg.id), ZERO_RANGE);
      sym.builtin = true;
      sym.fromProfile = true;
      this.symbols.set(seg.name, sym);
    }
  }

  /** Whether `name` may be defined now; reports why not. */
  checkNewName(name: string, line: number, s: number, e: number): boolean {
    if (RESERVED.has(name.toLowerCase()) || NUMBERED_SEGMENT.test(name)) {
      this.sink.diag('PGA028', `'${name}' is reserved (${RESERVED.has(name.toLowerCase()) ? 'a location space' : 'it names a segment by number'}) and cannot be defined`, line, s, e);
      return false;
    }
    const prev = this.symbols.get(name);
    if (prev) {
      const where = prev.builtin ? 'as a segment of the adapter profile' : `as a ${prev.kind} on line ${prev.definition.start.line + 1}`;
      this.sink.diag('PGA011', `'${name}' is already defined ${where}`, line, s, e, undefined, { previous: prev.definition });
      return false;
    }
    return true;
  }

  /**
   * Resolves a name reference: sets its token's class and records the reference, or reports it.
   * During pass 1 (`final` false) a name not defined yet is left for later (returns false); so is a
   * segment name when the file declares segments, since a declaration may still replace it.
   */
  resolveRef(r: SymRef, final: boolean): boolean {
    const sym = this.symbols.get(r.name);
    if (!final && (!sym || (sym.kind === 'segment' && this.declaresSegments))) return false;
    const cls = resolution(r, sym, this.sink, this);
    this.tokens!.cls[r.token] = cls;
    if (sym && cls !== CLS_NONE) sym.addReference(r.line, r.s, r.e);
    return true;
  }

  closestName(word: string): string | undefined {
    return closest(word, this.symbols.keys());
  }

  segmentNames(): string[] {
    return [...this.symbols.values()].filter((s) => s.kind === 'segment').map((s) => s.name);
  }

  /**
   * Evaluates the `.segment` declarations once every name is defined: a valid one replaces the
   * profile's segment with the same id or name, and from then on segment names mean these.
   */
  buildSegments(ev: SegmentEvaluator): void {
    const declared: SegmentDecl[] = [];
    const idLine = new Map<number, number>();
    for (const d of this.segDefs) {
      ev.line = d.line;
      const id = d.id ? ev.evalOperand(d.id) : undefined;
      const size = d.size ? ev.evalOperand(d.size) : undefined;
      let ok = d.kind !== undefined;
      if (id === undefined || !ev.checkRange(id, 1n, 0xffffn, 'segment id', d.line, d.id!.s, d.id!.e, '.segment')) ok = false;
      if (size === undefined || !ev.checkRange(size, 1n, BigInt(Number.MAX_SAFE_INTEGER), 'segment size', d.line, d.size!.s, d.size!.e, '.segment')) ok = false;
      if (!ok) continue;
      const n = Number(id);
      const prev = idLine.get(n);
      if (prev !== undefined) {
        this.sink.diag('PGA026', `segment id ${n} is already declared on line ${prev + 1}`, d.line, d.id!.s, d.id!.e, '.segment');
        continue;
      }
      idLine.set(n, d.line);
      d.sym.value = id!;
      declared.push({ name: d.sym.name, id: n, kind: d.kind!, size: Number(size), cpuVisible: d.cpuVisible });
    }
    const byId = new Map<number, SegmentDecl>();
    for (const s of this.baseSegments) {
      if (declared.some((d) => d.id === s.id || d.name === s.name)) {
        // Replaced by a declaration: a base segment whose id was taken loses its name too.
        const sym = this.symbols.get(s.name);
        if (sym?.builtin) this.symbols.delete(s.name);
        continue;
      }
      byId.set(s.id, s);
    }
    for (const d of declared) byId.set(d.id, d);
    this.segById = byId;
    this.segByName = new Map();
    for (const s of byId.values()) this.segByName.set(s.name, s);
  }
}

