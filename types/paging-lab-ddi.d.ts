// Typings for Paging Lab drivers: the DDI contract (`paging-lab/ddi`) and the simulated GPU's
// programming interface (`paging-lab/gpu`). Generated from src/sim/ddi by
// scripts/gen-ddi-types.mjs; do not edit. Reference it from a driver project with
// `/// <reference path="paging-lab-ddi.d.ts" />` or list it in tsconfig.json "files".

declare module "paging-lab/internal/sim/ddi/contract" {
    export type NTSTATUS = number;
    export const STATUS_SUCCESS = 0x00000000;
    export const STATUS_UNSUCCESSFUL = 0xC0000001;
    export const STATUS_INVALID_PARAMETER = 0xC000000D;
    export const STATUS_NO_MEMORY = 0xC0000017;
    export const STATUS_INSUFFICIENT_RESOURCES = 0xC000009A;
    export const STATUS_NOT_SUPPORTED = 0xC00000BB;
    export const STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER = 0xC01E0001;
    export const STATUS_GRAPHICS_DRIVER_MISMATCH = 0xC01E0009;
    export const STATUS_GRAPHICS_NO_VIDEO_MEMORY = 0xC01E0100;
    export const STATUS_GRAPHICS_CANT_LOCK_MEMORY = 0xC01E0101;
    export const STATUS_GRAPHICS_ALLOCATION_BUSY = 0xC01E0102;
    export const STATUS_GRAPHICS_TOO_MANY_REFERENCES = 0xC01E0103;
    export const STATUS_GRAPHICS_TRY_AGAIN_LATER = 0xC01E0104;
    export const STATUS_GRAPHICS_TRY_AGAIN_NOW = 0xC01E0105;
    export const STATUS_GRAPHICS_ALLOCATION_INVALID = 0xC01E0106;
    export const STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE = 0xC01E0107;
    export const STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNSUPPORTED = 0xC01E0108;
    /** Severity 3 (STATUS_SEVERITY_ERROR): the codes Ntstatus.h defines as errors. */
    export function NT_ERROR(status: NTSTATUS): boolean;
    /** NT_SUCCESS: success and informational codes have the top bit clear. */
    export function NT_SUCCESS(status: NTSTATUS): boolean;
    /** The name of a status this module knows (`STATUS_GRAPHICS_ALLOCATION_BUSY`), else its hex form. */
    export function statusName(status: NTSTATUS): string;
    /** An opaque handle. The driver's own objects (its device context, its allocation records) serve as handles. */
    export type HANDLE = unknown;
    export const PAGE_SIZE = 4096;
    /**
     * A memory descriptor list: the system pages behind a buffer. `PfnArray` holds page frame numbers
     * (physical address / PAGE_SIZE), as MmGetMdlPfnArray returns them. The kernel also keeps the PFN
     * array in system memory in the layout the paging engine reads (u32 count, u32 0, u64 physical
     * address per page) at `PageListPhysicalAddress`, so a driver can point a `copy` at it.
     */
    export interface MDL {
        readonly ByteCount: number;
        readonly ByteOffset: number;
        readonly PfnArray: readonly number[];
        readonly PageListPhysicalAddress: number;
    }
    /**
     * What `pDmaBuffer` points at. In C it is a `VOID*` the driver writes through and advances; here it
     * is a cursor over the DMA buffer's bytes (the common-buffer memory the GPU fetches from). Write at
     * `Bytes[Offset...]` and advance `Offset` past the last byte written. `PhysicalAddress` is the bus
     * address of `Bytes[0]`, so `PhysicalAddress + Offset` is where the GPU sees the current position.
     */
    export interface DMA_BUFFER_POINTER {
        readonly Bytes: Uint8Array;
        Offset: number;
        readonly PhysicalAddress: number;
    }
    /** A pointer into a paging buffer's private data (kernel memory only the driver reads): write at `Bytes[Offset…]`, advance `Offset`. */
    export interface DMA_BUFFER_PRIVATE_DATA_POINTER {
        readonly Bytes: Uint8Array;
        Offset: number;
    }
    export const DXGK_OPERATION_TRANSFER = 0;
    export const DXGK_OPERATION_FILL = 1;
    export const DXGK_OPERATION_DISCARD_CONTENT = 2;
    export const DXGK_OPERATION_READ_PHYSICAL = 3;
    export const DXGK_OPERATION_WRITE_PHYSICAL = 4;
    export const DXGK_OPERATION_MAP_APERTURE_SEGMENT = 5;
    export const DXGK_OPERATION_UNMAP_APERTURE_SEGMENT = 6;
    export const DXGK_OPERATION_SPECIAL_LOCK_TRANSFER = 7;
    export const DXGK_OPERATION_UPDATE_PAGE_TABLE = 11;
    export const DXGK_OPERATION_FLUSH_TLB = 12;
    export const DXGK_OPERATION_NOTIFY_RESIDENCY = 15;
    export type DXGK_BUILDPAGINGBUFFER_OPERATION = typeof DXGK_OPERATION_TRANSFER | typeof DXGK_OPERATION_FILL | typeof DXGK_OPERATION_DISCARD_CONTENT | typeof DXGK_OPERATION_READ_PHYSICAL | typeof DXGK_OPERATION_WRITE_PHYSICAL | typeof DXGK_OPERATION_MAP_APERTURE_SEGMENT | typeof DXGK_OPERATION_UNMAP_APERTURE_SEGMENT | typeof DXGK_OPERATION_SPECIAL_LOCK_TRANSFER | typeof DXGK_OPERATION_UPDATE_PAGE_TABLE | typeof DXGK_OPERATION_FLUSH_TLB | typeof DXGK_OPERATION_NOTIFY_RESIDENCY;
    /** Operation values by their short names (`Transfer`, `Fill`, ...), for traces and debugger conditions. */
    export const DXGK_OPERATION_NAMES: Readonly<Record<number, string>>;
    /** DXGK_TRANSFERFLAGS. Bit values of `Value`: Swizzle 0x1, Unswizzle 0x2, AllocationIsIdle 0x4, TransferStart 0x8, TransferEnd 0x10. */
    export interface DXGK_TRANSFERFLAGS {
        Swizzle: boolean;
        Unswizzle: boolean;
        AllocationIsIdle: boolean;
        TransferStart: boolean;
        TransferEnd: boolean;
    }
    /** The 32-bit `Value` of a DXGK_TRANSFERFLAGS. */
    export function transferFlagsValue(f: DXGK_TRANSFERFLAGS): number;
    /** DXGK_DISCARDCONTENTFLAGS. */
    export interface DXGK_DISCARDCONTENTFLAGS {
        AllocationIsIdle: boolean;
    }
    /** DXGK_MAPAPERTUREFLAGS. */
    export interface DXGK_MAPAPERTUREFLAGS {
        CacheCoherent: boolean;
    }
    /**
     * One side of a transfer. `SegmentId` 0 means system memory described by `pMdl`; otherwise the
     * location is `SegmentAddress` in that segment (the allocation's start: add `TransferOffset`). In C
     * `SegmentAddress` and `pMdl` share a union; here the unused one is 0 / null. Like every segment
     * address VidMm gives, `SegmentAddress` is the segment's `BaseAddress` (DXGK_SEGMENTDESCRIPTOR)
     * plus the offset in the segment.
     */
    export interface DXGK_TRANSFER_LOCATION {
        SegmentId: number;
        SegmentAddress: number;
        pMdl: MDL | null;
    }
    export interface DXGK_BUILDPAGINGBUFFER_TRANSFER {
        hAllocation: HANDLE;
        /** Offset in bytes from the start of the allocation to the start of this (sub-)transfer. */
        TransferOffset: number;
        /** Bytes to move in this (sub-)transfer. */
        TransferSize: number;
        Source: DXGK_TRANSFER_LOCATION;
        Destination: DXGK_TRANSFER_LOCATION;
        Flags: DXGK_TRANSFERFLAGS;
        /** Offset in pages into the MDL side's `pMdl` where this (sub-)transfer starts. */
        MdlOffset: number;
    }
    export interface DXGK_BUILDPAGINGBUFFER_FILL {
        hAllocation: HANDLE;
        FillSize: number;
        FillPattern: number;
        Destination: {
            SegmentId: number;
            SegmentAddress: number;
        };
    }
    export interface DXGK_BUILDPAGINGBUFFER_DISCARDCONTENT {
        hAllocation: HANDLE;
        Flags: DXGK_DISCARDCONTENTFLAGS;
        SegmentId: number;
        SegmentAddress: number;
    }
    export interface DXGK_BUILDPAGINGBUFFER_READPHYSICAL {
        SegmentId: number;
        PhysicalAddress: number;
    }
    export interface DXGK_BUILDPAGINGBUFFER_WRITEPHYSICAL {
        SegmentId: number;
        PhysicalAddress: number;
    }
    export interface DXGK_BUILDPAGINGBUFFER_MAPAPERTURESEGMENT {
        hDevice: HANDLE;
        hAllocation: HANDLE;
        SegmentId: number;
        OffsetInPages: number;
        NumberOfPages: number;
        pMdl: MDL;
        Flags: DXGK_MAPAPERTUREFLAGS;
        MdlOffset: number;
    }
    export interface DXGK_BUILDPAGINGBUFFER_UNMAPAPERTURESEGMENT {
        hDevice: HANDLE;
        hAllocation: HANDLE;
        SegmentId: number;
        OffsetInPages: number;
        NumberOfPages: number;
        /** Physical address of the dummy page the unmapped range must point at. */
        DummyPage: number;
    }
    export interface DXGK_BUILDPAGINGBUFFER_SPECIALLOCKTRANSFER {
        hAllocation: HANDLE;
        TransferOffset: number;
        TransferSize: number;
        Source: DXGK_TRANSFER_LOCATION;
        Destination: DXGK_TRANSFER_LOCATION;
        Flags: DXGK_TRANSFERFLAGS;
        SwizzlingRangeId: number;
        SwizzlingRangeData: number;
    }
    export interface DXGK_BUILDPAGINGBUFFER_UPDATEPAGETABLE {
        /** First GPU virtual address and number of 4 KiB pages to (re)map. */
        VirtualAddress: number;
        NumberOfPages: number;
        /** Target segment (0: system memory) and its first physical page, or `Invalid` to unmap. */
        SegmentId: number;
        PhysicalAddress: number;
        Invalid: boolean;
    }
    export interface DXGK_BUILDPAGINGBUFFER_FLUSHTLB {
        VirtualAddress: number;
        NumberOfPages: number;
    }
    /**
     * DXGK_BUILDPAGINGBUFFER_NOTIFYRESIDENCY, for allocations with ExplicitResidencyNotification and
     * AccessedPhysically: after the operations that commit the allocation to a memory segment
     * (Resident 1, its PhysicalAddress there), and before those that evict it (Resident 0,
     * PhysicalAddress 0: "The physical address (0, 0) is invalid and is used when the allocation is
     * being evicted"); once each time. A move while resident (to a preferred segment, compaction) is
     * a commit at another address: one Resident 1 with the new address after it. Resident, not the
     * address, says which: a segment whose BaseAddress is 0 commits an allocation at its start at 0.
     * The driver may write nothing for it.
     */
    export interface DXGK_BUILDPAGINGBUFFER_NOTIFYRESIDENCY {
        hAllocation: HANDLE;
        PhysicalAddress: number;
        Resident: number;
    }
    interface DXGKARG_BUILDPAGINGBUFFER_COMMON {
        /** Where to write: advance `pDmaBuffer.Offset` past the last byte written. */
        pDmaBuffer: DMA_BUFFER_POINTER;
        /** Bytes left in the paging buffer from `pDmaBuffer.Offset` (the driver may decrement it as it writes). */
        DmaSize: number;
        /**
         * The paging buffer's private data from where this call may write (DXGK_QUERYSEGMENTOUT's
         * PagingBufferPrivateDataSize bytes per paging buffer; null when the driver asked for none). The
         * driver advances `Offset` past what it wrote, as with pDmaBuffer, and gets the submitted range
         * back in DxgkDdiPatch and DxgkDdiSubmitCommand (DmaBufferPrivateDataSubmissionStart/EndOffset).
         */
        pDmaBufferPrivateData: DMA_BUFFER_PRIVATE_DATA_POINTER | null;
        /** Bytes left in the private data from `pDmaBufferPrivateData.Offset`. */
        DmaBufferPrivateDataSize: number;
        /** Zeroed by VidMm before the first call for an operation and never touched between calls. */
        MultipassOffset: number;
        hSystemContext: HANDLE;
    }
    /** DXGKARG_BUILDPAGINGBUFFER: the C union becomes a union discriminated by `Operation`. */
    export type DXGKARG_BUILDPAGINGBUFFER = DXGKARG_BUILDPAGINGBUFFER_COMMON & ({
        Operation: typeof DXGK_OPERATION_TRANSFER;
        Transfer: DXGK_BUILDPAGINGBUFFER_TRANSFER;
    } | {
        Operation: typeof DXGK_OPERATION_FILL;
        Fill: DXGK_BUILDPAGINGBUFFER_FILL;
    } | {
        Operation: typeof DXGK_OPERATION_DISCARD_CONTENT;
        DiscardContent: DXGK_BUILDPAGINGBUFFER_DISCARDCONTENT;
    } | {
        Operation: typeof DXGK_OPERATION_READ_PHYSICAL;
        ReadPhysical: DXGK_BUILDPAGINGBUFFER_READPHYSICAL;
    } | {
        Operation: typeof DXGK_OPERATION_WRITE_PHYSICAL;
        WritePhysical: DXGK_BUILDPAGINGBUFFER_WRITEPHYSICAL;
    } | {
        Operation: typeof DXGK_OPERATION_MAP_APERTURE_SEGMENT;
        MapApertureSegment: DXGK_BUILDPAGINGBUFFER_MAPAPERTURESEGMENT;
    } | {
        Operation: typeof DXGK_OPERATION_UNMAP_APERTURE_SEGMENT;
        UnmapApertureSegment: DXGK_BUILDPAGINGBUFFER_UNMAPAPERTURESEGMENT;
    } | {
        Operation: typeof DXGK_OPERATION_SPECIAL_LOCK_TRANSFER;
        SpecialLockTransfer: DXGK_BUILDPAGINGBUFFER_SPECIALLOCKTRANSFER;
    } | {
        Operation: typeof DXGK_OPERATION_UPDATE_PAGE_TABLE;
        UpdatePageTable: DXGK_BUILDPAGINGBUFFER_UPDATEPAGETABLE;
    } | {
        Operation: typeof DXGK_OPERATION_FLUSH_TLB;
        FlushTlb: DXGK_BUILDPAGINGBUFFER_FLUSHTLB;
    } | {
        Operation: typeof DXGK_OPERATION_NOTIFY_RESIDENCY;
        NotifyResidency: DXGK_BUILDPAGINGBUFFER_NOTIFYRESIDENCY;
    });
    /** DXGK_SEGMENTFLAGS (the members this simulator acts on). */
    export interface DXGK_SEGMENTFLAGS {
        Aperture: boolean;
        Agp: boolean;
        CpuVisible: boolean;
        UseBanking: boolean;
        CacheCoherent: boolean;
        PopulatedFromSystemMemory: boolean;
    }
    /** DXGK_SEGMENTDESCRIPTOR. Segment ids are 1-based positions in the descriptor array. */
    export interface DXGK_SEGMENTDESCRIPTOR {
        /**
         * The segment's base address as the GPU sees it, the driver's choice: VidMm gives every place in
         * the segment as BaseAddress + offset (SegmentAddress, an allocation list's PhysicalAddress).
         */
        BaseAddress: number;
        /** For CPU-visible segments, the bus address of the segment in the PCI aperture (BAR). */
        CpuTranslatedAddress: number;
        Size: number;
        /** With Flags.UseBanking: the number of banks in the segment. */
        NbOfBanks: number;
        /**
         * With Flags.UseBanking: the end offset in the segment of the first bank through the NbOfBanks-th
         * ("Banks are contiguous. The first bank starts at offset zero of the segment. The last bank ends
         * at the end of the segment, so the driver is not required to specify the end address of the last
         * bank."). null without banks.
         */
        pBankRangeTable: number[] | null;
        CommitLimit: number;
        Flags: DXGK_SEGMENTFLAGS;
    }
    export const DXGKQAITYPE_DRIVERCAPS = 0;
    export const DXGKQAITYPE_QUERYSEGMENT = 1;
    /** DXGK_QUERYSEGMENTOUT. */
    export interface DXGK_QUERYSEGMENTOUT {
        NbSegment: number;
        /** Null on the first call (report NbSegment); an array of NbSegment descriptors to fill on the second. */
        pSegmentDescriptor: DXGK_SEGMENTDESCRIPTOR[] | null;
        PagingBufferSegmentId: number;
        /** Bytes of each paging buffer VidMm hands to DxgkDdiBuildPagingBuffer. */
        PagingBufferSize: number;
        /** Bytes of private data VidMm keeps with each paging buffer for the driver (0: none). */
        PagingBufferPrivateDataSize: number;
    }
    /** DXGK_DRIVERCAPS (the members this simulator acts on). */
    export interface DXGK_DRIVERCAPS {
        HighestAcceptableAddress: number;
        MaxAllocationListSlotId: number;
        ApertureSegmentCommitLimit: number;
        /** Bytes of each render DMA buffer (DXGK_CONTEXTINFO.DmaBufferSize in a real driver). */
        DmaBufferSize: number;
        /** DXGK_GPUENGINETOPOLOGY: the nodes (engines) the driver exposes to the GPU scheduler, 1 to the hardware's EngineCount. */
        GpuEngineTopology: {
            NbAsymetricProcessingNodes: number;
        };
        /** DXGK_VIDMMCAPS: the node VidMm runs paging buffers on (zero-based, below NbAsymetricProcessingNodes). */
        MemoryManagementCaps: {
            PagingNode: number;
        };
        /** "The number of swizzling ranges that the driver can support": VidMm's RangeIds are below it. */
        NumberOfSwizzlingRanges: number;
    }
    export type DXGKARG_QUERYADAPTERINFO = {
        Type: typeof DXGKQAITYPE_DRIVERCAPS;
        pOutputData: DXGK_DRIVERCAPS;
    } | {
        Type: typeof DXGKQAITYPE_QUERYSEGMENT;
        pOutputData: DXGK_QUERYSEGMENTOUT;
    };
    /** DXGK_SEGMENTPREFERENCE: up to five segment ids in order of preference (0 ends the list). */
    export interface DXGK_SEGMENTPREFERENCE {
        SegmentId0: number;
        SegmentId1: number;
        SegmentId2: number;
        SegmentId3: number;
        SegmentId4: number;
    }
    /**
     * DXGK_ALLOCATIONINFOFLAGS, the members Paging Lab knows: VidMm acts on each but Cached (CPU cache
     * coherency, which nothing here can observe; it is checked to come with CpuVisible, as
     * PermanentSysMem is).
     */
    export interface DXGK_ALLOCATIONINFOFLAGS {
        CpuVisible: boolean;
        Swizzled: boolean;
        Cached: boolean;
        PermanentSysMem: boolean;
        /**
         * "The video memory manager scans a segment address space and looks for room for the allocation
         * from the end of the segment instead of scanning from the start ... However, the hinted and
         * preferred segment information takes precedent over this flag."
         */
        FromEndOfSegment: boolean;
        /** An overlay allocation: pinned in memory once resident, in the last 20 percent of a segment. */
        Overlay: boolean;
        /** A capture allocation: "pinned in memory similarly to overlay allocations". */
        Capture: boolean;
        /** Accessed by its physical address: "allocated contiguously from GPU memory segments" (as every allocation is here). */
        AccessedPhysically: boolean;
        /** With AccessedPhysically only: a NotifyResidency paging operation each time it is committed to or evicted from a memory segment. */
        ExplicitResidencyNotification: boolean;
        SynchronousPaging: boolean;
        UseAlternateVA: boolean;
    }
    /** Allocation priority levels (d3dukmdt.h), for DXGK_ALLOCATIONINFO.AllocationPriority. */
    export const D3DDDI_ALLOCATIONPRIORITY_MINIMUM = 671088640;
    export const D3DDDI_ALLOCATIONPRIORITY_LOW = 1342177280;
    export const D3DDDI_ALLOCATIONPRIORITY_NORMAL = 2013265920;
    export const D3DDDI_ALLOCATIONPRIORITY_HIGH = 2684354560;
    export const D3DDDI_ALLOCATIONPRIORITY_MAXIMUM = 3355443200;
    /**
     * DXGK_SEGMENTBANKPREFERENCE: up to four banks, most preferred first, of the allocation's most
     * preferred segment (PreferredSegment.SegmentId0), where VidMm looks for room when it pages the
     * allocation in. Bank identifiers are one-based (1 to 127); 0 ends the list. A Direction of 1 scans
     * the bank from its high addresses down, 0 from its low addresses up. (C's union with a 32-bit
     * Value is not modelled: set the members.)
     */
    export interface DXGK_SEGMENTBANKPREFERENCE {
        Bank0: number;
        Direction0: number;
        Bank1: number;
        Direction1: number;
        Bank2: number;
        Direction2: number;
        Bank3: number;
        Direction3: number;
    }
    /**
     * DXGK_ALLOCATIONINFO: the driver fills it in DxgkDdiCreateAllocation. Segment sets are bit masks,
     * bit (id - 1) for segment id.
     */
    export interface DXGK_ALLOCATIONINFO {
        /** In: the user-mode driver's private data describing the allocation (here: what the scenario asked for). */
        pPrivateDriverData: Readonly<Record<string, unknown>>;
        PrivateDriverDataSize: number;
        Alignment: number;
        Size: number;
        PitchAlignedSize: number;
        /** Out: the banks of PreferredSegment.SegmentId0 to page the allocation in, when that segment uses banking. */
        HintedBank: DXGK_SEGMENTBANKPREFERENCE;
        PreferredSegment: DXGK_SEGMENTPREFERENCE;
        SupportedReadSegmentSet: number;
        SupportedWriteSegmentSet: number;
        EvictionSegmentSet: number;
        /** Out: the driver's handle for the allocation, handed back in every later DDI. */
        hAllocation: HANDLE;
        Flags: DXGK_ALLOCATIONINFOFLAGS;
        /** Out: the allocation's starting priority (D3DDDI_ALLOCATIONPRIORITY_NORMAL when priority is not an issue); 0 is invalid. */
        AllocationPriority: number;
    }
    export interface DXGKARG_CREATEALLOCATION {
        pPrivateDriverData: Readonly<Record<string, unknown>> | null;
        PrivateDriverDataSize: number;
        NumAllocations: number;
        pAllocationInfo: DXGK_ALLOCATIONINFO[];
        hResource: HANDLE;
        Flags: {
            Resource: boolean;
        };
    }
    export interface DXGKARG_DESTROYALLOCATION {
        NumAllocations: number;
        pAllocationList: HANDLE[];
        hResource: HANDLE;
        Flags: {
            DestroyResource: boolean;
        };
    }
    /** DXGK_ALLOCATIONLIST: where each allocation a DMA buffer references is now. */
    export interface DXGK_ALLOCATIONLIST {
        hDeviceSpecificAllocation: HANDLE;
        WriteOperation: boolean;
        SegmentId: number;
        PhysicalAddress: number;
    }
    /** D3DDDI_PATCHLOCATIONLIST: a place in the DMA buffer that needs an allocation's address. */
    export interface D3DDDI_PATCHLOCATIONLIST {
        AllocationIndex: number;
        SlotId: number;
        DriverId: number;
        AllocationOffset: number;
        /** Byte offset in the DMA buffer of the location to patch. */
        PatchOffset: number;
        SplitOffset: number;
    }
    export interface DXGK_PATCHFLAGS {
        Paging: boolean;
        Present: boolean;
    }
    export interface DXGKARG_PATCH {
        hDevice: HANDLE;
        hContext: HANDLE;
        DmaBufferSegmentId: number;
        DmaBufferSegmentAddress: number;
        /** The whole DMA buffer's bytes; the submitted range is [DmaBufferSubmissionStartOffset, DmaBufferSubmissionEndOffset). */
        pDmaBuffer: Uint8Array;
        DmaBufferSize: number;
        DmaBufferSubmissionStartOffset: number;
        DmaBufferSubmissionEndOffset: number;
        /** The whole private data of the buffer (null when there is none); the submitted range is [DmaBufferPrivateDataSubmissionStartOffset, DmaBufferPrivateDataSubmissionEndOffset). */
        pDmaBufferPrivateData: Uint8Array | null;
        DmaBufferPrivateDataSize: number;
        DmaBufferPrivateDataSubmissionStartOffset: number;
        DmaBufferPrivateDataSubmissionEndOffset: number;
        pAllocationList: DXGK_ALLOCATIONLIST[] | null;
        AllocationListSize: number;
        /** Null for paging buffers: VidMm gives no patch-location list for them. */
        pPatchLocationList: D3DDDI_PATCHLOCATIONLIST[] | null;
        PatchLocationListSize: number;
        PatchLocationListSubmissionStart: number;
        PatchLocationListSubmissionLength: number;
        SubmissionFenceId: number;
        Flags: DXGK_PATCHFLAGS;
        /** "Reserved for future use": always 0. */
        EngineOrdinal: number;
        /**
         * The node (engine) the buffer will run on. Not a WDK member: there a driver knows the node from
         * hContext, and Paging Lab has no contexts, so it names the node here as DXGKARG_SUBMITCOMMAND does.
         */
        NodeOrdinal: number;
    }
    export interface DXGK_SUBMITCOMMANDFLAGS {
        Paging: boolean;
        Present: boolean;
        NullRendering: boolean;
    }
    export interface DXGKARG_SUBMITCOMMAND {
        hContext: HANDLE;
        DmaBufferSegmentId: number;
        /** Bus address of the DMA buffer's first byte. */
        DmaBufferPhysicalAddress: number;
        DmaBufferSize: number;
        DmaBufferSubmissionStartOffset: number;
        DmaBufferSubmissionEndOffset: number;
        DmaBufferPrivateDataSubmissionStartOffset: number;
        DmaBufferPrivateDataSubmissionEndOffset: number;
        /** The fence id the driver reports back through DxgkCbNotifyInterrupt when this buffer is done. */
        SubmissionFenceId: number;
        Flags: DXGK_SUBMITCOMMANDFLAGS;
        /** "Reserved for future use": always 0. */
        EngineOrdinal: number;
        /** The zero-based node (engine) the buffer is submitted to. */
        NodeOrdinal: number;
    }
    /**
     * DXGKARG_ACQUIRESWIZZLINGRANGE. VidMm calls DxgkDdiAcquireSwizzlingRange before it maps a CPU
     * virtual address to an allocation in a CPU-visible segment, so the driver can set up the aperture
     * through which the CPU sees the (possibly swizzled) bits linearly. The allocation's offset in the
     * PCI aperture and its size there are fixed: the driver can change neither. A failure status makes
     * VidMm evict the allocation to system memory and let the application access it there.
     */
    export interface DXGKARG_ACQUIRESWIZZLINGRANGE {
        hAllocation: HANDLE;
        PrivateDriverData: number;
        /** "The zero-based identifier of the swizzling range" this call programs: the lowest no other lock holds. */
        RangeId: number;
        /** The CPU-visible segment the allocation is in. */
        SegmentId: number;
        /** The size of the range: the allocation's size, which the driver may not change. */
        RangeSize: number;
        /** Bus address of the allocation in the PCI aperture (BAR): the segment's CpuTranslatedAddress + the allocation's offset in the segment. */
        CPUTranslatedAddress: number;
        /**
         * Not WDK members (Paging Lab's): the allocation's address in its segment, the segment's
         * BaseAddress plus its offset (linear: the offset is also its offset in the segment's aperture
         * range); and, out, the driver's data about the range, handed back in DxgkDdiReleaseSwizzlingRange.
         */
        SegmentAddress: number;
        SwizzlingRangeData: number;
    }
    /** DXGKARG_RELEASESWIZZLINGRANGE: VidMm no longer maps the CPU to the allocation through the aperture. */
    export interface DXGKARG_RELEASESWIZZLINGRANGE {
        hAllocation: HANDLE;
        PrivateDriverData: number;
        /** The range DxgkDdiAcquireSwizzlingRange programmed. */
        RangeId: number;
        /** Not a WDK member (Paging Lab's): what the driver set in DXGKARG_ACQUIRESWIZZLINGRANGE.SwizzlingRangeData. */
        SwizzlingRangeData: number;
    }
    /** A common buffer: contiguous, shared by the host (`VirtualAddress`) and the device (`LogicalAddress`). */
    export interface VP_COMMON_BUFFER {
        readonly VirtualAddress: Uint8Array;
        readonly LogicalAddress: number;
        readonly Length: number;
    }
    /** VP_DEVICE_DESCRIPTION: what the device can do (VideoPortGetDmaAdapter's input). */
    export interface VP_DEVICE_DESCRIPTION {
        ScatterGather: boolean;
        Dma32BitAddresses: boolean;
        Dma64BitAddresses: boolean;
        MaximumLength: number;
    }
    /**
     * VP_DMA_ADAPTER with its helpers. Common-buffer DMA: AllocateCommonBuffer / FreeCommonBuffer (the
     * common buffer is a precious system resource, budgeted by the adapter profile). Packet-based DMA:
     * StartDma moves an MDL's pages to or from a segment with the hardware's scatter/gather, one packet
     * per page, and returns when the transfer is queued on the DMA channel.
     */
    export interface VP_DMA_ADAPTER {
        AllocateCommonBuffer(Length: number): VP_COMMON_BUFFER | null;
        FreeCommonBuffer(Buffer: VP_COMMON_BUFFER): void;
        /** `SegmentAddress` as DXGKARG_BUSMASTERTRANSFER gives it: the segment's BaseAddress plus the offset. */
        StartDma(pMdl: MDL, SegmentId: number, SegmentAddress: number, Length: number, WriteToDevice: boolean): NTSTATUS;
    }
    /**
     * DXGKARG_BUSMASTERTRANSFER (a Paging Lab DDI: the WDK has no DXGK DDI for it; it models a video
     * miniport's packet-based DMA request): move `Length` bytes between the allocation's system pages
     * (`pMdl`) and its place in a segment with the DMA adapter, `WriteToDevice` saying which way.
     */
    export interface DXGKARG_BUSMASTERTRANSFER {
        hAllocation: HANDLE;
        pMdl: MDL;
        SegmentId: number;
        /** The segment's BaseAddress plus the allocation's offset (VP_DMA_ADAPTER.StartDma takes it in that form). */
        SegmentAddress: number;
        Length: number;
        WriteToDevice: boolean;
    }
    export const DXGK_INTERRUPT_DMA_COMPLETED = 1;
    export const DXGK_INTERRUPT_DMA_PREEMPTED = 2;
    export const DXGK_INTERRUPT_DMA_FAULTED = 4;
    export type DXGKARGCB_NOTIFY_INTERRUPT_DATA = {
        InterruptType: typeof DXGK_INTERRUPT_DMA_COMPLETED;
        DmaCompleted: {
            SubmissionFenceId: number;
            NodeOrdinal: number;
            EngineOrdinal: number;
        };
    } | {
        InterruptType: typeof DXGK_INTERRUPT_DMA_FAULTED;
        DmaFaulted: {
            FaultedFenceId: number;
            Status: NTSTATUS;
            NodeOrdinal: number;
            EngineOrdinal: number;
        };
    };
    /** A contiguous block of common-buffer memory, shared by the CPU (`pVirtualAddress`) and the GPU (`PhysicalAddress`). */
    export interface DXGKARGCB_ALLOCATECONTIGUOUSMEMORY {
        NumberOfBytes: number;
        pVirtualAddress: Uint8Array | null;
        PhysicalAddress: number;
        /** [out] Dxgkrnl's tracking handle for the memory: hand it to DxgkCbFreeContiguousMemory. */
        hMemoryHandle?: HANDLE;
    }
    export interface DXGKARGCB_FREECONTIGUOUSMEMORY {
        /** The handle DxgkCbAllocateContiguousMemory returned in hMemoryHandle. */
        hMemoryHandle: HANDLE;
    }
    /** One hardware segment as the bus reports it (for DxgkDdiQueryAdapterInfo). */
    export interface HARDWARE_SEGMENT {
        Id: number;
        Name: string;
        Kind: 'memory' | 'aperture';
        Size: number;
        GpuBaseAddress: number;
        CpuVisible: boolean;
        BarBaseAddress: number;
        CacheCoherent: boolean;
        /**
         * When the hardware divides the segment into banks: where each bank but the last ends (offsets
         * in the segment); empty when it has none. A driver reports them with UseBanking, NbOfBanks and
         * pBankRangeTable in the segment's DXGK_SEGMENTDESCRIPTOR.
         */
        BankEnds: readonly number[];
    }
    /**
     * The simulated device's registers, as DxgkCbGetDeviceInformation hands them out (a real driver
     * maps its BARs and reads its hardware's documentation; this is that documentation).
     */
    export interface DEVICE_REGISTERS {
        readonly EngineCount: number;
        readonly Segments: readonly HARDWARE_SEGMENT[];
        /** The aperture's unswizzling ranges (ProgramSwizzlingRange programs one of them). */
        readonly SwizzlingRangeCount: number;
        /** Queue `Length` bytes of instructions at bus address `PhysicalAddress` on an engine's ring. */
        SubmitDmaBuffer(EngineOrdinal: number, PhysicalAddress: number, Length: number, SubmissionFenceId: number): void;
        /** The engine's paging fence register: the last value a `fence` instruction wrote to it. */
        ReadPagingFence(EngineOrdinal: number): number;
        /**
         * Programs one of the aperture's unswizzling ranges: CPU accesses to [SegmentOffset, +Size) of a
         * CPU-visible segment see the tiled surface (rows of `Pitch` bytes) linearly. Returns the range's
         * handle, or -1 when every range is in use.
         */
        ProgramSwizzlingRange?(SegmentId: number, SegmentOffset: number, Size: number, Pitch: number): number;
        /** Frees a range ProgramSwizzlingRange returned. */
        ClearSwizzlingRange?(Handle: number): void;
    }
    export interface DXGK_DEVICE_INFO {
        /** Bytes of system memory the device can address. */
        SystemMemorySize: number;
        Registers: DEVICE_REGISTERS;
    }
    /** DXGKRNL_INTERFACE: what the kernel offers the driver (passed to DxgkDdiStartDevice). */
    export interface DXGKRNL_INTERFACE {
        DeviceHandle: HANDLE;
        DxgkCbGetDeviceInformation(DeviceHandle: HANDLE): DXGK_DEVICE_INFO;
        DxgkCbNotifyInterrupt(DeviceHandle: HANDLE, data: DXGKARGCB_NOTIFY_INTERRUPT_DATA): void;
        DxgkCbQueueDpc(DeviceHandle: HANDLE): boolean;
        DxgkCbNotifyDpc(DeviceHandle: HANDLE): void;
        DxgkCbAllocateContiguousMemory(DeviceHandle: HANDLE, args: DXGKARGCB_ALLOCATECONTIGUOUSMEMORY): NTSTATUS;
        /** Gives back memory DxgkCbAllocateContiguousMemory returned; STATUS_INVALID_PARAMETER for a handle it did not return or already freed. */
        DxgkCbFreeContiguousMemory(DeviceHandle: HANDLE, args: DXGKARGCB_FREECONTIGUOUSMEMORY): NTSTATUS;
        /** Debug output, shown in the trace (DbgPrintEx in a real driver). */
        DbgPrint(message: string): void;
        /** VideoPortGetDmaAdapter: the bus-master DMA adapter, or null if the device cannot have one. */
        DxgkCbGetDmaAdapter?(DeviceHandle: HANDLE, DeviceDescription: VP_DEVICE_DESCRIPTION): VP_DMA_ADAPTER | null;
        /** VideoPortPutDmaAdapter: gives the adapter back when no more DMA is needed (free its common buffers first). */
        DxgkCbPutDmaAdapter?(DeviceHandle: HANDLE, DmaAdapter: VP_DMA_ADAPTER): void;
    }
    export interface DXGK_START_INFO {
        RequiredDxgkInterfaceVersion: number;
        AdapterGuid: string;
    }
    /** A by-reference out parameter. */
    export interface OUT<T> {
        value: T;
    }
    export interface DRIVER_INITIALIZATION_DATA {
        Version: number;
        DxgkDdiAddDevice(PhysicalDeviceObject: HANDLE, MiniportDeviceContext: OUT<HANDLE>): NTSTATUS;
        DxgkDdiStartDevice(MiniportDeviceContext: HANDLE, DxgkStartInfo: DXGK_START_INFO, DxgkInterface: DXGKRNL_INTERFACE): NTSTATUS;
        DxgkDdiStopDevice?(MiniportDeviceContext: HANDLE): NTSTATUS;
        DxgkDdiQueryAdapterInfo(hAdapter: HANDLE, pQueryAdapterInfo: DXGKARG_QUERYADAPTERINFO): NTSTATUS;
        DxgkDdiCreateAllocation(hAdapter: HANDLE, pCreateAllocation: DXGKARG_CREATEALLOCATION): NTSTATUS;
        DxgkDdiDestroyAllocation(hAdapter: HANDLE, pDestroyAllocation: DXGKARG_DESTROYALLOCATION): NTSTATUS;
        DxgkDdiBuildPagingBuffer(hAdapter: HANDLE, pBuildPagingBuffer: DXGKARG_BUILDPAGINGBUFFER): NTSTATUS;
        DxgkDdiPatch(hAdapter: HANDLE, pPatch: DXGKARG_PATCH): NTSTATUS;
        DxgkDdiSubmitCommand(hAdapter: HANDLE, pSubmitCommand: DXGKARG_SUBMITCOMMAND): NTSTATUS;
        DxgkDdiInterruptRoutine(MiniportDeviceContext: HANDLE, MessageNumber: number): boolean;
        DxgkDdiDpcRoutine(MiniportDeviceContext: HANDLE): void;
        DxgkDdiAcquireSwizzlingRange?(hAdapter: HANDLE, pAcquireSwizzlingRange: DXGKARG_ACQUIRESWIZZLINGRANGE): NTSTATUS;
        DxgkDdiReleaseSwizzlingRange?(hAdapter: HANDLE, pReleaseSwizzlingRange: DXGKARG_RELEASESWIZZLINGRANGE): NTSTATUS;
        DxgkDdiBusMasterTransfer?(hAdapter: HANDLE, pTransfer: DXGKARG_BUSMASTERTRANSFER): NTSTATUS;
    }
    export const DXGKDDI_INTERFACE_VERSION_WDDM1_3 = 16386;
    /** The driver object the kernel passes to DriverEntry; DxgkInitialize records the entry points in it. */
    export interface DRIVER_OBJECT {
        DriverName: string;
        DriverInitializationData: DRIVER_INITIALIZATION_DATA | null;
    }
    /** Called by the driver's DriverEntry to register its DDIs with the port driver. */
    export function DxgkInitialize(DriverObject: DRIVER_OBJECT, RegistryPath: string, InitializationData: DRIVER_INITIALIZATION_DATA): NTSTATUS;
    /** The names of the DDIs, for traces, breakpoints and error reports. */
    export type DdiName = Exclude<keyof DRIVER_INITIALIZATION_DATA, 'Version'> | 'DriverEntry';
}
declare module "paging-lab/internal/isa/opcodes" {
    /** Where a `loc` operand points. Segment id 0 is system memory in WDDM, hence the separate spaces. */
    export enum LocationSpace {
        /** A segment offset: `sub` = segment id (1-based, as DXGK_SEGMENTDESCRIPTOR index + 1). */
        Segment = 1,
        /** System pages described by a page list (an MDL): `address` = page list, `aux` = byte offset. */
        Mdl = 2,
        /** A system-memory physical (bus) address. */
        Physical = 3,
        /** A GPU virtual address, translated through the page tables. */
        GpuVirtual = 4
    }
    /** For an Mdl location, `sub` says where its page list is. */
    export enum PageListBase {
        /** The page list is inside the DMA buffer being executed; `address` is an offset from its start. */
        DmaBuffer = 0,
        /** The page list is in system memory at physical address `address`. */
        Physical = 1
    }
    /**
     * A page list in memory (what a `loc` of space Mdl points at), as the engine reads it:
     *   +0 u32 page count, +4 u32 reserved (0), +8 u64[count] physical addresses of 4 KiB pages.
     */
    export const PAGE_LIST_HEADER_BYTES = 8;
    export const PAGE_SIZE = 4096;
    export const LOCATION_BYTES = 16;
    export const HEADER_BYTES = 4;
    /** A memory location operand, decoded. Addresses stay below 2^53 so they are exact as numbers. */
    export interface Location {
        space: LocationSpace;
        /** Segment id for Segment; PageListBase for Mdl; 0 otherwise. */
        sub: number;
        /** Byte offset into the described pages for Mdl; 0 otherwise. */
        aux: number;
        address: number;
    }
    /**
     * Operand kinds. Integers are `number` except `u64`, which is a `bigint` so that data values
     * (a physical write's payload, a fence value) keep all 64 bits.
     */
    export type OperandKind = 'loc' | 'seg' | 'u8' | 'u16' | 'u32' | 'addr' | 'u64';
    export const OPERAND_BYTES: Record<OperandKind, number>;
    export interface OperandInfo {
        /** Name used in docs, hover and signature help. */
        name: string;
        kind: OperandKind;
        /** Byte offset inside the instruction. */
        offset: number;
        /** Inclusive range for integer kinds (for `loc`, of the address). */
        min?: number;
        max?: number;
        /** Required alignment of the value (or of a location's address), in bytes. */
        align?: number;
        /** Which location spaces a `loc` operand accepts. */
        spaces?: readonly LocationSpace[];
        doc: string;
    }
    export interface FlagInfo {
        /** The keyword written after the operands in pgasm, e.g. `irq`. */
        name: string;
        bit: number;
        doc: string;
    }
    /** How an instruction costs virtual time: fixed nanoseconds, plus bytes moved over a bandwidth. */
    export interface CostInfo {
        fixedNs: number;
        /** Name of the operand whose value is the number of bytes moved, if the instruction moves data. */
        bytesFrom?: string;
        /** Multiplier for bytes given in pages (aperture map/unmap, page-table updates). */
        bytesPerUnit?: number;
    }
    export interface OpcodeInfo {
        code: number;
        mnemonic: string;
        /** One line for completion lists and outlines. */
        summary: string;
        /** A paragraph of documentation, shown in hover and docs/pgasm.md. */
        doc: string;
        /** The WDK paging operation(s) this implements, for cross-reference. */
        wdk: readonly string[];
        operands: readonly OperandInfo[];
        flags: readonly FlagInfo[];
        /** Total size in bytes, header included. */
        size: number;
        cost: CostInfo;
        /** A complete line of pgasm using it, assembled by a test. */
        example: string;
    }
    export const OPCODES: readonly OpcodeInfo[];
    /** Index by opcode byte: OPCODE_BY_CODE[byte] is the entry or undefined. */
    export const OPCODE_BY_CODE: readonly (OpcodeInfo | undefined)[];
    /** Index by mnemonic (lower case). */
    export const OPCODE_BY_MNEMONIC: ReadonlyMap<string, OpcodeInfo>;
    /** Size in bytes by opcode byte, 0 where the byte is not an opcode: the decoder's hot-path table. */
    export const SIZE_BY_CODE: Uint8Array;
    /** Named opcode bytes for code that switches on them (the engine). */
    export const Op: {
        readonly Nop: 1;
        readonly Copy: 16;
        readonly Fill: 17;
        readonly Discard: 18;
        readonly Swizzle: 19;
        readonly Unswizzle: 20;
        readonly ReadPhysical: 32;
        readonly WritePhysical: 33;
        readonly MapAperture: 48;
        readonly UnmapAperture: 49;
        readonly Fence: 64;
        readonly Wait: 65;
        readonly Interrupt: 66;
        readonly PageTableUpdate: 80;
        readonly TlbFlush: 81;
    };
    export const FenceFlags: {
        readonly Irq: 1;
        readonly Monitored: 2;
    };
    export const MapApertureFlags: {
        readonly CacheCoherent: 1;
    };
    export const PageTableFlags: {
        readonly Invalid: 1;
        readonly ReadOnly: 2;
    };
    /** The tile geometry of swizzle/unswizzle: 64 rows of 64 bytes per 4 KiB tile. */
    export const TILE_WIDTH_BYTES = 64;
    export const TILE_ROWS = 64;
}
declare module "paging-lab/internal/isa/hex" {
    export interface HexStyle {
        /** Upper-case digits (`0x1F`); lower-case by default (`0x1f`). */
        upper?: boolean;
        /** Pad with zeros to at least this many digits. */
        digits?: number;
    }
    /** The paging assembly's style: `0x1F`. */
    export const UPPER: HexStyle;
    export function hex(n: number | bigint, style?: HexStyle): string;
}
declare module "paging-lab/internal/isa/encoding" {
    import { LOCATION_BYTES, Location, OpcodeInfo } from "paging-lab/internal/isa/opcodes";
    export type OperandValue = number | bigint | Location;
    export interface Instruction {
        op: OpcodeInfo;
        flags: number;
        /** Values in the order of `op.operands`: Location for `loc`, bigint for `u64`, number otherwise. */
        operands: OperandValue[];
    }
    /** What one decode step found at an offset: an instruction, or `length` bytes that are not one. */
    export type DecodeResult = {
        ok: true;
        offset: number;
        length: number;
        instr: Instruction;
    } | {
        ok: false;
        offset: number;
        length: number;
        reason: string;
    };
    export class EncodeError extends Error {
    }
    /** Encodes one instruction into `out` at `offset`; returns the bytes written. */
    export function encodeInto(instr: Instruction, out: Uint8Array, offset: number): number;
    /** A DataView over all of `out` (the one made for the array written last, when it is the same). */
    export function dataViewOver(out: Uint8Array): DataView;
    /**
     * Writes an instruction with a caller-supplied view over `out` (the assembler reuses one view for a
     * whole program instead of creating one per instruction). Does not check values against the table.
     */
    export function writeInstruction(out: Uint8Array, view: DataView, offset: number, op: OpcodeInfo, flags: number, operands: readonly (OperandValue | undefined)[], clear?: boolean): void;
    /** Encodes one instruction to a new byte array. */
    export function encode(instr: Instruction): Uint8Array;
    /**
     * Why the bytes at `offset` are not a valid instruction header, or null if they are. `limit` is the
     * end of the readable range (the submitted length of a DMA buffer).
     */
    export function headerProblem(bytes: Uint8Array, offset: number, limit: number): string | null;
    /**
     * Why the body of the instruction at `offset` (whose header is valid) is not valid, or null.
     * Mirrors the checks of `decodeInto`, with words.
     */
    export function bodyProblem(bytes: Uint8Array, view: DataView, offset: number): string | null;
    /** Decodes the instruction at `offset` (an instruction boundary) of `bytes[0, limit)`. */
    export function decode(bytes: Uint8Array, offset: number, limit?: number): DecodeResult;
    /** Decodes a whole range from `start`, instruction by instruction, invalid runs included. */
    export function decodeAll(bytes: Uint8Array, start?: number, limit?: number): DecodeResult[];
    /**
     * Reusable storage for the allocation-free decoder. After `decodeInto`, `code`, `flags` and `size`
     * describe the instruction and `slot[i]` holds its numeric fields in table order, with each `loc`
     * operand spread over four slots (space, sub, aux, address) and each `u64` over two (low, high
     * dword). `slotIndex(op, name)` tells where an operand starts.
     */
    export class DecodedSlots {
        code: number;
        flags: number;
        size: number;
        readonly slot: Float64Array<ArrayBuffer>;
    }
    /** Slot offsets per opcode byte, so the engine can read operands by index without searching. */
    export const SLOT_LAYOUT: readonly (readonly number[] | undefined)[];
    export function slotIndex(op: OpcodeInfo, operand: string): number;
    /** Which body decoder is in use (the generic one only where code generation is forbidden). */
    export const DECODER_KIND: 'compiled' | 'generic';
    /**
     * Decodes into `out` without allocating. Returns the instruction's size in bytes, or the negative
     * length of the invalid run at `offset` (call `decode` there for the reason). A bad header gives a
     * run up to the next dword boundary; a recognisable instruction with a bad body gives its size.
     */
    export function decodeInto(bytes: Uint8Array, view: DataView, offset: number, limit: number, out: DecodedSlots): number;
    export { LOCATION_BYTES };
}
declare module "paging-lab/internal/sim/ddi/writeSites" {
    type WriteObserver = (bytes: Uint8Array, offset: number, length: number) => void;
    export const driverWriteSites: {
        observe: WriteObserver | undefined;
        queued: WriteObserver | undefined;
    };
}
declare module "paging-lab/internal/sim/ddi/gpu" {
    import { type Instruction, type OperandValue } from "paging-lab/internal/isa/encoding";
    import { type Location } from "paging-lab/internal/isa/opcodes";
    export { OPCODES, OPCODE_BY_MNEMONIC, OPCODE_BY_CODE, Op, LocationSpace, PageListBase, FenceFlags, MapApertureFlags, PageTableFlags, PAGE_LIST_HEADER_BYTES, LOCATION_BYTES, HEADER_BYTES, TILE_WIDTH_BYTES, TILE_ROWS, } from "paging-lab/internal/isa/opcodes";
    export type { Location, OpcodeInfo, OperandInfo } from "paging-lab/internal/isa/opcodes";
    export { encode, decode, decodeAll } from "paging-lab/internal/isa/encoding";
    export type { Instruction, OperandValue, DecodeResult } from "paging-lab/internal/isa/encoding";
    /** Size in bytes of the instruction `mnemonic` (every instruction has a fixed size). */
    export function instructionSize(mnemonic: string): number;
    /**
     * Encodes `mnemonic operands...` at `bytes[offset]` and returns the bytes written. Operands are in
     * the opcode table's order (see `paging-lab/gpu`'s OPCODES or the pgasm reference).
     */
    export function writeInstruction(bytes: Uint8Array, offset: number, mnemonic: string, operands: OperandValue[], flags?: number): number;
    /** Encodes `instr` at `out[offset]` and returns the bytes written (the opcode's size). */
    export function encodeInto(instr: Instruction, out: Uint8Array, offset: number): number;
    /** A segment location operand: `offset` bytes into segment `segmentId`. */
    export function segmentLocation(segmentId: number, offset: number): Location;
    /** An MDL location operand: the page list at physical `pageListAddress`, `byteOffset` bytes into its pages. */
    export function mdlLocation(pageListAddress: number, byteOffset: number): Location;
    /** A system physical address operand. */
    export function physicalLocation(address: number): Location;
    /** Writes a 16-byte location operand at `bytes[offset]` (what DxgkDdiPatch does to a patch location). */
    export function writeLocation(bytes: Uint8Array, offset: number, loc: Location): void;
}

declare module "paging-lab/ddi" {
    export * from "paging-lab/internal/sim/ddi/contract";
}
declare module "paging-lab/gpu" {
    export * from "paging-lab/internal/sim/ddi/gpu";
}
