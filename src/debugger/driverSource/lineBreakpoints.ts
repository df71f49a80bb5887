// Line breakpoints in the driver's TypeScript, placed in V8 by the compiled script's own name at
// the generated position the compiler's source map gives for the first line with code at or after
// the requested one (the answer says which line). Conditions are JavaScript over the frame's
// locals and run in V8 (a breakpoint that is never true costs the driver nothing); a condition that
// throws stops, so the user sees why. Hit counts and log points are counted and written here.

import { basename } from 'node:path';
import { parseExpressionAt } from 'acorn';
import type { DriverSourceMap } from '../../sim/driver/sourceMap';
import { type BreakpointRule, check, makeRule } from '../breakpoints';
import type { BreakpointResult, SourceBreakpointSpec } from '../model';
import type { CallFrame, EvaluateResponse } from '../runtime/cdp';
import { InspectorError, type WorkerInspector } from '../runtime/inspector';
import { BRIDGE } from '../runtime/inspectorBridge';
import { UNKNOWN } from '../expression';

/** Has the worker make the inspector forget collected driver contexts, which setBreakpointByUrl would enter. */
const SETTLE_CONTEXTS = `globalThis.${BRIDGE}?.settleContexts()`;

/** How far below the requested line a breakpoint may move to find code. */
const MAX_MOVE = 2000;

export interface LineBreakpoint {
  spec: SourceBreakpointSpec;
  path: string;
  /** The .ts line it is bound to. */
  line: number;
  /** Hit condition counting (no condition, no log: those are handled apart). */
  rule: BreakpointRule;
  /** Log point: the message as a JavaScript template literal. */
  template?: string;
  v8Id?: string;
  /** The first line with code at or after the requested one, where it was placed from. */
  codeLine: number;
  /** Removed while the driver stood at a stop: kept in V8, stopping nowhere, until the session leaves the stop's call (see `set`). */
  ghost?: true;
}

/** A syntax problem in a JavaScript expression, or undefined. */
export function expressionProblem(text: string): string | undefined {
  try {
    const n = parseExpressionAt(text, 0, { ecmaVersion: 'latest' });
    if (text.slice(n.end).trim()) return `unexpected '${text.slice(n.end).trim().slice(0, 20)}' after the expression`;
    return undefined;
  } catch (e) {
    return (e as Error).message.replace(/\s*\(\d+:\d+\)$/, '');
  }
}

/** A log message (`text {expression} text`) as a template literal, or a problem with one of its expressions. */
function logTemplate(message: string): { template?: string; problem?: string } {
  let out = '';
  let last = 0;
  const re = /\{([^{}]*)\}/g;
  const escape = (s: string): string => s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  for (let m = re.exec(message); m; m = re.exec(message)) {
    const problem = expressionProblem(m[1]);
    if (problem) return { problem: `log message {${m[1]}}: ${problem}` };
    out += escape(message.slice(last, m.index)) + '${(' + m[1] + '\n)}';
    last = m.index + m[0].length;
  }
  out += escape(message.slice(last));
  return { template: '`' + out + '`' };
}

/** The condition V8 evaluates: true when the user's condition holds, and true when it throws (then the stop says why). */
function wrappedCondition(condition: string): string {
  return `(() => { try { return !!(${condition}\n); } catch (e) { return true; } })()`;
}

export class LineBreakpoints {
  private readonly byPath = new Map<string, LineBreakpoint[]>();
  private readonly byV8 = new Map<string, LineBreakpoint[]>();
  /** V8 breakpoints kept for removed ones (see `set`). */
  private readonly ghosts = new Set<string>();

  constructor(
    private readonly link: () => WorkerInspector | undefined,
    private readonly scriptName: () => string | undefined,
  ) {}

  /** Whether any breakpoint is bound in V8 (reverse continue then looks for their pauses). */
  get any(): boolean {
    return this.byV8.size > 0;
  }

  /** The driver's breakpoints bound at V8 breakpoint `id`. */
  at(id: string): LineBreakpoint[] {
    return this.byV8.get(id) ?? [];
  }

  /**
   * Replaces the breakpoints of a driver file. With `keepRemoved` (the driver stands at a stop in a
   * call), a breakpoint removed stays in V8 as a ghost that stops nowhere: going back in that call
   * counts its pauses as they were counted before, the stop's own among them (by line, which V8
   * pause there this is); the session drops ghosts once it leaves the call (`dropGhosts`).
   */
  async set(map: DriverSourceMap, path: string, specs: SourceBreakpointSpec[], keepRemoved = false): Promise<BreakpointResult[]> {
    await this.clear(path, keepRemoved);
    const link = this.link();
    const url = this.scriptName();
    const kept: LineBreakpoint[] = [];
    const results: BreakpointResult[] = [];
    const source = { name: basename(path), path };
    for (const spec of specs) {
      const problem = spec.condition ? expressionProblem(spec.condition) : undefined;
      if (problem) {
        results.push({ id: spec.id, verified: false, line: spec.line, message: `condition: ${problem}` });
        continue;
      }
      const log = spec.logMessage ? logTemplate(spec.logMessage) : {};
      if (log.problem) {
        results.push({ id: spec.id, verified: false, line: spec.line, message: log.problem });
        continue;
      }
      let rule: BreakpointRule;
      try {
        rule = makeRule({ id: spec.id, hitCondition: spec.hitCondition });
      } catch (e) {
        results.push({ id: spec.id, verified: false, line: spec.line, message: (e as Error).message });
        continue;
      }
      const at = this.firstCodeAt(map, path, spec.line);
      if (!at || !link || !url) {
        results.push({ id: spec.id, verified: false, line: spec.line, message: `There is no code on or after line ${spec.line} of ${basename(path)} in the compiled driver (comments, types and blank lines compile to nothing).` });
        continue;
      }
      const bp: LineBreakpoint = { spec, path, line: at.line, codeLine: at.line, rule, ...(log.template ? { template: log.template } : {}) };
      const ghost = this.ghostAt(path, at.line);
      if (ghost && (ghost.spec.condition ?? '') === (spec.condition ?? '')) {
        // Set again as it was: the ghost becomes it (V8 pauses there as before).
        this.forgetGhost(ghost.v8Id!);
        bp.v8Id = ghost.v8Id;
        bp.line = ghost.line;
      } else {
        if (ghost) await this.removeGhost(ghost.v8Id!);
        const placed = await this.place(link, url, map, path, spec, at, bp);
        if (placed) {
          results.push(placed);
          continue;
        }
      }
      kept.push(bp);
      const list = this.byV8.get(bp.v8Id!) ?? [];
      list.push(bp);
      this.byV8.set(bp.v8Id!, list);
      results.push({ id: spec.id, verified: true, line: bp.line, source });
    }
    this.byPath.set(path, kept);
    return results;
  }

  /** Places `bp` in V8 (its id, the line V8 moved it to); the failed result when it could not be. */
  private async place(
    link: WorkerInspector,
    url: string,
    map: DriverSourceMap,
    path: string,
    spec: SourceBreakpointSpec,
    at: { line: number; generated: { line: number; column: number } },
    bp: LineBreakpoint,
  ): Promise<BreakpointResult | undefined> {
    try {
      // Sent together, so that no driver code runs between them (sim/driver/takenContexts.ts says why).
      void link.send('Runtime.evaluate', { expression: SETTLE_CONTEXTS, silent: true }).catch(() => undefined);
      const r = await link.send<{ breakpointId: string; locations: { lineNumber: number; columnNumber?: number }[] }>('Debugger.setBreakpointByUrl', {
        url,
        lineNumber: at.generated.line - 1,
        columnNumber: at.generated.column - 1,
        ...(spec.condition ? { condition: wrappedCondition(spec.condition) } : {}),
      });
      bp.v8Id = r.breakpointId;
      // Where V8 put it (the next position it can stop at), back in the .ts file.
      const loc = r.locations[0];
      const actual = loc ? map.original({ line: loc.lineNumber + 1, column: (loc.columnNumber ?? 0) + 1 }) : undefined;
      if (actual && actual.file === path) bp.line = actual.line;
    } catch (e) {
      const shared = [...this.byV8.entries()].find(([id, list]) => !this.ghosts.has(id) && list.some((b) => b.path === path && b.codeLine === at.line));
      if (!(e instanceof InspectorError) || !shared) return { id: spec.id, verified: false, line: spec.line, message: `The debugger could not place this breakpoint: ${(e as Error).message}` };
      bp.v8Id = shared[0]; // another breakpoint already stops at that position: share it
    }
    return undefined;
  }

  /** The ghost placed from line `codeLine` of `path`, if there is one. */
  private ghostAt(path: string, codeLine: number): LineBreakpoint | undefined {
    for (const id of this.ghosts) {
      const g = this.byV8.get(id)?.[0];
      if (g && g.path === path && g.codeLine === codeLine) return g;
    }
    return undefined;
  }

  private forgetGhost(id: string): void {
    this.ghosts.delete(id);
    this.byV8.delete(id);
  }

  private async removeGhost(id: string): Promise<void> {
    this.forgetGhost(id);
    await this.link()?.send('Debugger.removeBreakpoint', { breakpointId: id }).catch(() => undefined);
  }

  /** Removes the ghosts from V8: the session has left the call they were kept for. */
  async dropGhosts(): Promise<void> {
    for (const id of [...this.ghosts]) await this.removeGhost(id);
  }

  private async clear(path: string, keepRemoved: boolean): Promise<void> {
    const old = this.byPath.get(path) ?? [];
    this.byPath.delete(path);
    const link = this.link();
    for (const bp of old) {
      if (!bp.v8Id) continue;
      const list = (this.byV8.get(bp.v8Id) ?? []).filter((b) => b !== bp);
      if (list.length) {
        this.byV8.set(bp.v8Id, list);
        continue;
      }
      if (keepRemoved) {
        this.byV8.set(bp.v8Id, [{ ...bp, ghost: true }]);
        this.ghosts.add(bp.v8Id);
        continue;
      }
      this.byV8.delete(bp.v8Id);
      await link?.send('Debugger.removeBreakpoint', { breakpointId: bp.v8Id }).catch(() => undefined);
    }
  }

  /** The first line at or after `line` of `path` that has code in the compiled driver, with its generated position. */
  firstCodeAt(map: DriverSourceMap, path: string, line: number): { line: number; generated: { line: number; column: number } } | undefined {
    for (let l = Math.max(1, line); l < line + MAX_MOVE; l++) {
      const g = map.generated(path, l, 1);
      if (g) return { line: l, generated: g };
    }
    return undefined;
  }

  /** Lines from `line` to `endLine` of `path` where a breakpoint can stop. */
  lines(map: DriverSourceMap, path: string, line: number, endLine: number): number[] {
    const out: number[] = [];
    for (let l = Math.max(1, line); l <= endLine && l < line + MAX_MOVE; l++) if (map.generated(path, l, 1)) out.push(l);
    return out;
  }

  /** Counts a hit of `bp` (its V8 condition held): whether it stops, or the log line it writes. A ghost neither counts nor does either. */
  hit(bp: LineBreakpoint): { stop: boolean } {
    return { stop: !bp.ghost && check(bp.rule, () => UNKNOWN).stop };
  }
}

/** Whether a pause at breakpoints `hits` may stop there: one of them is neither a log point nor a ghost. */
export function mayStop(hits: LineBreakpoint[]): boolean {
  return hits.some((b) => !b.template && !b.ghost);
}

/** The first of `conditions` that throws at `top`, and why (a condition that throws stops, to say so); undefined when each evaluates. */
export async function conditionProblem(link: WorkerInspector, top: CallFrame, conditions: (string | undefined)[]): Promise<string | undefined> {
  for (const c of conditions) {
    if (!c) continue;
    try {
      const r = await link.send<EvaluateResponse>('Debugger.evaluateOnCallFrame', { callFrameId: top.callFrameId, expression: c, silent: true, throwOnSideEffect: false, timeout: 1000 });
      if (r.exceptionDetails) {
        const d = r.exceptionDetails.exception?.description ?? r.exceptionDetails.text;
        return `The breakpoint condition '${c}' could not be evaluated: ${String(d).split('\n')[0]}`;
      }
    } catch (e) {
      return `The breakpoint condition '${c}' could not be evaluated: ${(e as Error).message}`;
    }
  }
  return undefined;
}

/** A log point's line at `top` (its template evaluated there), ending in a newline; what went wrong when it could not be. */
export async function logPointText(link: WorkerInspector, top: CallFrame, template: string): Promise<string> {
  let text: string;
  try {
    const r = await link.send<EvaluateResponse>('Debugger.evaluateOnCallFrame', { callFrameId: top.callFrameId, expression: template, silent: true, returnByValue: true, timeout: 1000 });
    text = r.exceptionDetails ? `<log point failed: ${String(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text).split('\n')[0]}>` : String(r.result.value);
  } catch (e) {
    text = `<log point failed: ${(e as Error).message}>`;
  }
  return text.endsWith('\n') ? text : text + '\n';
}
