// The one hex formatter: `0x` and the digits, `-0x` for a negative number, for numbers and bigints.
// It lives in the lowest layer because every layer prints hex. Two styles are in use, by where the
// text is read: lower-case digits where VS Code shows it (the debugger's Variables, console and
// memory references, which follow the Disassembly and binary views' own `0x00001f00`), upper-case
// digits in the paging assembly's world (assembler and disassembler messages, hovers, the GPU's
// fault messages and traces, `paging-lab exec`), the style docs/pgasm.md writes its encodings in.

export interface HexStyle {
  /** Upper-case digits (`0x1F`); lower-case by default (`0x1f`). */
  upper?: boolean;
  /** Pad with zeros to at least this many digits. */
  digits?: number;
}

/** The paging assembly's style: `0x1F`. */
export const UPPER: HexStyle = { upper: true };

export function hex(n: number | bigint, style?: HexStyle): string {
  const negative = n < 0;
  let digits = (negative ? (typeof n === 'bigint' ? -n : -n) : n).toString(16);
  if (style?.upper) digits = digits.toUpperCase();
  if (style?.digits) digits = digits.padStart(style.digits, '0');
  return (negative ? '-0x' : '0x') + digits;
}
