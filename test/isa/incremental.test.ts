// The incremental analysis gives what assembling the whole text gives: thousands of seeded random
// edits (characters, pieces of statements, whole lines, several edits at once, the whole text
// replaced) to real and generated programs, and after each one the bytes, diagnostics, symbols
// (with their references), tokens, statements, line map and segments compared with a fresh
// assembly of the same text. A failure prints the seed, the step and the text to replay.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../src/isa/assembler';
import type { AssembleOptions, AssembleResult } from '../../src/isa/asmTypes';
import { IncrementalAssembly, TextEdit } from '../../src/isa/incremental/assembly';
import { resultOf } from '../../src/isa/incremental/result';
import { DEFAULT_SEGMENTS } from '../../src/isa/profile';
import { generateProgram } from '../../bench/isaWorkload';
import { int, pick, rng, validProgram } from './generate';

/** Everything a result says, one string per part. */
export function snapshot(r: AssembleResult): Record<string, string> {
  const symbols = [...r.symbols.values()].map((s) => ({ name: s.name, kind: s.kind, value: String(s.value), definition: s.definition, references: s.references, builtin: !!s.builtin }));
  return {
    bytes: Buffer.from(r.bytes).toString('hex'),
    diagnostics: JSON.stringify(r.diagnostics),
    symbols: JSON.stringify(symbols),
    tokens: JSON.stringify(r.tokens),
    statements: JSON.stringify(r.statements),
    lines: JSON.stringify(r.lines),
    segments: JSON.stringify(r.segments) + String(r.dmaSize),
  };
}

const PIECES = [
  'nop', 'copy', 'fill', 'fence', 'apmap', 'apunmap', 'pwrite', 'ptupdate', '.equ', '.pages', '.segment', '.align', '.zero', '.u32', '.u8', '.dmasize',
  'vram:', 'local:', 'gart', 'big', 'seg3:', 'phys:', 'va:', 'mdl(', 'mdl(pages)+0', ')', '+', '-', '*', '/', '<<', '(', ',', ', ', ':', ';',
  '0x', '0x1000', '4K', '64', '1G', '16', '3', '0', 'start', 'start:', 'pages', 'pages:', 'SIZE', 'A', 'B', 'X', 'end', 'end:', 'irq', 'coherent',
  'memory', 'aperture', 'cpuvisible', ' ', '\t', '\n', '\n', '\r\n', 'x', '_', '.',
];

const LINES = [
  '.equ SIZE, 4K', '.equ A, B + 1', '.equ B, end - start', '.equ X, 1 / 0', '.equ C, C', 'start: nop', 'end: nop', 'start:', 'pages: .pages 0x1000, 0x2000',
  '    copy vram:0x1000, mdl(pages)+0, SIZE', '    fill local:0, SIZE, 0xDEADBEEF', '    fence phys:0, 1, irq', '.align 16', '.align A', '.zero 8', '.zero SIZE',
  '.segment big, 9, memory, 1G', '.segment vram, 1, memory, 1M', '.segment fast, 2, memory, 2M', '.segment gart, 3, aperture, 4M', '.dmasize 1K', '.dmasize 64K',
  '    apmap gart, 0, 2, mdl(pages)+0', '    apmap 3, 0, 1, mdl(phys:0)+0', '    .u32 end - start, SIZE', '    copy big:0, vram:0, 64', '    pread phys:0, 9', '',
  '; a comment', 'x: .equ x, 1', '    interrupt UNDEFINED', '    fill vrm:0, 4, 0', '    copy start:0, vram:0, 4', 'mdl: nop', '.equ seg2, 1',
];

function randomEdit(r: () => number, text: string): TextEdit {
  const k = r();
  const at = int(r, 0, text.length);
  if (k < 0.3) return { start: at, end: at, text: Array.from({ length: int(r, 1, 3) }, () => pick(r, PIECES)).join('') };
  if (k < 0.5) return { start: at, end: Math.min(text.length, at + int(r, 1, 12)), text: '' };
  if (k < 0.65) return { start: at, end: Math.min(text.length, at + int(r, 1, 8)), text: pick(r, PIECES) };
  // Whole lines: insert, delete or replace one.
  const lineStart = at === 0 ? 0 : text.lastIndexOf('\n', at - 1) + 1;
  const next = text.indexOf('\n', at);
  const lineEnd = next < 0 ? text.length : next;
  if (k < 0.8) return { start: lineStart, end: lineStart, text: pick(r, LINES) + '\n' };
  if (k < 0.9) return { start: lineStart, end: Math.min(text.length, lineEnd + 1), text: '' };
  return { start: lineStart, end: lineEnd, text: pick(r, LINES) };
}

function apply(text: string, e: TextEdit): string {
  return text.slice(0, e.start) + e.text + text.slice(e.end);
}

function check(a: IncrementalAssembly, text: string, options: AssembleOptions, label: string): void {
  assert.equal(a.text, text, `${label}: the analysis's copy of the text`);
  const x = snapshot(resultOf(a));
  const y = snapshot(assemble(text, options));
  for (const part of Object.keys(y)) {
    if (x[part] !== y[part]) {
      let at = 0;
      while (x[part][at] === y[part][at]) at++;
      const from = Math.max(0, at - 300);
      assert.fail(`${label}: ${part} differ at ${at}\n--- text ---\n${text.slice(0, 3000)}\n--- incremental ---\n${x[part].slice(from, at + 600)}\n--- assembler ---\n${y[part].slice(from, at + 600)}`);
    }
  }
}

const SAMPLES_DIR = join(__dirname, '..', '..', 'samples', 'pgasm');
const SAMPLES = readdirSync(SAMPLES_DIR).filter((f) => f.endsWith('.pgasm')).map((f) => readFileSync(join(SAMPLES_DIR, f), 'utf8'));

describe('isa: incremental assembly', function () {
  this.timeout(600_000);
  const EDITS = Number(process.env.PGASM_INCREMENTAL_EDITS ?? 4000);
  /** Added to each seed, to try other sequences of edits. */
  const SHIFT = Number(process.env.PGASM_INCREMENTAL_SEED ?? 0);

  it('gives what a full assembly gives, for the samples and generated programs', () => {
    for (const text of [...SAMPLES, generateProgram(400), '', '\n', 'nop', validProgram(rng(5))]) {
      check(new IncrementalAssembly(text), text, {}, 'fresh');
    }
  });

  for (const [seed, name, options] of [
    [11, 'a sample and a generated program', {}],
    [12, 'programs with constants, padding and declarations', { segments: [...DEFAULT_SEGMENTS], maxDiagnostics: 1000 }],
    [13, 'a small program, with a diagnostics limit', { maxDiagnostics: 5 }],
  ] as [number, string, AssembleOptions][]) {
    it(`after each of ${EDITS} seeded edits (seed ${seed + SHIFT}): ${name}`, () => {
      const r = rng(seed + SHIFT);
      let text = seed === 11 ? SAMPLES.join('\n') + generateProgram(300) : seed === 12 ? Array.from({ length: 30 }, () => pick(r, LINES)).join('\n') + '\n' + validProgram(r) : 'start: nop\n';
      const a = new IncrementalAssembly(text, options);
      let before = text;
      for (let step = 0; step < EDITS / 3; step++) {
        const edits: TextEdit[] = [];
        const n = r() < 0.1 ? int(r, 2, 3) : 1;
        for (let k = 0; k < n; k++) {
          const e = r() < 0.01 ? { start: 0, end: text.length, text: pick(r, [...SAMPLES, validProgram(r), '']) } : randomEdit(r, text);
          edits.push(e);
          text = apply(text, e);
        }
        const previous = before;
        before = text;
        a.update(edits);
        check(a, text, options, `seed ${seed + SHIFT} step ${step} (edits ${JSON.stringify(edits)} to ${JSON.stringify(previous).slice(0, 2000)})`);
      }
    });
  }
});
