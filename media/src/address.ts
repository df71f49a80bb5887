// Address parsing and formatting for the VRAM view's "go to address" box and its row labels.
// Addresses are plain numbers in the debug address space (system memory at 0, segment N at
// N * 2^40: src/isa/debugAddress.ts), all below 2^53, so doubles hold them exactly.

export { DEBUG_SEGMENT_STRIDE as SEGMENT_STRIDE } from '../../src/isa/debugAddress';

export interface NamedRegion {
  name: string;
  /** Start in the debug address space. */
  address: number;
  size: number;
}

export interface AddressContext {
  segments: readonly NamedRegion[];
  allocations: readonly NamedRegion[];
  /** The cursor's address, for relative input (`+0x100`, `-16`). */
  current?: number;
  /**
   * The region a view shows (a segment, or system memory at 0). A bare number smaller than the
   * region is an offset in it, as the view's address column shows offsets; a larger one is a
   * debug address (`0x10000001000`).
   */
  view?: { address: number; size: number };
}

export type ParseResult = { ok: true; address: number } | { ok: false; error: string };

const HELP =
  'Enter an address as hex (0x1000 or 1000), #decimal, segment:offset (vram:0x1000), allocation name, or +/- an offset from the cursor.';

/** A number: `0x` or bare digits are hex (a memory window's convention), `#` decimal, `0b` binary. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim().replace(/_/g, '');
  let value: number;
  if (/^#\d+$/.test(t)) value = Number(t.slice(1));
  else if (/^0b[01]+$/i.test(t)) value = parseInt(t.slice(2), 2);
  else if (/^(0x)?[0-9a-f]+$/i.test(t)) value = parseInt(t.replace(/^0x/i, ''), 16);
  else return undefined;
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Parses what a user typed into an address, or says what to type instead. */
export function parseAddress(input: string, ctx: AddressContext): ParseResult {
  const text = input.trim();
  if (!text) return { ok: false, error: HELP };

  const rel = /^([+-])\s*(.+)$/.exec(text);
  if (rel) {
    if (ctx.current === undefined) return { ok: false, error: 'A relative address (+/-) needs a cursor position; enter an absolute address.' };
    const n = parseNumber(rel[2]);
    if (n === undefined) return { ok: false, error: `"${rel[2]}" is not a number. ${HELP}` };
    const address = rel[1] === '+' ? ctx.current + n : ctx.current - n;
    if (address < 0) return { ok: false, error: `${text} from the cursor is below address 0.` };
    return { ok: true, address };
  }

  const colon = /^([A-Za-z_][\w.-]*)\s*[:+]\s*(.+)$/.exec(text);
  if (colon) {
    const seg = findByName(ctx.segments, colon[1]) ?? findByName(ctx.allocations, colon[1]);
    if (!seg) return { ok: false, error: `No segment or allocation is named "${colon[1]}". Known segments: ${names(ctx.segments)}.` };
    const off = parseNumber(colon[2]);
    if (off === undefined) return { ok: false, error: `"${colon[2]}" is not an offset. ${HELP}` };
    if (off >= seg.size) return { ok: false, error: `Offset 0x${off.toString(16)} is past the end of ${seg.name} (size 0x${seg.size.toString(16)}).` };
    return { ok: true, address: seg.address + off };
  }

  const n = parseNumber(text);
  if (n !== undefined) return { ok: true, address: ctx.view && n < ctx.view.size ? ctx.view.address + n : n };

  const named = findByName(ctx.segments, text) ?? findByName(ctx.allocations, text);
  if (named) return { ok: true, address: named.address };
  return { ok: false, error: `"${text}" is neither a number nor a known name. ${HELP}` };
}

function findByName(list: readonly NamedRegion[], name: string): NamedRegion | undefined {
  const lower = name.toLowerCase();
  return list.find((r) => r.name.toLowerCase() === lower);
}

function names(list: readonly NamedRegion[]): string {
  return list.length ? list.map((r) => r.name).join(', ') : '(none known yet: start a debug session)';
}

/** Fixed-width hex for row labels: 11 digits cover segment ids up to 15 and 1 TiB offsets. */
export function formatAddress(address: number, digits = 11): string {
  return address.toString(16).padStart(digits, '0');
}

/** Hex digits of the largest offset in a region of `size` bytes (at least 4). */
export function offsetDigits(size: number): number {
  return Math.max(4, Math.max(0, size - 1).toString(16).length);
}

/** An offset in a region as the address column shows it: `0x` and the region's fixed width. */
export function formatOffset(offset: number, size: number): string {
  return '0x' + offset.toString(16).padStart(offsetDigits(size), '0');
}

/** `segment:offset` when the address falls in a known segment, else plain hex. */
export function describeAddress(address: number, segments: readonly NamedRegion[]): string {
  for (const s of segments) {
    if (address >= s.address && address < s.address + s.size) return `${s.name}:0x${(address - s.address).toString(16)}`;
  }
  return `0x${address.toString(16)}`;
}
