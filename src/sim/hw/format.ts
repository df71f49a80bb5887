// Text for instructions in fault records and the `exec` trace: one pgasm-like line per
// instruction, built from the opcode table via `decode`. Only used off the hot path.

import { decode, OperandValue } from '../../isa/encoding';
import { Location, LocationSpace, OpcodeInfo, PageListBase } from '../../isa/opcodes';
import { hex, UPPER } from '../../isa/hex';

export function formatLocation(loc: Location, segmentName: (id: number) => string | undefined): string {
  switch (loc.space) {
    case LocationSpace.Segment:
      return `${segmentName(loc.sub) ?? `seg${loc.sub}`}:${hex(loc.address, UPPER)}`;
    case LocationSpace.Mdl: {
      // As pgasm writes them: a page list in the DMA buffer by its offset, elsewhere by `phys:`.
      const list = loc.sub === PageListBase.DmaBuffer ? hex(loc.address, UPPER) : `phys:${hex(loc.address, UPPER)}`;
      return `mdl(${list})+${hex(loc.aux, UPPER)}`;
    }
    case LocationSpace.Physical:
      return `phys:${hex(loc.address, UPPER)}`;
    case LocationSpace.GpuVirtual:
      return `va:${hex(loc.address, UPPER)}`;
    default:
      return `<space ${loc.space}>:${hex(loc.address, UPPER)}`;
  }
}

function formatOperand(op: OpcodeInfo, i: number, v: OperandValue, segmentName: (id: number) => string | undefined): string {
  const kind = op.operands[i].kind;
  if (typeof v === 'object') return formatLocation(v, segmentName);
  if (typeof v === 'bigint') return '0x' + v.toString(16).toUpperCase();
  if (kind === 'seg') return segmentName(v) ?? String(v);
  return v >= 16 ? hex(v, UPPER) : String(v);
}

/** The instruction at `offset` of `bytes[0, limit)` as text, or `(invalid: reason)`. */
export function formatInstructionAt(
  bytes: Uint8Array,
  offset: number,
  limit: number,
  segmentName: (id: number) => string | undefined = () => undefined,
): string {
  const r = decode(bytes, offset, limit);
  if (!r.ok) return `(invalid: ${r.reason})`;
  const { op, flags, operands } = r.instr;
  const parts = operands.map((v, i) => formatOperand(op, i, v, segmentName));
  for (const f of op.flags) if (flags & (1 << f.bit)) parts.push(f.name);
  return parts.length ? `${op.mnemonic} ${parts.join(', ')}` : op.mnemonic;
}
