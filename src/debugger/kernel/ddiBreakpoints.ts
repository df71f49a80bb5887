// The breakpoints that stop the kernel thread at a DDI call: function breakpoints by DDI name, and
// source breakpoints on the first line of a DDI's implementation in the driver. Each is placed at
// the implementation (`definition`), and checked at a DDI call with the call's names (condition,
// hit count, log message), going forward or, without counting or logging, going back.

import { basename, resolve } from 'node:path';
import type { SourceLocation } from '../../sim/driver/errors';
import { DDI_NAMES } from '../../sim/runtime/driverCode';
import { BreakpointRule, check, makeRule, wouldStop } from '../breakpoints';
import type { UNKNOWN, Value } from '../expression';
import type { BreakpointResult, FunctionBreakpointSpec, SourceBreakpointSpec, StopReason } from '../model';
import { samePath } from '../samePath';

interface DdiRule {
  rule: BreakpointRule;
  ddi: string;
  kind: 'function' | 'source';
}

/** Where the driver implements a DDI (its declaration), if it does. */
export type DdiDefinition = (ddi: string) => SourceLocation | undefined;
type Lookup = (name: string) => Value | typeof UNKNOWN;

/**
 * Function breakpoints checked against the DDI names and placed at the driver's implementation
 * (`definition`); those that hold go into `kept`. Also before the driver has loaded, from its files.
 */
export function checkFunctionBreakpoints(bps: FunctionBreakpointSpec[], definition: DdiDefinition, kept: DdiRule[] = []): BreakpointResult[] {
  return bps.map((bp): BreakpointResult => {
    const ddi = DDI_NAMES.find((n) => n === bp.name.trim()) ?? DDI_NAMES.find((n) => n.toLowerCase() === bp.name.trim().toLowerCase());
    if (!ddi) {
      return { id: bp.id, verified: false, message: `'${bp.name}' is not a DDI. Function breakpoints take one of: ${DDI_NAMES.join(', ')}.` };
    }
    try {
      kept.push({ rule: makeRule(bp), ddi, kind: 'function' });
    } catch (e) {
      return { id: bp.id, verified: false, message: (e as Error).message };
    }
    const def = definition(ddi);
    return def ? { id: bp.id, verified: true, line: def.line, source: { name: basename(def.file), path: def.file } } : { id: bp.id, verified: true };
  });
}

export class DdiBreakpoints {
  private functionRules: DdiRule[] = [];
  private readonly sourceRules = new Map<string, DdiRule[]>();
  /** Both kinds in one list, function breakpoints first: what every DDI call of a run is checked against. */
  private rules: DdiRule[] = [];

  constructor(private readonly definition: DdiDefinition) {}

  setFunction(bps: FunctionBreakpointSpec[]): BreakpointResult[] {
    const kept: DdiRule[] = [];
    const results = checkFunctionBreakpoints(bps, this.definition, kept);
    this.functionRules = kept;
    this.gather();
    return results;
  }

  setSource(path: string, bps: SourceBreakpointSpec[]): BreakpointResult[] {
    const kept: DdiRule[] = [];
    const results = bps.map((bp): BreakpointResult => {
      const at = this.ddiAtLine(path, bp.line);
      if (!at) {
        return {
          id: bp.id,
          verified: false,
          line: bp.line,
          message: 'The driver runs compiled in the simulator: breakpoints stop at a DDI, so put this one on the first line of a DDI function (or use a function breakpoint).',
        };
      }
      try {
        kept.push({ rule: makeRule(bp), ddi: at.ddi, kind: 'source' });
      } catch (e) {
        return { id: bp.id, verified: false, line: bp.line, message: (e as Error).message };
      }
      return { id: bp.id, verified: true, line: at.line, source: { name: basename(path), path } };
    });
    this.sourceRules.set(resolve(path), kept);
    this.gather();
    return results;
  }

  /** The lines of `path` from `line` to `endLine` where a DDI's implementation starts. */
  lines(path: string, line: number, endLine?: number): number[] {
    const out: number[] = [];
    for (const ddi of DDI_NAMES) {
      const def = this.definition(ddi);
      if (def && samePath(def.file, path) && def.line >= line && def.line <= (endLine ?? line)) out.push(def.line);
    }
    return out;
  }

  /** The DDIs some breakpoint is set on. */
  ddis(): Set<string> {
    return new Set(this.rules.map((r) => r.ddi));
  }

  /**
   * The breakpoints that stop at a call of `ddi` going forward (hit counts counted, log messages
   * given to `log`), with the first condition error and the stop's reason; undefined: none stops.
   * `names` is asked for only when a breakpoint is set on `ddi`.
   */
  hits(ddi: string, names: () => Lookup, log: (text: string) => void): { ids: number[]; reason: StopReason; error?: string } | undefined {
    const ids: number[] = [];
    let error: string | undefined;
    let reason: StopReason = 'function breakpoint';
    let scope: Lookup | undefined;
    for (const r of this.rules) {
      if (r.ddi !== ddi) continue;
      scope ??= names();
      const c = check(r.rule, scope);
      if (c.stop) {
        ids.push(r.rule.id);
        error ??= c.error;
        if (r.kind === 'source') reason = 'breakpoint';
      } else if (c.log !== undefined) log(c.log);
    }
    return ids.length ? { ids, reason, error } : undefined;
  }

  /** The breakpoints that stop at a call of `ddi` going back: their condition holds there (no counting, no logging). */
  wouldStop(ddi: string, names: Lookup): { ids: number[]; reason: StopReason } | undefined {
    const hits = this.rules.filter((r) => r.ddi === ddi && wouldStop(r.rule, names));
    if (!hits.length) return undefined;
    return { ids: hits.map((r) => r.rule.id), reason: hits.some((r) => r.kind === 'source') ? 'breakpoint' : 'function breakpoint' };
  }

  private gather(): void {
    this.rules = [...this.functionRules, ...[...this.sourceRules.values()].flat()];
  }

  /** The DDI whose implementation starts at `line` of `path` (its declaration or first body line). */
  private ddiAtLine(path: string, line: number): { ddi: string; line: number } | undefined {
    for (const ddi of DDI_NAMES) {
      const def = this.definition(ddi);
      if (def && samePath(def.file, path) && (line === def.line || line === def.line + 1)) return { ddi, line: def.line };
    }
    return undefined;
  }
}
