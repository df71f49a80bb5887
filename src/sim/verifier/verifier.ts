// The verifier: on by default, it watches every DDI call and the kernel's progress and stops the
// run with a VerifierViolation naming the rule a driver broke (rules.ts lists them). Rule families
// live one per file beside this one; the kernel's own modules report the rules only they can see
// (the CPU view of an evicted allocation, common-buffer leaks) through `report`.
// The TDR rule is enforced by the host that runs the machine in a worker (src/sim/runtime), since
// a driver stuck in a loop cannot be interrupted from its own thread.

import { driverWriteSites } from '../ddi/writeSites';
import type { DdiHook } from '../kernel/ddiCaller';
import type { Kernel } from '../kernel/kernel';
import { allocationInfoWrites } from './allocationInfoWrites';
import { apertureRules } from './apertureRules';
import { buildLoopRules } from './buildLoopRules';
import { RuleContext, type RuleFamily } from './context';
import { dmaBufferRules } from './dmaBufferRules';
import { patchRule } from './patchRule';
import { statusRule } from './statusRule';
import { swizzlingRule } from './swizzlingRule';

export class Verifier {
  readonly context: RuleContext;
  private readonly families: RuleFamily[];

  constructor(readonly kernel: Kernel) {
    this.context = new RuleContext(kernel);
    kernel.verifier = this;
    kernel.registers.keepSent = true;
    this.families = [statusRule(this.context), dmaBufferRules(this.context), buildLoopRules(this.context), patchRule(this.context), apertureRules(this.context), swizzlingRule(this.context), allocationInfoWrites(this.context)];
    const families = this.families;
    // submitted-commands-changed: the line that writes into queued commands, noted during each call
    // (calls nest: a callback can run a DDI, so what was there is put back in order).
    const outer: (typeof driverWriteSites.queued)[] = [];
    const watch = (): void => {
      outer.push(driverWriteSites.queued);
      driverWriteSites.queued = kernel.noteQueuedWrite;
    };
    const hook: DdiHook = {
      before: (call, opts) => {
        for (const f of families) f.before?.(call, opts);
        watch();
      },
      ended: () => {
        driverWriteSites.queued = outer.pop();
      },
      after: (call, result, opts) => {
        for (const f of families) f.after?.(call, result, opts);
      },
      threw: (call, error, opts) => {
        for (const f of families) f.threw?.(call, error, opts);
      },
    };
    kernel.ddi.hooks.push(hook);
  }

  /** After each machine event. */
  observe(): void {
    for (const f of this.families) f.observe?.();
  }

  /** At the end of a successful run. */
  finish(): void {
    for (const f of this.families) f.finish?.();
  }
}
