// A verifier violation: a DriverError (so every host already reports it with the DDI, arguments and
// the driver's file and line) that also names the rule broken. The message says what happened,
// then the rule and the WDK's words, then where.

import { DriverError, type SourceLocation } from '../driver/errors';
import { describeValue } from '../kernel/describe';
import { RULES, type RuleId } from './rules';

export class VerifierViolation extends DriverError {
  readonly rule: RuleId;

  /** The DDI's implementation, when `location` is another line (the one that broke the rule). */
  readonly ddiLocation?: SourceLocation;

  constructor(rule: RuleId, what: string, extra: { ddi?: string; args?: unknown; location?: SourceLocation; ddiLocation?: SourceLocation; where?: string } = {}) {
    const at = (l: SourceLocation): string => `${l.file}:${l.line}:${l.column}`;
    const inDdi = extra.ddiLocation ? `\n  in ${extra.ddi ?? 'the DDI'} at ${at(extra.ddiLocation)}` : '';
    const where = extra.where ?? (extra.location ? at(extra.location) + inDdi : undefined);
    const args = extra.args === undefined ? '' : `\n  arguments: ${describeValue(extra.args)}`;
    super('contract', formatViolation(rule, what + args, where), {
      ddi: extra.ddi,
      args: extra.args,
      location: extra.location,
    });
    this.name = 'VerifierViolation';
    this.rule = rule;
    this.ddiLocation = extra.ddiLocation;
  }
}

export function formatViolation(rule: RuleId, what: string, where: string | undefined): string {
  const r = RULES[rule];
  const wdk = r.quote ? `\n  WDK (${r.source}): "${r.quote}"` : '';
  return `verifier: ${rule}: ${what}\n  rule: ${r.rule}${wdk}${where ? `\n  at ${where}` : ''}`;
}

