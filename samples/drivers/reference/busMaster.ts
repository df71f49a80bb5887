// Bus-master DMA ("Bus-Master DMA in Video Miniport Drivers").
//
// The driver gets a DMA adapter once, when the device starts (VideoPortGetDmaAdapter, here
// DxgkCbGetDmaAdapter), and uses it for every DMA call. Packet-based DMA moves an allocation's
// system pages to or from the device with the hardware's scatter/gather. Common-buffer DMA shares a
// contiguous buffer between host and device: we keep one small one for the transfer descriptors the
// device reads, because the common buffer is a precious system resource. When DMA is no longer
// needed (the device stops) the common buffer is freed and the adapter put back
// (VideoPortPutDmaAdapter, here DxgkCbPutDmaAdapter).

import {
  STATUS_INSUFFICIENT_RESOURCES,
  type DXGKARG_BUSMASTERTRANSFER,
  type DXGKRNL_INTERFACE,
  type NTSTATUS,
  type VP_COMMON_BUFFER,
  type VP_DMA_ADAPTER,
} from 'paging-lab/ddi';

/** Bytes of common buffer for transfer descriptors: 16 bytes per transfer, used as a ring. */
const DESCRIPTOR_RING_BYTES = 4096;

export interface BusMaster {
  adapter: VP_DMA_ADAPTER | null;
  descriptors: VP_COMMON_BUFFER | null;
  next: number;
}

export function startBusMaster(dxgk: DXGKRNL_INTERFACE): BusMaster {
  const bm: BusMaster = { adapter: null, descriptors: null, next: 0 };
  const adapter = dxgk.DxgkCbGetDmaAdapter?.(dxgk.DeviceHandle, { ScatterGather: true, Dma32BitAddresses: false, Dma64BitAddresses: true, MaximumLength: 1 << 24 });
  if (!adapter) return bm; // no bus-master DMA on this platform: transfers go through paging buffers only
  bm.adapter = adapter;
  bm.descriptors = adapter.AllocateCommonBuffer(DESCRIPTOR_RING_BYTES);
  return bm;
}

export function busMasterTransfer(bm: BusMaster, args: DXGKARG_BUSMASTERTRANSFER): NTSTATUS {
  if (!bm.adapter || !bm.descriptors) return STATUS_INSUFFICIENT_RESOURCES;
  // Record the request where the device can read it (a descriptor: segment, offset, length, direction).
  const v = new DataView(bm.descriptors.VirtualAddress.buffer, bm.descriptors.VirtualAddress.byteOffset, bm.descriptors.Length);
  if (bm.next + 16 > bm.descriptors.Length) bm.next = 0;
  v.setUint32(bm.next, args.SegmentId, true);
  v.setUint32(bm.next + 4, args.SegmentAddress, true);
  v.setUint32(bm.next + 8, args.Length, true);
  v.setUint32(bm.next + 12, args.WriteToDevice ? 1 : 0, true);
  bm.next += 16;
  return bm.adapter.StartDma(args.pMdl, args.SegmentId, args.SegmentAddress, args.Length, args.WriteToDevice);
}

export function stopBusMaster(dxgk: DXGKRNL_INTERFACE, bm: BusMaster): void {
  if (!bm.adapter) return;
  if (bm.descriptors) bm.adapter.FreeCommonBuffer(bm.descriptors);
  bm.descriptors = null;
  dxgk.DxgkCbPutDmaAdapter?.(dxgk.DeviceHandle, bm.adapter);
  bm.adapter = null;
}
