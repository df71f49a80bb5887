// Debug-console commands in the spirit of a kernel debugger's extensions (`!segments`, `!alloc 3`,
// `!pgasm 0x10000`). A target lists the commands it supports (the GPU's are in gpu/commands.ts);
// this file parses the line, runs the command and offers completions for command names and for
// the names a target knows.

import { ExpressionError, MissingArgument } from './expression';
import { parseAddress } from './memoryReference';

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
  try {
    return cmd.run(argv);
  } catch (e) {
    // An argument left out: the message names it; the usage says where it goes.
    if (e instanceof MissingArgument) throw new ExpressionError(`${e.message}: usage !${cmd.name} ${cmd.args}`);
    throw e;
  }
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
    throw new MissingArgument(`missing ${what}`);
  }
  const v = parseAddress(s);
  if (v === undefined) throw new ExpressionError(`${what} must be a number (hex 0x… or decimal), got '${s}'`);
  return v;
}
