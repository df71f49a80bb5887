// What a verifier rule sees: the kernel it watches and a way to raise a violation located at the
// driver's implementation of a DDI (or at the driver line a stack points into).

import type { SourceLocation } from '../driver/errors';
import { locateInFiles } from '../driver/errors';
import type { DdiCall } from '../kernel/events';
import type { Kernel } from '../kernel/kernel';
import type { RuleId } from './rules';
import { VerifierViolation } from './violation';

export interface DdiCallOptions {
  operation?: number;
  fn?: unknown;
}

export class RuleContext {
  constructor(readonly kernel: Kernel) {}

  /** Where the driver defines the function behind `call` (its DDI implementation). */
  locate(ddi: string, fn?: unknown): SourceLocation | undefined {
    const d = this.kernel.ddi;
    return typeof fn === 'function' ? (d.definitionOf(fn.name || ddi) ?? d.definitionOf(ddi)) : d.definitionOf(ddi);
  }

  /** The innermost frame of the driver's own files in a stack captured while the driver ran. */
  locateStack(stack: string | undefined): SourceLocation | undefined {
    return stack ? locateInFiles(stack, this.kernel.driverFiles) : undefined;
  }

  violation(rule: RuleId, call: DdiCall | undefined, what: string, opts: DdiCallOptions & { location?: SourceLocation; args?: unknown } = {}): VerifierViolation {
    const location = opts.location ?? (call ? this.locate(call.ddi, opts.fn) : undefined);
    return new VerifierViolation(rule, what, { ddi: call?.ddi, args: opts.args ?? call?.args, location });
  }
}

/** A family of rules: DDI hooks and/or event observers. Any of them may throw a VerifierViolation. */
export interface RuleFamily {
  before?(call: DdiCall, opts: DdiCallOptions): void;
  after?(call: DdiCall, result: unknown, opts: DdiCallOptions): void;
  threw?(call: DdiCall, error: unknown, opts: DdiCallOptions): void;
  /** After every machine event (the kernel is between two steps and its state is consistent). */
  observe?(): void;
  /** At the end of a run that did not fail, after the device was stopped. */
  finish?(): void;
}
