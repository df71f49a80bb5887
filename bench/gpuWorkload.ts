// The simulated GPU's measurements, run from an esbuild bundle by gpu.bench.ts: engine copies and
// fills of 64 MiB against the typed-array primitives they are built on, baseline and engine runs
// alternating so a busy machine slows both alike (wall and CPU time of each); copies page to page,
// which share written pages with the source, and copies that move every byte. Also small
// instructions per second, and the resident memory of a 16 GiB adapter with 64 MiB touched (in
// child processes). Targets are judged on the ratio of the alternated runs.

import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { decodeInto, DecodedSlots, encode } from '../src/isa/encoding';
import { Location, LocationSpace, OPCODE_BY_MNEMONIC, PageListBase } from '../src/isa/opcodes';
import { createGpu, defaultGpuConfig, Gpu } from '../src/sim/hw';
import { row } from './suite';

const MiB = 1024 * 1024;
const SIZE = 64 * MiB;

const seg = (id: number, address: number): Location => ({ space: LocationSpace.Segment, sub: id, aux: 0, address });
const phys = (address: number): Location => ({ space: LocationSpace.Physical, sub: 0, aux: 0, address });
function ins(m: string, operands: (number | bigint | Location)[], flags = 0): Uint8Array {
  return encode({ op: OPCODE_BY_MNEMONIC.get(m)!, flags, operands });
}

/** A reusable program: each call submits it again and runs the engine dry. */
function program(gpu: Gpu, bytes: Uint8Array, length = bytes.length): () => void {
  const cb = gpu.allocateCommonBuffer(bytes.length)!;
  cb.bytes.set(bytes);
  let id = 1;
  return () => {
    gpu.submit(0, { physical: cb.physical, length, submissionId: id++ });
    gpu.runUntilIdle();
    if (gpu.engineView(0).state === 'faulted') throw new Error(gpu.engineView(0).fault!.message);
  };
}

/** Wall and CPU time of the runs of one side of `paired`, ms. */
interface Timings {
  wall: number[];
  cpu: number[];
}

/** Alternating timings of a baseline and the measured work (A, B, A, B...), after one warm-up call of each. */
function paired(runs: number, a: () => void, b: () => void): [Timings, Timings] {
  a();
  b();
  const ta: Timings = { wall: [], cpu: [] };
  const tb: Timings = { wall: [], cpu: [] };
  const time = (f: () => void, t: Timings): void => {
    const c = process.cpuUsage();
    const s = process.hrtime.bigint();
    f();
    t.wall.push(Number(process.hrtime.bigint() - s) / 1e6);
    const u = process.cpuUsage(c);
    t.cpu.push((u.user + u.system) / 1000);
  };
  for (let i = 0; i < runs; i++) {
    time(a, ta);
    time(b, tb);
  }
  return [ta, tb];
}

const median = (t: number[]): number => [...t].sort((x, y) => x - y)[t.length >> 1];
const best = (t: number[]): number => Math.min(...t);

/** Median wall time and median CPU time. */
function fig(t: Timings): string {
  return `${median(t.wall).toFixed(2)} ms (CPU ${median(t.cpu).toFixed(2)})`;
}

/** The engine's speed against the baseline: the ratio of medians of the alternated runs, and of the fastest runs. */
function versus(base: Timings, t: Timings, target: string): string {
  const r = median(base.wall) / median(t.wall);
  const rb = best(base.wall) / best(t.wall);
  return `ratio ${r.toFixed(2)}, fastest runs ${rb.toFixed(2)}${target ? ` (target >= ${target})` : ''}`;
}

/** A program copying `size` bytes from an MDL of `pages` (its page list after the instruction, in the same common buffer) to `dst`. */
function mdlCopy(gpu: Gpu, dst: Location, pages: number[], size: number): () => void {
  const copy = ins('copy', [dst, { space: LocationSpace.Mdl, sub: PageListBase.DmaBuffer, aux: 0, address: 64 }, size]);
  const list = new Uint8Array(8 + pages.length * 8);
  const v = new DataView(list.buffer);
  v.setUint32(0, pages.length, true);
  pages.forEach((p, i) => v.setUint32(8 + i * 8, p, true));
  const bytes = new Uint8Array(64 + list.length);
  bytes.set(copy);
  for (let o = copy.length; o < 64; o += 4) bytes.set(ins('nop', []), o);
  bytes.set(list, 64);
  // Only the instructions are executed; the page list sits after them.
  return program(gpu, bytes, 64);
}

/** Each call runs the next of `programs` in turn. */
function alternate(programs: (() => void)[]): () => void {
  let k = 0;
  return () => programs[k++ % programs.length]();
}

function copies(): void {
  const gpu = createGpu(defaultGpuConfig({ commonBufferBudget: 64 * MiB }));
  const src = Buffer.alloc(SIZE, 1);
  const dst = Buffer.alloc(SIZE, 2);
  gpu.writeSegment(1, 0, src);
  gpu.writeSegment(1, SIZE, src);
  // Page to page, written content is shared with the source (copied on write): each run copies from
  // the other of two sources, so that every page of the destination changes hands every run.
  const shared = alternate([program(gpu, ins('copy', [seg(2, 0), seg(1, 0), SIZE])), program(gpu, ins('copy', [seg(2, 0), seg(1, SIZE), SIZE]))]);
  const [base, t1] = paired(15, () => src.copy(dst), shared);
  row('Buffer.copy 64 MiB (baseline)', fig(base));
  row('engine copy vram -> local 64 MiB, page to page (pages shared)', fig(t1), versus(base, t1, ''));
  // 64 bytes off a page boundary no page can be shared: every byte moves.
  const [baseB, t1b] = paired(15, () => src.copy(dst), program(gpu, ins('copy', [seg(2, 2 * SIZE + 64), seg(1, 0), SIZE])));
  row('Buffer.copy 64 MiB (baseline, again)', fig(baseB));
  row('engine copy vram -> local 64 MiB, 64 bytes off (bytes moved)', fig(t1b), versus(baseB, t1b, '0.8'));

  // MDL -> segment: 16384 scattered system pages.
  const lists = [gpu.allocatePages(SIZE / 4096), gpu.allocatePages(SIZE / 4096)];
  for (const pages of lists) for (const page of pages) gpu.writePhysical(page, src.subarray(0, 4096));
  const [base2, t2] = paired(15, () => src.copy(dst), alternate(lists.map((pages) => mdlCopy(gpu, seg(1, 2 * SIZE), pages, SIZE))));
  row('Buffer.copy 64 MiB (baseline, again)', fig(base2));
  row('engine copy MDL -> vram 64 MiB (16384 pages shared)', fig(t2), versus(base2, t2, ''));
  const [base2b, t2b] = paired(15, () => src.copy(dst), mdlCopy(gpu, seg(2, SIZE + 64), lists[0], SIZE));
  row('Buffer.copy 64 MiB (baseline, again)', fig(base2b));
  row('engine copy MDL -> vram 64 MiB (16384 pages, 64 bytes off: bytes moved)', fig(t2b), versus(base2b, t2b, '0.8'));

  // Content that was only filled: the copy is a fill of the destination, no bytes move.
  const filled = createGpu(defaultGpuConfig({ commonBufferBudget: 64 * MiB }));
  program(filled, ins('fill', [seg(1, 0), SIZE, 0x5a5a1234]))();
  const [base3, t3] = paired(15, () => src.copy(dst), program(filled, ins('copy', [seg(2, 4096), seg(1, 0), SIZE])));
  row('engine copy vram -> local 64 MiB of filled content', fig(t3), versus(base3, t3, ''));
}

function fills(): void {
  const gpu = createGpu(defaultGpuConfig());
  const a = new Uint32Array(SIZE / 4);
  const [base, t] = paired(15, () => a.fill(0xdeadbeef), program(gpu, ins('fill', [seg(1, 0), SIZE, 0xdeadbeef])));
  row('Uint32Array.fill 64 MiB (baseline)', fig(base));
  row('engine fill vram 64 MiB (whole pages: no bytes)', fig(t), versus(base, t, '0.7'));

  // Fills of half pages into memory with bytes: every byte written, one instruction per 2 KiB.
  const pieces = 2048;
  const n = 8192;
  const mem = createGpu(defaultGpuConfig({ commonBufferBudget: 64 * MiB }));
  mem.writeSegment(1, 0, new Uint8Array(n * 4096).fill(3));
  const prog: Uint8Array[] = [];
  for (let i = 0; i < n; i++) prog.push(ins('fill', [seg(1, i * 4096 + 1024), pieces, 0x600d + i]));
  const body = new Uint8Array(prog.reduce((s, p) => s + p.length, 0));
  prog.reduce((o, p) => (body.set(p, o), o + p.length), 0);
  const w = new Uint32Array((n * 4096) / 4);
  const [base2, t2] = paired(
    15,
    () => {
      for (let i = 0; i < n; i++) w.fill(0x600d + i, i * 1024 + 256, i * 1024 + 256 + pieces / 4);
    },
    program(mem, body),
  );
  row(`Uint32Array.fill of ${n} pieces of 2 KiB (baseline)`, fig(base2));
  row(`engine fill, ${n} instructions of 2 KiB (bytes)`, fig(t2), versus(base2, t2, ''));
}

function smallInstructions(): void {
  const gpu = createGpu(defaultGpuConfig({ commonBufferBudget: 64 * MiB }));
  const fence = ins('fence', [phys(0), 1n]);
  const nop = ins('nop', []);
  const pwrite = ins('pwrite', [phys(0x2000), 4, 0x12345678n]);
  const group = [fence, nop, pwrite];
  const per = fence.length + nop.length + pwrite.length;
  const groups = Math.floor((4 * MiB) / per);
  const bytes = new Uint8Array(groups * per);
  for (let g = 0, o = 0; g < groups; g++) {
    for (const i of group) {
      bytes.set(i, o);
      o += i.length;
    }
  }
  const count = groups * 3;
  // Baseline: the allocation-free decoder alone over the same bytes (the floor for the engine).
  const dv = new DataView(bytes.buffer);
  const slots = new DecodedSlots();
  const [tDecode, t] = paired(
    7,
    () => {
      for (let o = 0; o < bytes.length; ) o += decodeInto(bytes, dv, o, bytes.length, slots);
    },
    program(gpu, bytes),
  );
  const rate = (ms: number): string => `${(count / (ms / 1000) / 1e6).toFixed(1)} M/s`;
  row(`decodeInto alone, same ${count} instructions (baseline)`, `${rate(median(tDecode.wall))} (CPU ${rate(median(tDecode.cpu))})`);
  row(
    `engine fence/nop/pwrite x${count}`,
    `${rate(median(t.wall))} (CPU ${rate(median(t.cpu))})`,
    `${((median(t.wall) * 1e6) / count).toFixed(1)} ns each, ratio ${(median(tDecode.wall) / median(t.wall)).toFixed(2)} of decode, fastest run ${rate(best(t.wall))} (target >= 20 M/s)`,
  );
}

function residentMemory(probe: string): void {
  const run = (args: string[]): number =>
    JSON.parse(execFileSync(process.execPath, ['--expose-gc', probe, ...args], { encoding: 'utf8' })).rss;
  const base = run(['--baseline']);
  const rss = run([]);
  row('RSS of an empty probe process (baseline)', `${(base / MiB).toFixed(0)} MB`);
  row('RSS, 16 GiB VRAM with 64 MiB touched', `${(rss / MiB).toFixed(0)} MB`, `+${((rss - base) / MiB).toFixed(0)} MB over baseline (target < 300 MB)`);
}

export function runGpuBenchmarks(probe: string): void {
  const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`  medians of alternated runs, wall time (CPU time); machine load at start ${load()}`);
  copies();
  fills();
  smallInstructions();
  residentMemory(probe);
  console.log(`  machine load at end ${load()}`);
}
