// The device's registers as the driver sees them (DEVICE_REGISTERS in the contract), on top of the
// simulated GPU. It also mirrors each engine's hardware queue, so the machine can tell a host which
// instruction an engine runs next before it runs.

import type { DEVICE_REGISTERS, HARDWARE_SEGMENT } from '../ddi/contract';
import { DriverError } from '../driver/errors';
import type { Gpu, Submission } from '../hw/types';

export class DeviceRegisters implements DEVICE_REGISTERS {
  readonly EngineCount: number;
  readonly Segments: readonly HARDWARE_SEGMENT[];
  /** Per engine: hardware submissions not yet completed, in order (the head is running or next). */
  readonly hwQueues: Submission[][];

  constructor(private readonly gpu: Gpu) {
    this.EngineCount = gpu.config.engines;
    this.Segments = gpu.segments.map((s) => ({
      Id: s.id,
      Name: s.name,
      Kind: s.kind,
      Size: s.size,
      GpuBaseAddress: s.vramBase ?? 0,
      CpuVisible: s.cpuVisible,
      BarBaseAddress: s.barBase ?? 0,
      CacheCoherent: s.cacheCoherent ?? false,
    }));
    this.hwQueues = Array.from({ length: this.EngineCount }, () => []);
  }

  SubmitDmaBuffer(EngineOrdinal: number, PhysicalAddress: number, Length: number, SubmissionFenceId: number): void {
    if (!Number.isInteger(EngineOrdinal) || EngineOrdinal < 0 || EngineOrdinal >= this.EngineCount) {
      throw new DriverError('contract', `SubmitDmaBuffer: engine ${EngineOrdinal} does not exist (the adapter has ${this.EngineCount})`);
    }
    const s: Submission = { physical: PhysicalAddress, length: Length, submissionId: SubmissionFenceId };
    try {
      this.gpu.submit(EngineOrdinal, s);
    } catch (e) {
      throw new DriverError('contract', `SubmitDmaBuffer rejected by the hardware: ${(e as Error).message}`);
    }
    this.hwQueues[EngineOrdinal].push(s);
  }

  ReadPagingFence(EngineOrdinal: number): number {
    if (!Number.isInteger(EngineOrdinal) || EngineOrdinal < 0 || EngineOrdinal >= this.EngineCount) {
      throw new DriverError('contract', `ReadPagingFence: engine ${EngineOrdinal} does not exist (the adapter has ${this.EngineCount})`);
    }
    return Number(this.gpu.engineView(EngineOrdinal).pagingFence);
  }

  ProgramSwizzlingRange(SegmentId: number, SegmentAddress: number, Size: number, Pitch: number): number {
    try {
      return this.gpu.acquireSwizzlingRange(SegmentId, SegmentAddress, Size, Pitch)?.handle ?? -1;
    } catch (e) {
      throw new DriverError('contract', `ProgramSwizzlingRange rejected by the hardware: ${(e as Error).message}`);
    }
  }

  ClearSwizzlingRange(Handle: number): void {
    try {
      this.gpu.releaseSwizzlingRange(Handle);
    } catch (e) {
      throw new DriverError('contract', `ClearSwizzlingRange rejected by the hardware: ${(e as Error).message}`);
    }
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
