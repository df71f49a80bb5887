// Per-opcode operand checks derived from the opcode table (ranges, alignment, accepted location
// spaces), compiled once into small closures over decoded slots so the engine validates an
// instruction without searching the table or allocating (a problem object is built only on failure).

import { SLOT_LAYOUT } from '../../isa/encoding';
import { LocationSpace, OPCODES } from '../../isa/opcodes';

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

const hex = (n: number): string => '0x' + n.toString(16).toUpperCase();

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
          return { message: `${mnemonic} operand ${c.name}: ${hex(a)} is not ${c.align}-byte aligned`, misaligned: true };
        }
      } else {
        const v = s[c.slot];
        if (v < c.min || v > c.max) {
          return { message: `${mnemonic} operand ${c.name} = ${v} is outside ${c.min}..${c.max}` };
        }
        if (c.align > 1 && v % c.align !== 0) {
          return { message: `${mnemonic} operand ${c.name} = ${hex(v)} is not a multiple of ${c.align}`, misaligned: true };
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
