// `npx tsx bench/isaAb.ts [--ref REF] [--inputs N] [--runs N] [--no-compare] [--normalize]`: the assembler of the
// working tree against the one of git revision REF (default main), for changes that must not change
// what it produces. Both are bundled with esbuild (as they ship) and loaded side by side:
//   1. every generated input (random and mutated text, valid programs, the samples, the benchmark
//      program) must give the same bytes, diagnostics, symbols, statements, tokens, line map and
//      segments from both; the first differences are printed with their input;
//   2. the 100,000-line benchmark program is assembled by A and B in turns (A, B, A, B...), so both
//      see the same machine load, and each side's CPU time per run is printed with the ratio.

import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AssembleResult, Range } from '../src/isa/asmTypes';
import { mutate, pick, randomText, rng, validProgram } from '../test/isa/generate';
import { generateProgram } from './isaWorkload';
import { median } from './suite';

type Assemble = (text: string, options?: { maxDiagnostics?: number }) => AssembleResult;

const ROOT = join(__dirname, '..');

async function bundleAssembler(entry: string, outfile: string): Promise<Assemble> {
  await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile, logLevel: 'error' });
  return (require(outfile) as { assemble: Assemble }).assemble;
}

/** The src/isa folder of revision `ref`, written under `dir`; returns the assembler's path there. */
function checkout(ref: string, dir: string): string {
  const files = execFileSync('git', ['ls-tree', '-r', '--name-only', ref, 'src/isa'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const f of files) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), execFileSync('git', ['show', `${ref}:${f}`], { cwd: ROOT, maxBuffer: 1 << 28 }));
  }
  return join(dir, 'src', 'isa', 'assembler.ts');
}

const byPosition = (a: Range, b: Range) => a.start.line - b.start.line || a.start.character - b.start.character;

/**
 * Everything a result holds, as one comparable string per part. `normalize` lists diagnostics at
 * the same position in code and message order and references in text order, as the assembler does
 * since it lists them independently of the order it finds them in.
 */
function snapshot(r: AssembleResult, normalize: boolean): Record<string, string> {
  const symbols = [...r.symbols.values()].map((s) => ({
    name: s.name,
    kind: s.kind,
    value: String(s.value),
    definition: s.definition,
    references: normalize ? [...s.references].sort(byPosition) : s.references,
    builtin: !!s.builtin,
  }));
  const diagnostics = normalize
    ? [...r.diagnostics].sort((a, b) => byPosition(a.range, b.range) || a.range.end.character - b.range.end.character || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0))
    : r.diagnostics;
  return {
    bytes: Buffer.from(r.bytes).toString('hex'),
    diagnostics: JSON.stringify(diagnostics),
    symbols: JSON.stringify(symbols),
    statements: JSON.stringify(r.statements),
    tokens: JSON.stringify(r.tokens),
    lines: JSON.stringify(r.lines),
    segments: JSON.stringify(r.segments) + String(r.dmaSize),
  };
}

/** `count` inputs, seeded: random text, mutated and valid programs, samples and their mutations. */
export function generatedInputs(count: number, seed = 1): string[] {
  const r = rng(seed);
  const samplesDir = join(ROOT, 'samples', 'pgasm');
  const samples = readdirSync(samplesDir).filter((f) => f.endsWith('.pgasm')).map((f) => readFileSync(join(samplesDir, f), 'utf8'));
  const out = [...samples, generateProgram(3000)];
  while (out.length < count) {
    const k = out.length % 4;
    if (k === 0) out.push(randomText(r));
    else if (k === 1) out.push(mutate(r, pick(r, samples)));
    else if (k === 2) out.push(validProgram(r));
    else out.push(mutate(r, validProgram(r)));
  }
  return out;
}

function cpuMs(fn: () => void): number {
  const c = process.cpuUsage();
  fn();
  const u = process.cpuUsage(c);
  return (u.user + u.system) / 1000;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ref: { type: 'string', default: 'main' },
      inputs: { type: 'string', default: '20000' },
      runs: { type: 'string', default: '20' },
      'no-compare': { type: 'boolean', default: false },
      normalize: { type: 'boolean', default: false },
    },
  });
  console.log(`machine load (1-minute average) at start: ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
  const dir = mkdtempSync(join(tmpdir(), 'paging-lab-isa-ab-'));
  try {
    const a = await bundleAssembler(checkout(values.ref!, join(dir, 'ref')), join(dir, 'a.js'));
    const b = await bundleAssembler(join(ROOT, 'src', 'isa', 'assembler.ts'), join(dir, 'b.js'));
    if (!values['no-compare']) {
      const inputs = generatedInputs(Number(values.inputs));
      let differing = 0;
      for (const text of inputs) {
        // With --normalize a diagnostics limit is left out: which diagnostics come before the cut
        // depends on the order, which is what normalizing ignores.
        for (const options of values.normalize ? [undefined] : [undefined, { maxDiagnostics: 3 }]) {
          const x = snapshot(a(text, options), values.normalize!);
          const y = snapshot(b(text, options), values.normalize!);
          const parts = Object.keys(x).filter((k) => x[k] !== y[k]);
          if (!parts.length) continue;
          if (++differing <= 3) {
            console.log(`\nDIFFERENT (${parts.join(', ')}) for ${JSON.stringify(text).slice(0, 400)}`);
            for (const p of parts) console.log(`  ${values.ref}: ${x[p].slice(0, 600)}\n  tree: ${y[p].slice(0, 600)}`);
          }
        }
      }
      console.log(`compared ${inputs.length} inputs (${values.normalize ? 'normalized' : 'each with and without a diagnostics limit'}): ${differing} differ`);
      if (differing) process.exitCode = 1;
    }
    const program = generateProgram(100_000);
    const runs = Number(values.runs);
    const ta: number[] = [];
    const tb: number[] = [];
    a(program);
    b(program);
    for (let i = 0; i < runs; i++) {
      ta.push(cpuMs(() => a(program)));
      tb.push(cpuMs(() => b(program)));
    }
    console.log(`assemble 100,000 lines, CPU time per run over ${runs} interleaved runs each (min / median):`);
    console.log(`  ${values.ref}: ${Math.min(...ta).toFixed(1)} / ${median(ta).toFixed(1)} ms`);
    console.log(`  tree: ${Math.min(...tb).toFixed(1)} / ${median(tb).toFixed(1)} ms   (tree/${values.ref}: ${(median(tb) / median(ta)).toFixed(3)} by median, ${(Math.min(...tb) / Math.min(...ta)).toFixed(3)} by min)`);
    console.log(`machine load (1-minute average) at end: ${loadavg()[0].toFixed(1)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
