// Seeded random instructions and streams for the isa tests: every instruction generated is valid
// for the table and for the default segments, so it must survive encode → disassemble → assemble.

import { disassemble } from '../../src/isa/disassembler';
import { DEFAULT_SEGMENTS } from '../../src/isa/profile';
import { encode, Instruction, OperandValue } from '../../src/isa/encoding';
import { Location, LocationSpace, OPCODES, OpcodeInfo, OperandInfo, PAGE_SIZE, PageListBase } from '../../src/isa/opcodes';

/** mulberry32: small, fast and good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function int(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

function aligned(r: () => number, lo: number, hi: number, align: number): number {
  const a = Math.ceil(lo / align);
  const b = Math.floor(hi / align);
  return int(r, a, b) * align;
}

const MEMORY = DEFAULT_SEGMENTS.filter((s) => s.kind === 'memory');
const APERTURES = DEFAULT_SEGMENTS.filter((s) => s.kind === 'aperture');

function location(r: () => number, o: OperandInfo, extent: number): Location {
  const spaces = o.spaces!;
  const space = spaces[int(r, 0, spaces.length - 1)];
  const align = o.align ?? 1;
  switch (space) {
    case LocationSpace.Segment: {
      const seg = MEMORY[int(r, 0, MEMORY.length - 1)];
      return { space, sub: seg.id, aux: 0, address: aligned(r, 0, seg.size - extent, align) };
    }
    case LocationSpace.Mdl: {
      const base = int(r, 0, 1) as PageListBase;
      return { space, sub: base, aux: aligned(r, 0, 0xffff, align), address: base === PageListBase.Physical ? aligned(r, 0, 2 ** 40, 8) : aligned(r, 0, 0x1000, 4) };
    }
    default:
      return { space, sub: 0, aux: 0, address: aligned(r, 0, 2 ** 44, align) };
  }
}

/** A random valid instruction of `op` (or of a random opcode). */
export function randomInstruction(r: () => number, op: OpcodeInfo = OPCODES[int(r, 0, OPCODES.length - 1)]): Instruction {
  const operands: OperandValue[] = [];
  // Sizes first, so locations can stay inside their segment.
  const small = (o: OperandInfo): number => {
    const align = o.align ?? 1;
    const lo = o.min ?? 0;
    const hi = Math.min(o.max ?? 0xffffffff, o.kind === 'addr' ? 1 << 20 : o.max ?? 0xffffffff);
    return aligned(r, lo, Math.max(lo, hi), align);
  };
  const values = new Map<string, number>();
  for (const o of op.operands) if (o.kind !== 'loc' && o.kind !== 'u64' && o.kind !== 'seg') values.set(o.name, small(o));
  let extent = values.get('size') ?? 8;
  if (op.mnemonic === 'pread' || op.mnemonic === 'pwrite') extent = values.get('count')!;
  if (op.mnemonic === 'ptupdate') {
    values.set('count', int(r, 1, 64));
    extent = values.get('count')! * PAGE_SIZE;
  }
  if (op.mnemonic === 'apmap' || op.mnemonic === 'apunmap') {
    const pages = APERTURES[0].size / PAGE_SIZE;
    values.set('count', int(r, 1, 64));
    values.set('page', int(r, 0, pages - 64));
  }
  for (const o of op.operands) {
    if (o.kind === 'loc') operands.push(location(r, o, extent));
    else if (o.kind === 'u64') operands.push(BigInt(int(r, 0, 0xffffffff)) * BigInt(int(r, 0, 0xffffffff)));
    else if (o.kind === 'seg') operands.push(APERTURES[0].id);
    else operands.push(values.get(o.name)!);
  }
  let flags = 0;
  for (const f of op.flags) if (r() < 0.5) flags |= 1 << f.bit;
  return { op, flags, operands };
}

/** A stream of `n` random valid instructions, and the offset of each. */
export function randomStream(r: () => number, n: number): { bytes: Uint8Array; offsets: number[] } {
  const parts = Array.from({ length: n }, () => encode(randomInstruction(r)));
  const bytes = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  const offsets: number[] = [];
  let at = 0;
  for (const p of parts) {
    offsets.push(at);
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, offsets };
}

/** Words random pgasm text is made of: mnemonics, directives, names, numbers, punctuation, odd characters. */
export const WORDS = [
  ...OPCODES.map((o) => o.mnemonic),
  '.equ', '.dmasize', '.segment', '.pages', '.align', '.u8', '.u16', '.u32', '.u64',
  'vram', 'local', 'gart', 'seg3', 'seg0', 'seg99999', 'phys', 'va', 'mdl', 'mdl(', 'irq', 'coherent', 'monitored',
  'start', 'pages', 'PAGE', '0x', '0x1_0', '4K', '1G', '99999999999999999999999', '-', '+', '*', '/', '%', '<<', '>>',
  '(', ')', ',', ':', ';', '~', '&', '|', '^', ' ', ' ', '\n', '\t', '\r\n', 'é', '😀', '"', '_', '.', '0', '1',
];

export function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[int(r, 0, xs.length - 1)];
}

/** Up to 40 random words and characters. */
export function randomText(r: () => number): string {
  const n = int(r, 0, 40);
  let s = '';
  for (let i = 0; i < n; i++) s += r() < 0.8 ? pick(r, WORDS) + (r() < 0.5 ? ' ' : '') : String.fromCharCode(int(r, 0, 0x7f));
  return s;
}

/** `text` with one to four random edits: deletions, insertions, replaced characters, a repeated line. */
export function mutate(r: () => number, text: string): string {
  let s = text;
  const edits = int(r, 1, 4);
  for (let e = 0; e < edits; e++) {
    const at = int(r, 0, s.length);
    switch (int(r, 0, 4)) {
      case 0:
        s = s.slice(0, at) + s.slice(at + int(r, 1, 6));
        break;
      case 1:
        s = s.slice(0, at) + pick(r, WORDS) + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + String.fromCharCode(int(r, 0, 0xffff)) + s.slice(at + 1);
        break;
      case 3: {
        const lines = s.split('\n');
        const i = int(r, 0, lines.length - 1);
        lines.splice(int(r, 0, lines.length), 0, lines[i]);
        s = lines.join('\n');
        break;
      }
      default:
        s = s.slice(0, at) + String(int(r, 0, 1 << 30)) + s.slice(at);
    }
  }
  return s;
}

/**
 * Random valid instructions written out by the disassembler, with a few labels, constants (used
 * before and after their definition, sometimes undefined or defined twice), padding and
 * declarations among them.
 */
export function validProgram(r: () => number): string {
  const { bytes } = randomStream(r, int(r, 1, 30));
  const body = disassemble(bytes, { addresses: r() < 0.5 }).text;
  const extra = ['.equ PAGE, 4K', 'start:', '.equ B, A + 1', '.equ A, end - start', 'end: nop', '.align 16', '.segment big, 9, memory, 1G', 'pages: .pages 0x1000, 0x2000'];
  const lines = body.split('\n');
  for (let k = int(r, 0, 4); k > 0; k--) lines.splice(int(r, 0, lines.length), 0, pick(r, extra));
  return lines.join('\n');
}
