// The paging opcode table: the single source of truth for every GPU instruction a driver can write
// into a paging buffer. The encoder, decoder, assembler, disassembler, engine, hover text,
// completion, grammar and docs/pgasm.md are derived from it or checked against it by a test.
//
// Encoding (all little-endian, every instruction a multiple of 4 bytes and 4-byte aligned):
//   byte 0   opcode
//   byte 1   flags (meaning per opcode, see `flags`)
//   byte 2   size of the instruction in dwords (must equal the table's size; a cheap integrity check)
//   byte 3   reserved, must be zero
//   then the operands at the byte offsets the table gives.
// A `loc` operand (a memory location) is 16 bytes:
//   +0 u8 space (LocationSpace), +1 u8 reserved (0), +2 u16 sub, +4 u32 aux, +8 u64 address.
// Byte 0x00 is deliberately not an opcode, so a zero-filled (never written) buffer decodes as invalid.

/** Where a `loc` operand points. Segment id 0 is system memory in WDDM, hence the separate spaces. */
export enum LocationSpace {
  /** A segment offset: `sub` = segment id (1-based, as DXGK_SEGMENTDESCRIPTOR index + 1). */
  Segment = 1,
  /** System pages described by a page list (an MDL): `address` = page list, `aux` = byte offset. */
  Mdl = 2,
  /** A system-memory physical (bus) address. */
  Physical = 3,
  /** A GPU virtual address, translated through the page tables. */
  GpuVirtual = 4,
}

/** For an Mdl location, `sub` says where its page list is. */
export enum PageListBase {
  /** The page list is inside the DMA buffer being executed; `address` is an offset from its start. */
  DmaBuffer = 0,
  /** The page list is in system memory at physical address `address`. */
  Physical = 1,
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

export const OPERAND_BYTES: Record<OperandKind, number> = {
  loc: LOCATION_BYTES,
  seg: 2,
  u8: 1,
  u16: 2,
  u32: 4,
  addr: 8,
  u64: 8,
};

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

const ANY_MEMORY = [
  LocationSpace.Segment,
  LocationSpace.Mdl,
  LocationSpace.Physical,
  LocationSpace.GpuVirtual,
] as const;
const MAX_ADDR = Number.MAX_SAFE_INTEGER;
const MAX_U32 = 0xffffffff;

function op(def: Omit<OpcodeInfo, 'size'>): OpcodeInfo {
  let end = HEADER_BYTES;
  for (const o of def.operands) end = Math.max(end, o.offset + OPERAND_BYTES[o.kind]);
  return { ...def, size: (end + 3) & ~3 };
}

export const OPCODES: readonly OpcodeInfo[] = [
  op({
    code: 0x01,
    mnemonic: 'nop',
    summary: 'Do nothing for one instruction slot.',
    doc: 'Does nothing. Useful as padding and as a place for an instruction breakpoint.',
    wdk: [],
    operands: [],
    flags: [],
    cost: { fixedNs: 2 },
    example: 'nop',
  }),
  op({
    code: 0x10,
    mnemonic: 'copy',
    summary: 'Copy bytes between segments and system pages.',
    doc:
      'Copies `size` bytes from `src` to `dst`. Either side may be a segment range or system pages ' +
      'described by an MDL page list (with a byte offset into it), so one instruction covers every ' +
      'DXGK_OPERATION_TRANSFER direction: segment to segment, MDL to segment (page-in), segment to MDL ' +
      '(eviction) and MDL to MDL. The ranges must not overlap.',
    wdk: ['DXGK_OPERATION_TRANSFER', 'DXGK_OPERATION_SPECIAL_LOCK_TRANSFER'],
    operands: [
      { name: 'dst', kind: 'loc', offset: 4, spaces: ANY_MEMORY, doc: 'Destination location.' },
      { name: 'src', kind: 'loc', offset: 20, spaces: ANY_MEMORY, doc: 'Source location.' },
      { name: 'size', kind: 'addr', offset: 36, min: 1, max: MAX_ADDR, doc: 'Number of bytes to copy.' },
    ],
    flags: [],
    cost: { fixedNs: 200, bytesFrom: 'size' },
    example: 'copy vram:0x10000, mdl(pages)+0x0, 64K',
  }),
  op({
    code: 0x11,
    mnemonic: 'fill',
    summary: 'Fill a range with a 32-bit pattern.',
    doc:
      'Writes the 32-bit `pattern` repeatedly over `size` bytes at `dst` (DXGK_OPERATION_FILL, used to ' +
      'give a new allocation its initial content). `dst` and `size` must be 4-byte aligned. The video ' +
      'memory manager only asks for fills of memory segments, never aperture segments.',
    wdk: ['DXGK_OPERATION_FILL'],
    operands: [
      { name: 'dst', kind: 'loc', offset: 4, align: 4, spaces: ANY_MEMORY, doc: 'Destination location.' },
      { name: 'size', kind: 'addr', offset: 20, min: 4, max: MAX_ADDR, align: 4, doc: 'Number of bytes to fill.' },
      { name: 'pattern', kind: 'u32', offset: 28, min: 0, max: MAX_U32, doc: 'The 32-bit fill pattern.' },
    ],
    flags: [],
    cost: { fixedNs: 150, bytesFrom: 'size' },
    example: 'fill vram:0x0, 4K, 0xDEADBEEF',
  }),
  op({
    code: 0x12,
    mnemonic: 'discard',
    summary: 'Mark a range discarded (moves no data).',
    doc:
      'Tells the engine the content of `size` bytes at `dst` is no longer needed ' +
      '(DXGK_OPERATION_DISCARD_CONTENT: the allocation is evicted without being copied back). No data ' +
      'moves, but the operation is visible in traces so a missing copy is easy to spot.',
    wdk: ['DXGK_OPERATION_DISCARD_CONTENT'],
    operands: [
      { name: 'dst', kind: 'loc', offset: 4, spaces: [LocationSpace.Segment], doc: 'The discarded segment range.' },
      { name: 'size', kind: 'addr', offset: 20, min: 1, max: MAX_ADDR, doc: 'Number of bytes discarded.' },
    ],
    flags: [],
    cost: { fixedNs: 20 },
    example: 'discard vram:0x20000, 64K',
  }),
  op({
    code: 0x13,
    mnemonic: 'swizzle',
    summary: 'Copy linear bytes into the tiled layout.',
    doc:
      'Copies `size` bytes from the linear layout at `src` to the tiled layout at `dst`. A surface of ' +
      '`pitch` bytes per row is cut into 4 KiB tiles of 64 rows of 64 bytes, stored tile after tile, ' +
      'row-major across the surface. `pitch` must be a multiple of 64 and `size` a multiple of ' +
      '`pitch` * 64. Used to page a CPU-visible, swizzled allocation back in.',
    wdk: ['DXGK_OPERATION_TRANSFER'],
    operands: [
      { name: 'dst', kind: 'loc', offset: 4, spaces: ANY_MEMORY, doc: 'Destination (tiled).' },
      { name: 'src', kind: 'loc', offset: 20, spaces: ANY_MEMORY, doc: 'Source (linear).' },
      { name: 'size', kind: 'addr', offset: 36, min: 4096, max: MAX_ADDR, align: 4096, doc: 'Bytes to copy.' },
      { name: 'pitch', kind: 'u32', offset: 44, min: 64, max: 1 << 20, align: 64, doc: 'Bytes per row of the surface.' },
    ],
    flags: [],
    cost: { fixedNs: 300, bytesFrom: 'size' },
    example: 'swizzle vram:0x0, mdl(pages)+0, 64K, 1024',
  }),
  op({
    code: 0x14,
    mnemonic: 'unswizzle',
    summary: 'Copy tiled bytes into the linear layout.',
    doc:
      'The inverse of `swizzle`: copies `size` bytes from the tiled layout at `src` to the linear layout ' +
      'at `dst`. A driver must unswizzle a CPU-visible allocation when it evicts it, so that the ' +
      'application sees the same bytes in system memory that it saw through the aperture.',
    wdk: ['DXGK_OPERATION_TRANSFER'],
    operands: [
      { name: 'dst', kind: 'loc', offset: 4, spaces: ANY_MEMORY, doc: 'Destination (linear).' },
      { name: 'src', kind: 'loc', offset: 20, spaces: ANY_MEMORY, doc: 'Source (tiled).' },
      { name: 'size', kind: 'addr', offset: 36, min: 4096, max: MAX_ADDR, align: 4096, doc: 'Bytes to copy.' },
      { name: 'pitch', kind: 'u32', offset: 44, min: 64, max: 1 << 20, align: 64, doc: 'Bytes per row of the surface.' },
    ],
    flags: [],
    cost: { fixedNs: 300, bytesFrom: 'size' },
    example: 'unswizzle mdl(pages)+0, vram:0x0, 64K, 1024',
  }),
  op({
    code: 0x20,
    mnemonic: 'pread',
    summary: 'Physical read of 1 to 8 bytes (coherency).',
    doc:
      'Reads `count` bytes (1 to 8) at `src` and discards them (DXGK_OPERATION_READ_PHYSICAL). The data ' +
      'is irrelevant; the read is what matters, to make GPU writes visible before the CPU reads ' +
      'AGP-style (aperture) memory.',
    wdk: ['DXGK_OPERATION_READ_PHYSICAL'],
    operands: [
      { name: 'src', kind: 'loc', offset: 4, spaces: ANY_MEMORY, doc: 'Location read.' },
      { name: 'count', kind: 'u8', offset: 20, min: 1, max: 8, doc: 'Number of bytes, 1 to 8.' },
    ],
    flags: [],
    cost: { fixedNs: 50 },
    example: 'pread phys:0x100000, 4',
  }),
  op({
    code: 0x21,
    mnemonic: 'pwrite',
    summary: 'Physical write of 1 to 8 bytes.',
    doc:
      'Writes the low `count` bytes (1 to 8) of `value` at `dst` (DXGK_OPERATION_WRITE_PHYSICAL). Used ' +
      'for memory coherency after GPU writes to aperture memory, and for small register-like updates.',
    wdk: ['DXGK_OPERATION_WRITE_PHYSICAL'],
    operands: [
      { name: 'dst', kind: 'loc', offset: 4, spaces: ANY_MEMORY, doc: 'Location written.' },
      { name: 'count', kind: 'u8', offset: 20, min: 1, max: 8, doc: 'Number of bytes, 1 to 8.' },
      { name: 'value', kind: 'u64', offset: 24, doc: 'The value; its low `count` bytes are written.' },
    ],
    flags: [],
    cost: { fixedNs: 50 },
    example: 'pwrite phys:0x100000, 4, 0x12345678',
  }),
  op({
    code: 0x30,
    mnemonic: 'apmap',
    summary: 'Map system pages into an aperture segment.',
    doc:
      'Points `count` GART entries of aperture segment `segment`, starting at page `page`, at the system ' +
      'pages of the page list `pages` (DXGK_OPERATION_MAP_APERTURE_SEGMENT; the location\'s byte offset ' +
      'must be page aligned and selects the first page). With `coherent`, the pages are snooped ' +
      '(cache coherent); the kernel sets that only when cacheable memory goes into a cache-coherent ' +
      'aperture segment.',
    wdk: ['DXGK_OPERATION_MAP_APERTURE_SEGMENT'],
    operands: [
      { name: 'segment', kind: 'seg', offset: 4, min: 1, max: 0xffff, doc: 'The aperture segment.' },
      { name: 'page', kind: 'u32', offset: 8, min: 0, max: MAX_U32, doc: 'First page (OffsetInPages).' },
      { name: 'count', kind: 'u32', offset: 12, min: 1, max: MAX_U32, doc: 'Number of pages (NumberOfPages).' },
      { name: 'pages', kind: 'loc', offset: 16, align: 4096, spaces: [LocationSpace.Mdl], doc: 'The page list (pMdl and MdlOffset).' },
    ],
    flags: [{ name: 'coherent', bit: 0, doc: 'Map cache coherent (DXGK_MAPAPERTUREFLAGS.CacheCoherent).' }],
    cost: { fixedNs: 100, bytesFrom: 'count', bytesPerUnit: 8 },
    example: 'apmap gart, 0, 16, mdl(pages)+0, coherent',
  }),
  op({
    code: 0x31,
    mnemonic: 'apunmap',
    summary: 'Point aperture pages at the dummy page.',
    doc:
      'Points `count` GART entries of aperture segment `segment`, starting at page `page`, at the dummy ' +
      'page `dummy` (DXGK_OPERATION_UNMAP_APERTURE_SEGMENT). GPU accesses through the range stay enabled ' +
      'and land on the dummy page, so the kernel can detect corruption.',
    wdk: ['DXGK_OPERATION_UNMAP_APERTURE_SEGMENT'],
    operands: [
      { name: 'segment', kind: 'seg', offset: 4, min: 1, max: 0xffff, doc: 'The aperture segment.' },
      { name: 'page', kind: 'u32', offset: 8, min: 0, max: MAX_U32, doc: 'First page (OffsetInPages).' },
      { name: 'count', kind: 'u32', offset: 12, min: 1, max: MAX_U32, doc: 'Number of pages (NumberOfPages).' },
      { name: 'dummy', kind: 'addr', offset: 16, min: 0, max: MAX_ADDR, align: 4096, doc: 'Physical address of the dummy page (DummyPage).' },
    ],
    flags: [],
    cost: { fixedNs: 100, bytesFrom: 'count', bytesPerUnit: 8 },
    example: 'apunmap gart, 0, 16, 0x1000',
  }),
  op({
    code: 0x40,
    mnemonic: 'fence',
    summary: 'Signal the paging fence or a monitored fence.',
    doc:
      'Writes `value` to the fence at `addr` once every earlier instruction has completed. Without ' +
      '`monitored`, `addr` is ignored (write 0) and the engine\'s paging fence register is written, which is how ' +
      'the kernel learns a paging buffer is done. With `monitored`, the 64-bit value is written to ' +
      'memory at `addr` (a monitored fence, such as a device paging fence). With `irq`, a ' +
      'DMA-completed interrupt is raised after the write.',
    wdk: ['paging fence', 'monitored fence'],
    operands: [
      { name: 'addr', kind: 'loc', offset: 4, align: 8, spaces: ANY_MEMORY, doc: 'Where a monitored fence lives (ignored for the paging fence).' },
      { name: 'value', kind: 'u64', offset: 20, doc: 'The fence value.' },
    ],
    flags: [
      { name: 'irq', bit: 0, doc: 'Raise a DMA-completed interrupt after the write.' },
      { name: 'monitored', bit: 1, doc: 'Write a monitored fence in memory instead of the paging fence register.' },
    ],
    cost: { fixedNs: 30 },
    example: 'fence phys:0, 42, irq',
  }),
  op({
    code: 0x41,
    mnemonic: 'wait',
    summary: 'Wait until a 64-bit value in memory reaches a value.',
    doc:
      'Stalls the engine until the 64-bit value at `addr` is greater than or equal to `value` (a GPU ' +
      'wait on a monitored fence, such as the device paging fence, queued before work that depends ' +
      'on a paging-queue operation). A wait that can never be satisfied ends in a timeout detection.',
    wdk: ['device paging fence wait'],
    operands: [
      { name: 'addr', kind: 'loc', offset: 4, align: 8, spaces: ANY_MEMORY, doc: 'The fence location.' },
      { name: 'value', kind: 'u64', offset: 20, doc: 'The value to wait for.' },
    ],
    flags: [],
    cost: { fixedNs: 40 },
    example: 'wait phys:0x2000, 7',
  }),
  op({
    code: 0x42,
    mnemonic: 'interrupt',
    summary: 'Raise an interrupt with a code.',
    doc: 'Raises an interrupt to the kernel with a 32-bit `code`, delivered to the driver\'s interrupt routine.',
    wdk: ['DxgkDdiInterruptRoutine'],
    operands: [{ name: 'code', kind: 'u32', offset: 4, min: 0, max: MAX_U32, doc: 'Interrupt code.' }],
    flags: [],
    cost: { fixedNs: 20 },
    example: 'interrupt 1',
  }),
  op({
    code: 0x50,
    mnemonic: 'ptupdate',
    summary: 'Write page-table entries for GPU virtual addresses.',
    doc:
      'Maps `count` 4 KiB pages of GPU virtual address space starting at `va` to consecutive pages ' +
      'starting at `target` (a segment offset or system physical address), or with `invalid` marks ' +
      'them not present (then `target` is ignored). With `readonly`, writes through the mapping fault. ' +
      'Used by device paging queues (map and reserve GPU virtual addresses). The TLB is not flushed: ' +
      'follow with `tlbflush`.',
    wdk: ['DXGK_OPERATION_UPDATE_PAGE_TABLE'],
    operands: [
      { name: 'va', kind: 'addr', offset: 4, min: 0, max: MAX_ADDR, align: 4096, doc: 'First GPU virtual address.' },
      { name: 'count', kind: 'u32', offset: 12, min: 1, max: MAX_U32, doc: 'Number of pages.' },
      { name: 'target', kind: 'loc', offset: 16, align: 4096, spaces: [LocationSpace.Segment, LocationSpace.Physical], doc: 'First physical page mapped.' },
    ],
    flags: [
      { name: 'invalid', bit: 0, doc: 'Mark the pages not present instead of mapping them.' },
      { name: 'readonly', bit: 1, doc: 'Map read-only.' },
    ],
    cost: { fixedNs: 100, bytesFrom: 'count', bytesPerUnit: 8 },
    example: 'ptupdate 0x100000, 16, vram:0x40000',
  }),
  op({
    code: 0x51,
    mnemonic: 'tlbflush',
    summary: 'Flush GPU TLB entries.',
    doc:
      'Drops cached translations for `count` pages from `va` (count 0 flushes everything), so that ' +
      'later accesses see the page tables as `ptupdate` left them.',
    wdk: ['DXGK_OPERATION_FLUSH_TLB'],
    operands: [
      { name: 'va', kind: 'addr', offset: 4, min: 0, max: MAX_ADDR, align: 4096, doc: 'First GPU virtual address.' },
      { name: 'count', kind: 'u32', offset: 12, min: 0, max: MAX_U32, doc: 'Number of pages, 0 for all.' },
    ],
    flags: [],
    cost: { fixedNs: 60 },
    example: 'tlbflush 0, 0',
  }),
];

/** Index by opcode byte: OPCODE_BY_CODE[byte] is the entry or undefined. */
export const OPCODE_BY_CODE: readonly (OpcodeInfo | undefined)[] = (() => {
  const t: (OpcodeInfo | undefined)[] = new Array(256).fill(undefined);
  for (const o of OPCODES) t[o.code] = o;
  return t;
})();

/** Index by mnemonic (lower case). */
export const OPCODE_BY_MNEMONIC: ReadonlyMap<string, OpcodeInfo> = new Map(OPCODES.map((o) => [o.mnemonic, o]));

/** Size in bytes by opcode byte, 0 where the byte is not an opcode: the decoder's hot-path table. */
export const SIZE_BY_CODE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const o of OPCODES) t[o.code] = o.size;
  return t;
})();

/** Named opcode bytes for code that switches on them (the engine). */
export const Op = {
  Nop: 0x01,
  Copy: 0x10,
  Fill: 0x11,
  Discard: 0x12,
  Swizzle: 0x13,
  Unswizzle: 0x14,
  ReadPhysical: 0x20,
  WritePhysical: 0x21,
  MapAperture: 0x30,
  UnmapAperture: 0x31,
  Fence: 0x40,
  Wait: 0x41,
  Interrupt: 0x42,
  PageTableUpdate: 0x50,
  TlbFlush: 0x51,
} as const;

export const FenceFlags = { Irq: 1, Monitored: 2 } as const;
export const MapApertureFlags = { CacheCoherent: 1 } as const;
export const PageTableFlags = { Invalid: 1, ReadOnly: 2 } as const;

/** The tile geometry of swizzle/unswizzle: 64 rows of 64 bytes per 4 KiB tile. */
export const TILE_WIDTH_BYTES = 64;
export const TILE_ROWS = 64;
