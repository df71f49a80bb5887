// Memory references and addresses in the debug address space, as DAP strings: `0x` and hex digits
// (URI-safe, and what VS Code's Disassembly and binary views parse). Addresses stay below 2^53.

export function formatAddress(address: number): string {
  return '0x' + address.toString(16).padStart(8, '0');
}

/** Parses a memory reference or address (`0x1000`, `4096`); undefined if it is not one. */
export function parseAddress(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const t = text.trim();
  let v: number;
  if (/^0x[0-9a-f]{1,14}$/i.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^[0-9]{1,16}$/.test(t)) v = Number(t);
  else return undefined;
  return Number.isSafeInteger(v) ? v : undefined;
}
