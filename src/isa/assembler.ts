// The pgasm assembler: text to bytes, with a line map, symbols, per-line statements and lexical
// tokens for the editor, and every problem as a diagnostic (it never throws and never stops early).
//
// Two passes. Instruction sizes come from the table alone, so the first pass lexes and parses every
// line, lays out offsets and defines labels; the second resolves names, evaluates expressions
// (bigint, so nothing silently wraps), checks values against the table and the segments, and writes
// the bytes. Only `.align` needs a value during the first pass, so only it forbids forward references.

import type {
  AsmDiagnostic,
  AsmSymbol,
  AssembleOptions,
  AssembleResult,
  LineMapEntry,
  Range,
  SegmentDecl,
  Severity,
  Statement,
  Token,
} from './asmTypes';
import { formatSize, hex, profileProblems } from './checks';
import { DIAGNOSTIC_CODES, DiagnosticCode } from './diagnosticCodes';
import { DIRECTIVE_BY_NAME, DIRECTIVES, NUMBERED_SEGMENT } from './directives';
import { DecodedSlots, decodeInto, OperandValue, writeInstruction } from './encoding';
import { Lexemes, lexLine, Lx, P, toBigInt } from './lexer';
import { buildLineTable, CLS, CLS_NONE, CLS_PENDING, headRangeOf, LineTable, NumberList, scratchTables, TokenTable } from './lineTable';
import {
  Location,
  LocationSpace,
  OPCODE_BY_CODE,
  OPCODE_BY_MNEMONIC,
  OPCODES,
  OpcodeInfo,
  OperandInfo,
  PAGE_LIST_HEADER_BYTES,
  PAGE_SIZE,
  PageListBase,
} from './opcodes';
import { binary, cloneOperand, Expr, ExprOperand, LocOperand, Operand, OperandParser, ParseSink, SymRef } from './parser';
import { DEFAULT_DMA_SIZE, DEFAULT_SEGMENTS } from './profile';
import { closest } from './suggest';

// Enum members copied to module constants: hot loops then read a local instead of a property of
// an imported binding.
const CLS_LABEL = CLS.label;
const CLS_COMMENT = CLS.comment;
const CLS_DIRECTIVE = CLS.directive;
const CLS_MNEMONIC = CLS.mnemonic;
const CLS_FLAG = CLS.flag;
const CLS_CONSTANT = CLS.constant;
const CLS_SEGMENT = CLS.segment;
const SPACE_GPUVIRTUAL = LocationSpace.GpuVirtual;
const SPACE_MDL = LocationSpace.Mdl;
const SPACE_PHYSICAL = LocationSpace.Physical;
const SPACE_SEGMENT = LocationSpace.Segment;
const LX_COMMENT = Lx.Comment;
const LX_IDENT = Lx.Ident;
const LX_PUNCT = Lx.Punct;
const P_COLON = P.Colon;
const P_COMMA = P.Comma;
const P_LPAREN = P.LParen;
const P_MINUS = P.Minus;
const P_RPAREN = P.RParen;
const BASE_DMABUFFER = PageListBase.DmaBuffer;

export { DIAGNOSTIC_CODES } from './diagnosticCodes';
export { DIRECTIVES } from './directives';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const U32_MAX = 0xffffffffn;
const U64_MAX = (1n << 64n) - 1n;
const MAX_ALIGN = 65536n;
const MAX_CONSTANT_DEPTH = 400;
const RESERVED = new Set(['mdl', 'phys', 'va']);
const SPACE_NAME: Record<number, string> = {
  [SPACE_SEGMENT]: 'segment',
  [SPACE_MDL]: 'mdl',
  [SPACE_PHYSICAL]: 'phys',
  [SPACE_GPUVIRTUAL]: 'va',
};
const SPACE_SYNTAX: Record<number, string> = {
  [SPACE_SEGMENT]: 'SEGMENT:offset',
  [SPACE_MDL]: 'mdl(page_list)+offset',
  [SPACE_PHYSICAL]: 'phys:address',
  [SPACE_GPUVIRTUAL]: 'va:address',
};
const ZERO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

interface PendingInstr {
  op: OpcodeInfo;
  line: number;
  offset: number;
  operands: (Operand | undefined)[];
  flags: number;
  ok: boolean;
  headS: number;
  headE: number;
}

interface PendingData {
  /** Bytes per value, or 0 for `.pages`. */
  width: number;
  line: number;
  offset: number;
  values: ExprOperand[];
  ok: boolean;
}

interface ConstDef {
  sym: Sym;
  expr: Expr | undefined;
  state: 0 | 1 | 2;
  value: bigint | undefined;
  cycleReported: boolean;
}

interface SegDef {
  sym: Sym;
  line: number;
  id: ExprOperand | undefined;
  size: ExprOperand | undefined;
  kind: 'memory' | 'aperture' | undefined;
  cpuVisible: boolean;
}

interface Fill {
  offset: number;
  length: number;
}

/** A symbol whose reference ranges are stored packed and built into Range objects on first read. */
class Sym implements AsmSymbol {
  builtin?: boolean;
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

function materializeLines(list: NumberList): LineMapEntry[] {
  const m = list.data;
  const out: LineMapEntry[] = new Array(list.length / 4);
  for (let k = 0; k < list.length; k += 4) out[k / 4] = { line: m[k], offset: m[k + 1], length: m[k + 2], instruction: m[k + 3] === 1 };
  return out;
}

function range(line: number, s: number, e: number): Range {
  return { start: { line, character: s }, end: { line, character: e } };
}

function fmt(v: bigint): string {
  return v >= -65536n && v <= 65536n ? v.toString() : (v < 0n ? '-0x' + (-v).toString(16).toUpperCase() : hex(v));
}

/** Each operand's range and alignment as bigints, by opcode byte and operand index. */
const LIMITS: readonly ({ min: bigint; max: bigint; align: bigint; minN: number; maxN: number }[] | undefined)[] = OPCODE_BY_CODE.map((op) =>
  op?.operands.map((o) => {
    const min = o.min !== undefined ? BigInt(o.min) : 0n;
    const max = o.max !== undefined ? BigInt(o.max) : kindMax(o);
    // As doubles, for literal operands (safe integers): a limit beyond 2^53 may round, but every
    // safe integer still compares with it as with the exact limit.
    return { min, max, align: BigInt(o.align ?? 1), minN: Number(min), maxN: Number(max) };
  }),
);

/** Mnemonics by length and first letter (length * 128 + letter), to find one in the text without cutting a string out of it. */
const MNEMONICS_BY_KEY: readonly (OpcodeInfo[] | undefined)[] = (() => {
  const t: OpcodeInfo[][] = [];
  for (const o of OPCODES) (t[o.mnemonic.length * 128 + o.mnemonic.charCodeAt(0)] ??= []).push(o);
  return t;
})();

/** The opcode whose (lower-case) mnemonic is exactly text[s, e), if any. */
function mnemonicAt(text: string, s: number, e: number): OpcodeInfo | undefined {
  const c = text.charCodeAt(s);
  if (c >= 128) return undefined;
  const candidates = MNEMONICS_BY_KEY[(e - s) * 128 + c];
  if (candidates) for (const o of candidates) if (text.startsWith(o.mnemonic, s)) return o;
  return undefined;
}

/** Whether the identifier lexeme text[s, e) is `lower` in any case (identifiers are ASCII). */
function identIs(text: string, s: number, e: number, lower: string): boolean {
  if (e - s !== lower.length) return false;
  for (let i = s; i < e; i++) {
    let c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i - s)) return false;
  }
  return true;
}

function kindMax(o: OperandInfo): bigint {
  switch (o.kind) {
    case 'u8':
      return 0xffn;
    case 'u16':
    case 'seg':
      return 0xffffn;
    case 'u32':
      return U32_MAX;
    case 'u64':
      return U64_MAX;
    default:
      return MAX_SAFE;
  }
}

const SHARED_LEXEMES = new Lexemes();
// Scratch space of emitInstruction, which is never re-entered and whose callees (profile checks,
// page-list notes, the encoder) read the values without keeping them.
// Fixed lengths (more than any opcode's operand count): changing an array's length is a slow path.
const MAX_OPERANDS = Math.max(...OPCODES.map((o) => o.operands.length));
const SCRATCH_VALUES: OperandValue[] = new Array<OperandValue>(MAX_OPERANDS).fill(0);
const SCRATCH_LOCATIONS: Location[] = [];
/** Operand spans of a line: first and end lexeme of each operand, two numbers per operand. */
class Spans {
  n = 0;
  d = new Int32Array(32);
  push2(a: number, b: number): void {
    if (this.n + 2 > this.d.length) {
      const d = new Int32Array(this.d.length * 2);
      d.set(this.d);
      this.d = d;
    }
    this.d[this.n] = a;
    this.d[this.n + 1] = b;
    this.n += 2;
  }
}
/** The spans of the line being parsed (lines are parsed one at a time, never re-entered). */
const SCRATCH_SPANS = new Spans();
/**
 * The numbers of the instructions deferred to pass 2 (see keepForPass2), shared by every run:
 * assembling is synchronous and nothing of them outlives the run, so the array is reused and grows.
 */
const DEFERRED = { numbers: new Int32Array(4096) };
/**
 * The output buffer pass 1 and 2 write into, shared by every run (assembling is synchronous): each
 * result gets an exact-size copy, so a run does not allocate and fault in a fresh multi-megabyte
 * buffer. It is all zero between runs; `dirty` is how much may not be (a run that did not finish).
 */
const OUTPUT_KEEP_MAX = 64 << 20;
const OUTPUT = { bytes: new Uint8Array(0), view: new DataView(new ArrayBuffer(0)), dirty: 0 };
/** Operand records pass 2 loads deferred instructions into, one of each kind per operand index. */
const SCRATCH_EXPR_OPERANDS: ExprOperand[] = Array.from({ length: MAX_OPERANDS }, () => ({ t: 'expr', expr: 0, s: 0, e: 0 }));
const SCRATCH_LOC_OPERANDS: LocOperand[] = Array.from({ length: MAX_OPERANDS }, () => ({
  t: 'loc',
  space: SPACE_SEGMENT,
  seg: undefined,
  base: BASE_DMABUFFER,
  addr: 0,
  addrS: 0,
  addrE: 0,
  off: 0,
  offS: 0,
  offE: 0,
  s: 0,
  e: 0,
}));
/** The instruction being parsed; its slots are kept (keepForPass2) only if it has to wait for pass 2. */
const SCRATCH_INSTR: PendingInstr = { op: OPCODES[0], line: 0, offset: 0, operands: new Array<Operand | undefined>(MAX_OPERANDS).fill(undefined), flags: 0, ok: true, headS: 0, headE: 0 };

class Assembler implements ParseSink {
  private readonly diagnostics: AsmDiagnostic[] = [];
  private tokenTable: TokenTable;
  private readonly symbols = new Map<string, Sym>();
  /** The line map, flat: line, offset, length, 1 for an instruction (built into objects on read). */
  private lineMap: NumberList;
  /**
   * Instructions that use a name defined further down, kept parsed for pass 2, with (at the same
   * index) the references pass 1 could not resolve. Only these keep their operands: an instruction
   * that names only what is defined above it is encoded at once and keeps nothing. Kept flat (see
   * keepForPass2), numbers in one typed array shared by every run and expressions in a list,
   * rather than as records: thousands of small objects that live until the end of the run are what
   * the garbage collector pays most for.
   */
  private deferredCount = 0;
  /** How many numbers of DEFERRED_NUMBERS this run has used. */
  private deferredUsed = 0;
  /** The deferred instructions' expressions (and segment references), in the order keepForPass2 lists them. */
  private readonly deferredExprs: (Expr | SymRef | undefined)[] = [];
  /** The deferred instructions' unresolved references, in order; the k-th instruction's run from deferredRefStart[k] to deferredRefStart[k + 1]. */
  private readonly deferredRefs: SymRef[] = [];
  private readonly deferredRefStart: number[] = [0];
  /** Unresolved references, the first `refCount` entries (a count, so dropping the last few is cheap). */
  private readonly refs: SymRef[] = [];
  private refCount = 0;
  private readonly data: PendingData[] = [];
  private readonly fills: Fill[] = [];
  private readonly consts = new Map<string, ConstDef>();
  private readonly segDefs: SegDef[] = [];
  /** Page lists emitted by `.pages`: offset → page count. */
  private readonly pageLists = new Map<number, number>();
  /** Names a `.align` needed before their definition: reported once pass 1 knows all names. */
  private readonly earlyMisses: { name: string; line: number; s: number; e: number }[] = [];
  // One lexeme buffer for every run: assembling is synchronous, so runs never overlap.
  private readonly lx = SHARED_LEXEMES;
  private readonly parser: OperandParser;
  private baseSegments: readonly SegmentDecl[];
  private segById = new Map<number, SegmentDecl>();
  private segByName = new Map<string, SegmentDecl>();
  private dmaSizeDef: { op: ExprOperand; line: number } | undefined;
  private dmaSize: number | undefined;
  private offset = 0;
  private bytes = new Uint8Array(0);
  private view = new DataView(this.bytes.buffer);
  /** Whether pass 1 may evaluate only names defined so far (for `.align`). */
  private early = false;
  private constDepth = 0;
  /** Whether the file has `.segment` lines (then segment names resolve only after pass 1). */
  private readonly declaresSegments: boolean;
  /** mdl() operands pointing into the buffer, checked against `.pages` lists at the end. */
  /** mdl() operands into the buffer, flat: line, address, aux, extent, s, e, addrS, addrE, opcode, operand. */
  private readonly mdlRefs = new NumberList(64);
  private earlyMiss: string | undefined;
  /** Where the line being parsed begins in the text (tokens are stored by offset in the text). */
  private lineFrom = 0;

  constructor(
    private readonly text: string,
    private readonly options: AssembleOptions,
  ) {
    const tables = scratchTables(text.length);
    this.tokenTable = tables.tokens;
    // Four numbers per line that produces bytes.
    this.lineMap = tables.lineMap;
    this.parser = new OperandParser(this);
    this.parser.text = text;
    this.parser.lx = this.lx;
    this.baseSegments = options.segments ?? DEFAULT_SEGMENTS;
    this.declaresSegments = /\.segment/i.test(text);
    for (const seg of this.baseSegments) {
      this.segById.set(seg.id, seg);
      this.segByName.set(seg.name, seg);
    }
  }

  // --- ParseSink ---------------------------------------------------------------------------

  diag(code: string, message: string, line: number, s: number, e: number, topic?: string, data?: AsmDiagnostic['data']): void {
    const info = DIAGNOSTIC_CODES[code as DiagnosticCode];
    const d: AsmDiagnostic = { code, severity: info.severity as Severity, message, range: range(line, s, e) };
    if (topic) d.topic = topic;
    if (data) d.data = data;
    this.diagnostics.push(d);
  }

  token(line: number, s: number, e: number, cls: number): number {
    return this.tokenTable.add(this.lineFrom + s, e - s, cls);
  }

  ref(r: SymRef): void {
    if (!this.resolveRef(r, false)) this.refs[this.refCount++] = r;
  }

  // --- driver ------------------------------------------------------------------------------

  run(): AssembleResult {
    for (const seg of this.baseSegments) {
      const sym = new Sym(seg.name, 'segment', BigInt(seg.id), ZERO_RANGE);
      sym.builtin = true;
      this.symbols.set(seg.name, sym);
    }
    const text = this.text;
    let line = 0;
    let from = 0;
    for (;;) {
      let to = text.indexOf('\n', from);
      const last = to < 0;
      if (last) to = text.length;
      const end = to > from && text.charCodeAt(to - 1) === 13 ? to - 1 : to;
      this.parseLine(line, from, end);
      if (last) break;
      from = to + 1;
      line++;
    }
    this.buildSegments();
    this.resolveRefs();
    for (const c of this.consts.values()) this.constValue(c);
    if (this.dmaSizeDef) {
      const { op, line: l } = this.dmaSizeDef;
      const v = this.evalOperand(op);
      if (v !== undefined && this.checkRange(v, 4n, U32_MAX, '.dmasize', l, op.s, op.e, '.dmasize')) {
        if (v % 4n !== 0n) this.diag('PGA007', `.dmasize ${fmt(v)} is not a multiple of 4`, l, op.s, op.e, '.dmasize');
        else this.dmaSize = Number(v);
      }
    }
    this.reserve(this.offset);
    for (const f of this.fills) this.writeFill(f);
    const cls = this.tokenTable.cls;
    let at = 0;
    this.restoredExprs = 0;
    for (let k = 0; k < this.deferredCount; k++) {
      for (let j = this.deferredRefStart[k]; j < this.deferredRefStart[k + 1]; j++) {
        const r = this.deferredRefs[j];
        if (cls[r.token] === CLS_PENDING) this.resolveRef(r, true);
      }
      at = this.restoreForPass2(at, this.restoredExprs);
      this.emitInstruction(SCRATCH_INSTR);
    }
    for (const d of this.data) this.emitData(d);
    if (this.bytes === OUTPUT.bytes) {
      // The result gets its own copy; the shared buffer is cleared for the next run.
      const shared = this.bytes;
      this.bytes = shared.slice(0, this.offset);
      shared.fill(0, 0, this.offset);
      OUTPUT.dirty = 0;
    } else if (this.bytes.length !== this.offset) this.bytes = this.bytes.slice(0, this.offset);
    this.view = new DataView(this.bytes.buffer);
    this.checkPageLists();
    this.checkDmaSize();
    this.checkReachability();
    return this.result();
  }

  private result(): AssembleResult {
    const diags = this.diagnostics;
    diags.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    const max = this.options.maxDiagnostics;
    if (max !== undefined && max >= 0 && diags.length > max) {
      const rest = diags.length - max;
      const lastRange = diags[max].range;
      diags.length = max;
      const info = DIAGNOSTIC_CODES.PGA099;
      diags.push({ code: 'PGA099', severity: info.severity, message: `${rest} more diagnostic${rest === 1 ? '' : 's'} not shown`, range: lastRange });
    }
    const segments = [...this.segById.values()].sort((a, b) => a.id - b.id);
    // Statements and tokens are built on first read (see lineTable.ts), then kept; the run's
    // tables are shared with the next run, so the result keeps exact-size copies.
    // The line table (statements, and the lines tokens are on) is rebuilt from the text.
    const text = this.text;
    const tokenTable = (this.tokenTable = this.tokenTable.compact());
    const lineMap = (this.lineMap = this.lineMap.compact());
    let lineTable: LineTable | undefined;
    const shape = (): LineTable => (lineTable ??= buildLineTable(text, lineMap));
    let lines: LineMapEntry[] | undefined;
    let statements: Statement[] | undefined;
    let tokens: Token[] | undefined;
    const out: AssembleResult = {
      bytes: this.bytes,
      diagnostics: diags,
      get lines(): LineMapEntry[] {
        return (lines ??= materializeLines(lineMap));
      },
      set lines(v: LineMapEntry[]) {
        lines = v;
      },
      symbols: this.symbols,
      segments,
      get statements(): Statement[] {
        return (statements ??= shape().statements(text));
      },
      set statements(v: Statement[]) {
        statements = v;
      },
      get tokens(): Token[] {
        return (tokens ??= tokenTable.tokens(shape()));
      },
      set tokens(v: Token[]) {
        tokens = v;
      },
    };
    if (this.dmaSize !== undefined) out.dmaSize = this.dmaSize;
    return out;
  }

  // --- pass 1 ------------------------------------------------------------------------------

  private parseLine(line: number, from: number, to: number): void {
    const lx = this.lx;
    const text = this.text;
    lexLine(text, from, to, lx);
    this.lineFrom = from;
    const n = lx.count;
    if (n === 0) return;
    let end = n;
    let cs = -1;
    let ce = -1;
    if (lx.kind[n - 1] === LX_COMMENT) {
      end = n - 1;
      cs = lx.start[end] - from;
      ce = lx.end[end] - from;
    }
    const parser = this.parser;
    parser.ls = from;
    parser.line = line;
    parser.startLine();
    let i = 0;
    if (end >= 2 && lx.kind[0] === LX_IDENT && lx.kind[1] === LX_PUNCT && lx.op[1] === P_COLON && text.charCodeAt(lx.start[0]) !== 46) {
      const s = lx.start[0] - from;
      const e = lx.end[0] - from;
      const name = text.slice(lx.start[0], lx.end[0]);
      const r = range(line, s, e);
      this.token(line, s, e, CLS_LABEL);
      if (this.checkNewName(name, line, s, e)) {
        this.symbols.set(name, new Sym(name, 'label', BigInt(this.offset), r));
      }
      i = 2;
    }
    if (i >= end) {
      if (cs >= 0) this.token(line, cs, ce, CLS_COMMENT);
      return;
    }
    if (lx.kind[i] !== LX_IDENT) {
      const s = lx.start[i] - from;
      this.diag('PGA001', `expected a mnemonic or directive, found '${parser.lexText(i)}'`, line, s, lx.end[i] - from);
      if (cs >= 0) this.token(line, cs, ce, CLS_COMMENT);
      return;
    }
    // Mnemonics are usually written in lower case already: then the table's string is the text.
    let headOp = mnemonicAt(text, lx.start[i], lx.end[i]);
    const headText = headOp ? headOp.mnemonic : text.slice(lx.start[i], lx.end[i]);
    const head = headOp ? headText : headText.toLowerCase();
    if (!headOp && head !== headText) headOp = OPCODE_BY_MNEMONIC.get(head);
    const hs = lx.start[i] - from;
    const he = lx.end[i] - from;
    const directive = head.charCodeAt(0) === 46;
    // Operand spans: lexeme ranges split at top-level commas.
    const spans = SCRATCH_SPANS;
    spans.n = 0;
    let depth = 0;
    let spanStart = i + 1;
    let syntaxOk = true;
    for (let k = i + 1; k <= end; k++) {
      if (k < end && lx.kind[k] === LX_PUNCT) {
        const op = lx.op[k];
        if (op === P_LPAREN) depth++;
        else if (op === P_RPAREN) depth--;
        if (!(op === P_COMMA && depth <= 0)) continue;
      } else if (k < end) continue;
      if (k === spanStart) {
        if (k < end || spanStart > i + 1) {
          // An empty operand: `a,,b`, `,a` or a trailing comma.
          const at = k < end ? k : k - 1;
          this.diag('PGA001', k < end ? "missing operand before ','" : "missing operand after ','", line, lx.start[at] - from, lx.end[at] - from);
          syntaxOk = false;
        }
      } else {
        spans.push2(spanStart, k);
      }
      spanStart = k + 1;
      depth = 0;
    }
    if (directive) {
      this.token(line, hs, he, CLS_DIRECTIVE);
      this.directive(line, hs, he, head, headText, spans, from, syntaxOk);
    } else {
      const op = headOp;
      if (!op) {
        const guess = closest(head, OPCODE_BY_MNEMONIC.keys());
        this.diag(
          'PGA002',
          `unknown mnemonic '${headText}'${guess ? ` (did you mean '${guess}'?)` : ''}`,
          line,
          hs,
          he,
          undefined,
          guess ? { replacement: guess } : undefined,
        );
        for (let k = 0; k < spans.n; k += 2) parser.parseOperand(spans.d[k], spans.d[k + 1]);
      } else {
        this.token(line, hs, he, CLS_MNEMONIC);
        this.instruction(line, hs, he, op, spans, from, syntaxOk);
      }
    }
    if (cs >= 0) this.token(line, cs, ce, CLS_COMMENT);
  }

  /** Whether `name` may be defined now; reports why not. */
  private checkNewName(name: string, line: number, s: number, e: number): boolean {
    if (RESERVED.has(name.toLowerCase()) || NUMBERED_SEGMENT.test(name)) {
      this.diag('PGA028', `'${name}' is reserved (${RESERVED.has(name.toLowerCase()) ? 'a location space' : 'it names a segment by number'}) and cannot be defined`, line, s, e);
      return false;
    }
    const prev = this.symbols.get(name);
    if (prev) {
      const where = prev.builtin ? 'as a segment of the adapter profile' : `as a ${prev.kind} on line ${prev.definition.start.line + 1}`;
      this.diag('PGA011', `'${name}' is already defined ${where}`, line, s, e, undefined, { previous: prev.definition });
      return false;
    }
    return true;
  }

  private isBareIdent(spans: Spans, k: number): boolean {
    return spans.d[k + 1] - spans.d[k] === 1 && this.lx.kind[spans.d[k]] === LX_IDENT;
  }

  private instruction(line: number, hs: number, he: number, op: OpcodeInfo, spans: Spans, from: number, syntaxOk: boolean): void {
    const lx = this.lx;
    const parser = this.parser;
    // Trailing flag keywords.
    let n = spans.n >> 1;
    let flags = 0;
    let flagsFrom = n;
    if (op.flags.length) {
      while (n > 0 && this.isBareIdent(spans, (n - 1) * 2)) {
        const i = spans.d[(n - 1) * 2];
        let known = false;
        for (const f of op.flags) if (identIs(this.text, lx.start[i], lx.end[i], f.name)) known = true;
        if (!known) break;
        n--;
      }
      flagsFrom = n;
    }
    const want = op.operands.length;
    const refsMark = this.refCount;
    const ins = SCRATCH_INSTR;
    ins.op = op;
    ins.line = line;
    ins.offset = this.offset;
    for (let k = 0; k < want; k++) ins.operands[k] = undefined;
    ins.flags = 0;
    ins.ok = syntaxOk;
    ins.headS = hs;
    ins.headE = he;
    for (let k = 0; k < Math.min(n, want); k++) {
      const o = op.operands[k];
      const parsed = parser.parseOperand(spans.d[2 * k], spans.d[2 * k + 1]);
      if (!parsed) {
        ins.ok = false;
        continue;
      }
      if (!this.checkKind(op, o, parsed, line)) ins.ok = false;
      else ins.operands[k] = parsed;
    }
    if (n < want) {
      ins.ok = false;
      const names = op.operands.map((o) => o.name).join(', ');
      this.diag('PGA004', `${op.mnemonic} takes ${want} operand${want === 1 ? '' : 's'} (${names}), found ${n}`, line, ins.headS, ins.headE, op.mnemonic);
    } else if (n > want) {
      ins.ok = false;
      let k = want;
      if (op.flags.length) {
        // Extra bare words where flags go are most likely misspelt flags.
        for (; k < n && this.isBareIdent(spans, 2 * k); k++) {
          const word = parser.lexText(spans.d[2 * k]);
          const guess = closest(word, op.flags.map((f) => f.name));
          this.diag(
            'PGA014',
            `${op.mnemonic} has no flag '${word}' (its flags: ${op.flags.map((f) => f.name).join(', ')})${guess ? `; did you mean '${guess}'?` : ''}`,
            line,
            lx.start[spans.d[2 * k]] - from,
            lx.end[spans.d[2 * k]] - from,
            op.mnemonic,
            guess ? { replacement: guess } : undefined,
          );
        }
      }
      if (k < n) {
        const s = lx.start[spans.d[2 * k]] - from;
        const e = lx.end[spans.d[2 * n - 1] - 1] - from;
        const what = want === 0 ? `${op.mnemonic} takes no operands` : `${op.mnemonic} takes ${want} operand${want === 1 ? '' : 's'} (${op.operands.map((o) => o.name).join(', ')})`;
        const flagNote = op.flags.length ? ` plus flags (${op.flags.map((f) => f.name).join(', ')})` : '';
        this.diag('PGA004', `${what}${flagNote}, found ${n}`, line, s, e, op.mnemonic);
      }
    }
    for (let k = flagsFrom; k < spans.n >> 1; k++) {
      const i = spans.d[2 * k];
      let f = op.flags[0];
      for (const x of op.flags) if (identIs(this.text, lx.start[i], lx.end[i], x.name)) f = x;
      const s = lx.start[i] - from;
      const e = lx.end[i] - from;
      this.token(line, s, e, CLS_FLAG);
      if (flags & (1 << f.bit)) this.diag('PGA021', `flag '${f.name}' is given more than once`, line, s, e, op.mnemonic);
      flags |= 1 << f.bit;
    }
    ins.flags = flags;
    if (ins.ok) {
      // Most instructions use only names defined above (or none): encode them now and keep nothing.
      // One that names something not defined yet waits for pass 2 without trying.
      let defer = this.refCount > refsMark;
      if (!defer) {
        const mark = this.diagnostics.length;
        this.early = true;
        this.earlyMiss = undefined;
        this.emitInstruction(ins);
        this.early = false;
        if (this.earlyMiss !== undefined) {
          this.diagnostics.length = mark;
          this.earlyMiss = undefined;
          defer = true;
        }
      }
      if (defer) {
        // Its unresolved names are resolved just before pass 2 encodes it.
        for (let k = refsMark; k < this.refCount; k++) {
          const r = this.refs[k];
          this.tokenTable.cls[r.token] = CLS_PENDING;
          this.deferredRefs.push(r);
        }
        this.deferredRefStart.push(this.deferredRefs.length);
        this.refCount = refsMark;
        this.keepForPass2(ins);
      }
    }
    this.lineMap.push4(line, this.offset, op.size, 1);
    this.offset += op.size;
  }

  /**
   * Keeps a deferred instruction for pass 2. Numbers: opcode, line, offset, flags, head start and
   * end, then per operand 0, s, e for a number, or 1, space, base, addrS, addrE, offS, offE, s, e
   * for a location. Expressions: the number's, or the location's segment, address and offset. A
   * deferred instruction parsed cleanly, so every operand is there.
   */
  private keepForPass2(ins: PendingInstr): void {
    const op = ins.op;
    const x = this.deferredExprs;
    let at = this.deferredUsed;
    const need = at + 6 + 9 * op.operands.length;
    if (need > DEFERRED.numbers.length) {
      const grown = new Int32Array(Math.max(need, DEFERRED.numbers.length * 2));
      grown.set(DEFERRED.numbers.subarray(0, at));
      DEFERRED.numbers = grown;
    }
    const d = DEFERRED.numbers;
    d[at] = op.code;
    d[at + 1] = ins.line;
    d[at + 2] = ins.offset;
    d[at + 3] = ins.flags;
    d[at + 4] = ins.headS;
    d[at + 5] = ins.headE;
    at += 6;
    for (let k = 0; k < op.operands.length; k++) {
      const p = ins.operands[k]!;
      if (p.t === 'expr') {
        d[at] = 0;
        d[at + 1] = p.s;
        d[at + 2] = p.e;
        at += 3;
        x.push(p.expr);
      } else {
        d[at] = 1;
        d[at + 1] = p.space;
        d[at + 2] = p.base;
        d[at + 3] = p.addrS;
        d[at + 4] = p.addrE;
        d[at + 5] = p.offS;
        d[at + 6] = p.offE;
        d[at + 7] = p.s;
        d[at + 8] = p.e;
        at += 9;
        x.push(p.seg, p.addr, p.off);
      }
    }
    this.deferredUsed = at;
    this.deferredCount++;
  }

  /**
   * Loads the deferred instruction whose numbers start at `at` and expressions at `xi` into
   * SCRATCH_INSTR; returns where the next one's numbers start and sets `this.restoredExprs` to where its expressions do.
   */
  private restoreForPass2(at: number, xi: number): number {
    const d = DEFERRED.numbers;
    const x = this.deferredExprs;
    const ins = SCRATCH_INSTR;
    const op = OPCODE_BY_CODE[d[at]]!;
    ins.op = op;
    ins.line = d[at + 1];
    ins.offset = d[at + 2];
    ins.flags = d[at + 3];
    ins.headS = d[at + 4];
    ins.headE = d[at + 5];
    ins.ok = true;
    at += 6;
    for (let k = 0; k < op.operands.length; k++) {
      if (d[at] === 0) {
        const o = SCRATCH_EXPR_OPERANDS[k];
        o.s = d[at + 1];
        o.e = d[at + 2];
        o.expr = x[xi++] as Expr;
        ins.operands[k] = o;
        at += 3;
      } else {
        const o = SCRATCH_LOC_OPERANDS[k];
        o.space = d[at + 1];
        o.base = d[at + 2];
        o.addrS = d[at + 3];
        o.addrE = d[at + 4];
        o.offS = d[at + 5];
        o.offE = d[at + 6];
        o.s = d[at + 7];
        o.e = d[at + 8];
        o.seg = x[xi] as SymRef | undefined;
        o.addr = x[xi + 1] as Expr;
        o.off = x[xi + 2] as Expr;
        xi += 3;
        ins.operands[k] = o;
        at += 9;
      }
    }
    this.restoredExprs = xi;
    return at;
  }
  private restoredExprs = 0;

  private checkKind(op: OpcodeInfo, o: OperandInfo, parsed: Operand, line: number): boolean {
    if (o.kind === 'loc') {
      if (parsed.t !== 'loc') {
        const forms = (o.spaces ?? []).map((s) => SPACE_SYNTAX[s]).join(', ');
        this.diag('PGA005', `${op.mnemonic} ${o.name} must be a location (${forms}), not a number`, line, parsed.s, parsed.e, op.mnemonic);
        return false;
      }
      if (!(o.spaces ?? []).includes(parsed.space)) {
        const allowed = (o.spaces ?? []).map((s) => SPACE_NAME[s]).join(', ');
        this.diag(
          'PGA009',
          `${op.mnemonic} ${o.name} cannot be a ${SPACE_NAME[parsed.space]} location (it accepts: ${allowed})`,
          line,
          parsed.s,
          parsed.e,
          op.mnemonic,
        );
        return false;
      }
      return true;
    }
    if (parsed.t === 'loc') {
      this.diag('PGA005', `${op.mnemonic} ${o.name} must be ${o.kind === 'seg' ? 'a segment' : 'a number'}, not a location`, line, parsed.s, parsed.e, op.mnemonic);
      return false;
    }
    return true;
  }

  private directive(line: number, hs: number, he: number, name: string, written: string, spans: Spans, from: number, syntaxOk: boolean): void {
    const lx = this.lx;
    const parser = this.parser;
    const info = DIRECTIVE_BY_NAME.get(name);
    const count = spans.n >> 1;
    if (!info) {
      const guess = closest(name, DIRECTIVES.map((d) => d.name));
      this.diag('PGA003', `unknown directive '${written}'${guess ? ` (did you mean '${guess}'?)` : ''}`, line, hs, he, undefined, guess ? { replacement: guess } : undefined);
      for (let k = 0; k < spans.n; k += 2) parser.parseOperand(spans.d[k], spans.d[k + 1]);
      return;
    }
    const wrongCount = (expected: string): void => {
      this.diag('PGA004', `${name} takes ${expected} (${info.syntax}), found ${count}`, line, hs, he, name);
    };
    const exprAt = (k: number): ExprOperand | undefined => {
      const p = parser.parseOperand(spans.d[2 * k], spans.d[2 * k + 1]);
      if (!p) return undefined;
      if (p.t === 'loc') {
        this.diag('PGA005', `${name} needs a number here, not a location`, line, p.s, p.e, name);
        return undefined;
      }
      // Directives keep their operands until pass 2.
      return cloneOperand(p);
    };
    const nameAt = (k: number, cls: number): { name: string; s: number; e: number } | undefined => {
      const i = spans.d[2 * k];
      const s = lx.start[i] - from;
      if (!this.isBareIdent(spans, 2 * k) || parser.lexText(i).charCodeAt(0) === 46) {
        this.diag('PGA001', `${name} expects a name here (${info.syntax})`, line, s, lx.end[spans.d[2 * k + 1] - 1] - from, name);
        return undefined;
      }
      const e = lx.end[i] - from;
      this.token(line, s, e, cls);
      return { name: parser.lexText(i), s, e };
    };
    switch (name) {
      case '.equ': {
        if (count !== 2) {
          wrongCount('2 operands');
          return;
        }
        const id = nameAt(0, CLS_CONSTANT);
        const expr = exprAt(1);
        if (!id || !this.checkNewName(id.name, line, id.s, id.e)) return;
        const sym = new Sym(id.name, 'constant', 0n, range(line, id.s, id.e));
        this.symbols.set(id.name, sym);
        this.consts.set(id.name, { sym, expr: expr?.expr, state: 0, value: undefined, cycleReported: false });
        return;
      }
      case '.dmasize': {
        if (count !== 1) {
          wrongCount('1 operand');
          return;
        }
        const op = exprAt(0);
        if (!op) return;
        if (this.dmaSizeDef) {
          this.diag('PGA027', `.dmasize is already given on line ${this.dmaSizeDef.line + 1}`, line, hs, he, name);
          return;
        }
        this.dmaSizeDef = { op, line };
        return;
      }
      case '.segment': {
        if (count !== 4 && count !== 5) {
          wrongCount('4 or 5 operands');
          return;
        }
        const id = nameAt(0, CLS_SEGMENT);
        const idOp = exprAt(1);
        let kind: 'memory' | 'aperture' | undefined;
        const kindWord = this.isBareIdent(spans, 4) ? parser.lexText(spans.d[4]).toLowerCase() : '';
        const ks = lx.start[spans.d[4]] - from;
        const ke = lx.end[spans.d[5] - 1] - from;
        if (kindWord === 'memory' || kindWord === 'aperture') {
          kind = kindWord;
          this.token(line, ks, ke, CLS_FLAG);
        } else {
          this.diag('PGA025', `segment kind must be 'memory' or 'aperture', found '${this.text.slice(ks + from, ke + from)}'`, line, ks, ke, name);
        }
        const sizeOp = exprAt(3);
        let cpuVisible = false;
        if (count === 5) {
          const s = lx.start[spans.d[8]] - from;
          const e = lx.end[spans.d[9] - 1] - from;
          if (this.isBareIdent(spans, 8) && parser.lexText(spans.d[8]).toLowerCase() === 'cpuvisible') {
            cpuVisible = true;
            this.token(line, s, e, CLS_FLAG);
          } else {
            this.diag('PGA025', `the last operand of .segment can only be 'cpuvisible', found '${this.text.slice(s + from, e + from)}'`, line, s, e, name);
          }
        }
        if (!id) return;
        const prev = this.symbols.get(id.name);
        const def = range(line, id.s, id.e);
        if (prev?.builtin) {
          // Redeclaring a profile segment replaces it.
          prev.builtin = undefined;
          prev.definition = def;
          this.segDefs.push({ sym: prev, line, id: idOp, size: sizeOp, kind, cpuVisible });
          return;
        }
        if (!this.checkNewName(id.name, line, id.s, id.e)) return;
        const sym = new Sym(id.name, 'segment', 0n, def);
        this.symbols.set(id.name, sym);
        this.segDefs.push({ sym, line, id: idOp, size: sizeOp, kind, cpuVisible });
        return;
      }
      case '.align': {
        if (count !== 1) {
          wrongCount('1 operand');
          return;
        }
        const op = exprAt(0);
        if (!op) return;
        this.early = true;
        this.earlyMiss = undefined;
        const v = this.evalExpr(op.expr);
        this.early = false;
        if (v === undefined) {
          if (this.earlyMiss !== undefined) this.earlyMisses.push({ name: this.earlyMiss, line, s: op.s, e: op.e });
          return;
        }
        if (!this.checkRange(v, 1n, MAX_ALIGN, '.align', line, op.s, op.e, name)) return;
        if ((v & (v - 1n)) !== 0n) {
          this.diag('PGA006', `.align ${fmt(v)} is not a power of two`, line, op.s, op.e, name);
          return;
        }
        const a = Number(v);
        const pad = (a - (this.offset % a)) % a;
        if (pad > 0) {
          this.fills.push({ offset: this.offset, length: pad });
          this.lineMap.push4(line, this.offset, pad, 0);
          this.offset += pad;
        }
        return;
      }
      case '.pages':
      case '.u8':
      case '.u16':
      case '.u32':
      case '.u64': {
        if (count === 0) {
          wrongCount('at least 1 operand');
          return;
        }
        const values: ExprOperand[] = [];
        let ok = syntaxOk;
        for (let k = 0; k < count; k++) {
          const v = exprAt(k);
          if (v) values.push(v);
          else ok = false;
        }
        const width = name === '.pages' ? 0 : name === '.u8' ? 1 : name === '.u16' ? 2 : name === '.u32' ? 4 : 8;
        const size = width === 0 ? PAGE_LIST_HEADER_BYTES + 8 * count : width * count;
        if (width === 0) this.pageLists.set(this.offset, count);
        this.data.push({ width, line, offset: this.offset, values, ok });
        this.lineMap.push4(line, this.offset, size, 0);
        this.offset += size;
        return;
      }
    }
  }

  // --- names -------------------------------------------------------------------------------

  /**
   * Resolves a name reference: sets its token's class and records the reference, or reports it.
   * During pass 1 (`final` false) a name not defined yet is left for later (returns false); so is a
   * segment name when the file declares segments, since a declaration may still replace it.
   */
  private resolveRef(r: SymRef, final: boolean): boolean {
    const segment = r.seg;
    const sym = this.symbols.get(r.name);
    if (!final && (!sym || (sym.kind === 'segment' && this.declaresSegments))) return false;
    if (!sym) {
      if (NUMBERED_SEGMENT.test(r.name)) {
        this.tokenTable.cls[r.token] = CLS_SEGMENT;
        return true;
      }
      this.tokenTable.cls[r.token] = CLS_NONE;
      if (segment) {
        const names = [...this.symbols.values()].filter((s) => s.kind === 'segment').map((s) => s.name);
        const guess = closest(r.name, [...names, 'phys', 'va']);
        this.diag(
          'PGA015',
          `unknown segment or location space '${r.name}' (known: ${[...names, 'phys', 'va', 'mdl(...)'].join(', ')})${guess ? `; did you mean '${guess}'?` : ''}`,
          r.line,
          r.s,
          r.e,
          undefined,
          guess ? { replacement: guess } : undefined,
        );
      } else {
        const guess = closest(r.name, this.symbols.keys());
        this.diag('PGA012', `undefined symbol '${r.name}'${guess ? ` (did you mean '${guess}'?)` : ''}`, r.line, r.s, r.e, undefined, guess ? { replacement: guess } : undefined);
      }
      return true;
    }
    if (segment && sym.kind !== 'segment') {
      this.tokenTable.cls[r.token] = CLS_NONE;
      this.diag('PGA015', `'${r.name}' is a ${sym.kind}, not a segment`, r.line, r.s, r.e);
      return true;
    }
    this.tokenTable.cls[r.token] = sym.kind === 'label' ? CLS_LABEL : sym.kind === 'constant' ? CLS_CONSTANT : CLS_SEGMENT;
    sym.addReference(r.line, r.s, r.e);
    return true;
  }

  private resolveRefs(): void {
    for (let k = 0; k < this.refCount; k++) this.resolveRef(this.refs[k], true);
    for (const m of this.earlyMisses) {
      if (this.symbols.has(m.name)) {
        this.diag('PGA019', `.align needs its value here, but '${m.name}' is defined after this line`, m.line, m.s, m.e, '.align');
      }
    }
  }

  private buildSegments(): void {
    const declared: SegmentDecl[] = [];
    const idLine = new Map<number, number>();
    for (const d of this.segDefs) {
      const id = d.id ? this.evalOperand(d.id) : undefined;
      const size = d.size ? this.evalOperand(d.size) : undefined;
      let ok = d.kind !== undefined;
      if (id === undefined || !this.checkRange(id, 1n, 0xffffn, 'segment id', d.line, d.id!.s, d.id!.e, '.segment')) ok = false;
      if (size === undefined || !this.checkRange(size, 1n, MAX_SAFE, 'segment size', d.line, d.size!.s, d.size!.e, '.segment')) ok = false;
      if (!ok) continue;
      const n = Number(id);
      const prev = idLine.get(n);
      if (prev !== undefined) {
        this.diag('PGA026', `segment id ${n} is already declared on line ${prev + 1}`, d.line, d.id!.s, d.id!.e, '.segment');
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

  // --- evaluation --------------------------------------------------------------------------

  private constValue(c: ConstDef): bigint | undefined {
    if (c.state === 2) return c.value;
    if (c.state === 0 && this.constDepth >= MAX_CONSTANT_DEPTH) {
      // Evaluation recurses through constants; a chain this long would exhaust the stack.
      c.state = 2;
      const d = c.sym.definition;
      this.diag('PGA029', `constant '${c.sym.name}' is reached through more than ${MAX_CONSTANT_DEPTH} other constants`, d.start.line, d.start.character, d.end.character, '.equ');
      return undefined;
    }
    if (c.state === 1) {
      if (!c.cycleReported) {
        c.cycleReported = true;
        const d = c.sym.definition;
        this.diag('PGA017', `constant '${c.sym.name}' is defined in terms of itself`, d.start.line, d.start.character, d.end.character, '.equ');
      }
      return undefined;
    }
    if (c.expr === undefined) {
      c.state = 2;
      return undefined;
    }
    c.state = 1;
    this.constDepth++;
    const v = this.evalExpr(c.expr);
    this.constDepth--;
    if (this.early) {
      // Values seen by `.align` in pass 1 may miss labels defined later: never cache them.
      c.state = 0;
      return v;
    }
    c.state = 2;
    c.value = v;
    if (v !== undefined) c.sym.value = v;
    return v;
  }

  private evalOperand(op: ExprOperand): bigint | undefined {
    return this.evalExpr(op.expr);
  }

  private evalExpr(e: Expr): bigint | undefined {
    if (typeof e === 'number') return toBigInt(e);
    if (typeof e === 'bigint') return e;
    switch (e.t) {
      case 0: {
        const sym = this.symbols.get(e.name);
        if (!sym) {
          const m = NUMBERED_SEGMENT.exec(e.name);
          if (m) return BigInt(m[1]);
          if (this.early) this.earlyMiss ??= e.name;
          return undefined;
        }
        if (sym.kind === 'constant') {
          const v = this.constValue(this.consts.get(e.name)!);
          if (v === undefined && this.early) this.earlyMiss ??= e.name;
          return v;
        }
        if (sym.kind === 'segment' && this.early && this.declaresSegments) {
          const def = this.segDefs.find((d) => d.sym === sym);
          if (!def?.id) {
            this.earlyMiss ??= e.name;
            return undefined;
          }
          return this.evalOperand(def.id);
        }
        return sym.value;
      }
      case 1: {
        const a = this.evalExpr(e.a);
        const b = this.evalExpr(e.b);
        if (a === undefined || b === undefined) return undefined;
        const r = binary(e.op, a, b);
        if (typeof r === 'bigint') return r;
        if (!this.early || this.earlyMiss === undefined) {
          this.diag(r === 'division by zero' ? 'PGA016' : 'PGA006', r, e.line, e.s, e.e);
        }
        return undefined;
      }
      case 2: {
        const a = this.evalExpr(e.a);
        if (a === undefined) return undefined;
        return e.op === P_MINUS ? -a : ~a;
      }
    }
  }

  private checkRange(v: bigint, min: bigint, max: bigint, what: string, line: number, s: number, e: number, topic?: string): boolean {
    if (v >= min && v <= max) return true;
    this.diag('PGA006', `${what} ${fmt(v)} is out of range ${fmt(min)}..${fmt(max)}`, line, s, e, topic);
    return false;
  }

  // --- pass 2 ------------------------------------------------------------------------------

  private writeFill(f: Fill): void {
    const b = this.bytes;
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

  /** Evaluates, checks and writes an instruction; in early mode, gives up quietly on a name not yet known. */
  private emitInstruction(ins: PendingInstr): void {
    const { op, line } = ins;
    const values = SCRATCH_VALUES;
    let ok = ins.ok;
    for (let k = 0; k < op.operands.length; k++) {
      const parsed = ins.operands[k];
      if (!parsed) {
        ok = false;
        continue;
      }
      const o = op.operands[k];
      const v = parsed.t === 'loc' ? this.location(op, o, parsed, line, k) : this.integer(op, o, parsed, line, k);
      if (v === undefined) ok = false;
      else values[k] = v;
    }
    if (!ok || this.earlyMiss !== undefined) return;
    const problems = profileProblems(op, ins.flags, values, this.segById);
    for (const p of problems) {
      const parsed = ins.operands[p.operand]!;
      const s = parsed.t === 'loc' && parsed.seg ? parsed.seg.s : parsed.s;
      this.diag(p.code, p.message, line, s, parsed.e, op.mnemonic);
    }
    this.recordPageListUses(op, values, ins);
    this.reserve(ins.offset + op.size);
    // The buffer is zero where nothing was written yet, so no clearing is needed.
    writeInstruction(this.bytes, this.view, ins.offset, op, ins.flags, values, false);
  }

  /** Grows the output buffer (pass 1 writes instructions before the total size is known). */
  private reserve(size: number): void {
    if (size <= this.bytes.length) return;
    // The first buffer is sized from the text (pgasm produces about a byte per character), so a large
    // program is not copied through a dozen doublings.
    const first = this.bytes.length === 0 ? Math.min(this.text.length + (this.text.length >> 2), 1 << 28) : 0;
    if (this.bytes.length === 0 && OUTPUT.bytes.length >= Math.max(size, first)) {
      // The buffer of earlier runs, big enough: zero except where a run that did not finish wrote.
      if (OUTPUT.dirty) OUTPUT.bytes.fill(0, 0, OUTPUT.dirty);
      this.bytes = OUTPUT.bytes;
      this.view = OUTPUT.view;
    } else {
      const b = new Uint8Array(Math.max(size, this.bytes.length * 2, first, 4096));
      b.set(this.bytes);
      this.bytes = b;
      this.view = new DataView(b.buffer);
      // A very large buffer is not kept once the run is over.
      if (b.length > OUTPUT_KEEP_MAX) return;
      OUTPUT.bytes = b;
      OUTPUT.view = this.view;
    }
    OUTPUT.dirty = this.bytes.length;
  }

  /** The value of integer operand `index` (`o`) of `op`, checked against the table. */
  private integer(op: OpcodeInfo, o: OperandInfo, p: ExprOperand, line: number, index: number): number | bigint | undefined {
    const lim = LIMITS[op.code]![index];
    const x = p.expr;
    // A literal within range and aligned needs no bigint; anything else takes the exact path below.
    if (typeof x === 'number' && x >= lim.minN && x <= lim.maxN && (!o.align || x % o.align === 0)) return x;
    const v = this.evalExpr(x);
    if (v === undefined) return undefined;
    if (v < lim.min || v > lim.max) {
      this.checkRange(v, lim.min, lim.max, `${op.mnemonic} ${o.name}`, line, p.s, p.e, op.mnemonic);
      return undefined;
    }
    if (o.align && v % lim.align !== 0n) {
      this.diag('PGA007', `${op.mnemonic} ${o.name} ${fmt(v)} must be a multiple of ${o.align}`, line, p.s, p.e, op.mnemonic);
      return undefined;
    }
    return o.kind === 'u64' ? v : Number(v);
  }

  /** The value of location operand `index` (`o`) of `op`, in a scratch object reused per operand index. */
  private location(op: OpcodeInfo, o: OperandInfo, p: LocOperand, line: number, index: number): Location | undefined {
    // A literal address (a safe integer) needs no bigint unless it is negative.
    const a = p.addr;
    const addr = typeof a === 'number' && a >= 0 ? a : this.evalExpr(a);
    if (addr === undefined) return undefined;
    if (typeof addr === 'bigint' && (addr < 0n || addr > MAX_SAFE)) {
      const what = p.space === SPACE_MDL ? `${op.mnemonic} ${o.name} page list address` : `${op.mnemonic} ${o.name} address`;
      this.checkRange(addr, 0n, MAX_SAFE, what, line, p.addrS, p.addrE, op.mnemonic);
      return undefined;
    }
    let sub = 0;
    let aux = 0;
    if (p.space === SPACE_SEGMENT) {
      const segName = p.seg!.name;
      if (this.early && this.declaresSegments) {
        this.earlyMiss ??= segName;
        return undefined;
      }
      const sym = this.symbols.get(segName);
      const seg = sym?.kind === 'segment' ? this.segByName.get(segName) : undefined;
      if (seg) sub = seg.id;
      else {
        const m = NUMBERED_SEGMENT.exec(segName);
        if (!m) return undefined; // reported by resolveRefs
        const id = BigInt(m[1]);
        if (!this.checkRange(id, 1n, 0xffffn, 'segment number', line, p.seg!.s, p.seg!.e, op.mnemonic)) return undefined;
        sub = Number(id);
      }
    } else if (p.space === SPACE_MDL) {
      sub = p.base;
      const x = p.off;
      if (typeof x === 'number' && x >= 0 && x <= 0xffffffff) aux = x;
      else {
        const off = this.evalExpr(x);
        if (off === undefined) return undefined;
        if (!this.checkRange(off, 0n, U32_MAX, `${op.mnemonic} ${o.name} page-list offset`, line, p.offS, p.offE, op.mnemonic)) return undefined;
        aux = Number(off);
      }
      if (o.align && aux % o.align !== 0) {
        this.diag('PGA007', `${op.mnemonic} ${o.name} page-list offset ${fmt(toBigInt(aux))} must be a multiple of ${o.align}`, line, p.offS, p.offE, op.mnemonic);
        return undefined;
      }
    }
    const address = Number(addr);
    if (p.space !== SPACE_MDL && o.align && address % o.align !== 0) {
      this.diag('PGA007', `${op.mnemonic} ${o.name} address ${fmt(toBigInt(address))} must be a multiple of ${o.align}`, line, p.addrS, p.addrE, op.mnemonic);
      return undefined;
    }
    const loc = (SCRATCH_LOCATIONS[index] ??= { space: SPACE_SEGMENT, sub: 0, aux: 0, address: 0 });
    loc.space = p.space;
    loc.sub = sub;
    loc.aux = aux;
    loc.address = address;
    return loc;
  }

  /** Notes mdl() operands that point into the buffer; checkPageLists checks them once every `.pages` is known. */
  private recordPageListUses(op: OpcodeInfo, values: OperandValue[], ins: PendingInstr): void {
    for (let k = 0; k < op.operands.length; k++) {
      if (op.operands[k].kind !== 'loc') continue;
      const loc = values[k] as Location;
      if (loc.space !== SPACE_MDL || loc.sub !== BASE_DMABUFFER) continue;
      const p = ins.operands[k] as LocOperand;
      let extent = 1;
      for (let j = 0; j < op.operands.length; j++) {
        const o = op.operands[j];
        if (o.name === 'size') extent = Number(values[j]);
        else if (o.name === 'count') extent = op.cost.bytesPerUnit ? Number(values[j]) * PAGE_SIZE : Number(values[j]);
      }
      this.mdlRefs.push4(ins.line, loc.address, loc.aux, extent);
      this.mdlRefs.push4(p.s, p.e, p.addrS, p.addrE);
      this.mdlRefs.push4(op.code, k, 0, 0);
    }
  }

  /** mdl(...) of the DMA buffer should point at a `.pages` list and stay within its pages. */
  private checkPageLists(): void {
    const m = this.mdlRefs.data;
    for (let k = 0; k < this.mdlRefs.length; k += 12) {
      const line = m[k];
      const address = m[k + 1];
      const aux = m[k + 2];
      const extent = m[k + 3];
      const s = m[k + 4];
      const e = m[k + 5];
      const addrS = m[k + 6];
      const addrE = m[k + 7];
      const code = m[k + 8];
      const operand = m[k + 9];
      const pages = this.pageLists.get(address);
      if (pages === undefined) {
        this.diag('PGA023', `mdl(${hex(address)}) does not point at a .pages list of this file`, line, addrS, addrE, '.pages');
        continue;
      }
      if (aux + extent > pages * PAGE_SIZE) {
        const op = OPCODE_BY_CODE[code]!;
        this.diag(
          'PGA024',
          `${op.mnemonic} ${op.operands[operand].name} reaches byte ${hex(aux + extent)} of a page list of ${pages} page${pages === 1 ? '' : 's'} (${formatSize(pages * PAGE_SIZE)})`,
          line,
          s,
          e,
          '.pages',
        );
      }
    }
  }

  private emitData(d: PendingData): void {
    if (!d.ok) {
      for (const v of d.values) this.evalOperand(v);
      return;
    }
    const view = this.view;
    let at = d.offset;
    if (d.width === 0) {
      view.setUint32(at, d.values.length, true);
      at += PAGE_LIST_HEADER_BYTES;
      for (const op of d.values) {
        const v = this.evalOperand(op);
        if (v !== undefined && this.checkRange(v, 0n, MAX_SAFE, 'page address', d.line, op.s, op.e, '.pages')) {
          if (v % BigInt(PAGE_SIZE) !== 0n) this.diag('PGA007', `page address ${fmt(v)} must be a multiple of ${PAGE_SIZE}`, d.line, op.s, op.e, '.pages');
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
      const v = this.evalOperand(op);
      if (v !== undefined && this.checkRange(v, min, max, `${name} value`, d.line, op.s, op.e, name)) {
        const u = BigInt.asUintN(Number(bits), v);
        if (d.width === 1) view.setUint8(at, Number(u));
        else if (d.width === 2) view.setUint16(at, Number(u), true);
        else if (d.width === 4) view.setUint32(at, Number(u), true);
        else view.setBigUint64(at, u, true);
      }
      at += d.width;
    }
  }

  private checkDmaSize(): void {
    const limit = this.dmaSize ?? DEFAULT_DMA_SIZE;
    if (this.offset <= limit) return;
    const m = this.lineMap.data;
    let k = 0;
    while (m[k + 1] + m[k + 2] <= limit) k += 4;
    const entry = { line: m[k] };
    const r = headRangeOf(this.text, entry.line, this.lx);
    const declared = this.dmaSize !== undefined;
    this.diag(
      'PGA010',
      `the program needs ${this.offset} bytes but the DMA buffer holds ${limit} (${declared ? '.dmasize' : 'the default; declare a larger one with .dmasize'}); this line is the first that does not fit`,
      entry.line,
      r.start.character,
      r.end.character,
      '.dmasize',
      { size: this.offset, limit },
    );
  }

  /**
   * The engine runs instructions in order and stops at the first bytes that are not a valid
   * instruction. Data (page lists, `.u32`...) followed by an instruction therefore makes that
   * instruction unreachable, unless the data happens to decode as valid instructions.
   */
  private checkReachability(): void {
    // With errors the bytes are not the program yet; the errors matter more than reachability.
    if (this.diagnostics.some((d) => d.severity === 'error')) return;
    let dataStart = -1;
    let dataLine = -1;
    const slots = new DecodedSlots();
    const m = this.lineMap.data;
    for (let k = 0; k < this.lineMap.length; k += 4) {
      const l = { line: m[k], offset: m[k + 1], instruction: m[k + 3] === 1 };
      if (!l.instruction) {
        if (dataStart < 0) {
          dataStart = l.offset;
          dataLine = l.line;
        }
        continue;
      }
      if (dataStart < 0) continue;
      let at = dataStart;
      while (at < l.offset) {
        const n = decodeInto(this.bytes, this.view, at, l.offset, slots);
        if (n <= 0) break;
        at += n;
      }
      if (at === l.offset) {
        dataStart = -1;
        continue;
      }
      const r = headRangeOf(this.text, l.line, this.lx);
      this.diag(
        'PGA013',
        `unreachable: the engine stops at the data on line ${dataLine + 1}, which is not an instruction; put data after the last instruction`,
        l.line,
        r.start.character,
        r.end.character,
      );
      return;
    }
  }
}

/** Assembles pgasm text. Never throws: problems, even internal ones, come back as diagnostics. */
export function assemble(text: string, options: AssembleOptions = {}): AssembleResult {
  try {
    return new Assembler(String(text), options).run();
  } catch (e) {
    return {
      bytes: new Uint8Array(0),
      diagnostics: [
        {
          code: 'PGA000',
          severity: 'error',
          message: `internal assembler error: ${e instanceof Error ? e.message : String(e)}`,
          range: ZERO_RANGE,
        },
      ],
      lines: [],
      symbols: new Map(),
      segments: [...DEFAULT_SEGMENTS],
      statements: [],
      tokens: [],
    };
  }
}

/** The mnemonics and directives the assembler knows, for completion and the grammar test. */
export const MNEMONICS: readonly string[] = OPCODES.map((o) => o.mnemonic);
