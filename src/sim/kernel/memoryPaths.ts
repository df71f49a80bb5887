// The memory paths beyond residency, built beside the kernel (MemoryPaths): CPU access through the aperture (cpuAccess.ts),
// aperture segments and physical reads/writes (aperture.ts), the device paging queue
// (pagingQueue.ts), bus-master DMA (busMasterDma.ts), and the verifier (../verifier). `run()` wraps
// the kernel's own run: every event passes through, the modules and the verifier react between
// two events, and once the workload is done the device is stopped (DxgkDdiStopDevice) and what the
// driver still holds is checked.

import { type DXGKRNL_INTERFACE, NT_SUCCESS, statusName } from '../ddi/contract';
import type { FaultRecord } from '../hw/types';
import type { Step, PathStep } from '../scenario/types';
import { Verifier } from '../verifier/verifier';
import { ApertureSegments } from './aperture';
import { BusMasterDma, type BusMasterStats } from './busMasterDma';
import { CpuAccess } from './cpuAccess';
import type { Gen } from './events';
import type { KernelExtension } from './extension';
import type { Kernel } from './kernel';
import { KernelError } from './kernelError';
import { DevicePagingQueue } from './pagingQueue';
import type { Allocation, EvictionAperture } from './vidmm';
import type { QueuedBuffer } from './vidsch';
import { PathContext } from './pathContext';
import { PathsRun } from './pathsRun';

export interface MemoryPathsState {
  verifier: boolean;
  cpuMappings: { allocation: string; va: number; through: 'aperture' | 'system'; barOffset?: number; alternateVA: boolean }[];
  apertureMappings: { allocation: string; segmentId: number; offset: number; cacheCoherent: boolean }[];
  swizzlingRanges: number;
  /** DXGK_DRIVERCAPS.NumberOfSwizzlingRanges: the RangeIds VidMm may hand out. */
  declaredSwizzlingRanges: number;
  pagingFence: { value: number; lastQueued: number; operations: number };
  dma: BusMasterStats;
  commonBuffers: { used: number; budget: number; buffers: number };
}

export interface MemoryPathsOptions {
  /** Check the driver against the DDI rules (default true). */
  verifier?: boolean;
}

export class MemoryPaths implements KernelExtension {
  readonly context: PathContext;
  readonly verifier: Verifier | undefined;
  readonly cpu: CpuAccess;
  readonly aperture: ApertureSegments;
  readonly pagingQueue: DevicePagingQueue;
  readonly dma: BusMasterDma;
  stopped = false;

  get evictionAperture(): EvictionAperture {
    return this.aperture.evictionAperture;
  }

  constructor(
    readonly kernel: Kernel,
    options: MemoryPathsOptions = {},
  ) {
    this.verifier = options.verifier === false ? undefined : new Verifier(kernel);
    this.context = new PathContext(kernel, this.verifier);
    this.cpu = new CpuAccess(this.context);
    this.aperture = new ApertureSegments(this.context);
    this.pagingQueue = new DevicePagingQueue(this.context);
    this.dma = new BusMasterDma(this.context);
    kernel.extension = this;
    kernel.ddi.hooks.push({
      before: (call) => {
        if (call.ddi === 'DxgkDdiStartDevice') this.dma.offer(call.args.DxgkInterface as DXGKRNL_INTERFACE);
      },
    });
  }

  /** Plain-data view for hosts: CPU mappings, aperture mappings, the paging fence, DMA and common-buffer use. */
  state(): MemoryPathsState {
    const k = this.kernel;
    const allocs = [...(k.vidmm?.allocations.values() ?? [])];
    const usage = k.gpu.commonBufferUsage();
    return {
      verifier: this.verifier !== undefined,
      cpuMappings: allocs.flatMap((a) => {
        const m = this.cpu.mapping(a);
        return m ? [{ allocation: a.name, va: m.va, through: m.kind, barOffset: m.barOffset >= 0 ? m.barOffset : undefined, alternateVA: !!m.alternate }] : [];
      }),
      apertureMappings: allocs.flatMap((a) => {
        const m = this.aperture.mapping(a);
        return m ? [{ allocation: a.name, segmentId: m.segment.id, offset: m.offset, cacheCoherent: m.cacheCoherent }] : [];
      }),
      swizzlingRanges: k.gpu.swizzlingRanges().length,
      declaredSwizzlingRanges: k.caps?.NumberOfSwizzlingRanges ?? 0,
      pagingFence: { value: this.pagingQueue.lastFence ? this.pagingQueue.value() : 0, lastQueued: this.pagingQueue.lastFence, operations: this.pagingQueue.operations.length },
      dma: { ...this.dma.stats },
      commonBuffers: usage,
    };
  }

  run(): Gen {
    return new PathsRun(this.kernel.run(), {
      reaction: (e) => (e.kind === 'kernel' && (e.what === 'eviction' || e.what === 'relocation') ? this.cpu.onEvent(e) : undefined),
      between: () => this.verifier?.observe(),
      finish: () => this.kernel.frame('finish: stop the device', this.finish()),
    });
  }

  private *finish(): Gen {
    const k = this.kernel;
    const { init, ctx } = k.driver();
    const stop = init.DxgkDdiStopDevice;
    let stopped: unknown;
    if (stop) {
      stopped = yield* k.ddi.call('DxgkDdiStopDevice', { MiniportDeviceContext: ctx }, () => stop.call(init, ctx), 'status', { fn: stop });
      this.stopped = true;
      // An error code is the driver's to return (the page allows any of Ntstatus.h), and says the
      // adapter was not reset: the run ends there, as when DxgkDdiStartDevice fails.
      if (typeof stopped === 'number' && !NT_SUCCESS(stopped)) throw k.ddi.statusError('DxgkDdiStopDevice', { MiniportDeviceContext: ctx }, stop, `DxgkDdiStopDevice failed with ${statusName(stopped)}`);
    }
    const leaks = this.dma.leaks();
    if (leaks.length) {
      const c = this.context;
      const v = c.verifier?.context;
      const taken = v?.locateStack(leaks[0].stack);
      c.report(
        'common-buffer-leak',
        `when the device stopped${stop ? ' (after DxgkDdiStopDevice returned)' : ' (the driver has no DxgkDdiStopDevice to give them back in)'}: ${leaks.map((l) => l.what).join('; ')}${taken ? `; taken at ${taken.file}:${taken.line}:${taken.column}` : ''}`,
        // Judged when DxgkDdiStopDevice returned: at its `return`, when the code tells which.
        { location: (stop ? v?.returned({ ddi: 'DxgkDdiStopDevice' }, stopped, stop) : undefined) ?? v?.locate(stop ? 'DxgkDdiStopDevice' : 'DxgkDdiStartDevice', stop) ?? taken, ddi: stop ? 'DxgkDdiStopDevice' : 'DxgkDdiStartDevice' },
      );
    }
    this.verifier?.finish();
  }

  *runStep(step: Step): Gen {
    const s = step as PathStep;
    switch (s.op) {
      case 'map-aperture':
        return yield* this.aperture.map(s);
      case 'unmap-aperture':
        return yield* this.aperture.unmap(s);
      case 'gpu-write-physical':
        return yield* this.aperture.gpuWrite(s);
      case 'cpu-read':
        return yield* this.aperture.cpuRead(s);
      case 'paging-queue':
        return yield* this.pagingQueue.queue(s);
      case 'wait-paging-fence':
        return yield* this.pagingQueue.wait(s);
      case 'dma-transfer':
        return yield* this.dma.transfer(s);
      case 'lock-surface':
        return yield* this.cpu.lockSurface(s);
      case 'defragment':
        return yield* this.defragment(s);
      default:
        throw new KernelError('scenario', `unknown step '${(step as { op: string }).op}'`);
    }
  }

  /** VidMm compacts memory segments with raw moves (Transfer with hAllocation NULL). */
  private *defragment(step: Extract<PathStep, { op: 'defragment' }>): Gen {
    const k = this.kernel;
    const memory = k.vidmm.segments.filter((x) => x.kind === 'memory');
    const segs = step.segment === undefined ? memory : memory.filter((x) => x.name === step.segment);
    if (!segs.length) throw new KernelError('scenario', `'${step.segment}' is not a memory segment (memory segments: ${memory.map((x) => x.name).join(', ')})`);
    let moved = 0;
    for (const seg of segs) moved += yield* k.frame(`compact ${seg.name}`, k.vidmm.defragment(seg));
    yield* k.vidmm.submitCurrent();
    yield k.event('compaction', `compaction of ${segs.map((x) => x.name).join(', ')}: ${moved} allocation${moved === 1 ? '' : 's'} moved`, { moved, segments: segs.map((x) => x.id) });
  }

  lock(a: Allocation, step: Extract<Step, { op: 'lock' }>): Gen {
    return this.cpu.lock(a, step);
  }

  unlock(a: Allocation): Gen {
    return this.cpu.unlock(a);
  }

  destroying(a: Allocation): Gen {
    return this.cpu.destroying(a);
  }

  cpuWrite(a: Allocation, offset: number, bytes: Uint8Array): boolean {
    return this.cpu.cpuWrite(a, offset, bytes);
  }

  // eslint-disable-next-line require-yield -- a check that never waits, in the extension's generator shape
  *verify(): Gen {
    this.pagingQueue.verifyMappings();
  }

  cpuMaps(a: Allocation): boolean {
    return this.cpu.maps(a);
  }

  gpuFault(buffer: QueuedBuffer, fault: FaultRecord): Error | undefined {
    return this.aperture.gpuFault(buffer, fault);
  }

  driverCommonBuffers(): { bytes: number; stack: string | undefined; how: string }[] {
    return this.dma.held();
  }
}
