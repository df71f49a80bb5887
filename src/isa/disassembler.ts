// The disassembler: bytes to pgasm text that assembles back to the same bytes. It starts at any
// instruction boundary, names segments and labels where it knows them, recognises the page lists
// that mdl() operands point at (and writes them as `.pages`), and writes anything that is not a
// valid instruction as `.u8`/`.u32` data with a comment saying why, so the round trip still holds;
// a run of zero bytes (never-written buffer space) is one `.zero` line, however long.
//
// The text is produced line by line (disassemblyText): memory stays bounded by the input, not by
// the output, so a 16 MiB dump streams out instead of being built as millions of records first.

import type { SegmentDecl } from './asmTypes';
import { profileProblems } from './checks';
import { decode, DecodedSlots, decodeInto, Instruction, OperandValue, SLOT_LAYOUT } from './encoding';
import {
  Location,
  LocationSpace,
  OPCODE_BY_CODE,
  OperandInfo,
  PAGE_LIST_HEADER_BYTES,
  PAGE_SIZE,
  PageListBase,
} from './opcodes';
import { DEFAULT_DMA_SIZE, DEFAULT_SEGMENTS } from './profile';
import { hex, UPPER } from './hex';

export interface DisassembleOptions {
  /** First byte to disassemble (an instruction boundary); default 0. */
  start?: number;
  /** End of the range (exclusive); default the end of `bytes`. */
  limit?: number;
  /** The adapter's segments, for names and checks; default the profile's DEFAULT_SEGMENTS. */
  segments?: readonly SegmentDecl[];
  /** Labels by byte offset in `bytes` (e.g. from the assembler's symbols). */
  labels?: ReadonlyMap<number, string>;
  /** Append `; +0xOFFSET` to each line (default true). */
  addresses?: boolean;
  /** Added to the offsets printed in those comments (an address in the debug address space). */
  baseAddress?: number;
  /** Write the file header (declarations the text needs to reassemble); default true. */
  header?: boolean;
}

/** One disassembled line: an instruction, a page list, or bytes that are not an instruction (a run of zeros is one line). */
export interface DisasmLine {
  offset: number;
  length: number;
  /** The line without label or address comment, e.g. `copy vram:0x0, mdl(pl_0040)+0x0, 0x1000`. */
  text: string;
  kind: 'instruction' | 'pages' | 'data';
  /** For data: why the bytes are not an instruction. */
  reason?: string;
  /** A label defined at this line, if any. */
  label?: string;
}

export interface Disassembly {
  text: string;
  lines: DisasmLine[];
}

/** How a disassembly names things: segments by id, labels by buffer offset. */
export interface NameContext {
  segments: ReadonlyMap<number, SegmentDecl>;
  labels?: ReadonlyMap<number, string>;
}

const COMMENT_COLUMN = 52;
const IDENT = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const RESERVED = /^(mdl|phys|va|seg[0-9]+)$/i;

/** The segments an assembly of the text will know: the defaults, replaced by name or id by `given`. */
export function effectiveSegments(given: readonly SegmentDecl[] | undefined): Map<number, SegmentDecl> {
  const out = new Map<number, SegmentDecl>();
  const declared = given ?? [];
  for (const s of DEFAULT_SEGMENTS) {
    if (!declared.some((d) => d.id === s.id || d.name === s.name)) out.set(s.id, s);
  }
  for (const d of declared) out.set(d.id, d);
  return out;
}

function num(v: number | bigint): string {
  return v < 10 ? v.toString() : hex(v, UPPER);
}

function segmentName(id: number, ctx: NameContext): string {
  return ctx.segments.get(id)?.name ?? `seg${id}`;
}

/** Text of one operand value. */
export function formatOperand(o: OperandInfo, v: OperandValue, ctx: NameContext): string {
  switch (o.kind) {
    case 'loc': {
      const loc = v as Location;
      switch (loc.space) {
        case LocationSpace.Segment:
          return `${segmentName(loc.sub, ctx)}:${hex(loc.address, UPPER)}`;
        case LocationSpace.Mdl: {
          const list =
            loc.sub === PageListBase.Physical ? `phys:${hex(loc.address, UPPER)}` : (ctx.labels?.get(loc.address) ?? hex(loc.address, UPPER));
          return `mdl(${list})+${hex(loc.aux, UPPER)}`;
        }
        case LocationSpace.Physical:
          return `phys:${hex(loc.address, UPPER)}`;
        default:
          return `va:${hex(loc.address, UPPER)}`;
      }
    }
    case 'seg':
      return segmentName(v as number, ctx);
    default:
      return o.name === 'count' || o.name === 'page' ? String(v) : num(v as number | bigint);
  }
}

/** Text of one instruction, e.g. `fence phys:0x0, 0x2A, irq`. */
export function formatInstruction(instr: Instruction, ctx: NameContext = { segments: effectiveSegments(undefined) }): string {
  const { op } = instr;
  const parts = op.operands.map((o, i) => formatOperand(o, instr.operands[i], ctx));
  for (const f of op.flags) if (instr.flags & (1 << f.bit)) parts.push(f.name);
  return parts.length ? `${op.mnemonic} ${parts.join(', ')}` : op.mnemonic;
}

function dataLine(bytes: Uint8Array, offset: number, length: number, reason: string): DisasmLine {
  let text: string;
  if (length % 4 === 0) {
    const words: string[] = [];
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, length);
    for (let i = 0; i < length; i += 4) words.push('0x' + view.getUint32(i, true).toString(16).toUpperCase().padStart(8, '0'));
    text = `.u32 ${words.join(', ')}`;
  } else {
    const b: string[] = [];
    for (let i = 0; i < length; i++) b.push('0x' + bytes[offset + i].toString(16).toUpperCase().padStart(2, '0'));
    text = `.u8 ${b.join(', ')}`;
  }
  return { offset, length, text, kind: 'data', reason };
}

/** The page list at `at`, if the bytes there are a valid one (what `.pages` would emit). */
function pageListAt(bytes: Uint8Array, at: number, limit: number): bigint[] | undefined {
  if (at + PAGE_LIST_HEADER_BYTES > limit) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(at, true);
  if (count === 0 || view.getUint32(at + 4, true) !== 0) return undefined;
  if (at + PAGE_LIST_HEADER_BYTES + count * 8 > limit) return undefined;
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const a = view.getBigUint64(at + PAGE_LIST_HEADER_BYTES + i * 8, true);
    if (a % BigInt(PAGE_SIZE) !== 0n || a > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    out.push(a);
  }
  return out;
}

/** Decodes one line at `offset` as the disassembler would write it. */
export function disassembleOne(bytes: Uint8Array, offset: number, limit: number, ctx: NameContext): DisasmLine {
  const r = decode(bytes, offset, limit);
  if (!r.ok) return dataLine(bytes, offset, Math.max(1, r.length), r.reason);
  const problems = profileProblems(r.instr.op, r.instr.flags, r.instr.operands, ctx.segments).filter((p) => p.code !== 'PGA020');
  if (problems.length) return dataLine(bytes, offset, r.length, problems[0].message);
  return { offset, length: r.length, text: formatInstruction(r.instr, ctx), kind: 'instruction' };
}

/** Why a run of zero bytes is not an instruction. */
const ZERO_REASON = 'zero bytes (0x00 is not an opcode)';

/** What both walks over the bytes need: the range, the names, and where mdl() operands point into it. */
interface Plan {
  start: number;
  limit: number;
  labels: Map<number, string>;
  /** Offsets in the range that mdl() operands of the DMA buffer point at. */
  targets: Set<number>;
  ctx: NameContext;
  nameless: NameContext;
}

function plan(bytes: Uint8Array, options: DisassembleOptions): Plan {
  const start = Math.max(0, Math.min(options.start ?? 0, bytes.length));
  const limit = Math.max(start, Math.min(options.limit ?? bytes.length, bytes.length));
  const segments = effectiveSegments(options.segments);
  // Labels name buffer offsets; a reference by name is only right when the text starts at offset 0,
  // since the reassembled labels count from the start of the text.
  const labels = new Map<number, string>();
  const taken = new Set<string>([...segments.values()].map((s) => s.name));
  if (start === 0) {
    for (const [off, name] of options.labels ?? []) {
      if (IDENT.test(name) && !RESERVED.test(name) && !taken.has(name)) {
        labels.set(off, name);
        taken.add(name);
      }
    }
  }
  // First walk, with the allocation-free decoder: where mdl() operands point into this buffer.
  const targets = new Set<number>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const slots = new DecodedSlots();
  for (let at = start; at < limit; ) {
    const n = decodeInto(bytes, view, at, limit, slots);
    if (n > 0) {
      const op = OPCODE_BY_CODE[slots.code]!;
      const layout = SLOT_LAYOUT[slots.code]!;
      for (let i = 0; i < op.operands.length; i++) {
        const s = layout[i];
        if (op.operands[i].kind === 'loc' && slots.slot[s] === LocationSpace.Mdl && slots.slot[s + 1] === PageListBase.DmaBuffer) targets.add(slots.slot[s + 3]);
      }
    }
    at += Math.abs(n);
  }
  if (start === 0) {
    for (const t of targets) {
      if (t >= limit || labels.has(t) || !pageListAt(bytes, t, limit)) continue;
      let name = `pl_${t.toString(16).padStart(4, '0')}`;
      while (taken.has(name)) name += '_';
      labels.set(t, name);
      taken.add(name);
    }
  }
  const nameless: NameContext = { segments };
  return { start, limit, labels, targets, ctx: start === 0 ? { segments, labels } : nameless, nameless };
}

/**
 * The length of the run of zero bytes at `at`: whole invalid decoding steps (as the engine and the
 * line-by-line walk would take them) that are all zero, up to the next page list or label.
 */
function zeroRun(bytes: Uint8Array, view: DataView, at: number, p: Plan, slots: DecodedSlots): number {
  const marks = p.targets.size > 0 || p.labels.size > 0;
  let end = at;
  while (end < p.limit && bytes[end] === 0) {
    if (end !== at && marks && (p.targets.has(end) || p.labels.has(end))) break;
    const step = -decodeInto(bytes, view, end, p.limit, slots);
    let k = 1;
    while (k < step && bytes[end + k] === 0) k++;
    if (k < step) break;
    end += step;
  }
  return end - at;
}

/** The lines of the range, one at a time. */
function* walk(bytes: Uint8Array, p: Plan): Generator<DisasmLine> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const slots = new DecodedSlots();
  for (let at = p.start; at < p.limit; ) {
    let line: DisasmLine | undefined;
    if (p.targets.has(at)) {
      const pages = pageListAt(bytes, at, p.limit);
      if (pages) {
        const length = PAGE_LIST_HEADER_BYTES + pages.length * 8;
        line = { offset: at, length, text: `.pages ${pages.map((x) => hex(x, UPPER)).join(', ')}`, kind: 'pages' };
      }
    }
    if (!line) {
      const zeros = bytes[at] === 0 ? zeroRun(bytes, view, at, p, slots) : 0;
      line = zeros > 0 ? { offset: at, length: zeros, text: `.zero ${num(zeros)}`, kind: 'data', reason: ZERO_REASON } : disassembleOne(bytes, at, p.limit, p.ctx.labels ? p.ctx : p.nameless);
    }
    const label = p.labels.get(at);
    if (label) line.label = label;
    yield line;
    at += line.length;
  }
}

/** The declarations the text needs to reassemble: the size of a large buffer, segments the defaults do not have. */
function* header(p: Plan, options: DisassembleOptions): Generator<string> {
  yield `; ${p.limit - p.start} bytes from offset ${hex(p.start, UPPER)}`;
  const size = p.limit - p.start;
  if (size > DEFAULT_DMA_SIZE) yield `.dmasize ${hex((size + 3) & ~3, UPPER)}`;
  for (const s of options.segments ?? []) {
    const d = DEFAULT_SEGMENTS.find((x) => x.id === s.id);
    const same = d && d.name === s.name && d.kind === s.kind && d.size === s.size && d.cpuVisible === s.cpuVisible;
    if (!same) yield `.segment ${s.name}, ${s.id}, ${s.kind}, ${hex(s.size, UPPER)}${s.cpuVisible ? ', cpuvisible' : ''}`;
  }
}

/** A line as text: its label on a line of its own, then the line indented with its comment. */
function* format(l: DisasmLine, options: DisassembleOptions): Generator<string> {
  if (l.label) yield `${l.label}:`;
  let t = '    ' + l.text;
  const notes: string[] = [];
  if (options.addresses ?? true) notes.push(`+${hex((options.baseAddress ?? 0) + l.offset, UPPER)}`);
  if (l.reason) notes.push(`not an instruction: ${l.reason}`);
  if (notes.length) t = t.padEnd(COMMENT_COLUMN) + ' ; ' + notes.join(' ');
  yield t;
}

/** The text of `bytes[start, limit)`, line by line (without line ends), so memory stays bounded whatever the size. */
export function* disassemblyText(bytes: Uint8Array, options: DisassembleOptions = {}): Generator<string> {
  const p = plan(bytes, options);
  if (options.header ?? true) yield* header(p, options);
  for (const l of walk(bytes, p)) yield* format(l, options);
}

/** The same text in pieces of about `size` characters, lines joined and ended, for writing to a stream. */
export function* disassemblyChunks(bytes: Uint8Array, options: DisassembleOptions = {}, size = 1 << 16): Generator<string> {
  let chunk = '';
  for (const line of disassemblyText(bytes, options)) {
    chunk += line + '\n';
    if (chunk.length >= size) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** Disassembles `bytes[start, limit)` into pgasm text and per-line records (for buffers that fit in memory as records). */
export function disassemble(bytes: Uint8Array, options: DisassembleOptions = {}): Disassembly {
  const p = plan(bytes, options);
  const lines = [...walk(bytes, p)];
  const out = options.header ?? true ? [...header(p, options)] : [];
  for (const l of lines) out.push(...format(l, options));
  return { text: out.join('\n') + '\n', lines };
}
