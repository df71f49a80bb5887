// Command-line options for every `paging-lab` command, parsed by Node's own `util.parseArgs`
// (strict: unknown options, missing values and stray arguments are errors). When parseArgs refuses
// a command line, its tokens are read again to say in plain words which option is wrong and what it
// needs, instead of Node's generic text.

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** What the value is, for messages: `--seed needs N`. */
  value?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** A command line the command cannot run: the message says what is wrong; exit status 2. */
export class UsageError extends Error {}

type Values<S extends OptionSpecs> = {
  [K in keyof S]?: S[K]['type'] extends 'string' ? (S[K]['multiple'] extends true ? string[] : string) : S[K]['multiple'] extends true ? boolean[] : boolean;
};

export interface Parsed<S extends OptionSpecs> {
  values: Values<S> & { help?: boolean };
  positionals: string[];
}

const HELP: OptionSpecs = { help: { type: 'boolean', short: 'h' } };

/** The plain arguments a command takes: at most `max` (Infinity for a list), each a `noun` ("input file"). */
export interface PositionalSpec {
  max: number;
  noun: string;
}

/** Parses `args` against `specs` (plus -h/--help). Throws UsageError on a bad command line. */
export function parseOptions<S extends OptionSpecs>(args: string[], specs: S, operands: PositionalSpec = { max: 0, noun: 'argument' }): Parsed<S> {
  const positionals = operands.max;
  const options = { ...HELP, ...specs };
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: positionals > 0 });
  } catch (e) {
    throw new UsageError(explain(args, options, positionals) ?? (e as Error).message);
  }
  if (parsed.positionals.length > positionals) {
    throw new UsageError(
      positionals === 1
        ? `one ${operands.noun} only ('${parsed.positionals[0]}' and '${parsed.positionals[1]}' given)`
        : `unexpected argument '${parsed.positionals[positionals]}'`,
    );
  }
  return parsed as unknown as Parsed<S>;
}

/** Why strict parsing failed, in the command's words; undefined if the tokens show nothing wrong. */
function explain(args: string[], options: OptionSpecs, positionals: number): string | undefined {
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const dashed = (name: string): string => (name.length === 1 ? `-${name}` : `--${name}`);
  for (const t of tokens) {
    if (t.kind === 'positional' && positionals === 0) return `unexpected argument '${t.value}'`;
    if (t.kind !== 'option') continue;
    const spec = options[t.name];
    if (!spec) return `unknown option '${t.rawName}'`;
    if (spec.type === 'boolean' && t.value !== undefined) return `${t.rawName} takes no value, got '${t.rawName}=${t.value}'`;
    if (spec.type === 'string') {
      const needs = `${t.rawName} needs ${spec.value ?? 'a value'}`;
      if (t.value === undefined) return needs;
      // Strict parsing refuses `--seed --quiet`: the value looks like the next option.
      if (!t.inlineValue && t.value.startsWith('-')) {
        return `${needs}, got the option '${t.value}' (write ${dashed(t.name)}=${t.value} for a value that starts with '-')`;
      }
    }
  }
  return undefined;
}

/** An integer option's value within `range`; `expects` finishes "--flag needs ...". */
export function integerOption(flag: string, text: string, range: { minimum: number; maximum: number }, expects: string): number {
  const n = /^\s*(0x[0-9a-f]+|\d+)\s*$/i.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < range.minimum || n > range.maximum) throw new UsageError(`${flag} needs ${expects}, got '${text}'`);
  return n;
}

/** A number option's value within `range`. */
export function numberOption(flag: string, text: string, range: { minimum: number; maximum: number }, expects: string): number {
  const n = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(n) || n < range.minimum || n > range.maximum) throw new UsageError(`${flag} needs ${expects}, got '${text}'`);
  return n;
}

/** A file option's value as an absolute path (relative to the current folder). */
export function fileOption(flag: string, text: string): string {
  if (!text.trim()) throw new UsageError(`${flag} needs a file, got ''`);
  return resolve(text);
}
