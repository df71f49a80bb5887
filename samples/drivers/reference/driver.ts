/// <reference path="../../../types/paging-lab-ddi.d.ts" />
// The reference miniport: a complete, correct memory-management half of a WDDM display miniport
// driver for the Paging Lab adapter. Read it as documentation of how a driver does each step:
//
//   DriverEntry                 registers the DDIs with DxgkInitialize
//   DxgkDdiAddDevice            creates the adapter context (the hAdapter of every later call)
//   DxgkDdiStartDevice          keeps the kernel's callbacks, finds the device registers, and
//                               allocates a small common buffer for fence commands
//   DxgkDdiQueryAdapterInfo     reports the segments (DXGK_SEGMENTDESCRIPTOR), the paging-buffer
//                               size and the DMA-buffer size
//   DxgkDdiCreateAllocation     decides where an allocation may live (segment preferences)
//   DxgkDdiBuildPagingBuffer    writes GPU paging instructions for Transfer, Fill, DiscardContent
//                               (and the other operations), across several paging buffers when it
//                               runs out of room (MultipassOffset)
//   DxgkDdiPatch                writes segment addresses into render DMA buffers
//   DxgkDdiSubmitCommand        queues a DMA buffer and a fence that raises an interrupt
//   DxgkDdiInterruptRoutine     reads the fence registers and reports DMA completion
//   DxgkDdiDpcRoutine           tells the kernel the DPC ran
//   DxgkDdiStopDevice           gives back the bus-master DMA resources and the fence rings' memory
//   DxgkDdiAcquireSwizzlingRange / DxgkDdiReleaseSwizzlingRange
//                               let the CPU see a swizzled allocation linearly (swizzling.ts)
//   DxgkDdiBusMasterTransfer    packet-based bus-master DMA (busMaster.ts)
//
// The GPU's instructions and their encoding come from `paging-lab/gpu` (the pgasm reference lists
// them); the DDI types and status codes from `paging-lab/ddi`.

import {
  D3DDDI_ALLOCATIONPRIORITY_NORMAL,
  DxgkInitialize,
  DXGK_INTERRUPT_DMA_COMPLETED,
  DXGK_OPERATION_DISCARD_CONTENT,
  DXGK_OPERATION_FILL,
  DXGK_OPERATION_FLUSH_TLB,
  DXGK_OPERATION_NOTIFY_RESIDENCY,
  DXGK_OPERATION_MAP_APERTURE_SEGMENT,
  DXGK_OPERATION_READ_PHYSICAL,
  DXGK_OPERATION_SPECIAL_LOCK_TRANSFER,
  DXGK_OPERATION_TRANSFER,
  DXGK_OPERATION_UNMAP_APERTURE_SEGMENT,
  DXGK_OPERATION_UPDATE_PAGE_TABLE,
  DXGK_OPERATION_WRITE_PHYSICAL,
  DXGKQAITYPE_DRIVERCAPS,
  DXGKQAITYPE_QUERYSEGMENT,
  DXGKDDI_INTERFACE_VERSION_WDDM1_3,
  PAGE_SIZE,
  STATUS_GRAPHICS_ALLOCATION_BUSY,
  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER,
  STATUS_INVALID_PARAMETER,
  STATUS_NO_MEMORY,
  STATUS_SUCCESS,
  type DEVICE_REGISTERS,
  type DMA_BUFFER_POINTER,
  type DRIVER_OBJECT,
  type DXGK_ALLOCATIONINFO,
  type DXGK_TRANSFER_LOCATION,
  type DXGKARG_BUILDPAGINGBUFFER,
  type DXGKARG_CREATEALLOCATION,
  type DXGKARG_DESTROYALLOCATION,
  type DXGKARG_PATCH,
  type DXGKARG_QUERYADAPTERINFO,
  type DXGKARG_SUBMITCOMMAND,
  type DXGKRNL_INTERFACE,
  type DXGK_START_INFO,
  type HANDLE,
  type NTSTATUS,
  type OUT,
} from 'paging-lab/ddi';
import {
  FenceFlags,
  MapApertureFlags,
  PageTableFlags,
  type Location,
  instructionSize,
  mdlLocation,
  physicalLocation,
  writeInstruction,
  writeLocation,
} from 'paging-lab/gpu';
import { type BusMaster, busMasterTransfer, startBusMaster, stopBusMaster } from './busMaster';
import { segmentAt } from './segments';
import { acquireSwizzlingRange, crossesToSystem, releaseSwizzlingRange, writeSwizzledTransfer } from './swizzling';

/** Bytes of each paging buffer we ask VidMm for. */
const PAGING_BUFFER_SIZE = 16 * 1024;
/** Bytes of each render DMA buffer. */
const DMA_BUFFER_SIZE = 16 * 1024;
/**
 * The largest copy we put in one instruction. Long transfers become several `copy` instructions,
 * so a transfer can be cut between paging buffers at any 64 KiB boundary (MultipassOffset).
 */
const MAX_COPY_BYTES = 64 * 1024;
/** Fence commands live in common-buffer memory, a ring per engine: one slot per submission. */
const FENCE_RING_BYTES = 64 * 1024;

/** The adapter context: DxgkDdiAddDevice hands it to the kernel, which passes it back as hAdapter. */
interface Adapter {
  dxgk: DXGKRNL_INTERFACE | null;
  registers: DEVICE_REGISTERS | null;
  /** One ring of fence commands per engine (see DxgkDdiSubmitCommand). */
  fenceRings: FenceRing[];
  /** The contiguous memory the rings are in, to give back at DxgkDdiStopDevice. */
  ringMemory: HANDLE;
  /** The last fence value each engine's fence register was seen at. */
  lastFence: number[];
  /** Tiling units: a tiled allocation holds one while it is in a segment. */
  surfaceRegisters: (Allocation | null)[];
  busMaster: BusMaster | null;
}

/** An engine's part of the fence-command memory: `slots` fence instructions. */
interface FenceRing {
  bytes: Uint8Array;
  physical: number;
  slots: number;
}

/** Our record of an allocation (its hAllocation). */
interface Allocation {
  size: number;
  cpuVisible: boolean;
  /** The surface is tiled: while resident it needs one of the hardware's surface registers. */
  tiled: boolean;
  surfaceRegister: number;
  /** Swizzled in its segment, seen linearly by the CPU through an unswizzling range (swizzling.ts). */
  swizzled: boolean;
  pitch: number;
  swizzleHandle: number;
  /**
   * With ExplicitResidencyNotification: where it is committed, as NotifyResidency said; undefined
   * while evicted (Resident 0). Resident, not the address, says which: a segment that starts at
   * GPU address 0 commits an allocation at its start at physical address 0.
   */
  physicalAddress: number | undefined;
}

// ------------------------------------------------------------------------------------------------
// Loading and starting
// ------------------------------------------------------------------------------------------------

/**
 * The device registers of an adapter of this driver: what the drivers built on it need to turn the
 * segment addresses VidMm gives into the segment offsets the GPU takes (./segments.ts).
 */
export function registersOf(hAdapter: HANDLE): DEVICE_REGISTERS {
  return (hAdapter as Adapter).registers!;
}

export function DriverEntry(DriverObject: DRIVER_OBJECT, RegistryPath: string): NTSTATUS {
  return DxgkInitialize(DriverObject, RegistryPath, {
    Version: DXGKDDI_INTERFACE_VERSION_WDDM1_3,
    DxgkDdiAddDevice,
    DxgkDdiStartDevice,
    DxgkDdiQueryAdapterInfo,
    DxgkDdiCreateAllocation,
    DxgkDdiDestroyAllocation,
    DxgkDdiBuildPagingBuffer,
    DxgkDdiPatch,
    DxgkDdiSubmitCommand,
    DxgkDdiInterruptRoutine,
    DxgkDdiDpcRoutine,
    DxgkDdiStopDevice,
    DxgkDdiAcquireSwizzlingRange: (hAdapter, args) => acquireSwizzlingRange((hAdapter as Adapter).registers!, args.hAllocation as Allocation, args),
    DxgkDdiReleaseSwizzlingRange: (hAdapter, args) => releaseSwizzlingRange((hAdapter as Adapter).registers!, args.hAllocation as Allocation, args),
    DxgkDdiBusMasterTransfer: (hAdapter, args) => busMasterTransfer((hAdapter as Adapter).busMaster!, args),
  });
}

function DxgkDdiStopDevice(MiniportDeviceContext: HANDLE): NTSTATUS {
  const adapter = MiniportDeviceContext as Adapter;
  if (adapter.busMaster) stopBusMaster(adapter.dxgk!, adapter.busMaster);
  if (adapter.ringMemory) {
    adapter.dxgk!.DxgkCbFreeContiguousMemory(adapter.dxgk!.DeviceHandle, { hMemoryHandle: adapter.ringMemory });
    adapter.ringMemory = null;
    adapter.fenceRings = [];
  }
  return STATUS_SUCCESS;
}

function DxgkDdiAddDevice(PhysicalDeviceObject: HANDLE, MiniportDeviceContext: OUT<HANDLE>): NTSTATUS {
  const adapter: Adapter = { dxgk: null, registers: null, fenceRings: [], ringMemory: null, lastFence: [], surfaceRegisters: [null, null, null, null], busMaster: null };
  MiniportDeviceContext.value = adapter;
  return STATUS_SUCCESS;
}

function DxgkDdiStartDevice(MiniportDeviceContext: HANDLE, DxgkStartInfo: DXGK_START_INFO, DxgkInterface: DXGKRNL_INTERFACE): NTSTATUS {
  const adapter = MiniportDeviceContext as Adapter;
  adapter.dxgk = DxgkInterface;
  const info = DxgkInterface.DxgkCbGetDeviceInformation(DxgkInterface.DeviceHandle);
  adapter.registers = info.Registers;
  adapter.lastFence = new Array<number>(info.Registers.EngineCount).fill(0);
  // Fence commands follow each DMA buffer on the engine; they need GPU-readable memory of their own.
  const ring = { NumberOfBytes: FENCE_RING_BYTES, pVirtualAddress: null as Uint8Array | null, PhysicalAddress: 0, hMemoryHandle: null as HANDLE };
  if (DxgkInterface.DxgkCbAllocateContiguousMemory(DxgkInterface.DeviceHandle, ring) !== STATUS_SUCCESS || !ring.pVirtualAddress) {
    return STATUS_NO_MEMORY;
  }
  adapter.ringMemory = ring.hMemoryHandle;
  // Each engine gets its own part: it runs its buffers in order, so a slot it used `slots`
  // submissions ago has run once its fence register has passed that fence (DxgkDdiSubmitCommand).
  const size = instructionSize('fence');
  const slots = Math.floor(FENCE_RING_BYTES / size / info.Registers.EngineCount);
  for (let engine = 0; engine < info.Registers.EngineCount; engine++) {
    const at = engine * slots * size;
    adapter.fenceRings.push({ bytes: ring.pVirtualAddress.subarray(at, at + slots * size), physical: ring.PhysicalAddress + at, slots });
  }
  adapter.busMaster = startBusMaster(DxgkInterface);
  return STATUS_SUCCESS;
}

function DxgkDdiQueryAdapterInfo(hAdapter: HANDLE, pQueryAdapterInfo: DXGKARG_QUERYADAPTERINFO): NTSTATUS {
  const adapter = hAdapter as Adapter;
  const registers = adapter.registers!;
  switch (pQueryAdapterInfo.Type) {
    case DXGKQAITYPE_DRIVERCAPS: {
      const caps = pQueryAdapterInfo.pOutputData;
      caps.HighestAcceptableAddress = Number.MAX_SAFE_INTEGER;
      caps.MaxAllocationListSlotId = 64;
      caps.DmaBufferSize = DMA_BUFFER_SIZE;
      caps.GpuEngineTopology.NbAsymetricProcessingNodes = registers.EngineCount;
      caps.MemoryManagementCaps.PagingNode = 0;
      caps.NumberOfSwizzlingRanges = registers.SwizzlingRangeCount;
      return STATUS_SUCCESS;
    }
    case DXGKQAITYPE_QUERYSEGMENT: {
      const out = pQueryAdapterInfo.pOutputData;
      out.NbSegment = registers.Segments.length;
      out.PagingBufferSegmentId = 0;
      out.PagingBufferSize = PAGING_BUFFER_SIZE;
      out.PagingBufferPrivateDataSize = 0;
      // First call: VidMm only wants the count. Second call: fill one descriptor per segment,
      // in segment-id order (descriptor i is segment i + 1).
      if (out.pSegmentDescriptor) {
        registers.Segments.forEach((hw, i) => {
          const d = out.pSegmentDescriptor![i];
          d.BaseAddress = hw.GpuBaseAddress;
          d.CpuTranslatedAddress = hw.CpuVisible ? hw.BarBaseAddress : 0;
          d.Size = hw.Size;
          // Banks as the hardware has them: the end of each but the last (the last ends with the segment).
          d.Flags.UseBanking = hw.BankEnds.length > 0;
          d.NbOfBanks = hw.BankEnds.length > 0 ? hw.BankEnds.length + 1 : 0;
          d.pBankRangeTable = hw.BankEnds.length > 0 ? [...hw.BankEnds] : null;
          d.CommitLimit = hw.Size;
          d.Flags.Aperture = hw.Kind === 'aperture';
          d.Flags.CpuVisible = hw.CpuVisible;
          d.Flags.CacheCoherent = hw.CacheCoherent;
        });
      }
      return STATUS_SUCCESS;
    }
    default:
      return STATUS_INVALID_PARAMETER;
  }
}

// ------------------------------------------------------------------------------------------------
// Allocations
// ------------------------------------------------------------------------------------------------

function DxgkDdiCreateAllocation(hAdapter: HANDLE, pCreateAllocation: DXGKARG_CREATEALLOCATION): NTSTATUS {
  const adapter = hAdapter as Adapter;
  for (const info of pCreateAllocation.pAllocationInfo) {
    const status = describeAllocation(adapter, info);
    if (status !== STATUS_SUCCESS) return status;
  }
  return STATUS_SUCCESS;
}

/** Fills one DXGK_ALLOCATIONINFO from the user-mode driver's private data. */
function describeAllocation(adapter: Adapter, info: DXGK_ALLOCATIONINFO): NTSTATUS {
  const requested = info.pPrivateDriverData;
  const size = Number(requested.size);
  if (!Number.isSafeInteger(size) || size <= 0) return STATUS_INVALID_PARAMETER;
  const record: Allocation = {
    size: Math.ceil(size / PAGE_SIZE) * PAGE_SIZE,
    cpuVisible: requested.cpuVisible === true,
    tiled: requested.tiled === true,
    surfaceRegister: -1,
    swizzled: requested.swizzled === true,
    pitch: Number(requested.pitch ?? 1024),
    swizzleHandle: -1,
    physicalAddress: undefined,
  };
  // A swizzled surface is cut in tiles of 64 rows: its size must be whole rows of tiles.
  if (record.swizzled && (record.pitch % 64 !== 0 || record.size % (record.pitch * 64) !== 0)) return STATUS_INVALID_PARAMETER;
  const memory = adapter.registers!.Segments.filter((s) => s.Kind === 'memory');
  const visible = memory.filter((s) => s.CpuVisible).map((s) => s.Id);
  const hidden = memory.filter((s) => !s.CpuVisible).map((s) => s.Id);
  // CPU-visible allocations must stay where the BAR reaches. Others prefer the VRAM the CPU cannot
  // see, leaving the precious CPU-visible part to those that need it.
  const order = record.cpuVisible ? visible : [...hidden, ...visible];
  if (order.length === 0) return STATUS_INVALID_PARAMETER;
  const mask = order.reduce((m, id) => m | (1 << (id - 1)), 0);
  info.Size = record.size;
  info.Alignment = PAGE_SIZE;
  // Priority is not an issue to this driver: NORMAL, as the WDK asks (0 is invalid).
  info.AllocationPriority = D3DDDI_ALLOCATIONPRIORITY_NORMAL;
  info.PreferredSegment.SegmentId0 = order[0] ?? 0;
  // Banks of that segment the application asks for (private data `banks`, most preferred first,
  // scanned from the top with `banksFromTop`): up to four, as DXGK_SEGMENTBANKPREFERENCE holds.
  hintBanks(info, requested.banks, requested.banksFromTop === true);
  info.PreferredSegment.SegmentId1 = order[1] ?? 0;
  info.PreferredSegment.SegmentId2 = order[2] ?? 0;
  info.SupportedReadSegmentSet = mask;
  info.SupportedWriteSegmentSet = mask;
  // Evict straight to system memory, or, when the application asks (private data
  // evictThroughAperture), through our aperture segments: VidMm maps the allocation's pages there
  // and the Transfer's Destination is a segment address. Not for surfaces whose layout changes on
  // the way to system memory (tiled, swizzled): that happens only for a Destination of SegmentId 0.
  const apertures = adapter.registers!.Segments.filter((s) => s.Kind === 'aperture');
  const throughAperture = requested.evictThroughAperture === true && !record.tiled && !record.swizzled;
  info.EvictionSegmentSet = throughAperture ? apertures.reduce((m, s) => m | (1 << (s.Id - 1)), 0) : 0;
  info.Flags.CpuVisible = record.cpuVisible;
  // A system-memory copy kept while resident, when the application asks (CPU-visible allocations only).
  info.Flags.PermanentSysMem = requested.permanentSysMem === true && record.cpuVisible;
  info.Flags.Swizzled = record.swizzled;
  // Placed from the end of the segment when the application asks (bank hints take precedence).
  info.Flags.FromEndOfSegment = requested.fromEndOfSegment === true;
  // Overlay and capture surfaces, which VidMm pins in memory once resident.
  info.Flags.Overlay = requested.overlay === true;
  info.Flags.Capture = requested.capture === true;
  // Reached by its physical address, told of each commit and eviction (NotifyResidency) when asked.
  info.Flags.AccessedPhysically = requested.accessedPhysically === true;
  info.Flags.ExplicitResidencyNotification = requested.accessedPhysically === true && requested.residencyNotification === true;
  // We can move a locked allocation to and from an alternate virtual address (SpecialLockTransfer).
  info.Flags.UseAlternateVA = requested.alternateVA === true && !record.swizzled;
  info.hAllocation = record;
  return STATUS_SUCCESS;
}

function DxgkDdiDestroyAllocation(hAdapter: HANDLE, pDestroyAllocation: DXGKARG_DESTROYALLOCATION): NTSTATUS {
  const adapter = hAdapter as Adapter;
  for (const h of pDestroyAllocation.pAllocationList) releaseSurfaceRegister(adapter, h as Allocation);
  return STATUS_SUCCESS;
}

/** HintedBank from a list of bank identifiers (1-based), the first four; anything else leaves no hint. */
function hintBanks(info: DXGK_ALLOCATIONINFO, banks: unknown, fromTop: boolean): void {
  if (!Array.isArray(banks)) return;
  const h = info.HintedBank;
  const ids = banks.slice(0, 4).map(Number);
  if (!ids.every((b) => Number.isInteger(b) && b >= 1 && b <= 127)) return;
  const direction = fromTop ? 1 : 0;
  [h.Bank0, h.Bank1, h.Bank2, h.Bank3] = [ids[0] ?? 0, ids[1] ?? 0, ids[2] ?? 0, ids[3] ?? 0];
  [h.Direction0, h.Direction1, h.Direction2, h.Direction3] = [direction, direction, direction, direction];
}

// ------------------------------------------------------------------------------------------------
// Paging buffers
// ------------------------------------------------------------------------------------------------

function DxgkDdiBuildPagingBuffer(hAdapter: HANDLE, pBuildPagingBuffer: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS {
  const adapter = hAdapter as Adapter;
  const args = pBuildPagingBuffer;
  const registers = adapter.registers!;
  switch (args.Operation) {
    case DXGK_OPERATION_TRANSFER: {
      const t = args.Transfer;
      const allocation = t.hAllocation as Allocation | null;
      if (allocation?.tiled) {
        if (t.Destination.SegmentId === 0) {
          // Leaving video memory: the surface register must be freed, and reprogramming the tiling
          // unit takes effect immediately (it cannot be queued in the paging buffer). So the GPU
          // must not be using the allocation: if VidMm cannot promise that, ask it to wait.
          if (!t.Flags.AllocationIsIdle) return STATUS_GRAPHICS_ALLOCATION_BUSY;
          releaseSurfaceRegister(adapter, allocation);
        } else if (t.Flags.TransferStart) {
          acquireSurfaceRegister(adapter, allocation);
        }
      }
      // Between a segment and system memory a swizzled surface changes layout, so system memory
      // holds exactly the linear bytes the CPU saw through the aperture.
      if (crossesToSystem(allocation, t)) return writeSwizzledTransfer(registers, args, allocation!, t);
      return writeCopies(registers, args, t.Source, t.Destination, t.TransferOffset, t.TransferSize, t.MdlOffset);
    }
    case DXGK_OPERATION_FILL: {
      const f = args.Fill;
      const allocation = f.hAllocation as Allocation | null;
      if (allocation?.tiled) acquireSurfaceRegister(adapter, allocation);
      const size = instructionSize('fill');
      if (args.DmaSize < size) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
      emit(args, 'fill', [segmentAt(registers, f.Destination.SegmentId, f.Destination.SegmentAddress), f.FillSize, f.FillPattern]);
      return STATUS_SUCCESS;
    }
    case DXGK_OPERATION_DISCARD_CONTENT: {
      const d = args.DiscardContent;
      const allocation = d.hAllocation as Allocation | null;
      if (allocation?.tiled) {
        if (!d.Flags.AllocationIsIdle) return STATUS_GRAPHICS_ALLOCATION_BUSY;
        releaseSurfaceRegister(adapter, allocation);
      }
      // Nothing has to move, but a `discard` makes the operation visible in traces.
      const size = instructionSize('discard');
      if (args.DmaSize < size) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
      emit(args, 'discard', [segmentAt(registers, d.SegmentId, d.SegmentAddress), allocation?.size ?? PAGE_SIZE]);
      return STATUS_SUCCESS;
    }
    case DXGK_OPERATION_READ_PHYSICAL: {
      if (args.DmaSize < instructionSize('pread')) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
      emit(args, 'pread', [physicalLocation(args.ReadPhysical.PhysicalAddress), 4]);
      return STATUS_SUCCESS;
    }
    case DXGK_OPERATION_WRITE_PHYSICAL: {
      if (args.DmaSize < instructionSize('pwrite')) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
      emit(args, 'pwrite', [physicalLocation(args.WritePhysical.PhysicalAddress), 4, 0n]);
      return STATUS_SUCCESS;
    }
    case DXGK_OPERATION_MAP_APERTURE_SEGMENT: {
      const m = args.MapApertureSegment;
      if (args.DmaSize < instructionSize('apmap')) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
      const flags = m.Flags.CacheCoherent ? MapApertureFlags.CacheCoherent : 0;
      emit(args, 'apmap', [m.SegmentId, m.OffsetInPages, m.NumberOfPages, mdlLocation(m.pMdl.PageListPhysicalAddress, m.MdlOffset * PAGE_SIZE)], flags);
      return STATUS_SUCCESS;
    }
    case DXGK_OPERATION_UNMAP_APERTURE_SEGMENT: {
      const u = args.UnmapApertureSegment;
      if (args.DmaSize < instructionSize('apunmap')) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
      // Unmapped pages must keep working for the GPU: they point at the dummy page.
      emit(args, 'apunmap', [u.SegmentId, u.OffsetInPages, u.NumberOfPages, u.DummyPage]);
      return STATUS_SUCCESS;
    }
    case DXGK_OPERATION_SPECIAL_LOCK_TRANSFER: {
      const s = args.SpecialLockTransfer;
      return writeCopies(registers, args, s.Source, s.Destination, s.TransferOffset, s.TransferSize, s.TransferOffset / PAGE_SIZE);
    }
    case DXGK_OPERATION_UPDATE_PAGE_TABLE: {
      const p = args.UpdatePageTable;
      if (args.DmaSize < instructionSize('ptupdate')) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
      const target = p.SegmentId ? segmentAt(registers, p.SegmentId, p.PhysicalAddress) : physicalLocation(p.PhysicalAddress);
      emit(args, 'ptupdate', [p.VirtualAddress, p.NumberOfPages, target], p.Invalid ? PageTableFlags.Invalid : 0);
      return STATUS_SUCCESS;
    }
    case DXGK_OPERATION_FLUSH_TLB: {
      if (args.DmaSize < instructionSize('tlbflush')) return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
      emit(args, 'tlbflush', [args.FlushTlb.VirtualAddress, args.FlushTlb.NumberOfPages]);
      return STATUS_SUCCESS;
    }
    case DXGK_OPERATION_NOTIFY_RESIDENCY: {
      // Nothing for the GPU to do: we note where the allocation now is, for what reaches it by its
      // physical address.
      const n = args.NotifyResidency;
      const allocation = n.hAllocation as Allocation | null;
      if (allocation) allocation.physicalAddress = n.Resident ? n.PhysicalAddress : undefined;
      return STATUS_SUCCESS;
    }
  }
}

/**
 * Writes the `copy` instructions of one (sub-)transfer, resuming where the previous call stopped.
 * MultipassOffset holds the bytes of this transfer already written: VidMm set it to 0 before the
 * first call and hands it back untouched after STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER.
 */
function writeCopies(
  registers: DEVICE_REGISTERS,
  args: DXGKARG_BUILDPAGINGBUFFER,
  source: DXGK_TRANSFER_LOCATION,
  destination: DXGK_TRANSFER_LOCATION,
  transferOffset: number,
  transferSize: number,
  mdlOffsetPages: number,
): NTSTATUS {
  const copySize = instructionSize('copy');
  let done = args.MultipassOffset;
  while (done < transferSize) {
    if (args.DmaSize < copySize) {
      args.MultipassOffset = done;
      return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER;
    }
    const n = Math.min(MAX_COPY_BYTES, transferSize - done);
    const src = locate(registers, source, transferOffset + done, mdlOffsetPages * PAGE_SIZE + done);
    const dst = locate(registers, destination, transferOffset + done, mdlOffsetPages * PAGE_SIZE + done);
    emit(args, 'copy', [dst, src, n]);
    done += n;
  }
  args.MultipassOffset = done;
  return STATUS_SUCCESS;
}

/**
 * Where one side of a transfer is, `allocationOffset` bytes into the allocation: a segment address
 * (SegmentAddress is the allocation's start), or for system memory (SegmentId 0) the MDL's page
 * list, `mdlByteOffset` bytes into its pages.
 */
function locate(registers: DEVICE_REGISTERS, side: DXGK_TRANSFER_LOCATION, allocationOffset: number, mdlByteOffset: number): Location {
  if (side.SegmentId === 0) return mdlLocation(side.pMdl!.PageListPhysicalAddress, mdlByteOffset);
  return segmentAt(registers, side.SegmentId, side.SegmentAddress, allocationOffset);
}

/** Encodes one instruction at pDmaBuffer, advances it and shrinks DmaSize (bytes left). */
function emit(args: { pDmaBuffer: DMA_BUFFER_POINTER; DmaSize: number }, mnemonic: string, operands: (number | bigint | Location)[], flags = 0): void {
  const p = args.pDmaBuffer;
  const n = writeInstruction(p.Bytes, p.Offset, mnemonic, operands, flags);
  p.Offset += n;
  args.DmaSize -= n;
}

function acquireSurfaceRegister(adapter: Adapter, allocation: Allocation): void {
  if (allocation.surfaceRegister >= 0) return;
  const free = adapter.surfaceRegisters.indexOf(null);
  // With every register taken the surface is still usable, only slower (untiled access).
  if (free < 0) return;
  adapter.surfaceRegisters[free] = allocation;
  allocation.surfaceRegister = free;
}

function releaseSurfaceRegister(adapter: Adapter, allocation: Allocation): void {
  if (allocation.surfaceRegister < 0) return;
  adapter.surfaceRegisters[allocation.surfaceRegister] = null;
  allocation.surfaceRegister = -1;
}

// ------------------------------------------------------------------------------------------------
// Patching and submission
// ------------------------------------------------------------------------------------------------

function DxgkDdiPatch(hAdapter: HANDLE, pPatch: DXGKARG_PATCH): NTSTATUS {
  // Paging buffers come without a patch-location list: their addresses are already final.
  if (!pPatch.pPatchLocationList || !pPatch.pAllocationList) return STATUS_SUCCESS;
  const registers = (hAdapter as Adapter).registers!;
  const first = pPatch.PatchLocationListSubmissionStart;
  for (let i = first; i < first + pPatch.PatchLocationListSubmissionLength; i++) {
    const p = pPatch.pPatchLocationList[i];
    const allocation = pPatch.pAllocationList[p.AllocationIndex];
    writeLocation(pPatch.pDmaBuffer, p.PatchOffset, segmentAt(registers, allocation.SegmentId, allocation.PhysicalAddress, p.AllocationOffset));
  }
  return STATUS_SUCCESS;
}

function DxgkDdiSubmitCommand(hAdapter: HANDLE, pSubmitCommand: DXGKARG_SUBMITCOMMAND): NTSTATUS {
  const adapter = hAdapter as Adapter;
  const s = pSubmitCommand;
  const registers = adapter.registers!;
  const engine = s.NodeOrdinal;
  registers.SubmitDmaBuffer(
    engine,
    s.DmaBufferPhysicalAddress + s.DmaBufferSubmissionStartOffset,
    s.DmaBufferSubmissionEndOffset - s.DmaBufferSubmissionStartOffset,
    s.SubmissionFenceId,
  );
  // Then a fence: when the engine gets here, the buffer is done; the fence register takes the
  // submission's fence id and the GPU raises a DMA-completed interrupt. The slot's last command was
  // for a fence at least `slots` lower on this engine: it has run once the fence register is there.
  // (One ring for all engines would overwrite commands a slower engine has not reached yet.)
  const ring = adapter.fenceRings[engine];
  const size = instructionSize('fence');
  const fence = s.SubmissionFenceId;
  if (fence > ring.slots && registers.ReadPagingFence(engine) < fence - ring.slots) {
    throw new Error(`engine ${engine} has more than ${ring.slots} submissions outstanding: its fence ring is full`);
  }
  const at = (fence % ring.slots) * size;
  writeInstruction(ring.bytes, at, 'fence', [physicalLocation(0), BigInt(fence)], FenceFlags.Irq);
  registers.SubmitDmaBuffer(engine, ring.physical + at, size, fence);
  return STATUS_SUCCESS;
}

// ------------------------------------------------------------------------------------------------
// Interrupts
// ------------------------------------------------------------------------------------------------

function DxgkDdiInterruptRoutine(MiniportDeviceContext: HANDLE, MessageNumber: number): boolean {
  void MessageNumber; // one interrupt line: every message is ours to check
  const adapter = MiniportDeviceContext as Adapter;
  const dxgk = adapter.dxgk!;
  const registers = adapter.registers!;
  let ours = false;
  for (let engine = 0; engine < registers.EngineCount; engine++) {
    const fence = registers.ReadPagingFence(engine);
    if (fence === adapter.lastFence[engine]) continue;
    adapter.lastFence[engine] = fence;
    dxgk.DxgkCbNotifyInterrupt(dxgk.DeviceHandle, {
      InterruptType: DXGK_INTERRUPT_DMA_COMPLETED,
      DmaCompleted: { SubmissionFenceId: fence, NodeOrdinal: engine, EngineOrdinal: 0 },
    });
    ours = true;
  }
  // The kernel processes the notifications once our DPC has run.
  if (ours) dxgk.DxgkCbQueueDpc(dxgk.DeviceHandle);
  return ours;
}

function DxgkDdiDpcRoutine(MiniportDeviceContext: HANDLE): void {
  const adapter = MiniportDeviceContext as Adapter;
  adapter.dxgk!.DxgkCbNotifyDpc(adapter.dxgk!.DeviceHandle);
}
