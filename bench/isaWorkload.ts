// The isa benchmark's workload, bundled by isa.bench.ts so it runs as the shipped code does
// (esbuild bundle, not tsx's per-module CommonJS). Prints each figure next to its baseline.

import { assemble } from '../src/isa/assembler';
import { decodeInto, DecodedSlots } from '../src/isa/encoding';
import { OPCODES } from '../src/isa/opcodes';
import { IncrementalAssembly } from '../src/isa/incremental/assembly';
import { resultOf } from '../src/isa/incremental/result';
import { interleaved, row, type Timing } from './suite';

/** A generated program of `lines` lines: every opcode, labels, constants, expressions, comments. */
export function generateProgram(lines: number): string {
  const out: string[] = ['.dmasize 16M', '.equ PAGE, 4K', '.equ PATTERN, 0xDEADBEEF'];
  let i = 0;
  while (out.length < lines - 2) {
    const k = i++;
    switch (k % 16) {
      case 0: out.push(`block${k}: ; a block of paging work`); break;
      case 1: out.push(`    copy vram:0x${((k * 64) % 0x8000000).toString(16)}, mdl(pages)+${k % 4096}, 64`); break;
      case 2: out.push(`    copy local:${(k * 4) % 0x1000000}, vram:0x1000, 2 * PAGE ; move`); break;
      case 3: out.push(`    fill vram:${(k * 4) % 0x1000000}, PAGE, PATTERN`); break;
      case 4: out.push(`    discard local:0x${(k % 0x10000).toString(16)}000, 4K`); break;
      case 5: out.push(`    swizzle vram:0, mdl(pages)+0, 16K, 256`); break;
      case 6: out.push(`    unswizzle mdl(phys:0x200000)+0, vram:0, 16K, 256`); break;
      case 7: out.push(`    pread phys:0x100000 + ${k % 512} * 8, 8`); break;
      case 8: out.push(`    pwrite phys:0x100000, 4, 0x${(k * 2654435761 % 2 ** 32).toString(16)}`); break;
      case 9: out.push(`    apmap gart, ${k % 8000}, 4, mdl(pages)+0, coherent`); break;
      case 10: out.push(`    apunmap gart, ${k % 8000}, 4, 0x1000`); break;
      case 11: out.push(`    fence phys:0x2000, ${k}, monitored`); break;
      case 12: out.push(`    wait phys:0x2000, ${k - 1}`); break;
      case 13: out.push(`    ptupdate 0x${(0x100000 + (k % 1000) * 0x1000).toString(16)}, 16, vram:0x40000, readonly`); break;
      case 14: out.push(`    tlbflush 0, 0`); break;
      case 15: out.push(`    interrupt ${k} & 0xFF`); break;
    }
  }
  out.push('    fence phys:0, 1, irq', 'pages: .pages 0x100000, 0x101000, 0x102000, 0x103000');
  return out.join('\n');
}

function benchAssembler(): void {
  const text = generateProgram(100_000);
  const first = assemble(text);
  const errors = first.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`benchmark program does not assemble: ${errors[0].message}`);
  const lines = text.split('\n').length;
  const [baseline, bytesOnly, editor] = interleaved(9, [
    () => {
      // The floor any assembler pays: touching every line once.
      let n = 0;
      for (const l of text.split('\n')) n += l.length;
      if (n < 0) throw new Error('unreachable');
    },
    () => void assemble(text),
    () => {
      const r = assemble(text);
      if (r.statements.length !== lines || r.tokens.length === 0) throw new Error('editor data missing');
    },
  ]);
  const met = (t: Timing) => (t.wall < 150 ? 'met' : t.cpu < 150 ? 'met by CPU time' : 'NOT met');
  row(`assemble ${lines.toLocaleString('en-US')} lines (${(first.bytes.length / 1048576).toFixed(1)} MiB)`, `${bytesOnly.wall.toFixed(1)} ms`, `target < 150 ms: ${met(bytesOnly)}; CPU time ${bytesOnly.cpu.toFixed(1)} ms`);
  row('  ... and read statements + tokens (editor path)', `${editor.wall.toFixed(1)} ms`, `CPU time ${editor.cpu.toFixed(1)} ms`);
  row('  baseline: split the text into lines (interleaved)', `${baseline.wall.toFixed(1)} ms`, `assemble is ${(bytesOnly.wall / baseline.wall).toFixed(1)}x the baseline (CPU time: ${(bytesOnly.cpu / Math.max(baseline.cpu, 0.001)).toFixed(1)}x)`);
  row('  lines per second', `${((lines / bytesOnly.wall) * 1000 / 1e6).toFixed(2)} M/s`);
  benchIncremental(text, baseline);
}

/** A one-character edit in the middle of the same program, brought up to date by the incremental analysis. */
function benchIncremental(text: string, full: Timing): void {
  const engine = new IncrementalAssembly(text);
  const at = text.indexOf('    pwrite', text.length >> 1);
  // The pwrite's byte count, 4 <-> 8: a one-character change that keeps the program valid.
  const digit = text.indexOf(', 4,', at) + 2;
  let current = text;
  let eight = false;
  const edit = () => {
    const e = { start: digit, end: digit + 1, text: eight ? '4' : '8' };
    current = current.slice(0, e.start) + e.text + current.slice(e.end);
    eight = !eight;
    engine.update([e]);
    if (resultOf(engine).diagnostics.length) throw new Error('the edit made an error');
  };
  const line = text.lastIndexOf('\n', at) + 1;
  let added = false;
  const insertLine = () => {
    const e = added ? { start: line, end: line + 8, text: '' } : { start: line, end: line, text: '    nop\n' };
    current = current.slice(0, e.start) + e.text + current.slice(e.end);
    added = !added;
    engine.update([e]);
    void resultOf(engine).diagnostics;
  };
  const [one, lineEdit, assembleAll] = interleaved(20, [edit, insertLine, () => void assemble(current)]);
  row('incremental: one-character edit -> diagnostics (in-process)', `${one.wall.toFixed(2)} ms`, `CPU time ${one.cpu.toFixed(2)} ms; assembling the whole text (interleaved) ${assembleAll.wall.toFixed(1)} ms, ${(assembleAll.wall / one.wall).toFixed(0)}x`);
  row('incremental: insert or delete a line (moves every label below)', `${lineEdit.wall.toFixed(2)} ms`, `CPU time ${lineEdit.cpu.toFixed(2)} ms`);
  if (full.wall < 0) console.log(full);
}

function benchDecoder(): void {
  // A mix of every opcode, tiled to 64 MiB.
  const pattern = assemble(
    OPCODES.map((o) => o.example.replace('mdl(pages)', 'mdl(phys:0x8000)')).join('\n') +
      '\ncopy vram:0, local:0, 4K\nfill vram:0, 4K, 0\nfence phys:0, 1, irq\nnop\nnop',
  );
  if (pattern.diagnostics.length) throw new Error(pattern.diagnostics[0].message);
  const size = 64 * 1048576;
  const bytes = new Uint8Array(size - (size % pattern.bytes.length));
  for (let at = 0; at < bytes.length; at += pattern.bytes.length) bytes.set(pattern.bytes, at);
  const view = new DataView(bytes.buffer);
  const words = new Uint32Array(bytes.buffer);
  const out = new DecodedSlots();
  let count = 0;
  let sink = 0;
  const [decode, scan] = interleaved(5, [
    () => {
      count = 0;
      for (let at = 0; at < bytes.length; ) {
        const n = decodeInto(bytes, view, at, bytes.length, out);
        if (n <= 0) throw new Error(`invalid instruction at ${at}`);
        at += n;
        count++;
      }
    },
    () => {
      let s = 0;
      for (let i = 0; i < words.length; i++) s = (s + words[i]) | 0;
      sink ^= s;
    },
  ]);
  const perSecond = count / (decode.wall / 1000);
  row(`decodeInto ${(bytes.length / 1048576).toFixed(0)} MiB (${(count / 1e6).toFixed(2)} M instructions)`, `${decode.wall.toFixed(1)} ms`, `CPU time ${decode.cpu.toFixed(1)} ms`);
  row('  instructions per second', `${(perSecond / 1e6).toFixed(1)} M/s`, `target >= 50 M/s; by CPU time ${(count / decode.cpu / 1000).toFixed(1)} M/s`);
  row('  baseline: Uint32Array scan of the same bytes (interleaved)', `${scan.wall.toFixed(1)} ms`, `decode is ${(decode.wall / scan.wall).toFixed(2)}x the scan (CPU time: ${scan.cpu.toFixed(1)} ms, ${(decode.cpu / scan.cpu).toFixed(2)}x)`);
  // The scan's sum is used, so the scan cannot be optimised away.
  if (sink === 0.5) console.log(sink);
}

export function runIsaBenchmarks(): void {
  benchAssembler();
  benchDecoder();
}
