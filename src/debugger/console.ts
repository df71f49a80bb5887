// Debug-console commands in the spirit of a kernel debugger's extensions (`!segments`, `!alloc 3`,
// `!pgasm 0x10000`). A target lists the commands it supports; this file parses the line, runs the
// command and offers completions for command names and for the names a target knows.

import { ExpressionError } from './expression';
import { parseAddress } from './memoryReference';
import type { Gpu } from '../sim/hw';

export interface ConsoleCommand {
  name: string;
  /** Argument synopsis for help, e.g. `ADDR [COUNT]`. */
  args: string;
  help: string;
  run(argv: string[]): string;
}

export function isCommand(line: string): boolean {
  return line.trimStart().startsWith('!');
}

export function runCommand(commands: readonly ConsoleCommand[], line: string): string {
  const [head, ...argv] = line.trim().slice(1).split(/\s+/).filter(Boolean);
  if (!head || head === 'help' || head === '?') return helpText(commands);
  const cmd = commands.find((c) => c.name === head.toLowerCase());
  if (!cmd) throw new ExpressionError(`unknown command !${head}; the commands are ${commands.map((c) => '!' + c.name).join(', ')} (!help explains them)`);
  return cmd.run(argv);
}

export function helpText(commands: readonly ConsoleCommand[]): string {
  const rows = [{ name: 'help', args: '', help: 'This list.' }, ...commands];
  const w = Math.max(...rows.map((c) => c.name.length + c.args.length + 2));
  return rows.map((c) => `!${(c.name + (c.args ? ' ' + c.args : '')).padEnd(w)} ${c.help}`).join('\n');
}

/** Completion items for the console line `text` with the cursor at `column` (1-based). */
export function complete(
  commands: readonly ConsoleCommand[],
  names: readonly string[],
  text: string,
  column: number,
): { label: string; type?: string; start?: number; length?: number }[] {
  const upto = text.slice(0, Math.max(0, Math.min(text.length, column - 1)));
  const m = /(!?[A-Za-z_$][\w$.]*|!)$/.exec(upto);
  const word = m ? m[1] : '';
  const start = upto.length - word.length;
  if (word.startsWith('!') && start === upto.search(/\S|$/)) {
    const w = word.slice(1).toLowerCase();
    return ['help', ...commands.map((c) => c.name)]
      .filter((n) => n.startsWith(w))
      .map((n) => ({ label: '!' + n, type: 'function', start, length: word.length }));
  }
  const lw = word.toLowerCase();
  return names.filter((n) => n.toLowerCase().startsWith(lw)).slice(0, 200).map((n) => ({ label: n, type: 'variable', start, length: word.length }));
}

/** Parses a numeric console argument (hex or decimal). */
export function numberArg(argv: string[], i: number, what: string, fallback?: number): number {
  const s = argv[i];
  if (s === undefined) {
    if (fallback !== undefined) return fallback;
    throw new ExpressionError(`missing ${what}`);
  }
  const v = parseAddress(s);
  if (v === undefined) throw new ExpressionError(`${what} must be a number (hex 0x… or decimal), got '${s}'`);
  return v;
}

/** A hex dump, 16 bytes a row, with an ASCII column. */
export function hexDump(address: number, bytes: Uint8Array): string {
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.subarray(i, i + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
    rows.push(`${(address + i).toString(16).padStart(12, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return rows.join('\n');
}

/** The `!db ADDR [LENGTH]` command, the same for every target: a hex dump through its memory reader. */
export function hexDumpCommand(
  addressArg: (text: string | undefined) => number,
  read: (address: number, count: number) => { bytes: Uint8Array; unreadable: number },
): ConsoleCommand {
  return {
    name: 'db',
    args: 'ADDR [LENGTH]',
    help: 'Hex dump of LENGTH (default 64) bytes at ADDR.',
    run: (argv) => {
      const addr = addressArg(argv[0]);
      const len = Math.min(numberArg(argv, 1, 'LENGTH', 64), 64 * 1024);
      const r = read(addr, len);
      return hexDump(addr, r.bytes) + (r.unreadable ? `\n(${r.unreadable} bytes unreadable)` : '');
    },
  };
}

/** The `!gart [SEGMENT [FIRST [COUNT]]]` command: an aperture segment's GART entries, for any target. */
export function gartCommand(gpu: Gpu): ConsoleCommand {
  const hex = (n: number): string => '0x' + n.toString(16);
  return {
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
  };
}
