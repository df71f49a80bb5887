// The simulated GPU's programming interface as a driver sees it: the module `paging-lab/gpu`.
// A real miniport includes its hardware's register and command headers; this is ours. It
// re-exports the paging opcode table and encoder (src/isa, the single source of truth) and adds
// two small conveniences for writing instructions into a DMA buffer.

import { dataViewOver, encodeInto as encodeIntoBuffer, type Instruction, type OperandValue } from '../../isa/encoding';
import { OPCODE_BY_MNEMONIC, type Location, LocationSpace, PageListBase } from '../../isa/opcodes';
import { driverWriteSites } from './writeSites';

export {
  OPCODES,
  OPCODE_BY_MNEMONIC,
  OPCODE_BY_CODE,
  Op,
  LocationSpace,
  PageListBase,
  FenceFlags,
  MapApertureFlags,
  PageTableFlags,
  PAGE_LIST_HEADER_BYTES,
  LOCATION_BYTES,
  HEADER_BYTES,
  TILE_WIDTH_BYTES,
  TILE_ROWS,
} from '../../isa/opcodes';
export type { Location, OpcodeInfo, OperandInfo } from '../../isa/opcodes';
export { encode, decode, decodeAll } from '../../isa/encoding';
export type { Instruction, OperandValue, DecodeResult } from '../../isa/encoding';

/** Size in bytes of the instruction `mnemonic` (every instruction has a fixed size). */
export function instructionSize(mnemonic: string): number {
  const op = OPCODE_BY_MNEMONIC.get(mnemonic);
  if (!op) throw new Error(`unknown paging opcode '${mnemonic}'`);
  return op.size;
}

/**
 * Encodes `mnemonic operands...` at `bytes[offset]` and returns the bytes written. Operands are in
 * the opcode table's order (see `paging-lab/gpu`'s OPCODES or the pgasm reference).
 */
export function writeInstruction(
  bytes: Uint8Array,
  offset: number,
  mnemonic: string,
  operands: OperandValue[],
  flags = 0,
): number {
  const op = OPCODE_BY_MNEMONIC.get(mnemonic);
  if (!op) throw new Error(`unknown paging opcode '${mnemonic}'`);
  const instr: Instruction = { op, flags, operands };
  return encodeInto(instr, bytes, offset);
}

/** Encodes `instr` at `out[offset]` and returns the bytes written (the opcode's size). */
export function encodeInto(instr: Instruction, out: Uint8Array, offset: number): number {
  const n = encodeIntoBuffer(instr, out, offset);
  const observe = driverWriteSites.observe;
  if (observe) observe(out, offset, n);
  const queued = driverWriteSites.queued;
  if (queued) queued(out, offset, n);
  return n;
}

/** A segment location operand: `offset` bytes into segment `segmentId`. */
export function segmentLocation(segmentId: number, offset: number): Location {
  return { space: LocationSpace.Segment, sub: segmentId, aux: 0, address: offset };
}

/** An MDL location operand: the page list at physical `pageListAddress`, `byteOffset` bytes into its pages. */
export function mdlLocation(pageListAddress: number, byteOffset: number): Location {
  return { space: LocationSpace.Mdl, sub: PageListBase.Physical, aux: byteOffset, address: pageListAddress };
}

/** A system physical address operand. */
export function physicalLocation(address: number): Location {
  return { space: LocationSpace.Physical, sub: 0, aux: 0, address };
}

/** Writes a 16-byte location operand at `bytes[offset]` (what DxgkDdiPatch does to a patch location). */
export function writeLocation(bytes: Uint8Array, offset: number, loc: Location): void {
  const v = dataViewOver(bytes);
  v.setUint8(offset, loc.space);
  v.setUint8(offset + 1, 0);
  v.setUint16(offset + 2, loc.sub, true);
  v.setUint32(offset + 4, loc.aux >>> 0, true);
  v.setUint32(offset + 8, loc.address % 0x100000000, true);
  v.setUint32(offset + 12, Math.floor(loc.address / 0x100000000), true);
  const observe = driverWriteSites.observe;
  if (observe) observe(bytes, offset, 16);
  const queued = driverWriteSites.queued;
  if (queued) queued(bytes, offset, 16);
}
