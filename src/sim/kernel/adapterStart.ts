// Starting the adapter, as Dxgkrnl does: DriverEntry and DxgkInitialize, DxgkDdiAddDevice,
// DxgkDdiStartDevice with the DXGKRNL_INTERFACE callbacks, then DxgkDdiQueryAdapterInfo for
// DXGK_DRIVERCAPS and, twice as in the WDK (the count, then the descriptors), the segments. Every
// answer is checked against the hardware before VidMm is made from it, and a wrong one names the
// member and what it must be.

import {
  type DXGK_DRIVERCAPS,
  type DXGK_QUERYSEGMENTOUT,
  type DXGK_SEGMENTDESCRIPTOR,
  type DXGKARG_QUERYADAPTERINFO,
  type DXGKRNL_INTERFACE,
  type DRIVER_INITIALIZATION_DATA,
  type DRIVER_OBJECT,
  type HANDLE,
  type OUT,
  DXGKQAITYPE_DRIVERCAPS,
  DXGKQAITYPE_QUERYSEGMENT,
  DXGKDDI_INTERFACE_VERSION_WDDM1_3,
  NT_SUCCESS,
  PAGE_SIZE,
  statusName,
} from '../ddi/contract';
import type { DriverEntryFunction } from '../driver/loader';
import type { Gpu } from '../hw/types';
import { asHostCallbacks } from '../runtime/driverCode';
import type { DdiCaller } from './ddiCaller';
import { describeValue } from './describe';
import type { Gen, KernelEvent, KernelEventKind } from './events';
import type { InterruptLine } from './interruptLine';
import type { VidMm } from './vidmm';

/** The most private data per paging buffer VidMm keeps (the driver's PagingBufferPrivateDataSize). */
const MAX_PRIVATE_DATA = 1024 * 1024;

/** What starting the adapter reads and sets of the kernel (./kernel.ts). */
export interface StartKernel {
  readonly gpu: Gpu;
  readonly ddi: DdiCaller;
  readonly DriverEntry: DriverEntryFunction;
  readonly interruptLine: InterruptLine;
  init: DRIVER_INITIALIZATION_DATA | undefined;
  ctx: HANDLE;
  caps: DXGK_DRIVERCAPS | undefined;
  gpuReach: number;
  /** The nodes VidMm and the renders use, from DXGK_DRIVERCAPS. */
  pagingEngine: number;
  renderEngine: number;
  driver(): { init: DRIVER_INITIALIZATION_DATA; ctx: HANDLE };
  callbacks(): DXGKRNL_INTERFACE;
  createVidMm(pagingBufferSize: number, pagingBufferPrivateDataSize: number): VidMm;
  event(what: KernelEventKind, message: string, data?: Record<string, unknown>): KernelEvent;
}

/** Starts the adapter on kernel `k`: the driver's init data and context, its caps, the GPU's reach and VidMm with its segments are set on `k`. */
export function* startAdapter(k: StartKernel): Gen {
  const DriverObject: DRIVER_OBJECT = { DriverName: '\\Driver\\PagingLabMiniport', DriverInitializationData: null };
  const RegistryPath = '\\Registry\\Machine\\System\\CurrentControlSet\\Services\\PagingLabMiniport';
  const entry = k.DriverEntry;
  const st = yield* k.ddi.call('DriverEntry', { DriverObject, RegistryPath }, () => entry(DriverObject, RegistryPath), 'status', { fn: entry });
  if (!NT_SUCCESS(st)) throw k.ddi.statusError('DriverEntry', {}, entry, `DriverEntry failed with ${statusName(st)}`);
  const init = DriverObject.DriverInitializationData;
  if (!init) {
    throw k.ddi.statusError('DriverEntry', {}, entry, 'DriverEntry returned success without calling DxgkInitialize(DriverObject, RegistryPath, InitializationData)');
  }
  const required: (keyof DRIVER_INITIALIZATION_DATA)[] = [
    'DxgkDdiAddDevice',
    'DxgkDdiStartDevice',
    'DxgkDdiQueryAdapterInfo',
    'DxgkDdiCreateAllocation',
    'DxgkDdiDestroyAllocation',
    'DxgkDdiBuildPagingBuffer',
    'DxgkDdiPatch',
    'DxgkDdiSubmitCommand',
    'DxgkDdiInterruptRoutine',
    'DxgkDdiDpcRoutine',
  ];
  const missing = required.filter((name) => typeof init[name] !== 'function');
  if (missing.length) {
    throw k.ddi.statusError('DriverEntry', {}, entry, `the DRIVER_INITIALIZATION_DATA given to DxgkInitialize lacks ${missing.join(', ')}`);
  }
  k.init = init;
  /** What DxgkDdiQueryAdapterInfo returned that the start cannot take: the driver's error, with the structure. */
  const refuse = (args: unknown, message: string): Error => k.ddi.statusError('DxgkDdiQueryAdapterInfo', args, init.DxgkDdiQueryAdapterInfo, message);

  const out: OUT<HANDLE> = { value: undefined };
  const pdo = { name: 'PhysicalDeviceObject' };
  const s1 = yield* k.ddi.call('DxgkDdiAddDevice', { PhysicalDeviceObject: pdo, MiniportDeviceContext: out }, () => init.DxgkDdiAddDevice(pdo, out), 'status', {
    fn: init.DxgkDdiAddDevice,
  });
  if (!NT_SUCCESS(s1)) throw k.ddi.statusError('DxgkDdiAddDevice', out, init.DxgkDdiAddDevice, `DxgkDdiAddDevice failed with ${statusName(s1)}`);
  // "The display miniport driver can return NULL in this parameter to indicate that it will not
  // support the display adapter": Dxgkrnl then never starts it, and there is nothing to run.
  if (out.value === null || out.value === undefined) {
    throw k.ddi.statusError(
      'DxgkDdiAddDevice',
      out,
      init.DxgkDdiAddDevice,
      `DxgkDdiAddDevice returned ${statusName(s1)} with MiniportDeviceContext ${out.value === null ? 'NULL' : 'not set'}: the driver declines this display adapter, so it is never started and nothing runs. Set MiniportDeviceContext to the adapter's context block to drive it`,
    );
  }
  k.ctx = out.value;

  // The callbacks are the kernel's work, not the driver's time (a hang watcher does not count them).
  const iface = asHostCallbacks(k.callbacks());
  const startInfo = { RequiredDxgkInterfaceVersion: DXGKDDI_INTERFACE_VERSION_WDDM1_3, AdapterGuid: '{5041474c-4142-0000-0000-000000000001}' };
  const ctx = k.ctx;
  const s2 = yield* k.ddi.call(
    'DxgkDdiStartDevice',
    { MiniportDeviceContext: ctx, DxgkStartInfo: startInfo, DxgkInterface: iface },
    () => {
      // Every part of the kernel has added its callbacks by now (hooks run before the call).
      k.interruptLine.guard(iface);
      return init.DxgkDdiStartDevice(ctx, startInfo, iface);
    },
    'status',
    { fn: init.DxgkDdiStartDevice },
  );
  if (!NT_SUCCESS(s2)) throw k.ddi.statusError('DxgkDdiStartDevice', {}, init.DxgkDdiStartDevice, `DxgkDdiStartDevice failed with ${statusName(s2)}`);

  // DXGKQAITYPE_DRIVERCAPS
  const caps: DXGK_DRIVERCAPS = {
    HighestAcceptableAddress: 0,
    MaxAllocationListSlotId: 0,
    ApertureSegmentCommitLimit: 0,
    DmaBufferSize: 0,
    GpuEngineTopology: { NbAsymetricProcessingNodes: 0 },
    MemoryManagementCaps: { PagingNode: 0 },
    NumberOfSwizzlingRanges: 0,
  };
  yield* query(k, { Type: DXGKQAITYPE_DRIVERCAPS, pOutputData: caps });
  if (!(caps.DmaBufferSize >= 256)) {
    throw refuse(caps, `DXGK_DRIVERCAPS.DmaBufferSize must be at least 256 bytes, got ${caps.DmaBufferSize}`);
  }
  // The GPU reaches system memory up to HighestAcceptableAddress: VidMm gives it no page above.
  const highest = caps.HighestAcceptableAddress;
  if (typeof highest !== 'number' || !(highest >= 16 * PAGE_SIZE - 1)) {
    throw refuse(caps, `DXGK_DRIVERCAPS.HighestAcceptableAddress is ${typeof highest === 'number' ? highest : describeValue(highest)}: set it to the highest physical address the GPU can reach (at least 0x${(16 * PAGE_SIZE - 1).toString(16)}; Number.MAX_SAFE_INTEGER when it reaches all of system memory)`);
  }
  if (highest < k.gpu.config.systemMemoryBytes - 1) {
    k.gpuReach = highest + 1;
    k.gpu.limitSystemPages(k.gpuReach);
  }
  // "The video memory manager will not map more physical memory into an aperture segment than the
  // limit that ApertureSegmentCommitLimit specifies." Drivers without aperture segments leave it 0:
  // 0 sets no limit.
  const apertureLimit = caps.ApertureSegmentCommitLimit;
  if (!Number.isSafeInteger(apertureLimit) || apertureLimit < 0 || (apertureLimit > 0 && apertureLimit < PAGE_SIZE)) {
    throw refuse(caps, `DXGK_DRIVERCAPS.ApertureSegmentCommitLimit is ${describeValue(apertureLimit)}: the bytes of system memory the driver can map into an aperture segment, at least a page (0 for no limit)`);
  }
  if (!Number.isSafeInteger(caps.MaxAllocationListSlotId) || caps.MaxAllocationListSlotId < 0) {
    throw refuse(caps, `DXGK_DRIVERCAPS.MaxAllocationListSlotId is ${describeValue(caps.MaxAllocationListSlotId)}: the number of allocation-list slots a DMA buffer's patch locations may use (0 sets no limit)`);
  }
  // The scheduler has the nodes the driver exposes, no more: paging buffers go to PagingNode, the
  // renders to another node when there is one.
  const nodes = caps.GpuEngineTopology?.NbAsymetricProcessingNodes;
  const engines = k.gpu.config.engines;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > engines) {
    throw refuse(caps, `DXGK_DRIVERCAPS.GpuEngineTopology.NbAsymetricProcessingNodes is ${describeValue(nodes)}: set it to the number of nodes (engines) the driver exposes, 1 to the hardware's ${engines} (DEVICE_REGISTERS.EngineCount)`);
  }
  const pagingNode = caps.MemoryManagementCaps?.PagingNode;
  if (!Number.isInteger(pagingNode) || pagingNode < 0 || pagingNode >= nodes) {
    throw refuse(caps, `DXGK_DRIVERCAPS.MemoryManagementCaps.PagingNode is ${describeValue(pagingNode)}: the zero-based node that runs paging buffers, below NbAsymetricProcessingNodes (${nodes})`);
  }
  if (!Number.isSafeInteger(caps.NumberOfSwizzlingRanges) || caps.NumberOfSwizzlingRanges < 0) {
    throw refuse(caps, `DXGK_DRIVERCAPS.NumberOfSwizzlingRanges is ${describeValue(caps.NumberOfSwizzlingRanges)}: the number of swizzling ranges the driver supports (0 for none)`);
  }
  k.pagingEngine = pagingNode;
  k.renderEngine = nodes > 1 ? (pagingNode === 0 ? 1 : 0) : pagingNode;
  k.caps = caps;

  // DXGKQAITYPE_QUERYSEGMENT, twice as in the WDK: first the count, then the descriptors.
  const q1: DXGK_QUERYSEGMENTOUT = { NbSegment: 0, pSegmentDescriptor: null, PagingBufferSegmentId: 0, PagingBufferSize: 0, PagingBufferPrivateDataSize: 0 };
  yield* query(k, { Type: DXGKQAITYPE_QUERYSEGMENT, pOutputData: q1 });
  const n = q1.NbSegment;
  if (!Number.isInteger(n) || n < 1 || n > k.gpu.segments.length) {
    throw refuse(q1, `DXGK_QUERYSEGMENTOUT.NbSegment is ${n}; the hardware has ${k.gpu.segments.length} segments`);
  }
  const blank = (): DXGK_SEGMENTDESCRIPTOR => ({
    BaseAddress: 0,
    CpuTranslatedAddress: 0,
    Size: 0,
    NbOfBanks: 0,
    pBankRangeTable: null,
    CommitLimit: 0,
    Flags: { Aperture: false, Agp: false, CpuVisible: false, UseBanking: false, CacheCoherent: false, PopulatedFromSystemMemory: false },
  });
  const q2: DXGK_QUERYSEGMENTOUT = { ...q1, pSegmentDescriptor: Array.from({ length: n }, blank) };
  yield* query(k, { Type: DXGKQAITYPE_QUERYSEGMENT, pOutputData: q2 });
  if (!(q2.PagingBufferSize >= 64)) {
    throw refuse(q2, `DXGK_QUERYSEGMENTOUT.PagingBufferSize must be at least 64 bytes, got ${q2.PagingBufferSize}`);
  }
  const privateSize = q2.PagingBufferPrivateDataSize;
  if (!Number.isInteger(privateSize) || privateSize < 0 || privateSize > MAX_PRIVATE_DATA) {
    throw refuse(q2, `DXGK_QUERYSEGMENTOUT.PagingBufferPrivateDataSize must be a whole number of bytes from 0 to ${MAX_PRIVATE_DATA} (the private data VidMm keeps with each paging buffer), got ${describeValue(privateSize)}`);
  }
  const vidmm = k.createVidMm(q2.PagingBufferSize, privateSize);
  q2.pSegmentDescriptor!.forEach((d, i) => {
    const hw = k.gpu.segments[i];
    const id = i + 1;
    if (!(d.Size > 0) || d.Size % PAGE_SIZE !== 0 || d.Size > hw.size) {
      throw refuse(d, `segment ${id}: DXGK_SEGMENTDESCRIPTOR.Size ${d.Size} must be a multiple of 4 KiB and at most the hardware segment's ${hw.size} bytes`);
    }
    // VidMm gives every place in the segment as BaseAddress + offset: both must stay exact numbers.
    if (!Number.isSafeInteger(d.BaseAddress) || d.BaseAddress < 0 || !Number.isSafeInteger(d.BaseAddress + d.Size)) {
      throw refuse(d, `segment ${id}: DXGK_SEGMENTDESCRIPTOR.BaseAddress must be a whole number of bytes from 0 to 2^53 - 1 - Size (VidMm adds it to every segment offset it gives), got ${describeValue(d.BaseAddress)}`);
    }
    // DXGK_SEGMENTFLAGS.Agp: "for an AGP-type aperture segment, the driver must exclusively set the
    // Agp member ... if any other members are set, the adapter fails to initialize". The hardware
    // here has no AGP aperture (no GART driver): its aperture segments are plain aperture segments.
    if (d.Flags.Agp) {
      const others = Object.entries(d.Flags).filter(([k, v]) => k !== 'Agp' && v).map(([k]) => k);
      throw refuse(
        d,
        others.length
          ? `segment ${id}: Flags.Agp is set with ${others.join(', ')}: an AGP-type aperture segment sets Agp alone, and with any other flag the adapter fails to initialize`
          : `segment ${id}: Flags.Agp is set, but this adapter has no AGP aperture (AGP-type segments are not modelled): describe hardware segment ${id} (${hw.name}, ${hw.kind === 'aperture' ? 'an aperture' : 'a memory'} segment) with ${hw.kind === 'aperture' ? 'Flags.Aperture' : 'no Aperture flag'}`,
      );
    }
    // UseBanking: "The driver should also specify valid bank information in the NbOfBanks and
    // pBankRangeTable members" (VidMm pages allocations into the banks their HintedBank names).
    if (d.Flags.UseBanking) {
      const problem = bankProblem(d);
      if (problem) throw refuse(d, `segment ${id}: Flags.UseBanking is set but ${problem}`);
    }
    if (d.Flags.Aperture !== (hw.kind === 'aperture')) {
      throw refuse(d, `segment ${id}: Flags.Aperture is ${d.Flags.Aperture} but hardware segment ${id} (${hw.name}) is a ${hw.kind} segment`);
    }
    // DXGK_SEGMENTDESCRIPTOR: a memory segment's commit limit is its size; an aperture segment's
    // may be lower (less system memory committed through it), never above its size.
    const commitOk = d.Flags.Aperture ? d.CommitLimit >= PAGE_SIZE && d.CommitLimit <= d.Size : d.CommitLimit === d.Size;
    if (!commitOk) {
      const limit = typeof d.CommitLimit === 'number' ? String(d.CommitLimit) : describeValue(d.CommitLimit);
      throw refuse(
        d,
        d.Flags.Aperture
          ? `segment ${id}: CommitLimit is ${limit}; an aperture segment's commit limit is at most its Size (${d.Size}) and at least a page`
          : `segment ${id}: CommitLimit is ${limit}, but a memory segment's commit limit is always its Size (${d.Size})`,
      );
    }
    // VidMm maps CPU virtual addresses where the descriptor says the segment is in the PCI
    // aperture: a segment the hardware has not put there, or another address, would give the
    // application other memory. Saying a CPU-visible segment is not is allowed (locks then go
    // to system memory). On an aperture segment the flag "has no meaning" (DXGK_SEGMENTFLAGS): VidMm
    // ignores it there (vidmm.addSegment).
    if (d.Flags.CpuVisible && !d.Flags.Aperture && hw.barBase === undefined) {
      throw refuse(d, `segment ${id}: Flags.CpuVisible is true but hardware segment ${id} (${hw.name}) is not in the PCI aperture (DEVICE_REGISTERS.Segments[${i}].CpuVisible is false): the CPU cannot reach it`);
    }
    if (d.Flags.CpuVisible && !d.Flags.Aperture && d.CpuTranslatedAddress !== hw.barBase) {
      throw refuse(d, `segment ${id}: CpuTranslatedAddress is 0x${d.CpuTranslatedAddress.toString(16)} but hardware segment ${id} (${hw.name}) is at 0x${hw.barBase!.toString(16)} in the PCI aperture (DEVICE_REGISTERS.Segments[${i}].BarBaseAddress): VidMm would map the CPU to other memory`);
    }
    vidmm.addSegment(id, hw.name, d, apertureLimit || Infinity);
  });
  // DXGK_QUERYSEGMENTOUT.PagingBufferSegmentId: "the segment that the video memory manager should
  // allocate the paging buffer from. This segment must be an aperture segment." Paging Lab allocates
  // paging buffers as contiguous system memory (what 0 asks for), and says so when asked otherwise.
  const pagingSegment = q2.PagingBufferSegmentId;
  if (pagingSegment !== 0 && vidmm.segment(pagingSegment)?.kind !== 'aperture') {
    throw refuse(q2, `DXGK_QUERYSEGMENTOUT.PagingBufferSegmentId is ${describeValue(pagingSegment)}: it names the segment paging buffers are allocated from, which must be an aperture segment, or 0 for contiguous system memory`);
  }
  const pagingWhere = pagingSegment === 0 ? '' : ` (in contiguous system memory: paging buffers in aperture segment ${pagingSegment}, as PagingBufferSegmentId asks, are not modelled)`;
  yield k.event(
    'adapter-started',
    `adapter started: ${vidmm.segments.map((s) => `${s.name} (${s.kind}, ${s.descriptor.Size >> 10} KiB${s.size < s.descriptor.Size ? `, ${s.size >> 10} KiB committable` : ''}${s.cpuVisible ? ', CPU-visible' : ''})`).join(', ')}; paging buffers of ${vidmm.policy.pagingBufferSize} bytes${pagingWhere}`,
    { segments: vidmm.segments.map((s) => ({ id: s.id, name: s.name, size: s.size })), pagingBufferSize: vidmm.policy.pagingBufferSize },
  );
}

/** DxgkDdiQueryAdapterInfo for one DXGKQAITYPE; a failure status ends the start. */
function* query(k: StartKernel, q: DXGKARG_QUERYADAPTERINFO): Gen {
  const { init, ctx } = k.driver();
  const st = yield* k.ddi.call('DxgkDdiQueryAdapterInfo', q as unknown as Record<string, unknown>, () => init.DxgkDdiQueryAdapterInfo(ctx, q), 'status', {
    fn: init.DxgkDdiQueryAdapterInfo,
  });
  if (!NT_SUCCESS(st)) {
    throw k.ddi.statusError('DxgkDdiQueryAdapterInfo', q, init.DxgkDdiQueryAdapterInfo, `DxgkDdiQueryAdapterInfo(Type ${q.Type}) failed with ${statusName(st)}`);
  }
}


/**
 * What is wrong with a banked segment's bank members, if anything. DXGK_SEGMENTDESCRIPTOR: the bank
 * identifiers of DXGK_SEGMENTBANKPREFERENCE go up to 127; pBankRangeTable "specifies the end
 * addresses of the first bank through the NbOfBanks-th bank (that is, the end offsets into the
 * segment for each bank)"; "Banks are contiguous", from offset 0; "the driver is not required to
 * specify the end address of the last bank" (given, it is the segment's end).
 */
function bankProblem(d: DXGK_SEGMENTDESCRIPTOR): string | undefined {
  const n = d.NbOfBanks;
  if (!Number.isInteger(n) || n < 1 || n > 127) return `NbOfBanks is ${describeValue(n)}: a segment divided into banks says how many, 1 to 127`;
  const table = d.pBankRangeTable;
  if (!Array.isArray(table) || table.length < n - 1 || table.length > n) {
    return `pBankRangeTable is ${Array.isArray(table) ? `${table.length} entries long` : describeValue(table)}: it gives the end offset of each of the ${n} banks (the last may be left out: it ends at the segment's end)`;
  }
  for (let i = 0; i < table.length; i++) {
    const end = table[i];
    const before = i === 0 ? 0 : table[i - 1];
    const last = i === n - 1;
    if (!Number.isSafeInteger(end) || end <= before || (last ? end !== d.Size : end >= d.Size)) {
      return `pBankRangeTable[${i}] is ${describeValue(end)}: bank ${i + 1} must end after ${describeValue(before)}${last ? ` and, as the last bank, at the segment's end (${describeValue(d.Size)})` : ` and before the segment's end (${describeValue(d.Size)})`}`;
    }
  }
  return undefined;
}
