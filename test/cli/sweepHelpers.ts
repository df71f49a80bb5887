// Shared by the `paging-lab test` tests: the shipped dist/cli.js run as a child process (as CI runs
// it), the JUnit schema check, and readers of what the command writes.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { validateXML } from 'xmllint-wasm';
import { distFile, ROOT } from '../setup';

export interface Exit {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `paging-lab <args>` from dist/cli.js in `cwd` (the repository by default), with extra environment. */
export function cli(args: string[], o: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<Exit> {
  const t0 = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: undefined, ...o.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [distFile('cli.js'), ...args], { cwd: o.cwd ?? ROOT, env, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** Runs `tasks` at most `limit` at a time (two cores: two sweeps side by side). */
export async function limited<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]();
      }
    }),
  );
  return out;
}

export const JUNIT_XSD = join(ROOT, 'test', 'cli', 'fixtures', 'junit.xsd');

/** Problems with a JUnit document against the shipped schema (test/cli/fixtures/junit.xsd); [] when valid. */
export async function junitProblems(xml: string): Promise<string[]> {
  const r = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [readFileSync(JUNIT_XSD, 'utf8')] });
  return r.valid ? [] : r.errors.map((e) => e.message);
}

export interface JunitCase {
  suite: string;
  name: string;
  properties: Record<string, string>;
  outcome?: { kind: 'failure' | 'error' | 'skipped' | 'flakyFailure'; type?: string; message?: string };
}

const unescape = (s: string): string => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const attr = (tag: string, name: string): string | undefined => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescape(m[1]) : undefined;
};

/** The testcases of a JUnit document written by `paging-lab test` (its own layout: one element per line). */
export function junitCases(xml: string): JunitCase[] {
  const cases: JunitCase[] = [];
  for (const block of xml.split('<testcase').slice(1)) {
    const body = block.slice(0, block.indexOf('</testcase>'));
    const suite = attr('<x' + body.slice(0, body.indexOf('>')), 'classname') ?? '';
    const properties: Record<string, string> = {};
    for (const m of body.matchAll(/<property name="([^"]*)" value="([^"]*)"\/>/g)) properties[unescape(m[1])] = unescape(m[2]);
    const o = /<(failure|error|skipped|flakyFailure)(\s[^>]*?)?\/?>/.exec(body);
    cases.push({
      suite,
      name: attr('<x' + body.slice(0, body.indexOf('>')), 'name') ?? '',
      properties,
      outcome: o ? { kind: o[1] as 'failure', type: attr(o[0], 'type'), message: attr(o[0], 'message') } : undefined,
    });
  }
  return cases;
}

/** The rows of a results CSV without its timing column, for comparing runs. */
export function withoutTimes(csv: string): string[][] {
  const rows = parse(csv) as string[][];
  const ms = rows[0].indexOf('ms');
  return rows.map((r) => r.filter((_, i) => i !== ms));
}

/** The documented form of a GitHub Actions workflow command: `::level prop=value,...::message`, on one line, props escaped. */
export const WORKFLOW_COMMAND = /^::(error|warning|notice)(?: (?:file|line|endLine|col|endColumn|title)=[^,:\r\n]*(?:,(?:file|line|endLine|col|endColumn|title)=[^,:\r\n]*)*)?::[^\r\n]*$/;
