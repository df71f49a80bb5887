// Checks of an instruction against the adapter's segments (bounds, aperture kind). The table's own
// rules (ranges, alignment, spaces) are the decoder's business; these depend on the profile, so the
// assembler reports them as diagnostics and the disassembler uses them to decide whether an
// instruction can be written as text that assembles cleanly.

import type { SegmentDecl } from './asmTypes';
import type { OperandValue } from './encoding';
import { Location, LocationSpace, Op, OpcodeInfo, PAGE_SIZE, PageTableFlags } from './opcodes';
import { hex, UPPER } from './hex';

export interface ProfileProblem {
  code: 'PGA008' | 'PGA020' | 'PGA022';
  /** Index of the operand concerned. */
  operand: number;
  message: string;
}

/** How many bytes an instruction touches at its location operands, for bounds checks. */
export function accessBytes(op: OpcodeInfo, operands: readonly OperandValue[]): number {
  switch (op.code) {
    case Op.Copy:
    case Op.Fill:
    case Op.Discard:
    case Op.Swizzle:
    case Op.Unswizzle:
      return operandNumber(op, operands, 'size');
    case Op.ReadPhysical:
    case Op.WritePhysical:
      return operandNumber(op, operands, 'count');
    case Op.Fence:
    case Op.Wait:
      return 8;
    case Op.PageTableUpdate:
      return operandNumber(op, operands, 'count') * PAGE_SIZE;
    default:
      return 1;
  }
}

function operandNumber(op: OpcodeInfo, operands: readonly OperandValue[], name: string): number {
  for (let i = 0; i < op.operands.length; i++) if (op.operands[i].name === name) return Number(operands[i] as number);
  return 0;
}

export function formatSize(n: number): string {
  if (n >= 1 << 30 && n % (1 << 30) === 0) return `${n / (1 << 30)}G`;
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)}M`;
  if (n >= 1 << 10 && n % (1 << 10) === 0) return `${n / (1 << 10)}K`;
  return String(n);
}

/** Problems of a fully evaluated instruction with the given segments (by id). */
export function profileProblems(
  op: OpcodeInfo,
  flags: number,
  operands: readonly OperandValue[],
  segments: ReadonlyMap<number, SegmentDecl>,
): ProfileProblem[] {
  let out: ProfileProblem[] = NO_PROBLEMS;
  let extent = -1;
  for (let i = 0; i < op.operands.length; i++) {
    const o = op.operands[i];
    const v = operands[i];
    if (o.kind === 'loc') {
      const loc = v as Location;
      if (loc.space !== LocationSpace.Segment) continue;
      if (op.code === Op.PageTableUpdate && flags & PageTableFlags.Invalid) continue;
      const seg = segments.get(loc.sub);
      if (!seg) {
        (out === NO_PROBLEMS ? (out = []) : out).push({ code: 'PGA020', operand: i, message: `segment ${loc.sub} is not declared, so ${op.mnemonic} ${o.name} is not bounds-checked (declare it with .segment)` });
        continue;
      }
      if (extent < 0) extent = accessBytes(op, operands);
      if (loc.address + extent > seg.size) {
        (out === NO_PROBLEMS ? (out = []) : out).push({
          code: 'PGA008',
          operand: i,
          message: `${op.mnemonic} ${o.name} ${seg.name}:${hex(loc.address, UPPER)} + ${hex(extent, UPPER)} bytes runs past the end of segment ${seg.name} (${formatSize(seg.size)})`,
        });
      }
    } else if (o.kind === 'seg') {
      const id = v as number;
      const seg = segments.get(id);
      if (!seg) {
        (out === NO_PROBLEMS ? (out = []) : out).push({ code: 'PGA020', operand: i, message: `segment ${id} is not declared, so ${op.mnemonic} is not checked against it (declare it with .segment)` });
        continue;
      }
      if (seg.kind !== 'aperture') {
        (out === NO_PROBLEMS ? (out = []) : out).push({ code: 'PGA022', operand: i, message: `${op.mnemonic} needs an aperture segment, but ${seg.name} is a memory segment` });
        continue;
      }
      const page = operandNumber(op, operands, 'page');
      const count = operandNumber(op, operands, 'count');
      const pages = Math.floor(seg.size / PAGE_SIZE);
      if (page + count > pages) {
        (out === NO_PROBLEMS ? (out = []) : out).push({
          code: 'PGA008',
          operand: i,
          message: `${op.mnemonic} pages ${page}..${page + count - 1} run past the end of aperture ${seg.name} (${pages} pages)`,
        });
      }
    }
  }
  return out;
}

const NO_PROBLEMS: ProfileProblem[] = [];
