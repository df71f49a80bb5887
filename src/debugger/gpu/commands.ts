// The GPU's debug-console commands, the same in every debug target: `!segments`, `!gart`,
// `!fences`, `!pgasm`, `!db` and `!regs`, all read through the GPU view. A target adds its own
// (`!alloc`, `!pagingqueue`) and picks the order.

import { debugAddressOfSegment } from '../../sim/hw';
import { ConsoleCommand, numberArg } from '../console';
import { ExpressionError } from '../expression';
import { formatAddress } from '../memoryReference';
import type { GpuView } from './view';
import { hex } from '../../isa/hex';

export interface GpuCommands {
  segments: ConsoleCommand;
  gart: ConsoleCommand;
  fences: ConsoleCommand;
  pgasm: ConsoleCommand;
  db: ConsoleCommand;
  regs: ConsoleCommand;
}

/** What the kernel knows of a segment's use (driver targets); a program alone has no allocations. */
export type SegmentUsage = (segmentId: number) => { used: number; resident: number } | undefined;

/** A hex dump, 16 bytes a row, with an ASCII column. */
export function hexDump(address: number, bytes: Uint8Array): string {
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.subarray(i, i + 16);
    const hexes = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
    rows.push(`${(address + i).toString(16).padStart(12, '0')}  ${hexes.padEnd(47)}  ${ascii}`);
  }
  return rows.join('\n');
}

export function gpuCommands(view: GpuView, usage?: SegmentUsage): GpuCommands {
  const gpu = view.hw;
  const engineArg = (argv: string[]): number[] => {
    if (argv[0] === undefined) return Array.from({ length: view.engines }, (_, i) => i);
    const e = numberArg(argv, 0, 'ENGINE');
    if (e >= view.engines) throw new ExpressionError(`there is no engine ${e}; engines: 0..${view.engines - 1}`);
    return [e];
  };
  return {
    segments: {
      name: 'segments',
      args: '',
      help: 'Segments: size, use, and where they are in the debug address space.',
      run: () =>
        gpu.segments
          .map((s) => {
            const u = usage?.(s.id);
            const use = u ? `, ${hex(u.used)} used, ${u.resident} resident` : '';
            return `${String(s.id).padStart(2)} ${s.name.padEnd(8)} ${s.kind.padEnd(8)} ${hex(s.size).padStart(11)} bytes${s.cpuVisible ? ' cpu-visible' : ''}${use}  at ${formatAddress(debugAddressOfSegment(s.id))}`;
          })
          .join('\n'),
    },
    gart: {
      name: 'gart',
      args: '[SEGMENT [FIRST [COUNT]]]',
      help: 'The aperture page table (GART) of an aperture segment.',
      run: (argv) => {
        const ap = gpu.segments.filter((s) => s.kind === 'aperture');
        const seg = argv[0] ? ap.find((s) => s.name === argv[0] || String(s.id) === argv[0]) : ap[0];
        if (!seg) throw new ExpressionError(`no aperture segment '${argv[0] ?? ''}'; aperture segments: ${ap.map((s) => s.name).join(', ') || 'none'}`);
        const first = numberArg(argv, 1, 'FIRST', 0);
        const count = Math.min(numberArg(argv, 2, 'COUNT', 16), 4096);
        const pages = seg.size / 4096;
        const rows = [`GART of ${seg.name} (segment ${seg.id}, ${pages} pages)`];
        for (let p = first; p < Math.min(pages, first + count); p++) {
          const g = gpu.gartEntry(seg.id, p);
          rows.push(`  page ${String(p).padStart(6)}  ${g.state.padEnd(7)} ${g.state === 'invalid' ? '' : hex(g.physical)}${g.coherent ? ' coherent' : ''}`);
        }
        return rows.join('\n');
      },
    },
    fences: {
      name: 'fences',
      args: '',
      help: 'Per engine: the paging fence register, and the fences the kernel submitted and saw complete.',
      run: () =>
        view
          .threads()
          .map((_, i) => `engine ${i}: paging fence ${hex(gpu.engineView(i).pagingFence)}${view.kernelRegisters(i).map((r) => `, ${r.name} ${r.value}`).join('')}`)
          .join('\n'),
    },
    pgasm: {
      name: 'pgasm',
      args: 'ADDR [COUNT]',
      help: 'Disassembles COUNT (default 16) paging instructions at ADDR (a number, a name or an expression).',
      run: (argv) => {
        const addr = view.addressArg(argv[0]);
        const count = Math.min(numberArg(argv, 1, 'COUNT', 16), 1000);
        return view
          .disassemble(addr, 0, count, true)
          .map((i) => `${i.symbol ? i.symbol + ':\n' : ''}  ${i.address}  ${(i.instructionBytes ?? '').slice(0, 35).padEnd(35)}  ${i.instruction}`)
          .join('\n');
      },
    },
    db: {
      name: 'db',
      args: 'ADDR [LENGTH]',
      help: 'Hex dump of LENGTH (default 64) bytes at ADDR.',
      run: (argv) => {
        const addr = view.addressArg(argv[0]);
        const len = Math.min(numberArg(argv, 1, 'LENGTH', 64), 64 * 1024);
        const r = view.readMemory(addr, len);
        return hexDump(addr, r.bytes) + (r.unreadable ? `\n(${r.unreadable} bytes unreadable)` : '');
      },
    },
    regs: {
      name: 'regs',
      args: '[ENGINE]',
      help: "A paging engine's registers (every engine's when ENGINE is left out).",
      run: (argv) => {
        const engines = engineArg(argv);
        return engines
          .map((e) => {
            const rows = view.registers(e).map((v) => `${v.name.padEnd(18)} ${v.value}`);
            return (engines.length > 1 || view.engines > 1 ? [`engine ${e}:`, ...rows.map((r) => '  ' + r)] : rows).join('\n');
          })
          .join('\n');
      },
    },
  };
}
