// The device's registers as the driver sees them (DEVICE_REGISTERS in the contract), on top of the
// simulated GPU. It also mirrors each engine's hardware queue, so the machine can tell a host which
// instruction an engine runs next before it runs.

import type { DEVICE_REGISTERS, HARDWARE_SEGMENT } from '../ddi/contract';
import { DriverError, type SourceLocation } from '../driver/errors';
import type { Gpu, Submission } from '../hw/types';

/** A hardware submission as the kernel mirrors it, with what it held when queued (when kept). */
export interface QueuedSubmission extends Submission {
  sent: Uint8Array | undefined;
  /** The driver line that first wrote into it while it was queued (mapped when asked). */
  writtenAt: (() => SourceLocation | undefined) | undefined;
}

export class DeviceRegisters implements DEVICE_REGISTERS {
  readonly EngineCount: number;
  readonly Segments: readonly HARDWARE_SEGMENT[];
  readonly SwizzlingRangeCount: number;
  /** Per engine: hardware submissions not yet completed, in order (the head is running or next). */
  readonly hwQueues: QueuedSubmission[][];
  /** Keep a copy of what each submission held when it was queued (the verifier's submitted-commands-changed). */
  keepSent = false;
  /** Told of each unswizzling range the driver clears, while its code runs (the verifier's swizzling-release-others notes the line). */
  onClearSwizzlingRange: ((handle: number) => void) | undefined;

  constructor(private readonly gpu: Gpu) {
    this.EngineCount = gpu.config.engines;
    this.SwizzlingRangeCount = gpu.config.swizzlingRanges;
    this.Segments = gpu.segments.map((s) => ({
      Id: s.id,
      Name: s.name,
      Kind: s.kind,
      Size: s.size,
      GpuBaseAddress: s.vramBase ?? 0,
      CpuVisible: s.cpuVisible,
      BarBaseAddress: s.barBase ?? 0,
      CacheCoherent: s.cacheCoherent ?? false,
      BankEnds: s.bankEnds ? [...s.bankEnds] : [],
    }));
    this.hwQueues = Array.from({ length: this.EngineCount }, () => []);
  }

  SubmitDmaBuffer(EngineOrdinal: number, PhysicalAddress: number, Length: number, SubmissionFenceId: number): void {
    if (!Number.isInteger(EngineOrdinal) || EngineOrdinal < 0 || EngineOrdinal >= this.EngineCount) {
      throw new DriverError('contract', `SubmitDmaBuffer: engine ${EngineOrdinal} does not exist (the adapter has ${this.EngineCount})`);
    }
    const s: QueuedSubmission = { physical: PhysicalAddress, length: Length, submissionId: SubmissionFenceId, sent: undefined, writtenAt: undefined };
    try {
      this.gpu.submit(EngineOrdinal, s);
    } catch (e) {
      throw new DriverError('contract', `SubmitDmaBuffer rejected by the hardware: ${(e as Error).message}`);
    }
    if (this.keepSent && Length > 0) {
      try {
        s.sent = this.gpu.readPhysical(PhysicalAddress, Length);
      } catch {
        // Memory that is not there: the engine faults on it, which says more.
      }
    }
    this.hwQueues[EngineOrdinal].push(s);
  }

  ReadPagingFence(EngineOrdinal: number): number {
    if (!Number.isInteger(EngineOrdinal) || EngineOrdinal < 0 || EngineOrdinal >= this.EngineCount) {
      throw new DriverError('contract', `ReadPagingFence: engine ${EngineOrdinal} does not exist (the adapter has ${this.EngineCount})`);
    }
    return Number(this.gpu.engineView(EngineOrdinal).pagingFence);
  }

  ProgramSwizzlingRange(SegmentId: number, SegmentOffset: number, Size: number, Pitch: number): number {
    try {
      return this.gpu.acquireSwizzlingRange(SegmentId, SegmentOffset, Size, Pitch)?.handle ?? -1;
    } catch (e) {
      throw new DriverError('contract', `ProgramSwizzlingRange rejected by the hardware: ${(e as Error).message}`);
    }
  }

  ClearSwizzlingRange(Handle: number): void {
    this.onClearSwizzlingRange?.(Handle);
    try {
      this.gpu.releaseSwizzlingRange(Handle);
    } catch (e) {
      throw new DriverError('contract', `ClearSwizzlingRange rejected by the hardware: ${(e as Error).message}`);
    }
  }

  /**
   * Where the submission `engine` runs (or has just run) holds other bytes than when it was queued:
   * the first byte that differs, with both copies; undefined when none does or no copy was kept.
   * `done`: the engine has finished it, so it is not looked at again.
   */
  changedSubmission(engine: number, done: boolean): { submission: QueuedSubmission; offset: number; sent: Uint8Array; now: Uint8Array } | undefined {
    const s = this.hwQueues[engine][0];
    const sent = s?.sent;
    if (!sent) return undefined;
    if (done) s.sent = undefined;
    const now = this.gpu.readPhysical(s.physical, s.length);
    for (let i = 0; i < sent.length; i++) if (sent[i] !== now[i]) return { submission: s, offset: i, sent, now };
    return undefined;
  }

  /** A queued submission (whose bytes were kept) that `[physical, physical + length)` overlaps. */
  queuedAt(physical: number, length: number): QueuedSubmission | undefined {
    for (const q of this.hwQueues) {
      for (const s of q) if (s.sent && physical < s.physical + s.length && s.physical < physical + length) return s;
    }
    return undefined;
  }

  /** The hardware finished a submission on `engine`. */
  completed(engine: number): void {
    this.hwQueues[engine].shift();
  }

  /** The instruction `engine` executes next: its bus address, offset and submission, or undefined when idle. */
  nextInstruction(engine: number): { address: number; offset: number; submissionId: number } | undefined {
    const current = this.gpu.engineCurrent(engine);
    const pc = this.gpu.enginePc(engine);
    if (current && pc < current.length) {
      return { address: current.physical + pc, offset: pc, submissionId: current.submissionId };
    }
    const q = this.hwQueues[engine];
    for (let i = current ? 1 : 0; i < q.length; i++) {
      if (q[i].length > 0) return { address: q[i].physical, offset: 0, submissionId: q[i].submissionId };
    }
    return undefined;
  }
}
