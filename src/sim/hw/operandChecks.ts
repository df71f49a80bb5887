// Why an instruction the decoder rejected is wrong, sorted into the engine's fault causes. The
// decoder (`decodeInto`) already enforces the opcode table's rules on the hot path; when it says
// no, the engine reads the operands leniently here and checks them against the table (ranges,
// alignment, accepted location spaces) to tell a misaligned operand or a bad location from any
// other invalid encoding. Also the fixed cost table.

import { SLOT_LAYOUT } from '../../isa/encoding';
import { LocationSpace, OPCODE_BY_CODE, OPCODES, SIZE_BY_CODE } from '../../isa/opcodes';
import { hex, UPPER } from '../../isa/hex';

export interface OperandProblem {
  message: string;
  misaligned?: boolean;
  badLocation?: boolean;
}

interface Check {
  slot: number;
  name: string;
  loc: boolean;
  min: number;
  max: number;
  align: number;
  spaces: number; // bit mask of accepted LocationSpace values
}

function compile(checks: Check[], mnemonic: string): (s: Float64Array) => OperandProblem | null {
  return (s) => {
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i];
      if (c.loc) {
        const space = s[c.slot];
        if (space > 30 || ((1 << space) & c.spaces) === 0) {
          return {
            message: `${mnemonic} operand ${c.name}: location space ${LocationSpace[space] ?? space} is not accepted here`,
            badLocation: true,
          };
        }
        // The address that must be aligned: the byte offset for page lists, the address otherwise.
        const a = space === LocationSpace.Mdl ? s[c.slot + 2] : s[c.slot + 3];
        if (c.align > 1 && a % c.align !== 0) {
          return { message: `${mnemonic} operand ${c.name}: ${hex(a, UPPER)} is not ${c.align}-byte aligned`, misaligned: true };
        }
      } else {
        const v = s[c.slot];
        if (v < c.min || v > c.max) {
          return { message: `${mnemonic} operand ${c.name} = ${v} is outside ${c.min}..${c.max}` };
        }
        if (c.align > 1 && v % c.align !== 0) {
          return { message: `${mnemonic} operand ${c.name} = ${hex(v, UPPER)} is not a multiple of ${c.align}`, misaligned: true };
        }
      }
    }
    return null;
  };
}

export const OPERAND_CHECKS: ((s: Float64Array) => OperandProblem | null)[] = (() => {
  const t: ((s: Float64Array) => OperandProblem | null)[] = new Array(256).fill(undefined);
  for (const op of OPCODES) {
    const layout = SLOT_LAYOUT[op.code]!;
    const checks: Check[] = [];
    op.operands.forEach((o, i) => {
      if (o.kind === 'u64') return;
      const loc = o.kind === 'loc';
      const spaces = loc ? (o.spaces ?? []).reduce((m, sp) => m | (1 << sp), 0) : 0;
      if (!loc && o.min === undefined && o.max === undefined && !o.align) return;
      checks.push({
        slot: layout[i],
        name: o.name,
        loc,
        min: o.min ?? 0,
        max: o.max ?? Number.MAX_SAFE_INTEGER,
        align: o.align ?? 1,
        spaces,
      });
    });
    if (checks.length) t[op.code] = compile(checks, op.mnemonic);
  }
  return t;
})();

/** Fixed cost in ns by opcode byte. */
export const FIXED_NS: Float64Array = (() => {
  const t = new Float64Array(256);
  for (const op of OPCODES) t[op.code] = op.cost.fixedNs;
  return t;
})();

/**
 * Reads the operands of the instruction at `offset` into `slots` without validating them (the
 * header must be valid). Off the hot path: only after the decoder rejected an instruction.
 */
function readSlotsLeniently(view: DataView, offset: number, slots: Float64Array): void {
  const op = OPCODE_BY_CODE[view.getUint8(offset)]!;
  let s = 0;
  for (const o of op.operands) {
    const at = offset + o.offset;
    switch (o.kind) {
      case 'loc':
        slots[s] = view.getUint8(at);
        slots[s + 1] = view.getUint16(at + 2, true);
        slots[s + 2] = view.getUint32(at + 4, true);
        slots[s + 3] = view.getUint32(at + 12, true) * 0x100000000 + view.getUint32(at + 8, true);
        s += 4;
        break;
      case 'u64':
        slots[s] = view.getUint32(at, true);
        slots[s + 1] = view.getUint32(at + 4, true);
        s += 2;
        break;
      case 'addr':
        slots[s++] = view.getUint32(at + 4, true) * 0x100000000 + view.getUint32(at, true);
        break;
      case 'u32':
        slots[s++] = view.getUint32(at, true);
        break;
      case 'u16':
      case 'seg':
        slots[s++] = view.getUint16(at, true);
        break;
      case 'u8':
        slots[s++] = view.getUint8(at);
        break;
    }
  }
}

export type InvalidKind = 'misaligned' | 'bad-location' | 'invalid';

/** Sorts a rejected instruction (with a valid header and room for its body) into a fault kind. */
export function classifyRejected(bytes: Uint8Array, offset: number, limit: number): InvalidKind {
  const code = bytes[offset];
  const size = SIZE_BY_CODE[code];
  if (size === 0 || offset + size > limit || bytes[offset + 2] !== size >> 2) return 'invalid';
  const slots = new Float64Array(16);
  readSlotsLeniently(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset, slots);
  const problem = OPERAND_CHECKS[code]?.(slots) ?? null;
  if (problem === null) return 'invalid';
  return problem.misaligned ? 'misaligned' : problem.badLocation ? 'bad-location' : 'invalid';
}
