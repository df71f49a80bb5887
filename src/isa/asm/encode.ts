// Encoding one parsed instruction: each operand evaluated and checked against the opcode table
// (range, alignment) and, once whole, the instruction against the segments (bounds, aperture kind);
// then its bytes are written. A literal operand within range needs no bigint arithmetic at all.

import { profileProblems } from '../checks';
import { NUMBERED_SEGMENT } from '../directives';
import { OperandValue, writeInstruction } from '../encoding';
import { toBigInt } from '../lexer';
import { Location, LocationSpace, OPCODE_BY_CODE, OpcodeInfo, OperandInfo, PAGE_SIZE, PageListBase } from '../opcodes';
import type { ExprOperand, LocOperand } from '../parser';
import type { Evaluator } from './evaluate';
import type { Names } from './names';
import type { ByteSink } from './output';
import type { PageListUses } from './pageLists';
import { DiagnosticSink, fmt } from './report';
import { PendingInstr, WORKSPACE } from './workspace';

const SPACE_MDL = LocationSpace.Mdl;
const SPACE_SEGMENT = LocationSpace.Segment;
const BASE_DMABUFFER = PageListBase.DmaBuffer;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const U32_MAX = 0xffffffffn;
const U64_MAX = (1n << 64n) - 1n;

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

/** Opcodes with an operand that names a segment by id, by opcode byte. */
const HAS_SEGMENT_OPERAND: readonly boolean[] = OPCODE_BY_CODE.map((op) => !!op?.operands.some((o) => o.kind === 'seg'));

export class InstructionEncoder {
  constructor(
    private readonly sink: DiagnosticSink,
    private readonly names: Names,
    private readonly ev: Evaluator,
    private readonly out: ByteSink,
    /** Where mdl() uses of the buffer are noted. */
    public pageListUses: PageListUses,
  ) {}

  /** Evaluates, checks and writes an instruction; in early mode, gives up quietly on a name not yet known. */
  emit(ins: PendingInstr): void {
    const { op, line } = ins;
    const values = WORKSPACE.values;
    const ev = this.ev;
    ev.line = line;
    // The segments' checks need the declarations, which pass 1 has not evaluated yet.
    if (ev.early && this.names.declaresSegments && HAS_SEGMENT_OPERAND[op.code]) {
      ev.miss(op.mnemonic, 'later');
      return;
    }
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
    if (!ok || ev.earlyMiss !== undefined) return;
    const problems = profileProblems(op, ins.flags, values, this.names.segById);
    for (const p of problems) {
      const parsed = ins.operands[p.operand]!;
      const s = parsed.t === 'loc' && parsed.seg ? parsed.seg.s : parsed.s;
      this.sink.diag(p.code, p.message, line, s, parsed.e, op.mnemonic);
    }
    this.notePageListUses(op, values, ins);
    const out = this.out;
    out.reserve(ins.offset + op.size);
    // The buffer is zero where nothing was written yet, so no clearing is needed.
    writeInstruction(out.bytes, out.view, ins.offset, op, ins.flags, values, false);
  }

  /** The value of integer operand `index` (`o`) of `op`, checked against the table. */
  private integer(op: OpcodeInfo, o: OperandInfo, p: ExprOperand, line: number, index: number): number | bigint | undefined {
    const lim = LIMITS[op.code]![index];
    const x = p.expr;
    // A literal within range and aligned needs no bigint; anything else takes the exact path below.
    if (typeof x === 'number' && x >= lim.minN && x <= lim.maxN && (!o.align || x % o.align === 0)) return x;
    const v = this.ev.evalExpr(x);
    if (v === undefined) return undefined;
    if (v < lim.min || v > lim.max) {
      this.ev.checkRange(v, lim.min, lim.max, `${op.mnemonic} ${o.name}`, line, p.s, p.e, op.mnemonic);
      return undefined;
    }
    if (o.align && v % lim.align !== 0n) {
      this.sink.diag('PGA007', `${op.mnemonic} ${o.name} ${fmt(v)} must be a multiple of ${o.align}`, line, p.s, p.e, op.mnemonic);
      return undefined;
    }
    return o.kind === 'u64' ? v : Number(v);
  }

  /** The value of location operand `index` (`o`) of `op`, in a workspace record reused per operand index. */
  private location(op: OpcodeInfo, o: OperandInfo, p: LocOperand, line: number, index: number): Location | undefined {
    const ev = this.ev;
    // A literal address (a safe integer) needs no bigint unless it is negative.
    const a = p.addr;
    const addr = typeof a === 'number' && a >= 0 ? a : ev.evalExpr(a);
    if (addr === undefined) return undefined;
    if (typeof addr === 'bigint' && (addr < 0n || addr > MAX_SAFE)) {
      const what = p.space === SPACE_MDL ? `${op.mnemonic} ${o.name} page list address` : `${op.mnemonic} ${o.name} address`;
      ev.checkRange(addr, 0n, MAX_SAFE, what, line, p.addrS, p.addrE, op.mnemonic);
      return undefined;
    }
    let sub = 0;
    let aux = 0;
    if (p.space === SPACE_SEGMENT) {
      const names = this.names;
      const segName = p.seg!.name;
      if (ev.early && names.declaresSegments) {
        ev.miss(segName, 'later');
        return undefined;
      }
      const sym = names.symbols.get(segName);
      const seg = sym?.kind === 'segment' ? names.segByName.get(segName) : undefined;
      if (seg) sub = seg.id;
      else {
        const m = NUMBERED_SEGMENT.exec(segName);
        if (!m) return undefined; // reported when the name is resolved
        const id = BigInt(m[1]);
        if (!ev.checkRange(id, 1n, 0xffffn, 'segment number', line, p.seg!.s, p.seg!.e, op.mnemonic)) return undefined;
        sub = Number(id);
      }
    } else if (p.space === SPACE_MDL) {
      sub = p.base;
      const x = p.off;
      if (typeof x === 'number' && x >= 0 && x <= 0xffffffff) aux = x;
      else {
        const off = ev.evalExpr(x);
        if (off === undefined) return undefined;
        if (!ev.checkRange(off, 0n, U32_MAX, `${op.mnemonic} ${o.name} page-list offset`, line, p.offS, p.offE, op.mnemonic)) return undefined;
        aux = Number(off);
      }
      if (o.align && aux % o.align !== 0) {
        this.sink.diag('PGA007', `${op.mnemonic} ${o.name} page-list offset ${fmt(toBigInt(aux))} must be a multiple of ${o.align}`, line, p.offS, p.offE, op.mnemonic);
        return undefined;
      }
    }
    const address = Number(addr);
    if (p.space !== SPACE_MDL && o.align && address % o.align !== 0) {
      this.sink.diag('PGA007', `${op.mnemonic} ${o.name} address ${fmt(toBigInt(address))} must be a multiple of ${o.align}`, line, p.addrS, p.addrE, op.mnemonic);
      return undefined;
    }
    const loc = (WORKSPACE.locations[index] ??= { space: SPACE_SEGMENT, sub: 0, aux: 0, address: 0 });
    loc.space = p.space;
    loc.sub = sub;
    loc.aux = aux;
    loc.address = address;
    return loc;
  }

  /** Notes mdl() operands that point into the buffer, to be checked once every `.pages` is placed. */
  private notePageListUses(op: OpcodeInfo, values: OperandValue[], ins: PendingInstr): void {
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
      this.pageListUses.add(ins.line, loc.address, loc.aux, extent, p.s, p.e, p.addrS, p.addrE, op.code, k);
    }
  }
}
