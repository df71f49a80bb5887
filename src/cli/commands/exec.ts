// `paging-lab exec FILE.pgasm [--trace]`: assembles a paging program, loads it into a common buffer
// of a default adapter and runs it on paging engine 0, printing each executed instruction with its
// source line, the ranges it wrote and the fences it signalled. `--trace` prints every hardware
// event with its virtual time instead. Exit status: 0 when the program ran to its end, 1 for
// assembly or file errors (printed as `file:line:col: error CODE: message`), 2 for usage errors,
// 3 when the engine faulted or stalled on a wait nothing can satisfy.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { AssembleResult } from '../../isa/asmTypes';
import { assemble } from '../../isa/assembler';
import { disassembleOne, effectiveSegments, NameContext } from '../../isa/disassembler';
import {
  createGpu,
  DEBUG_SEGMENT_STRIDE,
  defaultGpuConfig,
  formatEvent,
  GpuConfig,
  HwEvent,
  loadProgram,
} from '../../sim/hw';
import type { Command } from '../command';
import { parseOptions, UsageError, type OptionSpecs } from '../options';
import { formatDiagnostic } from './asm';
import { hex, UPPER } from '../../isa/hex';

const USAGE = 'usage: paging-lab exec FILE.pgasm [--trace]';
const OPTIONS = { trace: { type: 'boolean' } } as const satisfies OptionSpecs;
/** The adapter a program runs on: the default one, with the program's own `.segment` declarations. */
export function configFor(asm: AssembleResult): GpuConfig {
  const config = defaultGpuConfig();
  if (asm.segments.length) {
    config.segments = asm.segments.map((s) => ({ id: s.id, name: s.name, kind: s.kind, size: s.size, cpuVisible: s.cpuVisible }));
    config.vramBytes = Math.max(4096, asm.segments.filter((s) => s.kind === 'memory').reduce((a, s) => a + s.size, 0));
  }
  return config;
}

export const execCommand: Command = {
  name: 'exec',
  synopsis: 'exec FILE.pgasm [--trace]',
  summary: 'Run a paging program on the simulated GPU and print what each instruction did.',
  async run(args: string[]): Promise<number> {
    let input: string | undefined;
    let trace = false;
    try {
      const { values, positionals } = parseOptions(args, OPTIONS, { max: 1, noun: 'program' });
      if (values.help) {
        process.stdout.write(USAGE + '\n');
        return 0;
      }
      [input] = positionals;
      trace = values.trace === true;
      if (input === undefined) throw new UsageError('no program given');
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      process.stderr.write(`paging-lab exec: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    let text: string;
    try {
      text = readFileSync(input, 'utf8');
    } catch (e) {
      process.stderr.write(`paging-lab exec: cannot read ${input}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
      return 1;
    }
    const asm = assemble(text);
    let errors = 0;
    for (const d of asm.diagnostics) {
      if (d.severity === 'error') errors++;
      process.stderr.write(formatDiagnostic(input, d) + '\n');
    }
    if (errors) {
      process.stderr.write(`paging-lab exec: ${errors} assembly error${errors === 1 ? '' : 's'}; nothing run\n`);
      return 1;
    }
    return execute(input, asm, trace);
  },
};

function execute(file: string, asm: AssembleResult, trace: boolean): number {
  const out = (s: string): boolean => process.stdout.write(s + '\n');
  const gpu = createGpu(configFor(asm));
  const { buffer, submission } = loadProgram(gpu, asm);
  const name = basename(file);
  const lineAt = new Map<number, number>();
  for (const l of asm.lines) if (l.instruction) lineAt.set(l.offset, l.line + 1);
  const labels = new Map<number, string>();
  for (const sym of asm.symbols.values()) if (sym.kind === 'label' && !labels.has(Number(sym.value))) labels.set(Number(sym.value), sym.name);
  // Instructions are printed as the disassembler writes them, with the program's own label names.
  const names: NameContext = { segments: effectiveSegments(asm.segments), labels };
  const segName = (id: number): string | undefined => gpu.segments.find((s) => s.id === id)?.name;
  const at = (debugAddress: number): string => {
    if (debugAddress < gpu.config.systemMemoryBytes) return `phys:${hex(debugAddress, UPPER)}`;
    const id = Math.floor(debugAddress / DEBUG_SEGMENT_STRIDE);
    return `${segName(id) ?? `seg${id}`}:${hex(debugAddress - id * DEBUG_SEGMENT_STRIDE, UPPER)}`;
  };
  const where = (debugAddress: number, length: number): string => `${at(debugAddress)}+${hex(length, UPPER)}`;
  const count = asm.lines.filter((l) => l.instruction).length;
  out(`${name}: ${count} instruction${count === 1 ? '' : 's'}, ${submission.length} bytes in a DMA buffer at phys:${hex(buffer.physical, UPPER)}`);

  gpu.onEvent((ev: HwEvent) => {
    if (trace) {
      out(formatEvent(ev));
      return;
    }
    switch (ev.kind) {
      case 'instruction': {
        const text = disassembleOne(buffer.bytes, ev.offset, submission.length, names).text;
        const line = lineAt.get(ev.offset);
        const label = labels.get(ev.offset);
        if (label) out(`${label}:`);
        out(`  +${hex(ev.offset, UPPER).padEnd(8)}${text.padEnd(56)} ${line ? `${name}:${line}` : ''}`);
        break;
      }
      case 'write':
        out(`      wrote ${where(ev.debugAddress, ev.length)}`);
        break;
      case 'fence':
        out(ev.monitored ? `      monitored fence ${at(ev.address ?? 0)} = ${ev.value}` : `      paging fence = ${ev.value}`);
        break;
      case 'interrupt':
        out(`      interrupt ${ev.reason}${ev.reason === 'instruction' ? ` code ${ev.code}` : ''}`);
        break;
      case 'dummy-page-access':
        out(`      ${ev.write ? 'wrote' : 'read'} the dummy page through ${segName(ev.segment) ?? ev.segment} page ${ev.page}`);
        break;
      default:
        break;
    }
  });

  const executed = gpu.runUntilIdle();
  const view = gpu.engineView(0);
  if (view.state === 'faulted' && view.fault) {
    const f = view.fault;
    const line = lineAt.get(f.offset);
    process.stderr.write(
      `${line ? `${file}:${line}: ` : ''}fault ${f.cause} at phys:${hex(f.address, UPPER)} (+${hex(f.offset, UPPER)}) after ${executed} instruction${executed === 1 ? '' : 's'}, t=${f.time} ns\n` +
        `  instruction: ${f.instruction}\n  ${f.message}\n`,
    );
    return 3;
  }
  if (view.state === 'waiting') {
    const line = lineAt.get(view.pc);
    process.stderr.write(
      `${line ? `${file}:${line}: ` : ''}the engine is stalled on a wait at +${hex(view.pc, UPPER)} that nothing can satisfy (${executed} instructions ran)\n`,
    );
    return 3;
  }
  out(`done: ${executed} instruction${executed === 1 ? '' : 's'} in ${gpu.now} ns; paging fence = ${view.pagingFence}`);
  return 0;
}
