// Bus-master DMA ("Bus-Master DMA in Video Miniport Drivers"): the kernel offers the driver
// DxgkCbGetDmaAdapter / DxgkCbPutDmaAdapter (VideoPortGetDmaAdapter / VideoPortPutDmaAdapter) in
// DXGKRNL_INTERFACE. The adapter hands out common buffers (contiguous, shared by host and device,
// budgeted by the adapter profile's commonBufferBudget and counted here) and runs packet-based
// scatter/gather transfers between an MDL's pages and a segment. A `dma-transfer` workload step
// asks the driver for one (DxgkDdiBusMasterTransfer). At the end of the run, after
// DxgkDdiStopDevice, every common buffer must be freed and every adapter put back.

import {
  type DXGKARG_BUSMASTERTRANSFER,
  type DXGKRNL_INTERFACE,
  type MDL,
  type VP_COMMON_BUFFER,
  type VP_DEVICE_DESCRIPTION,
  type VP_DMA_ADAPTER,
  NT_SUCCESS,
  PAGE_SIZE,
  STATUS_INVALID_PARAMETER,
  STATUS_SUCCESS,
  statusName,
} from '../ddi/contract';
import { DriverError } from '../driver/errors';
import type { CommonBuffer } from '../hw/types';
import type { PathStep } from '../scenario/types';
import type { Gen } from './events';
import { KernelError } from './kernelError';
import type { PathContext } from './pathContext';
import { asHostCallbacks, asHostWork } from '../runtime/driverCode';

interface AdapterRecord {
  adapter: VP_DMA_ADAPTER;
  /** Driver stack where it was obtained (to locate a leak). */
  stack: string | undefined;
  put: boolean;
  buffers: Map<VP_COMMON_BUFFER, { cb: CommonBuffer; stack: string | undefined }>;
}

export interface BusMasterStats {
  adapters: number;
  commonBuffers: number;
  commonBufferBytes: number;
  peakCommonBufferBytes: number;
  transfers: number;
  packets: number;
  bytes: number;
}

export class BusMasterDma {
  private readonly adapters: AdapterRecord[] = [];
  /** Virtual time the DMA channel finishes its last transfer. */
  private busyUntil = 0;
  readonly stats: BusMasterStats = { adapters: 0, commonBuffers: 0, commonBufferBytes: 0, peakCommonBufferBytes: 0, transfers: 0, packets: 0, bytes: 0 };

  constructor(private readonly w: PathContext) {}

  /** Adds the DMA adapter callbacks to the interface DxgkDdiStartDevice receives. */
  offer(iface: DXGKRNL_INTERFACE): void {
    const handle = iface.DeviceHandle;
    iface.DxgkCbGetDmaAdapter = asHostWork((h, description) => {
      if (h !== handle) throw new DriverError('contract', 'DxgkCbGetDmaAdapter was called with a DeviceHandle that is not DxgkInterface.DeviceHandle');
      return this.getAdapter(description);
    });
    iface.DxgkCbPutDmaAdapter = asHostWork((h, adapter) => {
      if (h !== handle) throw new DriverError('contract', 'DxgkCbPutDmaAdapter was called with a DeviceHandle that is not DxgkInterface.DeviceHandle');
      const r = this.adapters.find((x) => x.adapter === adapter);
      if (!r) throw new DriverError('contract', 'DxgkCbPutDmaAdapter: this is not an adapter DxgkCbGetDmaAdapter returned');
      if (r.put) throw new DriverError('contract', 'DxgkCbPutDmaAdapter: the adapter was already put back');
      r.put = true;
    });
  }

  private getAdapter(description: VP_DEVICE_DESCRIPTION): VP_DMA_ADAPTER {
    if (!description || typeof description !== 'object') throw new DriverError('contract', 'DxgkCbGetDmaAdapter needs a VP_DEVICE_DESCRIPTION');
    const gpu = this.w.gpu;
    const record: AdapterRecord = { adapter: undefined as unknown as VP_DMA_ADAPTER, stack: new Error().stack, put: false, buffers: new Map() };
    const live = (what: string): void => {
      if (record.put) throw new DriverError('contract', `${what} on a DMA adapter that was already put back (DxgkCbPutDmaAdapter)`);
    };
    // Its functions are the kernel's work (a transfer is copied inside StartDma): not the driver's time.
    record.adapter = asHostCallbacks({
      AllocateCommonBuffer: (Length: number) => {
        live('AllocateCommonBuffer');
        if (!Number.isSafeInteger(Length) || Length <= 0) throw new DriverError('contract', `AllocateCommonBuffer: Length must be a positive integer, got ${String(Length)}`);
        const cb = gpu.allocateCommonBuffer(Length);
        if (!cb) return null;
        const buffer: VP_COMMON_BUFFER = { VirtualAddress: cb.bytes, LogicalAddress: cb.physical, Length: cb.size };
        record.buffers.set(buffer, { cb, stack: new Error().stack });
        this.stats.commonBuffers++;
        this.stats.commonBufferBytes += cb.size;
        this.stats.peakCommonBufferBytes = Math.max(this.stats.peakCommonBufferBytes, this.stats.commonBufferBytes);
        return buffer;
      },
      FreeCommonBuffer: (buffer: VP_COMMON_BUFFER) => {
        const b = record.buffers.get(buffer);
        if (!b) throw new DriverError('contract', 'FreeCommonBuffer: this is not a live common buffer of this adapter');
        record.buffers.delete(buffer);
        gpu.freeCommonBuffer(b.cb);
        this.stats.commonBufferBytes -= b.cb.size;
      },
      StartDma: (pMdl: MDL, SegmentId: number, SegmentAddress: number, Length: number, WriteToDevice: boolean) => {
        live('StartDma');
        if (!description.ScatterGather) throw new DriverError('contract', 'StartDma: packet-based DMA needs an adapter obtained with ScatterGather: true');
        if (!pMdl || !Array.isArray(pMdl.PfnArray)) return STATUS_INVALID_PARAMETER;
        const pages = pMdl.PfnArray.map((pfn) => pfn * PAGE_SIZE);
        let r: { bytes: number; completesAt: number };
        try {
          // SegmentAddress as the DDI gave it (the segment's BaseAddress + offset); the device takes the offset.
          r = gpu.scatterGather({ pages, byteOffset: pMdl.ByteOffset, byteCount: Length }, SegmentId, this.w.vidmm.segmentOffset(SegmentId, SegmentAddress), WriteToDevice ? 'to-device' : 'from-device');
        } catch (e) {
          throw new DriverError('contract', `StartDma rejected by the hardware: ${(e as Error).message}`);
        }
        this.busyUntil = Math.max(this.busyUntil, r.completesAt);
        this.stats.transfers++;
        this.stats.packets += Math.ceil((pMdl.ByteOffset + Length) / PAGE_SIZE);
        this.stats.bytes += r.bytes;
        return STATUS_SUCCESS;
      },
    });
    this.adapters.push(record);
    this.stats.adapters++;
    return record.adapter;
  }

  *transfer(step: Extract<PathStep, { op: 'dma-transfer' }>): Gen {
    const k = this.w.kernel;
    const a = this.w.alloc(step.id);
    const { init, ctx } = k.driver();
    const ddi = init.DxgkDdiBusMasterTransfer;
    if (!ddi) throw new KernelError('scenario', 'the driver has no DxgkDdiBusMasterTransfer: it cannot run bus-master DMA transfers');
    if (a.locked) throw new KernelError('scenario', `'${a.name}' is locked by the CPU`);
    if (a.residency !== 'resident') yield* k.frame(`page in '${a.name}' for bus-master DMA`, this.w.vidmm.makeResident([a], 'a bus-master DMA transfer'));
    yield* this.w.settle(a, 'to be idle before a bus-master DMA transfer');
    if (step.direction === 'to-device' && a.content === 'fresh') {
      throw new KernelError('scenario', `'${a.name}' has never been written: there is nothing in system memory to send to the device`);
    }
    const args: DXGKARG_BUSMASTERTRANSFER = { hAllocation: a.hAllocation, pMdl: a.mdl, SegmentId: a.segmentId, SegmentAddress: this.w.vidmm.segmentAddress(a.segmentId, a.offset), Length: a.size, WriteToDevice: step.direction === 'to-device' };
    const before = this.stats.transfers;
    const st = yield* k.ddi.call('DxgkDdiBusMasterTransfer', args as unknown as Record<string, unknown>, () => ddi(ctx, args), 'status', { fn: ddi });
    if (!NT_SUCCESS(st)) throw new KernelError('scenario', `DxgkDdiBusMasterTransfer for '${a.name}' failed with ${statusName(st)}`);
    if (this.stats.transfers === before) {
      throw k.ddi.statusError('DxgkDdiBusMasterTransfer', args, ddi, 'DxgkDdiBusMasterTransfer returned STATUS_SUCCESS without starting a transfer (VP_DMA_ADAPTER.StartDma)');
    }
    // The DMA channel runs on its own: the request completes when the last packet is through. The
    // GPU goes on meanwhile, through the kernel: moving its clock under it ran the queued work with
    // no instruction events and its interrupts never handled, so a later wait found the GPU idle
    // with fences never reported, and blamed the driver.
    if (this.busyUntil > this.w.gpu.now) yield* k.runFor(this.busyUntil - this.w.gpu.now);
    // What the allocation should hold is now what was sent: its system pages, which a render may
    // have left behind the segment's content (a verify then compares against those, not against
    // what the render wrote).
    if (step.direction === 'to-device') k.content.expectSystemContent(a);
    a.content = 'valid';
    // The transfer moved raw bytes between the segment and the system pages: those no longer hold
    // the allocation's content as a PermanentSysMem copy would (a swizzled layout, the bytes sent).
    a.dirty = true;
    yield k.event('bus-master-dma', `bus-master DMA ${step.direction} for '${a.name}' (${a.size} bytes, ${Math.ceil(a.size / PAGE_SIZE)} packets); common buffers in use: ${this.stats.commonBufferBytes} bytes`, {
      allocation: a.name,
      direction: step.direction,
      bytes: a.size,
      commonBufferBytes: this.stats.commonBufferBytes,
    });
  }

  /** The common buffers the driver holds now (bytes charged against the budget), with where it took each. */
  held(): { bytes: number; stack: string | undefined; how: string }[] {
    return this.adapters.flatMap((r) => [...r.buffers.values()].map((b) => ({ bytes: Math.ceil(b.cb.size / PAGE_SIZE) * PAGE_SIZE, stack: b.stack, how: 'VP_DMA_ADAPTER.AllocateCommonBuffer' })));
  }

  /** After DxgkDdiStopDevice: what the driver still holds. */
  leaks(): { what: string; stack: string | undefined }[] {
    const out: { what: string; stack: string | undefined }[] = [];
    this.adapters.forEach((r, i) => {
      for (const b of r.buffers.values()) out.push({ what: `a ${b.cb.size}-byte common buffer at 0x${b.cb.physical.toString(16)} of DMA adapter ${i + 1} was never freed (FreeCommonBuffer)`, stack: b.stack });
      if (!r.put) out.push({ what: `DMA adapter ${i + 1} was never put back (DxgkCbPutDmaAdapter)`, stack: r.stack });
    });
    return out;
  }
}
