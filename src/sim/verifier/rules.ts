// The verifier's rules: every DDI rule of the WDK pages the simulator models that a driver can
// break, each with a stable id (used by `paging-lab run`, the debugger's exception filter, the buggy
// sample drivers and their tests), what the rule says, and the WDK sentence it comes from.

export type RuleId =
  | 'ddi-status'
  | 'dma-buffer-overrun'
  | 'dma-pointer-not-advanced'
  | 'dma-pointer-past-end'
  | 'patch-changed-size'
  | 'fill-aperture-segment'
  | 'unmap-not-dummy-page'
  | 'cache-coherent-mismatch'
  | 'cpu-view-changed-on-eviction'
  | 'common-buffer-leak'
  | 'tdr'
  | 'insufficient-dma-buffer-with-room'
  | 'operation-inputs-changed'
  | 'build-loop-limit'
  | 'dma-pointer-behind-data'
  | 'physical-access-missing'
  | 'map-incomplete'
  | 'aperture-outside-range'
  | 'swizzling-range-changed'
  | 'swizzling-release-others'
  | 'swizzled-cpu-visible-aperture'
  | 'preferred-segment-unsupported'
  | 'eviction-segment-not-aperture'
  | 'pitch-aligned-size-below-size'
  | 'allocation-priority-zero'
  | 'allocation-flags-need-cpu-visible'
  | 'common-buffer-budget'
  | 'interrupt-routine-callbacks'
  | 'interrupt-dpc-not-queued'
  | 'interrupt-claimed-foreign'
  | 'dpc-not-notified'
  | 'submitted-commands-changed';

export interface Rule {
  id: RuleId;
  /** One line: what the rule requires. */
  rule: string;
  /** The WDK's own words, where the pages say it (verbatim; absent when no page states the rule). */
  quote?: string;
  /** Which WDK page says it. */
  source: string;
}

const BUILD = 'DxgkDdiBuildPagingBuffer (d3dkmddi.h)';
const MAPPING = 'Mapping Virtual Addresses to a Memory Segment';
const DMA = 'Bus-Master DMA in Video Miniport Drivers';
const ISR = 'DxgkDdiInterruptRoutine (dispmprt.h)';
const ALLOCATION_INFO = 'DXGK_ALLOCATIONINFO (d3dkmddi.h)';
const ALLOCATION_INFO_FLAGS = 'DXGK_ALLOCATIONINFOFLAGS (d3dkmddi.h)';
const RELEASE_SWIZZLING = 'DxgkDdiReleaseSwizzlingRange (d3dkmddi.h)';

export const RULES: Readonly<Record<RuleId, Rule>> = {
  'ddi-status': {
    id: 'ddi-status',
    rule: 'a DDI returns only the statuses its reference page lists',
    quote: 'Because DxgkDdiBuildPagingBuffer can fail only if it runs out of space in the paging buffer, the driver should always verify that the paging buffer has enough space remaining before it writes to the buffer.',
    source: BUILD,
  },
  'dma-buffer-overrun': {
    id: 'dma-buffer-overrun',
    rule: 'the driver writes at most DmaSize bytes from pDmaBuffer',
    quote: 'the driver should always verify that the paging buffer has enough space remaining before it writes to the buffer. If not enough space remains in the paging buffer, the driver should return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER.',
    source: BUILD,
  },
  'dma-pointer-not-advanced': {
    id: 'dma-pointer-not-advanced',
    rule: 'on STATUS_SUCCESS, pDmaBuffer points past the last byte written',
    quote: 'When the driver successfully builds the paging buffer, the driver\'s DxgkDdiBuildPagingBuffer should update pDmaBuffer to point past the last byte that is written to the paging buffer and then return STATUS_SUCCESS.',
    source: BUILD,
  },
  'dma-pointer-past-end': {
    id: 'dma-pointer-past-end',
    rule: 'pDmaBuffer stays inside the space it was given: [pDmaBuffer, pDmaBuffer + DmaSize]',
    quote: 'the driver\'s DxgkDdiBuildPagingBuffer should update pDmaBuffer to point past the last byte that is written to the paging buffer',
    source: BUILD,
  },
  'patch-changed-size': {
    id: 'patch-changed-size',
    rule: 'DxgkDdiPatch may update the buffer but not change its size',
    quote: 'The driver\'s DxgkDdiPatch function can perform last-minute updates to the paging buffer; however, the driver\'s DxgkDdiPatch function cannot change the size of the paging buffer.',
    source: BUILD,
  },
  'fill-aperture-segment': {
    id: 'fill-aperture-segment',
    rule: 'a paging buffer never fills an aperture segment',
    quote: 'The fill operation can be performed only on a memory segment. The video memory manager never requests that the display miniport driver fill an aperture segment.',
    source: BUILD,
  },
  'unmap-not-dummy-page': {
    id: 'unmap-not-dummy-page',
    rule: 'an unmapped aperture range points at the dummy page, with GPU access enabled',
    quote: 'The driver must map the range that is unmapped to the dummy page that the DummyPage member of the UnmapApertureSegment member of the DXGKARG_BUILDPAGINGBUFFER structure specifies.',
    source: BUILD,
  },
  'cache-coherent-mismatch': {
    id: 'cache-coherent-mismatch',
    rule: 'pages mapped by MapApertureSegment are cache coherent exactly when Flags.CacheCoherent is set',
    quote: 'If the CacheCoherent bit-field flag is set in the Flags member of the MapApertureSegment member of the DXGKARG_BUILDPAGINGBUFFER structure, the driver must ensure that cache coherency is enforced on the pages that are mapped; otherwise, cache coherency is not required for the pages that are mapped. [...] The CacheCoherent bit-field flag is set only when cacheable memory is being mapped into a cache-coherent aperture segment and is never set on a non-cache-coherent aperture segment or on a write-combined allocation that is mapped into a cache-coherent segment.',
    source: BUILD,
  },
  'cpu-view-changed-on-eviction': {
    id: 'cpu-view-changed-on-eviction',
    rule: 'after a CPU-visible allocation is evicted, system memory holds the bytes the application saw through the aperture (unswizzled)',
    quote: 'when a CPU-accessible allocation is evicted from video memory, the display miniport driver must unswizzle the allocation so that the resultant system memory bits can be directly accessed by the application. [...] the driver must ensure that the byte ordering of an allocation through the PCI aperture exactly matches the byte ordering of the allocation when the allocation is evicted.',
    source: MAPPING,
  },
  'common-buffer-leak': {
    id: 'common-buffer-leak',
    rule: 'common buffers are freed and the DMA adapter is put back when DMA is no longer needed',
    quote: 'The common buffer is a precious system resource. [...] When there is no longer any need for continued DMA operations, the miniport driver should call VideoPortPutDmaAdapter to discard the adapter object.',
    source: DMA,
  },
  'insufficient-dma-buffer-with-room': {
    id: 'insufficient-dma-buffer-with-room',
    rule: 'STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER only when the rest of the operation does not fit the space left',
    quote: 'Because DxgkDdiBuildPagingBuffer can fail only if it runs out of space in the paging buffer, the driver should always verify that the paging buffer has enough space remaining before it writes to the buffer. If not enough space remains in the paging buffer, the driver should return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER.',
    source: BUILD,
  },
  'operation-inputs-changed': {
    id: 'operation-inputs-changed',
    rule: 'the driver keeps its progress in MultipassOffset, not in the operation\'s inputs (VidMm hands the same inputs on every call)',
    quote: 'The video memory manager initializes the information in MultipassOffset to zero before the first paging operation request and does not modify the information in MultipassOffset between iterations. Therefore, the driver can use MultipassOffset to save the progress between iterations.',
    source: BUILD,
  },
  'build-loop-limit': {
    id: 'build-loop-limit',
    rule: 'one paging operation completes within a bounded number of DxgkDdiBuildPagingBuffer calls (two per 64 bytes it moves, plus 64), and no call that runs out of room repeats an earlier one',
    quote: 'Receiving the TransferStart flag multiple times does not indicate the start of multiple new transfers; it indicates that the sub-transfers for the allocation require multiple iterations (for example, if the driver ran out of DMA buffer space). The driver can use the MultipassOffset member of DXGKARG_BUILDPAGINGBUFFER to keep track of the progress for a particular sub-transfer across multiple iterations of DxgkDdiBuildPagingBuffer.',
    source: BUILD,
  },
  'dma-pointer-behind-data': {
    id: 'dma-pointer-behind-data',
    rule: 'pDmaBuffer is not left behind bytes the driver wrote (VidMm submits only up to pDmaBuffer)',
    quote: 'When the driver successfully builds the paging buffer, the driver\'s DxgkDdiBuildPagingBuffer should update pDmaBuffer to point past the last byte that is written to the paging buffer and then return STATUS_SUCCESS.',
    source: BUILD,
  },
  'physical-access-missing': {
    id: 'physical-access-missing',
    rule: 'ReadPhysical and WritePhysical program a GPU read or write of the given physical address',
    quote: 'The read-physical operation reads from a specified physical memory address. The driver is requested to program the GPU for the operation. [...] The write-physical operation writes to a specified physical address. The driver is requested to program the GPU for the operation. [...] the read-physical operation is critical to ensure memory coherency.',
    source: BUILD,
  },
  'map-incomplete': {
    id: 'map-incomplete',
    rule: 'MapApertureSegment maps every page of the range to its page of the MDL',
    quote: 'The map-aperture-segment operation maps a specified memory descriptor list (MDL) into a specified aperture segment at a specified segment offset for a specified number of pages.',
    source: BUILD,
  },
  'aperture-outside-range': {
    id: 'aperture-outside-range',
    rule: 'MapApertureSegment and UnmapApertureSegment change no GART entry outside the range they were given',
    quote: 'The unmap-aperture-segment operation unmaps a previously mapped range of a specified aperture segment. [...] this aperture configuration must not interfere with the execution of the GPU. The GPU will not be idle when DxgkDdiBuildPagingBuffer is called with the DXGK_OPERATION_UNMAP_APERTURE_SEGMENT operation type set, and the GPU might be busy accessing other portions of the aperture segment that is being reconfigured.',
    source: BUILD,
  },
  'swizzling-range-changed': {
    id: 'swizzling-range-changed',
    rule: 'DxgkDdiAcquireSwizzlingRange keeps the allocation\'s offset in the aperture and its size there',
    quote: 'The driver can change neither the offset into the PCI aperture where the allocation is accessed nor the amount of space that the allocation takes up in the aperture. If the driver cannot make the allocation CPU-accessible given these constraints (for example, the hardware possibly ran out of unswizzling aperture), the video memory manager evicts the allocation to system memory and lets the application access the bits there.',
    source: MAPPING,
  },
  'swizzling-release-others': {
    id: 'swizzling-release-others',
    rule: 'DxgkDdiReleaseSwizzlingRange releases only the range RangeId names: the unswizzling ranges set up for the ranges VidMm still holds stay programmed',
    quote: 'If the specified allocation is currently associated with multiple swizzling ranges (through calls to the DxgkDdiAcquireSwizzlingRange function), the display miniport driver should release only the swizzling range that the RangeId member of DXGKARG_RELEASESWIZZLINGRANGE specifies. If the display miniport driver releases all of the swizzling ranges that are associated with the allocation, random corruption in the allocation might result because an application might currently be using one or more of the swizzling ranges.',
    source: RELEASE_SWIZZLING,
  },
  'swizzled-cpu-visible-aperture': {
    id: 'swizzled-cpu-visible-aperture',
    rule: 'a CPU-visible swizzled allocation may not be placed in an aperture segment (make it two allocations)',
    quote: 'For aperture-space segments, the underlying bits of the allocation are already in system memory, so no transfer (unswizzling) of data during the eviction process is required. Therefore, a CPU-accessible allocation located in an aperture-space segment cannot be swizzled if it is accessed directly by an application.',
    source: MAPPING,
  },
  'preferred-segment-unsupported': {
    id: 'preferred-segment-unsupported',
    rule: 'every segment DXGK_ALLOCATIONINFO.PreferredSegment names is in its SupportedReadSegmentSet or SupportedWriteSegmentSet',
    quote: 'The KMD can set preferences only for segments that are supported for read operations. VidMm asserts if the driver attempts to set preferences for unsupported segments in the PreferredSegment member.',
    source: ALLOCATION_INFO,
  },
  'eviction-segment-not-aperture': {
    id: 'eviction-segment-not-aperture',
    rule: 'DXGK_ALLOCATIONINFO.EvictionSegmentSet names aperture segments only (0: evict straight to system memory)',
    quote: 'Only aperture segments can be specified by this member. If the driver specifies valid segments to be used for eviction, VidMm attempts to allocate resources in those aperture segments to accelerate the eviction process.',
    source: ALLOCATION_INFO,
  },
  'pitch-aligned-size-below-size': {
    id: 'pitch-aligned-size-below-size',
    rule: 'a nonzero DXGK_ALLOCATIONINFO.PitchAlignedSize is at least its Size',
    quote: 'If the driver specifies a nonzero value in PitchAlignedSize, the value must be greater than or equal to the value in the Size member.',
    source: ALLOCATION_INFO,
  },
  'allocation-priority-zero': {
    id: 'allocation-priority-zero',
    rule: 'DXGK_ALLOCATIONINFO.AllocationPriority is a priority level, not 0',
    quote: 'If priority level for allocations is not an issue to the driver, the driver should set all priority levels to D3DDDI_ALLOCATIONPRIORITY_NORMAL. Note that 0 is an invalid initial allocation priority.',
    source: ALLOCATION_INFO,
  },
  'allocation-flags-need-cpu-visible': {
    id: 'allocation-flags-need-cpu-visible',
    rule: 'DXGK_ALLOCATIONINFOFLAGS.Cached and PermanentSysMem are set only with CpuVisible',
    quote: 'When the driver sets PermanentSysMem, the driver must also set the CpuVisible member. [...] When the driver sets this member [Cached], the driver must also set the CpuVisible member.',
    source: ALLOCATION_INFO_FLAGS,
  },
  'common-buffer-budget': {
    id: 'common-buffer-budget',
    rule: 'the driver holds no more than half of the common-buffer budget when the kernel needs common-buffer memory',
    quote: 'The common buffer is a precious system resource. For better overall driver and system performance, drivers should use common-buffer DMA as economically as possible.',
    source: DMA,
  },
  'interrupt-routine-callbacks': {
    id: 'interrupt-routine-callbacks',
    rule: 'DxgkDdiInterruptRoutine calls no kernel callback but DxgkCbNotifyInterrupt and DxgkCbQueueDpc',
    quote: 'The DxgkDdiInterruptRoutine function can call DxgkCbQueueDpc and DxgkCbNotifyInterrupt but must not call any other DxgkCbXxx functions.',
    source: ISR,
  },
  'interrupt-dpc-not-queued': {
    id: 'interrupt-dpc-not-queued',
    rule: 'a DxgkDdiInterruptRoutine that called DxgkCbNotifyInterrupt queues its DPC (DxgkCbQueueDpc) before it returns',
    quote: 'After the display miniport driver calls DXGKCB_NOTIFY_INTERRUPT but before the driver exits its ISR, the driver must queue a deferred procedure call (DPC) by using the DxgkCbQueueDpc function.',
    source: 'DXGKCB_NOTIFY_INTERRUPT (d3dkmddi.h)',
  },
  'interrupt-claimed-foreign': {
    id: 'interrupt-claimed-foreign',
    rule: 'on a line-based interrupt, DxgkDdiInterruptRoutine returns FALSE when its adapter did not generate the interrupt',
    quote: 'If the interrupt is line-based (MessageNumber = 0), DxgkDdiInterruptRoutine must determine whether the adapter represented by MiniportDeviceContext generated the interrupt and, if not, return FALSE immediately.',
    source: ISR,
  },
  'dpc-not-notified': {
    id: 'dpc-not-notified',
    rule: 'the DxgkDdiDpcRoutine queued after DxgkCbNotifyInterrupt calls DxgkCbNotifyDpc',
    quote: 'This DPC must be queued because the GPU scheduler also must be notified when the driver\'s DPC callback routine calls the DXGKCB_NOTIFY_DPC function about the same event at DPC time.',
    source: 'DXGKCB_NOTIFY_INTERRUPT (d3dkmddi.h)',
  },
  'submitted-commands-changed': {
    id: 'submitted-commands-changed',
    rule: 'the commands handed to an engine (DEVICE_REGISTERS.SubmitDmaBuffer) stay as they were until the engine has run them: a ring of fence commands reuses a slot only once its engine is past it',
    quote: 'The driver uses the fence identifier passed to DxgkDdiSubmitCommand to write into the ring buffer, which is the buffer where DMA buffers are queued for execution by the graphics processing unit (GPU)',
    source: 'Supplying Fence Identifiers',
  },
  tdr: {
    id: 'tdr',
    rule: 'every DDI returns within the timeout detection and recovery (TDR) delay: a DDI runs on a kernel thread that VidMm and the GPU scheduler wait on, and one that never returns stalls the display stack until Windows resets the adapter',
    source: 'Windows timeout detection and recovery',
  },
};

export const RULE_IDS = Object.keys(RULES) as RuleId[];
