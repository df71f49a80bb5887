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
  | 'tdr';

export interface Rule {
  id: RuleId;
  /** One line: what the rule requires. */
  rule: string;
  /** The WDK's own words, where the pages say it (verbatim; absent when no page states the rule). */
  seed?: string;
  /** Which WDK page says it. */
  source: string;
}

const BUILD = 'DxgkDdiBuildPagingBuffer (d3dkmddi.h)';

export const RULES: Readonly<Record<RuleId, Rule>> = {
  'ddi-status': {
    id: 'ddi-status',
    rule: 'a DDI returns only the statuses its reference page lists',
    seed: 'Because DxgkDdiBuildPagingBuffer can fail only if it runs out of space in the paging buffer, the driver should always verify that the paging buffer has enough space remaining before it writes to the buffer.',
    source: BUILD,
  },
  'dma-buffer-overrun': {
    id: 'dma-buffer-overrun',
    rule: 'the driver writes at most DmaSize bytes from pDmaBuffer',
    seed: 'the driver should always verify that the paging buffer has enough space remaining before it writes to the buffer. If not enough space remains in the paging buffer, the driver should return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER.',
    source: BUILD,
  },
  'dma-pointer-not-advanced': {
    id: 'dma-pointer-not-advanced',
    rule: 'on STATUS_SUCCESS, pDmaBuffer points past the last byte written',
    seed: 'When the driver successfully builds the paging buffer, the driver\'s DxgkDdiBuildPagingBuffer should update pDmaBuffer to point past the last byte that is written to the paging buffer and then return STATUS_SUCCESS.',
    source: BUILD,
  },
  'dma-pointer-past-end': {
    id: 'dma-pointer-past-end',
    rule: 'pDmaBuffer stays inside the space it was given: [pDmaBuffer, pDmaBuffer + DmaSize]',
    seed: 'the driver\'s DxgkDdiBuildPagingBuffer should update pDmaBuffer to point past the last byte that is written to the paging buffer',
    source: BUILD,
  },
  'patch-changed-size': {
    id: 'patch-changed-size',
    rule: 'DxgkDdiPatch may update the buffer but not change its size',
    seed: 'The driver\'s DxgkDdiPatch function can perform last-minute updates to the paging buffer; however, the driver\'s DxgkDdiPatch function cannot change the size of the paging buffer.',
    source: BUILD,
  },
  'fill-aperture-segment': {
    id: 'fill-aperture-segment',
    rule: 'a paging buffer never fills an aperture segment',
    seed: 'The fill operation can be performed only on a memory segment. The video memory manager never requests that the display miniport driver fill an aperture segment.',
    source: BUILD,
  },
  'unmap-not-dummy-page': {
    id: 'unmap-not-dummy-page',
    rule: 'an unmapped aperture range points at the dummy page, with GPU access enabled',
    seed: 'The driver must map the range that is unmapped to the dummy page that the DummyPage member of the UnmapApertureSegment member of the DXGKARG_BUILDPAGINGBUFFER structure specifies.',
    source: BUILD,
  },
  'cache-coherent-mismatch': {
    id: 'cache-coherent-mismatch',
    rule: 'pages mapped by MapApertureSegment are cache coherent exactly when Flags.CacheCoherent is set',
    seed: 'If the CacheCoherent bit-field flag is set in the Flags member of the MapApertureSegment member of the DXGKARG_BUILDPAGINGBUFFER structure, the driver must ensure that cache coherency is enforced on the pages that are mapped; otherwise, cache coherency is not required for the pages that are mapped. [...] The CacheCoherent bit-field flag is set only when cacheable memory is being mapped into a cache-coherent aperture segment and is never set on a non-cache-coherent aperture segment or on a write-combined allocation that is mapped into a cache-coherent segment.',
    source: BUILD,
  },
  'cpu-view-changed-on-eviction': {
    id: 'cpu-view-changed-on-eviction',
    rule: 'after a CPU-visible allocation is evicted, system memory holds the bytes the application saw through the aperture (unswizzled)',
    seed: 'when a CPU-accessible allocation is evicted from video memory, the display miniport driver must unswizzle the allocation so that the resultant system memory bits can be directly accessed by the application. [...] the driver must ensure that the byte ordering of an allocation through the PCI aperture exactly matches the byte ordering of the allocation when the allocation is evicted.',
    source: 'Mapping Virtual Addresses to a Memory Segment',
  },
  'common-buffer-leak': {
    id: 'common-buffer-leak',
    rule: 'common buffers are freed and the DMA adapter is put back when DMA is no longer needed',
    seed: 'The common buffer is a precious system resource. [...] When there is no longer any need for continued DMA operations, the miniport driver should call VideoPortPutDmaAdapter to discard the adapter object.',
    source: 'Bus-Master DMA in Video Miniport Drivers',
  },
  tdr: {
    id: 'tdr',
    rule: 'every DDI returns within the timeout detection and recovery (TDR) delay: a DDI runs on a kernel thread that VidMm and the GPU scheduler wait on, and one that never returns stalls the display stack until Windows resets the adapter',
    source: 'Windows timeout detection and recovery',
  },
};

export const RULE_IDS = Object.keys(RULES) as RuleId[];
