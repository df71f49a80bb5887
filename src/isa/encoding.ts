// Encoder and decoder between instruction objects and bytes, driven by the opcode table.
// Two decoders: `decode` builds an object (for the disassembler, debugger and tools), and
// `decodeInto` fills a reusable `DecodedSlots` so the engine's hot path allocates nothing.
// Neither ever throws on bad bytes: what is not an instruction decodes as an invalid instruction.

import {
  HEADER_BYTES,
  LOCATION_BYTES,
  Location,
  LocationSpace,
  OPCODE_BY_CODE,
  OPERAND_BYTES,
  OpcodeInfo,
  OperandInfo,
  PageListBase,
  SIZE_BY_CODE,
} from './opcodes';
import { hex, type HexStyle } from './hex';

export type OperandValue = number | bigint | Location;

export interface Instruction {
  op: OpcodeInfo;
  flags: number;
  /** Values in the order of `op.operands`: Location for `loc`, bigint for `u64`, number otherwise. */
  operands: OperandValue[];
}

/** What one decode step found at an offset: an instruction, or `length` bytes that are not one. */
export type DecodeResult =
  | { ok: true; offset: number; length: number; instr: Instruction }
  | { ok: false; offset: number; length: number; reason: string };

export class EncodeError extends Error {}

const MAX_SAFE_HI = 0x1fffff; // high dword of a u64 that is still a safe integer

function readAddr(view: DataView, at: number): number {
  const lo = view.getUint32(at, true);
  const hi = view.getUint32(at + 4, true);
  return hi * 0x100000000 + lo;
}

function writeAddr(view: DataView, at: number, v: number): void {
  view.setUint32(at, v >>> 0, true);
  view.setUint32(at + 4, Math.floor(v / 0x100000000), true);
}

/** Encodes one instruction into `out` at `offset`; returns the bytes written. */
export function encodeInto(instr: Instruction, out: Uint8Array, offset: number): number {
  const { op } = instr;
  if (offset < 0 || offset + op.size > out.length) throw new EncodeError(`no room for ${op.mnemonic} at ${offset}`);
  writeInstruction(out, dataViewOver(out), offset, op, instr.flags, instr.operands);
  return op.size;
}

// The view over the array written last: a driver writes a paging buffer an instruction at a time,
// so that view is nearly always the one needed, and making one per instruction showed in the
// kernel stress's profile.
let viewed: Uint8Array | undefined;
let lastView: DataView | undefined;

/** A DataView over all of `out` (the one made for the array written last, when it is the same). */
export function dataViewOver(out: Uint8Array): DataView {
  if (out !== viewed || lastView === undefined) {
    lastView = new DataView(out.buffer, out.byteOffset, out.byteLength);
    viewed = out;
  }
  return lastView;
}

/**
 * Writes an instruction with a caller-supplied view over `out` (the assembler reuses one view for a
 * whole program instead of creating one per instruction). Does not check values against the table.
 */
export function writeInstruction(
  out: Uint8Array,
  view: DataView,
  offset: number,
  op: OpcodeInfo,
  flags: number,
  operands: readonly (OperandValue | undefined)[],
  clear = true,
): void {
  if (clear) out.fill(0, offset, offset + op.size);
  out[offset] = op.code;
  out[offset + 1] = flags & 0xff;
  out[offset + 2] = op.size >> 2;
  const infos = op.operands;
  for (let i = 0; i < infos.length; i++) writeOperand(view, offset + infos[i].offset, infos[i], operands[i]);
}

/** Encodes one instruction to a new byte array. */
export function encode(instr: Instruction): Uint8Array {
  const out = new Uint8Array(instr.op.size);
  encodeInto(instr, out, 0);
  return out;
}

function writeOperand(view: DataView, at: number, o: OperandInfo, v: OperandValue | undefined): void {
  if (v === undefined) throw new EncodeError(`missing operand ${o.name}`);
  switch (o.kind) {
    case 'loc': {
      if (typeof v !== 'object') throw new EncodeError(`operand ${o.name} must be a location`);
      view.setUint8(at, v.space);
      view.setUint16(at + 2, v.sub, true);
      view.setUint32(at + 4, v.aux >>> 0, true);
      writeAddr(view, at + 8, v.address);
      return;
    }
    case 'u64':
      if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
        // Exact in a double: two 32-bit halves, without making a bigint.
        view.setUint32(at, v >>> 0, true);
        view.setUint32(at + 4, Math.floor(v / 4294967296), true);
      } else view.setBigUint64(at, BigInt.asUintN(64, BigInt(v as number | bigint)), true);
      return;
    case 'addr':
      writeAddr(view, at, Number(v));
      return;
    case 'u32':
      view.setUint32(at, Number(v) >>> 0, true);
      return;
    case 'u16':
    case 'seg':
      view.setUint16(at, Number(v) & 0xffff, true);
      return;
    case 'u8':
      view.setUint8(at, Number(v) & 0xff);
      return;
  }
}

/**
 * Why the bytes at `offset` are not a valid instruction header, or null if they are. `limit` is the
 * end of the readable range (the submitted length of a DMA buffer).
 */
export function headerProblem(bytes: Uint8Array, offset: number, limit: number): string | null {
  if (offset + HEADER_BYTES > limit) return 'truncated instruction header';
  const code = bytes[offset];
  const size = SIZE_BY_CODE[code];
  if (size === 0) return `0x${code.toString(16).padStart(2, '0')} is not an opcode`;
  if (bytes[offset + 2] !== size >> 2) return `size field ${bytes[offset + 2]} does not match ${size >> 2} dwords`;
  if (bytes[offset + 3] !== 0) return 'reserved header byte is not zero';
  if (offset + size > limit) return 'instruction runs past the end of the buffer';
  return null;
}

/** Length of an invalid run: up to the next dword boundary, at least one byte, within `limit`. */
function invalidLength(offset: number, limit: number): number {
  const next = (offset + 4) & ~3;
  return Math.max(1, Math.min(next, limit) - offset);
}

// What makes an instruction's body valid, compiled once per opcode from the table so that both
// decoders check exactly the same rules: every byte that no operand uses is zero, flag bits are
// defined ones, integers are within the table's range and alignment, and a location's space is
// one the operand accepts with `sub`/`aux` meaningful for that space. Together these make
// decode∘encode the identity on valid streams, so any valid stream has exactly one text form.

const K_LOC = 0;
const K_U64 = 1;
const K_ADDR = 2;
const K_U32 = 3;
const K_U16 = 4;
const K_U8 = 5;
const KIND_CODE: Record<OperandInfo['kind'], number> = { loc: K_LOC, u64: K_U64, addr: K_ADDR, u32: K_U32, u16: K_U16, seg: K_U16, u8: K_U8 };

interface DecodePlan {
  /** Per dword of the instruction, the bits that must be zero (undefined flags, padding, reserved). */
  zero: Uint32Array;
  /** Flag bits the opcode does not define. */
  badFlags: number;
  /** The dwords holding padding (bytes no operand uses, past the header): byte offset and mask. */
  padAt: Int32Array;
  padMask: Int32Array;
  kind: Int32Array;
  at: Int32Array;
  min: Float64Array;
  max: Float64Array;
  /** align - 1 (0 when unaligned). */
  alignMask: Int32Array;
  /** Bit s set when location space s is accepted. */
  spaces: Int32Array;
}

const SPACE_NAMES: Record<number, string> = {
  [LocationSpace.Segment]: 'segment',
  [LocationSpace.Mdl]: 'mdl',
  [LocationSpace.Physical]: 'phys',
  [LocationSpace.GpuVirtual]: 'va',
};

function kindMax(kind: OperandInfo['kind']): number {
  switch (kind) {
    case 'u8':
      return 0xff;
    case 'u16':
    case 'seg':
      return 0xffff;
    case 'u32':
      return 0xffffffff;
    default:
      return Number.MAX_SAFE_INTEGER;
  }
}

function buildPlan(op: OpcodeInfo): DecodePlan {
  const used = new Uint8Array(op.size);
  used.fill(1, 0, HEADER_BYTES);
  for (const o of op.operands) used.fill(1, o.offset, o.offset + OPERAND_BYTES[o.kind]);
  const zero = new Uint32Array(op.size >> 2);
  let definedFlags = 0;
  for (const f of op.flags) definedFlags |= 1 << f.bit;
  zero[0] = ((~definedFlags & 0xff) << 8) >>> 0;
  for (let b = HEADER_BYTES; b < op.size; b++) if (!used[b]) zero[b >> 2] |= 0xff << ((b & 3) * 8);
  for (const o of op.operands) if (o.kind === 'loc') zero[(o.offset + 1) >> 2] |= 0xff << (((o.offset + 1) & 3) * 8);
  for (let i = 0; i < zero.length; i++) zero[i] >>>= 0;
  const n = op.operands.length;
  // Padding only: the header and a location's reserved byte are checked where they are read.
  const pad = new Uint32Array(zero.length);
  for (let b = HEADER_BYTES; b < op.size; b++) if (!used[b]) pad[b >> 2] |= 0xff << ((b & 3) * 8);
  const padAt: number[] = [];
  const padMask: number[] = [];
  pad.forEach((m, i) => {
    if (m) {
      padAt.push(i * 4);
      padMask.push(m | 0);
    }
  });
  const plan: DecodePlan = {
    zero,
    badFlags: ~definedFlags & 0xff,
    padAt: Int32Array.from(padAt),
    padMask: Int32Array.from(padMask),
    kind: new Int32Array(n),
    at: new Int32Array(n),
    min: new Float64Array(n),
    max: new Float64Array(n),
    alignMask: new Int32Array(n),
    spaces: new Int32Array(n),
  };
  op.operands.forEach((o, i) => {
    plan.kind[i] = KIND_CODE[o.kind];
    plan.at[i] = o.offset;
    plan.min[i] = o.min ?? 0;
    plan.max[i] = o.max ?? kindMax(o.kind);
    plan.alignMask[i] = o.align ? o.align - 1 : 0;
    let mask = 0;
    for (const s of o.spaces ?? []) mask |= 1 << s;
    plan.spaces[i] = mask;
  });
  return plan;
}

/** A byte as reserved-field messages print it: `0x0b`. */
const BYTE: HexStyle = { digits: 2 };

const PLANS: readonly (DecodePlan | undefined)[] = OPCODE_BY_CODE.map((op) => (op ? buildPlan(op) : undefined));

/**
 * Why the body of the instruction at `offset` (whose header is valid) is not valid, or null.
 * Mirrors the checks of `decodeInto`, with words.
 */
export function bodyProblem(bytes: Uint8Array, view: DataView, offset: number): string | null {
  const op = OPCODE_BY_CODE[bytes[offset]]!;
  const p = PLANS[op.code]!;
  const flags = bytes[offset + 1];
  if ((flags << 8) & p.zero[0]) return `flags ${hex(flags, BYTE)} set a bit ${op.mnemonic} does not define`;
  for (let b = HEADER_BYTES; b < op.size; b++) {
    if (bytes[offset + b] !== 0 && (p.zero[b >> 2] >>> ((b & 3) * 8)) & 0xff) {
      return `byte ${b} of ${op.mnemonic} is reserved and must be zero (it is ${hex(bytes[offset + b], BYTE)})`;
    }
  }
  for (let i = 0; i < op.operands.length; i++) {
    const o = op.operands[i];
    const at = offset + p.at[i];
    switch (p.kind[i]) {
      case K_LOC: {
        const space = bytes[at];
        const sub = view.getUint16(at + 2, true);
        const aux = view.getUint32(at + 4, true);
        const hi = view.getUint32(at + 12, true);
        const lo = view.getUint32(at + 8, true);
        if (!((p.spaces[i] >> space) & 1) || space > 7) {
          const name = SPACE_NAMES[space];
          return name
            ? `${op.mnemonic} ${o.name} does not accept a ${name} location`
            : `${op.mnemonic} ${o.name} has location space ${space}, which does not exist`;
        }
        if (hi > MAX_SAFE_HI) return `${op.mnemonic} ${o.name} address is above 2^53`;
        if (space === LocationSpace.Segment && (sub === 0 || aux !== 0)) {
          return sub === 0 ? `${op.mnemonic} ${o.name} names segment 0, which does not exist` : `${op.mnemonic} ${o.name} has a non-zero aux field for a segment location`;
        }
        if (space === LocationSpace.Mdl && sub > PageListBase.Physical) return `${op.mnemonic} ${o.name} has page-list base ${sub}, which does not exist`;
        if ((space === LocationSpace.Physical || space === LocationSpace.GpuVirtual) && (sub !== 0 || aux !== 0)) {
          return `${op.mnemonic} ${o.name} has non-zero sub/aux fields for a ${SPACE_NAMES[space]} location`;
        }
        const aligned = space === LocationSpace.Mdl ? aux : lo;
        if (aligned & p.alignMask[i]) {
          return `${op.mnemonic} ${o.name} ${space === LocationSpace.Mdl ? 'page-list offset' : 'address'} is not ${p.alignMask[i] + 1}-byte aligned`;
        }
        break;
      }
      case K_U64:
        break;
      default: {
        let v: number;
        if (p.kind[i] === K_ADDR) {
          const hi = view.getUint32(at + 4, true);
          if (hi > MAX_SAFE_HI) return `${op.mnemonic} ${o.name} is above 2^53`;
          v = hi * 0x100000000 + view.getUint32(at, true);
        } else v = p.kind[i] === K_U32 ? view.getUint32(at, true) : p.kind[i] === K_U16 ? view.getUint16(at, true) : bytes[at];
        if (v < p.min[i] || v > p.max[i]) return `${op.mnemonic} ${o.name} is ${v}, outside ${p.min[i]}..${p.max[i]}`;
        if (v % (p.alignMask[i] + 1) !== 0) return `${op.mnemonic} ${o.name} (${v}) is not a multiple of ${p.alignMask[i] + 1}`;
      }
    }
  }
  return null;
}

/** Decodes the instruction at `offset` (an instruction boundary) of `bytes[0, limit)`. */
export function decode(bytes: Uint8Array, offset: number, limit = bytes.length): DecodeResult {
  if (limit > bytes.length) limit = bytes.length;
  if (offset >= limit) return { ok: false, offset, length: 0, reason: 'end of buffer' };
  const problem = headerProblem(bytes, offset, limit);
  if (problem) return { ok: false, offset, length: invalidLength(offset, limit), reason: problem };
  const op = OPCODE_BY_CODE[bytes[offset]]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = bodyProblem(bytes, view, offset);
  if (bad) return { ok: false, offset, length: op.size, reason: bad };
  const operands: OperandValue[] = [];
  for (const o of op.operands) {
    const at = offset + o.offset;
    switch (o.kind) {
      case 'loc':
        operands.push({
          space: view.getUint8(at) as LocationSpace,
          sub: view.getUint16(at + 2, true),
          aux: view.getUint32(at + 4, true),
          address: readAddr(view, at + 8),
        });
        break;
      case 'u64':
        operands.push(view.getBigUint64(at, true));
        break;
      case 'addr':
        operands.push(readAddr(view, at));
        break;
      case 'u32':
        operands.push(view.getUint32(at, true));
        break;
      case 'u16':
      case 'seg':
        operands.push(view.getUint16(at, true));
        break;
      case 'u8':
        operands.push(view.getUint8(at));
        break;
    }
  }
  return { ok: true, offset, length: op.size, instr: { op, flags: bytes[offset + 1], operands } };
}

/** Decodes a whole range from `start`, instruction by instruction, invalid runs included. */
export function decodeAll(bytes: Uint8Array, start = 0, limit = bytes.length): DecodeResult[] {
  const out: DecodeResult[] = [];
  for (let at = start; at < limit; ) {
    const r = decode(bytes, at, limit);
    out.push(r);
    at += r.length;
  }
  return out;
}

/**
 * Reusable storage for the allocation-free decoder. After `decodeInto`, `code`, `flags` and `size`
 * describe the instruction and `slot[i]` holds its numeric fields in table order, with each `loc`
 * operand spread over four slots (space, sub, aux, address) and each `u64` over two (low, high
 * dword). `slotIndex(op, name)` tells where an operand starts.
 */
export class DecodedSlots {
  code = 0;
  flags = 0;
  size = 0;
  readonly slot = new Float64Array(16);
}

/** Slot offsets per opcode byte, so the engine can read operands by index without searching. */
export const SLOT_LAYOUT: readonly (readonly number[] | undefined)[] = (() => {
  const t: (number[] | undefined)[] = new Array(256).fill(undefined);
  for (let c = 0; c < 256; c++) {
    const op = OPCODE_BY_CODE[c];
    if (!op) continue;
    let s = 0;
    t[c] = op.operands.map((o) => {
      const at = s;
      s += o.kind === 'loc' ? 4 : o.kind === 'u64' ? 2 : 1;
      return at;
    });
  }
  return t;
})();

export function slotIndex(op: OpcodeInfo, operand: string): number {
  const i = op.operands.findIndex((o) => o.name === operand);
  if (i < 0) throw new Error(`${op.mnemonic} has no operand ${operand}`);
  return SLOT_LAYOUT[op.code]![i];
}

/**
 * The body checks and slot writes of `decodeInto`, compiled once from the opcode table into one
 * function with a case per opcode. A generic loop over the operand list costs a few mispredicted
 * branches per instruction (which operand kind comes next); straight-line code per opcode costs one
 * jump on the opcode byte, which roughly triples the decode rate. The source is built only from the
 * table's numbers, and `decode` (the readable, generic path) is tested to agree with it on every
 * input the fuzz tests produce.
 */
type BodyDecoder = (bytes: Uint8Array, view: DataView, o: number, slot: Float64Array, code: number) => boolean;

function compileBodyDecoder(): BodyDecoder {
  const cases: string[] = [];
  for (const op of OPCODE_BY_CODE) {
    if (!op) continue;
    const p = PLANS[op.code]!;
    const lines: string[] = [];
    if (p.badFlags) lines.push(`if ((bytes[o + 1] & ${p.badFlags}) !== 0) return false;`);
    p.padAt.forEach((at, i) => lines.push(`if ((view.getUint32(o + ${at}, true) & ${p.padMask[i]}) !== 0) return false;`));
    let s = 0;
    op.operands.forEach((o, i) => {
      const at = o.offset;
      const align = p.alignMask[i];
      const v = `v${i}`;
      switch (o.kind) {
        case 'loc':
          lines.push(
            `const sp${i} = bytes[o + ${at}];`,
            `if (((${p.spaces[i]} >> sp${i}) & 1) === 0 || sp${i} > 7 || bytes[o + ${at + 1}] !== 0) return false;`,
            `const sub${i} = view.getUint16(o + ${at + 2}, true), aux${i} = view.getUint32(o + ${at + 4}, true);`,
            `const lo${i} = view.getUint32(o + ${at + 8}, true), hi${i} = view.getUint32(o + ${at + 12}, true);`,
            `if (hi${i} > ${MAX_SAFE_HI}) return false;`,
            `if (sp${i} === ${LocationSpace.Segment}) { if (sub${i} === 0 || aux${i} !== 0 || (lo${i} & ${align}) !== 0) return false; }`,
            `else if (sp${i} === ${LocationSpace.Mdl}) { if (sub${i} > ${PageListBase.Physical} || (aux${i} & ${align}) !== 0) return false; }`,
            `else if (sub${i} !== 0 || aux${i} !== 0 || (lo${i} & ${align}) !== 0) return false;`,
            `slot[${s}] = sp${i}; slot[${s + 1}] = sub${i}; slot[${s + 2}] = aux${i}; slot[${s + 3}] = hi${i} * 4294967296 + lo${i};`,
          );
          s += 4;
          break;
        case 'u64':
          lines.push(`slot[${s}] = view.getUint32(o + ${at}, true); slot[${s + 1}] = view.getUint32(o + ${at + 4}, true);`);
          s += 2;
          break;
        case 'addr':
          lines.push(
            `const lo${i} = view.getUint32(o + ${at}, true), hi${i} = view.getUint32(o + ${at + 4}, true);`,
            `if (hi${i} > ${MAX_SAFE_HI}) return false;`,
            `const ${v} = hi${i} * 4294967296 + lo${i};`,
            `if (${v} < ${p.min[i]} || ${v} > ${p.max[i]} || (lo${i} & ${align}) !== 0) return false;`,
            `slot[${s++}] = ${v};`,
          );
          break;
        default: {
          const read = o.kind === 'u32' ? `view.getUint32(o + ${at}, true)` : o.kind === 'u8' ? `bytes[o + ${at}]` : `view.getUint16(o + ${at}, true)`;
          lines.push(`const ${v} = ${read};`, `if (${v} < ${p.min[i]} || ${v} > ${p.max[i]} || (${v} & ${align}) !== 0) return false;`, `slot[${s++}] = ${v};`);
        }
      }
    });
    cases.push(`case ${op.code}: {\n${lines.join('\n')}\nreturn true;\n}`);
  }
  const source = `switch (code) {\n${cases.join('\n')}\n}\nreturn false;`;
  return new Function('bytes', 'view', 'o', 'slot', 'code', source) as BodyDecoder;
}

/** The same as the compiled decoder, generically: for hosts that forbid code generation from strings. */
function genericBodyDecoder(bytes: Uint8Array, view: DataView, o: number, slot: Float64Array, code: number): boolean {
  if (bodyProblem(bytes, view, o) !== null) return false;
  const op = OPCODE_BY_CODE[code]!;
  let s = 0;
  for (const info of op.operands) {
    const at = o + info.offset;
    switch (info.kind) {
      case 'loc':
        slot[s] = bytes[at];
        slot[s + 1] = view.getUint16(at + 2, true);
        slot[s + 2] = view.getUint32(at + 4, true);
        slot[s + 3] = readAddr(view, at + 8);
        s += 4;
        break;
      case 'u64':
        slot[s] = view.getUint32(at, true);
        slot[s + 1] = view.getUint32(at + 4, true);
        s += 2;
        break;
      case 'addr':
        slot[s++] = readAddr(view, at);
        break;
      case 'u32':
        slot[s++] = view.getUint32(at, true);
        break;
      case 'u16':
      case 'seg':
        slot[s++] = view.getUint16(at, true);
        break;
      case 'u8':
        slot[s++] = bytes[at];
        break;
    }
  }
  return true;
}

const decodeBody: BodyDecoder = (() => {
  try {
    return compileBodyDecoder();
  } catch {
    return genericBodyDecoder;
  }
})();

/** Which body decoder is in use (the generic one only where code generation is forbidden). */
export const DECODER_KIND: 'compiled' | 'generic' = decodeBody === genericBodyDecoder ? 'generic' : 'compiled';

/**
 * Decodes into `out` without allocating. Returns the instruction's size in bytes, or the negative
 * length of the invalid run at `offset` (call `decode` there for the reason). A bad header gives a
 * run up to the next dword boundary; a recognisable instruction with a bad body gives its size.
 */
export function decodeInto(bytes: Uint8Array, view: DataView, offset: number, limit: number, out: DecodedSlots): number {
  if (offset + HEADER_BYTES > limit) return -Math.max(1, limit - offset);
  const code = bytes[offset];
  const size = SIZE_BY_CODE[code];
  if (size === 0 || bytes[offset + 2] !== size >> 2 || bytes[offset + 3] !== 0 || offset + size > limit) {
    return -invalidLength(offset, limit);
  }
  if (!decodeBody(bytes, view, offset, out.slot, code)) return -size;
  out.code = code;
  out.flags = bytes[offset + 1];
  out.size = size;
  return size;
}

export { LOCATION_BYTES };
