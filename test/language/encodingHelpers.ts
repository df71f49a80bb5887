// Encodes an instruction with the isa encoder, independently of the assembler, so hover's bytes can
// be checked against what the encoder itself produces.

import { encode as encodeInstr } from '../../src/isa/encoding';
import type { OpcodeInfo } from '../../src/isa/opcodes';
import type { OperandValue } from '../../src/isa/encoding';

export function encode(op: OpcodeInfo, operands: OperandValue[], flags = 0): Uint8Array {
  return encodeInstr({ op, flags, operands });
}

/** Bytes as hover prints them: two hex digits each, dwords separated by two spaces. */
export function encodedHex(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    groups.push(Array.from(bytes.subarray(i, i + 4), (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' '));
  }
  return groups.join('  ');
}
