// What the WDK modules beside the kernel (cpuAccess, aperture, pagingQueue, busMasterDma) share:
// the kernel, a way to report a verifier rule (a no-op with the verifier off), and small helpers.

import type { SourceLocation } from '../driver/errors';
import type { RuleId } from '../verifier/rules';
import type { Verifier } from '../verifier/verifier';
import { VerifierViolation } from '../verifier/violation';
import type { Gen } from './events';
import type { Kernel } from './kernel';
import { KernelError } from './kernelError';
import { readSystemPages, writeSystemPages } from './systemPages';
import type { Allocation } from './vidmm';

export class PathContext {
  constructor(
    readonly kernel: Kernel,
    readonly verifier: Verifier | undefined,
  ) {}

  get vidmm() {
    return this.kernel.vidmm;
  }

  get gpu() {
    return this.kernel.gpu;
  }

  /** Throws the violation of `rule` when the verifier is on (at the driver's line `location` when known, with the DDI's implementation beside it); otherwise the run goes on. */
  report(rule: RuleId, what: string, opts: { ddi?: string; location?: SourceLocation; args?: unknown } = {}): void {
    if (!this.verifier) return;
    const c = this.verifier.context;
    const implementation = opts.ddi ? c.locate(opts.ddi) : undefined;
    const location = opts.location ?? implementation;
    const second = implementation && location && (location.file !== implementation.file || location.line !== implementation.line) ? implementation : undefined;
    throw new VerifierViolation(rule, what, { ddi: opts.ddi, args: opts.args, location, ddiLocation: second });
  }

  alloc(id: string): Allocation {
    const a = this.kernel.byName.get(id);
    if (!a) throw new KernelError('scenario', `allocation '${id}' does not exist`);
    return a;
  }

  /** Submits what VidMm has built and runs the GPU until `a`'s paging work and rendering are done. */
  *settle(a: Allocation, why: string): Gen {
    yield* this.vidmm.submitCurrent();
    yield* this.kernel.waitUntil(() => this.vidmm.pagingDone(a) && !this.vidmm.isBusy(a), `'${a.name}' ${why}`);
  }

  /** Submits what VidMm has built and runs the GPU until every paging buffer is done. */
  *settleAll(why: string): Gen {
    yield* this.vidmm.submitCurrent();
    yield* this.kernel.waitUntil(() => this.kernel.vidsch.idle, why);
  }

  /** The allocation's bytes in its system pages. */
  readPages(a: Allocation): Uint8Array {
    return readSystemPages(this.gpu, a);
  }

  writePages(a: Allocation, offset: number, bytes: Uint8Array): void {
    writeSystemPages(this.gpu, a, offset, bytes);
  }

}

export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
