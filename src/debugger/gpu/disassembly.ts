// DAP `disassemble` over the debug address space. Always returns exactly `count` instructions,
// for negative instruction offsets too: outside readable memory the entries are `??`, and bytes
// that are not an instruction decode as an explicit invalid entry (as the isa decoder does).
// Inside a known code region (a submitted DMA buffer) decoding starts at the region's first byte,
// so the boundaries shown are the ones the engine executes. Addresses are 64-bit (segments start at
// 2^40): arithmetic on them is plain number arithmetic, never 32-bit bit operations. A large request
// (the adapter allows 100,000 instructions) allocates little per instruction: its bytes are kept as
// a place in one read window, not as a copy. Outside the regions is data, not a wall of invalid
// instructions: one `(end of paging buffer)` row where a buffer ends, then the
// instructions left there by an earlier buffer where the bytes decode, else `.u8` rows and, for a
// run of zeros, one `.zero N` row per 256-byte span (spans keep row boundaries the same whichever
// address a client starts from); every row's text assembles back to its bytes. The bytes column
// carries the first bytes only (the VRAM view has them all).

import { decode } from '../../isa/encoding';
import { OPCODES } from '../../isa/opcodes';
import { formatInstructionAt } from '../../sim/hw/format';
import type { DisassembledInstruction, SourceRef } from '../model';
import { formatAddress } from '../memoryReference';
import { hex } from '../../isa/hex';

export const MAX_INSTRUCTION_BYTES = Math.max(...OPCODES.map((o) => o.size));
/** Bytes shown in the Disassembly view's bytes column; longer encodings end with an ellipsis. */
export const SHOWN_INSTRUCTION_BYTES = 6;
/** A data row outside the code regions covers at most this many bytes (a zero run: a whole span). */
const DATA_ROW_BYTES = 8;
const ZERO_RUN_SPAN = 0x100;

export interface CodeRegion {
  start: number;
  /** Bytes of instructions (the submitted length). */
  length: number;
  name: string;
}

export interface DisassemblyContext {
  /** Reads `length` bytes; `readable(i)` says whether byte i of the result was readable. */
  read(address: number, length: number): { bytes: Uint8Array; readable(i: number): boolean; allReadable: boolean };
  regions: readonly CodeRegion[];
  segmentName(id: number): string | undefined;
  /** Symbol for an address (a label, an allocation); undefined: none. */
  symbolAt?(address: number): string | undefined;
  sourceAt?(address: number): { source: SourceRef; line: number } | undefined;
  /** Highest address + 1 of the debug address space a client may ask for. */
  addressLimit: number;
}

interface Entry {
  address: number;
  length: number;
  text: string;
  invalid: boolean;
  /** The read window holding the instruction's bytes, and where they start in it. */
  window?: Uint8Array;
  at?: number;
}

function regionAt(ctx: DisassemblyContext, p: number): CodeRegion | undefined {
  for (const r of ctx.regions) if (p >= r.start && p < r.start + r.length) return r;
  return undefined;
}

/** The first region starting after `p` (where a data row must stop). */
function nextRegionStart(ctx: DisassemblyContext, p: number): number {
  let next = Infinity;
  for (const r of ctx.regions) if (r.start > p && r.start < next) next = r.start;
  return next;
}

function hex2(b: number): string {
  return '0x' + (b < 16 ? '0' : '') + b.toString(16);
}

/**
 * A data row outside the code regions at byte `i` of `bytes` (which ends at `limit`): a run of
 * zeros to the span's end as one row, else up to the next 8-byte boundary as `.u8` values.
 */
function dataRow(p: number, bytes: Uint8Array, i: number, limit: number, endsBuffer: boolean): Omit<Entry, 'address'> {
  const spanEnd = Math.min(limit, i + (ZERO_RUN_SPAN - (p % ZERO_RUN_SPAN)));
  let zeros = 0;
  while (i + zeros < spanEnd && bytes[i + zeros] === 0) zeros++;
  // The marker is a comment, so a row's text assembles back to its bytes, as the disassembler's does.
  const mark = endsBuffer ? '  ; (end of paging buffer)' : '';
  if (zeros > DATA_ROW_BYTES) return { length: zeros, text: `.zero ${hex(zeros)}${mark}`, invalid: false, window: bytes, at: i };
  const n = Math.max(1, Math.min(limit - i, DATA_ROW_BYTES - (p % DATA_ROW_BYTES)));
  const values = Array.from(bytes.subarray(i, i + n), hex2).join(', ');
  return { length: n, text: `.u8 ${values}${mark}`, invalid: false, window: bytes, at: i };
}

/** Decodes forward from `from` until `n` entries or `stopBefore` is reached. */
function decodeForward(ctx: DisassemblyContext, from: number, n: number, stopBefore = Infinity): Entry[] {
  const out: Entry[] = [];
  if (n <= 0) return out;
  // Bytes are read a window at a time: enough for the rows still wanted at the longest
  // instruction, read again from where the rows reach when data rows covered more.
  let winStart = from;
  let win: ReturnType<DisassemblyContext['read']> = { bytes: new Uint8Array(0), readable: () => false, allReadable: false };
  const readWindow = (at: number, want: number) => {
    const rows = n - out.length;
    const wanted = Math.max(at + want, at + rows * MAX_INSTRUCTION_BYTES + MAX_INSTRUCTION_BYTES);
    const windowEnd = Math.min(wanted, stopBefore === Infinity ? Infinity : stopBefore + MAX_INSTRUCTION_BYTES);
    const readEnd = Math.min(windowEnd, ctx.addressLimit);
    winStart = at;
    win = readEnd > at ? ctx.read(at, readEnd - at) : { bytes: new Uint8Array(0), readable: () => false, allReadable: false };
  };
  readWindow(from, MAX_INSTRUCTION_BYTES);
  let p = from;
  while (out.length < n && p < stopBefore) {
    const region = regionAt(ctx, p);
    // An instruction needs its longest encoding in the window; a data row, its span of zeros.
    const want = region ? MAX_INSTRUCTION_BYTES : ZERO_RUN_SPAN;
    if (p - winStart + want > win.bytes.length && p < ctx.addressLimit && winStart + win.bytes.length < Math.min(ctx.addressLimit, stopBefore)) readWindow(p, want);
    const i = p - winStart;
    if (p >= ctx.addressLimit || i >= win.bytes.length || !win.readable(i)) {
      const len = 4 - (p % 4);
      out.push({ address: p, length: len, text: '??', invalid: true });
      p += len;
      continue;
    }
    let limit = region ? Math.min(region.start + region.length - winStart, win.bytes.length) : win.bytes.length;
    // Do not decode (or count zeros) across unreadable bytes.
    if (!win.allReadable) {
      for (let j = i; j < Math.min(limit, i + want); j++) {
        if (!win.readable(j)) {
          limit = j;
          break;
        }
      }
    }
    if (!region) limit = Math.min(limit, nextRegionStart(ctx, p) - winStart, stopBefore - winStart);
    const endsBuffer = !region && ctx.regions.some((x) => x.length > 0 && x.start + x.length === p);
    const r = decode(win.bytes, i, limit);
    // Bytes that decode stay an instruction (an earlier buffer's, or the next buffer's start).
    if (!region && !r.ok) {
      const row = dataRow(p, win.bytes, i, limit, endsBuffer);
      out.push({ address: p, ...row });
      p += row.length;
      continue;
    }
    const length = Math.max(1, r.length);
    const text = r.ok ? formatInstructionAt(win.bytes, i, limit, ctx.segmentName) : `(invalid: ${r.reason})`;
    out.push({ address: p, length, text, invalid: !r.ok, window: win.bytes, at: i });
    p += length;
  }
  return out;
}

/** The `k` entries that end at or straddle `before` (fewer only when address 0 is reached). */
function decodeBackward(ctx: DisassemblyContext, before: number, k: number): Entry[] {
  if (k <= 0 || before <= 0) return [];
  const region = regionAt(ctx, before - 1);
  let collected: Entry[] = [];
  let regionStart = before;
  if (region) {
    // Instruction boundaries inside a DMA buffer are known from its start.
    collected = decodeForward(ctx, region.start, Number.MAX_SAFE_INTEGER, before);
    regionStart = region.start;
    if (collected.length >= k) return collected.slice(collected.length - k);
  }
  const missing = k - collected.length;
  // Instructions are at most MAX_INSTRUCTION_BYTES long; a data row can cover a whole span of
  // zeros, so when the first guess yields too few rows, start as far back as that could need.
  let earlier: Entry[] = [];
  for (const perRow of [MAX_INSTRUCTION_BYTES, ZERO_RUN_SPAN]) {
    const back = Math.max(0, regionStart - missing * perRow);
    const anchor = back - (back % 4);
    earlier = anchor < regionStart ? decodeForward(ctx, anchor, Number.MAX_SAFE_INTEGER, regionStart) : [];
    if (earlier.length >= missing || anchor === 0) break;
  }
  const all = [...earlier, ...collected];
  return all.slice(Math.max(0, all.length - k));
}

const HEX = Array.from({ length: 256 }, (_, b) => (b < 16 ? '0' : '') + b.toString(16));

/** The bytes column: the first few bytes, then an ellipsis when there are more. */
function hexBytes(b: Uint8Array, at: number, length: number): string {
  const n = Math.min(length, SHOWN_INSTRUCTION_BYTES);
  let s = HEX[b[at]];
  for (let i = 1; i < n; i++) s += ' ' + HEX[b[at + i]];
  return length > n ? s + ' \u2026' : s;
}

export function disassemble(
  ctx: DisassemblyContext,
  address: number,
  instructionOffset: number,
  count: number,
  resolveSymbols = true,
): DisassembledInstruction[] {
  if (count <= 0) return [];
  let entries: Entry[] = [];
  if (instructionOffset < 0) {
    const k = -instructionOffset;
    const before = decodeBackward(ctx, address, k);
    // Before address 0 there is nothing: pad at the start.
    const pads: Entry[] = [];
    for (let i = before.length; i < k; i++) pads.push({ address: 0, length: 0, text: '??', invalid: true });
    entries = [...pads, ...before];
    if (entries.length > count) entries = entries.slice(0, count);
    if (entries.length < count) entries.push(...decodeForward(ctx, address, count - entries.length));
  } else {
    const all = decodeForward(ctx, address, instructionOffset + count);
    entries = all.slice(instructionOffset);
  }
  let lastSymbol: string | undefined;
  let lastPath: string | undefined;
  return entries.map((e) => {
    const d: DisassembledInstruction = { address: formatAddress(e.address), instruction: e.text };
    if (e.window && e.length > 0) d.instructionBytes = hexBytes(e.window, e.at!, Math.min(e.length, e.window.length - e.at!));
    if (e.invalid) d.presentationHint = 'invalid';
    if (resolveSymbols && e.length > 0) {
      const sym = ctx.symbolAt?.(e.address);
      if (sym && sym !== lastSymbol) d.symbol = sym;
      lastSymbol = sym;
      const src = ctx.sourceAt?.(e.address);
      if (src) {
        // DAP lets a location be left out when it is the previous instruction's file: responses stay small.
        if (src.source.path !== lastPath || !src.source.path) d.location = src.source;
        lastPath = src.source.path;
        d.line = src.line;
      } else lastPath = undefined;
    }
    return d;
  });
}
