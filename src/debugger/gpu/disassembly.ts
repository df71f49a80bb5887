// DAP `disassemble` over the debug address space. Always returns exactly `count` instructions,
// for negative instruction offsets too: outside readable memory the entries are `??`, and bytes
// that are not an instruction decode as an explicit invalid entry (as the isa decoder does).
// Inside a known code region (a submitted DMA buffer) decoding starts at the region's first byte,
// so the boundaries shown are the ones the engine executes. Addresses are 64-bit (segments start at
// 2^40): arithmetic on them is plain number arithmetic, never 32-bit bit operations. A large request
// (the adapter allows 100,000 instructions) allocates little per instruction: its bytes are kept as
// a place in one read window, not as a copy.

import { decode } from '../../isa/encoding';
import { OPCODES } from '../../isa/opcodes';
import { formatInstructionAt } from '../../sim/hw/format';
import type { DisassembledInstruction, SourceRef } from '../model';
import { formatAddress } from '../memoryReference';

export const MAX_INSTRUCTION_BYTES = Math.max(...OPCODES.map((o) => o.size));

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

/** Decodes forward from `from` until `n` entries or `stopBefore` is reached. */
function decodeForward(ctx: DisassemblyContext, from: number, n: number, stopBefore = Infinity): Entry[] {
  const out: Entry[] = [];
  if (n <= 0) return out;
  const windowEnd = Math.min(from + n * MAX_INSTRUCTION_BYTES + MAX_INSTRUCTION_BYTES, stopBefore === Infinity ? Infinity : stopBefore + MAX_INSTRUCTION_BYTES);
  const readEnd = Math.min(windowEnd, ctx.addressLimit);
  const win = readEnd > from ? ctx.read(from, readEnd - from) : { bytes: new Uint8Array(0), readable: () => false, allReadable: false };
  let p = from;
  while (out.length < n && p < stopBefore) {
    const i = p - from;
    if (p >= ctx.addressLimit || i >= win.bytes.length || !win.readable(i)) {
      const len = 4 - (p % 4);
      out.push({ address: p, length: len, text: '??', invalid: true });
      p += len;
      continue;
    }
    const region = regionAt(ctx, p);
    let limit = region ? region.start + region.length - from : win.bytes.length;
    // Do not decode across unreadable bytes.
    if (!win.allReadable) {
      for (let j = i; j < Math.min(limit, i + MAX_INSTRUCTION_BYTES); j++) {
        if (!win.readable(j)) {
          limit = j;
          break;
        }
      }
    }
    const r = decode(win.bytes, i, limit);
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
  const back = regionStart - missing * MAX_INSTRUCTION_BYTES;
  const anchor = Math.max(0, back - (back % 4));
  const earlier = anchor < regionStart ? decodeForward(ctx, anchor, Number.MAX_SAFE_INTEGER, regionStart) : [];
  const all = [...earlier, ...collected];
  return all.slice(Math.max(0, all.length - k));
}

const HEX = Array.from({ length: 256 }, (_, b) => (b < 16 ? '0' : '') + b.toString(16));

function hexBytes(b: Uint8Array, at: number, length: number): string {
  let s = HEX[b[at]];
  for (let i = 1; i < length; i++) s += ' ' + HEX[b[at + i]];
  return s;
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
