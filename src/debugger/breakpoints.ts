// What every kind of breakpoint shares: a condition (an expression, parsed once), a hit condition
// and a log message. `check` says whether a hit stops, and produces the log line for a log point.

import { compile, Compiled, ExpressionError, formatValue, isTruthy, Scope } from './expression';

export interface BreakpointRule {
  id: number;
  condition?: Compiled;
  hit?: { op: '==' | '>=' | '>' | '<' | '<=' | '%'; n: number };
  log?: { text: string; parts: (string | Compiled)[] };
  hits: number;
}

/** Parses condition, hit condition and log message; throws ExpressionError naming the bad part. */
export function makeRule(spec: { id: number; condition?: string; hitCondition?: string; logMessage?: string }): BreakpointRule {
  const rule: BreakpointRule = { id: spec.id, hits: 0 };
  if (spec.condition) {
    try {
      rule.condition = compile(spec.condition);
    } catch (e) {
      throw new ExpressionError(`condition: ${(e as Error).message}`);
    }
  }
  if (spec.hitCondition) {
    const m = /^\s*(==|>=|>|<=|<|%)?\s*(\d+)\s*$/.exec(spec.hitCondition);
    if (!m) throw new ExpressionError(`hit count: '${spec.hitCondition}' is not a count; write N, >= N, > N, < N, <= N or % N`);
    const n = Number(m[2]);
    const op = (m[1] ?? '==') as NonNullable<BreakpointRule['hit']>['op'];
    if (op === '%' && n === 0) throw new ExpressionError('hit count: % 0 is never met');
    rule.hit = { op, n };
  }
  if (spec.logMessage) {
    const parts: (string | Compiled)[] = [];
    const re = /\{([^{}]*)\}/g;
    let last = 0;
    for (let m = re.exec(spec.logMessage); m; m = re.exec(spec.logMessage)) {
      parts.push(spec.logMessage.slice(last, m.index));
      try {
        parts.push(compile(m[1]));
      } catch (e) {
        throw new ExpressionError(`log message {${m[1]}}: ${(e as Error).message}`);
      }
      last = m.index + m[0].length;
    }
    parts.push(spec.logMessage.slice(last));
    rule.log = { text: spec.logMessage, parts };
  }
  return rule;
}

export type CheckResult = { stop: false; log?: string } | { stop: true; error?: string };

/**
 * Whether `rule` stops at a moment reached going backwards: its condition holds there (one that
 * cannot be evaluated stops, as forward). Hit counts count the forward run and are not touched;
 * log points never stop.
 */
export function wouldStop(rule: BreakpointRule, scope: Scope): boolean {
  if (rule.log) return false;
  if (!rule.condition) return true;
  try {
    return isTruthy(rule.condition.evaluate(scope));
  } catch {
    return true;
  }
}

/** Evaluates a hit of `rule` against `scope` (counting it when the condition holds). */
export function check(rule: BreakpointRule, scope: Scope): CheckResult {
  if (rule.condition) {
    try {
      if (!isTruthy(rule.condition.evaluate(scope))) return { stop: false };
    } catch (e) {
      // A condition that cannot be evaluated stops, so the user sees why.
      return { stop: true, error: `The breakpoint condition '${rule.condition.source}' could not be evaluated: ${(e as Error).message}` };
    }
  }
  rule.hits++;
  if (rule.hit) {
    const { op, n } = rule.hit;
    const h = rule.hits;
    const met = op === '==' ? h === n : op === '>=' ? h >= n : op === '>' ? h > n : op === '<' ? h < n : op === '<=' ? h <= n : h % n === 0;
    if (!met) return { stop: false };
  }
  if (rule.log) {
    const text = rule.log.parts
      .map((p) => {
        if (typeof p === 'string') return p;
        try {
          const v = p.evaluate(scope);
          return typeof v === 'string' ? v : formatValue(v);
        } catch (e) {
          return `<${(e as Error).message}>`;
        }
      })
      .join('');
    return { stop: false, log: text };
  }
  return { stop: true };
}
