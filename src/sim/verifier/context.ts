// What a verifier rule sees: the kernel it watches and a way to raise a violation located at the
// driver's own line that broke the rule (the offending call or write, from a stack captured there
// and mapped through the driver's source map), with the DDI's implementation as a second location.

import { statusName } from '../ddi/contract';
import type { SourceLocation } from '../driver/errors';
import { ReturnSites } from '../driver/returnSite';
import type { BufferWriters } from './bufferWriters';
import { EvictionWrites } from './evictionWrites';
import type { MemberWrites } from './memberWrites';
import type { DdiCall } from '../kernel/events';
import type { Kernel } from '../kernel/kernel';
import type { DdiCallOptions } from '../kernel/ddiCaller';
import type { RuleId } from './rules';
import { VerifierViolation } from './violation';

export type { DdiCallOptions } from '../kernel/ddiCaller';

export class RuleContext {
  private returnSites: ReturnSites | undefined;

  /** The driver lines behind the bytes of the paging buffer the last DxgkDdiBuildPagingBuffer call wrote, from `begin` (dmaBufferRules.ts records them). */
  pagingWrites: { callId: number; begin: number; writers: BufferWriters } | undefined;

  /** The driver lines that last wrote each member of the DXGK_ALLOCATIONINFOs of the last DxgkDdiCreateAllocation call (allocationInfoWrites.ts). */
  allocationInfoWrites: { callId: number; writes: MemberWrites } | undefined;

  /** The driver lines that wrote each instruction evicting an allocation locked through the aperture (evictionWrites.ts). */
  readonly evictionWrites = new EvictionWrites();

  constructor(readonly kernel: Kernel) {}

  /** The `return` of the DDI's implementation that gave `result`, when the code tells which (returnSite.ts). */
  returned(call: Pick<DdiCall, 'ddi'>, result: unknown, fn?: unknown): SourceLocation | undefined {
    const map = this.kernel.ddi.sourceMap;
    if (!map) return undefined;
    this.returnSites ??= new ReturnSites(map);
    const f = typeof fn === 'function' ? fn : this.kernel.ddi.functionOf?.(call.ddi);
    return this.returnSites.ofStatus(f, result, typeof result === 'number' ? statusName(result) : undefined);
  }

  /** Where the driver implements the DDI behind `call`: the function it registered, whatever its name. */
  locate(ddi: string, fn?: unknown): SourceLocation | undefined {
    return this.kernel.ddi.implementationOf(ddi, fn);
  }

  /** The innermost driver line of a stack captured while the driver ran. */
  locateStack(stack: string | undefined): SourceLocation | undefined {
    return this.kernel.ddi.locateStack(stack);
  }

  /** The driver line running now: call it from code the driver called (a callback, an accessor it set). */
  here(): SourceLocation | undefined {
    return this.kernel.ddi.here();
  }

  /** `here()` taken now, mapped only if a rule asks (for lines noted at every write). */
  hereLater(): () => SourceLocation | undefined {
    return this.kernel.ddi.hereLater();
  }

  /** A violation at `opts.location` (the offending line) when known, else at the DDI's implementation, which is also given as a second location. */
  violation(rule: RuleId, call: DdiCall | undefined, what: string, opts: DdiCallOptions & { location?: SourceLocation; args?: unknown } = {}): VerifierViolation {
    const implementation = call ? this.locate(call.ddi, opts.fn) : undefined;
    const location = opts.location ?? implementation;
    const second = implementation && location !== implementation && !sameLine(location, implementation) ? implementation : undefined;
    return new VerifierViolation(rule, what, { ddi: call?.ddi, args: opts.args ?? call?.args, location, ddiLocation: second });
  }
}

function sameLine(a: SourceLocation | undefined, b: SourceLocation): boolean {
  return !!a && a.file === b.file && a.line === b.line;
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
