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
  OpcodeInfo,
  OperandInfo,
  SIZE_BY_CODE,
} from './opcodes';

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
  if (offset + op.size > out.length) throw new EncodeError(`no room for ${op.mnemonic} at ${offset}`);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.fill(0, offset, offset + op.size);
  out[offset] = op.code;
  out[offset + 1] = instr.flags & 0xff;
  out[offset + 2] = op.size >> 2;
  op.operands.forEach((o, i) => writeOperand(view, offset + o.offset, o, instr.operands[i]));
  return op.size;
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
      view.setBigUint64(at, BigInt.asUintN(64, BigInt(v as number | bigint)), true);
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

/** Decodes the instruction at `offset` (an instruction boundary) of `bytes[0, limit)`. */
export function decode(bytes: Uint8Array, offset: number, limit = bytes.length): DecodeResult {
  if (offset >= limit) return { ok: false, offset, length: 0, reason: 'end of buffer' };
  const problem = headerProblem(bytes, offset, limit);
  if (problem) return { ok: false, offset, length: invalidLength(offset, limit), reason: problem };
  const op = OPCODE_BY_CODE[bytes[offset]]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const operands: OperandValue[] = [];
  for (const o of op.operands) {
    const at = offset + o.offset;
    switch (o.kind) {
      case 'loc':
        if (view.getUint8(at + 1) !== 0 || view.getUint32(at + 12, true) > MAX_SAFE_HI) {
          return { ok: false, offset, length: op.size, reason: `operand ${o.name} is not a valid location` };
        }
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
        if (view.getUint32(at + 4, true) > MAX_SAFE_HI) {
          return { ok: false, offset, length: op.size, reason: `operand ${o.name} is out of range` };
        }
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
 * Decodes into `out` without allocating. Returns the instruction's size in bytes, or the negative
 * length of the invalid run at `offset` (call `decode` there for the reason).
 */
export function decodeInto(bytes: Uint8Array, view: DataView, offset: number, limit: number, out: DecodedSlots): number {
  if (offset + HEADER_BYTES > limit) return -Math.max(1, limit - offset);
  const code = bytes[offset];
  const size = SIZE_BY_CODE[code];
  if (size === 0 || bytes[offset + 2] !== size >> 2 || bytes[offset + 3] !== 0 || offset + size > limit) {
    return -invalidLength(offset, limit);
  }
  const op = OPCODE_BY_CODE[code]!;
  out.code = code;
  out.flags = bytes[offset + 1];
  out.size = size;
  const slot = out.slot;
  let s = 0;
  const operands = op.operands;
  for (let i = 0; i < operands.length; i++) {
    const o = operands[i];
    const at = offset + o.offset;
    switch (o.kind) {
      case 'loc': {
        const hi = view.getUint32(at + 12, true);
        if (bytes[at + 1] !== 0 || hi > MAX_SAFE_HI) return -size;
        slot[s] = bytes[at];
        slot[s + 1] = view.getUint16(at + 2, true);
        slot[s + 2] = view.getUint32(at + 4, true);
        slot[s + 3] = hi * 0x100000000 + view.getUint32(at + 8, true);
        s += 4;
        break;
      }
      case 'u64':
        slot[s] = view.getUint32(at, true);
        slot[s + 1] = view.getUint32(at + 4, true);
        s += 2;
        break;
      case 'addr': {
        const hi = view.getUint32(at + 4, true);
        if (hi > MAX_SAFE_HI) return -size;
        slot[s++] = hi * 0x100000000 + view.getUint32(at, true);
        break;
      }
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
  return size;
}

export { LOCATION_BYTES };
