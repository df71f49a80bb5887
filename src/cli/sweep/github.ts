// What `paging-lab test` gives GitHub Actions when GITHUB_ACTIONS=true: workflow-command
// annotations (`::error file=…,line=…,title=…::message`) at the driver line of each distinct
// failure, so the pull request shows them on the diff, and a Markdown summary of the sweep
// appended to the file $GITHUB_STEP_SUMMARY names.

import type { SummaryRow } from './report';
import { isFailure, replayHint, reproduceCommand, where, type PairResult, type SweepContext } from './result';

/** A workflow command's message: %, CR and LF escaped as the runner expects. */
const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** A workflow command's property value: also : and , escaped. */
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function workflowCommand(level: 'error' | 'warning' | 'notice', props: { file?: string; line?: number; title?: string }, message: string): string {
  const p = Object.entries(props)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${level}${p ? ' ' + p : ''}::${escapeData(message)}`;
}

/**
 * One annotation per distinct failure (rule and driver line): an unexpected failure is an error, a
 * flaky pair a warning (a simulator bug, not the driver's). Without a driver line it points at the scenario.
 */
export function annotations(ctx: SweepContext, results: readonly PairResult[], expected: (r: PairResult) => boolean): string[] {
  const groups = new Map<string, PairResult[]>();
  for (const r of results) {
    if (!(isFailure(r) && !expected(r)) && r.status !== 'flaky' && !r.flaky) continue;
    const key = `${r.status === 'flaky' || r.flaky ? 'flaky' : 'fail'}\0${r.rule}\0${r.file ?? r.scenario}\0${r.line ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((rs) => {
    const r = rs[0];
    const more = rs.length > 1 ? ` (and ${rs.length - 1} more pair${rs.length > 2 ? 's' : ''})` : '';
    const pair = `${r.scenario} seed ${r.seed}${more}`;
    if (r.status === 'flaky' || r.flaky) {
      return workflowCommand(
        'warning',
        { file: r.file ?? r.scenario, line: r.line, title: `paging-lab test: flaky ${r.rule} (${pair})` },
        `The same pair gave different results when run again (${r.flaky}): the simulator is not deterministic here, which is a Paging Lab bug; please report it.\nreproduce: ${reproduceCommand(ctx, r)}${r.recording ? `\nrecording: ${r.recording}` : ''}`,
      );
    }
    return workflowCommand('error', { file: r.file ?? r.scenario, line: r.line, title: `paging-lab test: ${r.rule} (${pair})` }, `${r.message ?? r.rule}\nreproduce: ${reproduceCommand(ctx, r)}${r.recording ? `\nrecording: ${replayHint(r)}` : ''}`);
  });
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The Markdown the step summary gets. */
export function stepSummary(ctx: SweepContext, rows: readonly SummaryRow[], results: readonly PairResult[], totals: string, expected: (r: PairResult) => boolean, nowPassing: string[]): string {
  const out = [`## paging-lab test: \`${ctx.driver}\``, '', totals, ''];
  out.push('| scenario | runs | failed | skipped | paging ops | first failure |', '|---|---:|---:|---:|---:|---|');
  for (const row of rows) {
    out.push(`| \`${cell(row.scenario)}\` | ${row.runs} | ${row.failed} | ${row.skipped} | ${row.pagingOps} | ${row.firstFailure ? cell(row.firstFailure) : ''} |`);
  }
  const failures = results.filter((r) => isFailure(r) && !expected(r));
  if (failures.length) {
    out.push('', `### Failures (${failures.length})`, '');
    for (const r of failures.slice(0, 50)) out.push(`- \`${cell(r.scenario)}\` seed ${r.seed}: **${cell(where(r))}**: ${cell((r.message ?? '').split('\n', 1)[0])}  \n  \`${reproduceCommand(ctx, r)}\`${r.recording ? `  \n  recording: \`${r.recording}\` (open it with \`"replay"\` in a wddm launch configuration, or \`paging-lab run --replay\`)` : ''}`);
    if (failures.length > 50) out.push(`- … and ${failures.length - 50} more (see the JUnit or CSV results)`);
  }
  const flaky = results.filter((r) => r.status === 'flaky' || r.flaky);
  if (flaky.length) {
    out.push('', `### :warning: Flaky pairs (${flaky.length}): the simulator gave different results on the same inputs`, '');
    for (const r of flaky) out.push(`- \`${cell(r.scenario)}\` seed ${r.seed}: ${cell(where(r))}, then ${cell(r.flaky ?? 'pass')}`);
  }
  if (nowPassing.length) out.push('', `### Expected failures that now pass (${nowPassing.length}): remove them from the baseline`, '', ...nowPassing.map((p) => `- ${p}`));
  return out.join('\n') + '\n';
}
