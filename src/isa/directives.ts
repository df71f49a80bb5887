// The pgasm directives and reserved words: the assembler, the docs, the grammar test and the
// language server (completion, hover, signature help) all read these lists.

export interface DirectiveInfo {
  /** With the leading dot, lower case. */
  name: string;
  /** The syntax line shown in hover and signature help. */
  syntax: string;
  /** Names of the operands, in order, for signature help. */
  operands: readonly string[];
  doc: string;
  example: string;
}

export const DIRECTIVES: readonly DirectiveInfo[] = [
  {
    name: '.equ',
    syntax: '.equ NAME, expr',
    operands: ['NAME', 'expr'],
    doc:
      'Defines a constant. The expression may use labels and other constants, defined before or after; ' +
      'a constant that depends on itself is an error.',
    example: '.equ PAGE, 4K',
  },
  {
    name: '.dmasize',
    syntax: '.dmasize SIZE',
    operands: ['SIZE'],
    doc:
      'The size of the DMA (paging) buffer the program is written into, in bytes (default 64K). A ' +
      'program that does not fit is an error, as STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER would be for a driver.',
    example: '.dmasize 128K',
  },
  {
    name: '.segment',
    syntax: '.segment NAME, ID, memory|aperture, SIZE [, cpuvisible]',
    operands: ['NAME', 'ID', 'memory|aperture', 'SIZE', 'cpuvisible'],
    doc:
      'Declares a segment of the adapter: its name (used as `NAME:offset`), its 1-based id, whether it ' +
      'is a memory or an aperture segment, its size in bytes and whether the CPU can see it. A ' +
      'declaration replaces a default segment (vram=1, local=2, gart=3) with the same name or id.',
    example: '.segment vram2, 4, memory, 512M, cpuvisible',
  },
  {
    name: '.pages',
    syntax: '.pages ADDR0, ADDR1, ...',
    operands: ['ADDR0', 'ADDR1', '...'],
    doc:
      'Emits a page list (what an MDL describes) into the buffer: u32 page count, u32 0, then one u64 ' +
      'physical address per 4 KiB page, each page aligned. Label it and point at it with `mdl(label)+offset`.',
    example: 'pages: .pages 0x100000, 0x101000',
  },
  {
    name: '.align',
    syntax: '.align N',
    operands: ['N'],
    doc:
      'Pads to the next multiple of N bytes (a power of two, at most 64K). Padding of whole dwords is ' +
      'made of `nop` so execution runs through it; other padding is zero bytes.',
    example: '.align 8',
  },
  {
    name: '.zero',
    syntax: '.zero SIZE',
    operands: ['SIZE'],
    doc:
      'Emits SIZE zero bytes (at most 256M): buffer space nothing is written to, as the disassembler ' +
      'writes it. Zero bytes are not an instruction, so the engine stops there. SIZE is needed where the ' +
      'line is, so it may use only names defined above it.',
    example: '.zero 64',
  },
  {
    name: '.u8',
    syntax: '.u8 value, ...',
    operands: ['value', '...'],
    doc: 'Emits bytes. Values from -128 to 255.',
    example: '.u8 1, 2, 0xff',
  },
  {
    name: '.u16',
    syntax: '.u16 value, ...',
    operands: ['value', '...'],
    doc: 'Emits little-endian 16-bit values, from -32768 to 65535.',
    example: '.u16 0x1234',
  },
  {
    name: '.u32',
    syntax: '.u32 value, ...',
    operands: ['value', '...'],
    doc: 'Emits little-endian 32-bit values, from -2^31 to 2^32-1.',
    example: '.u32 0xDEADBEEF',
  },
  {
    name: '.u64',
    syntax: '.u64 value, ...',
    operands: ['value', '...'],
    doc: 'Emits little-endian 64-bit values, from -2^63 to 2^64-1.',
    example: '.u64 0x123456789ABCDEF0',
  },
];

export const DIRECTIVE_BY_NAME: ReadonlyMap<string, DirectiveInfo> = new Map(DIRECTIVES.map((d) => [d.name, d]));

/** Location-space keywords written before `:` (or `mdl(`), lower case. */
export const SPACE_KEYWORDS = ['mdl', 'phys', 'va'] as const;

/** Keywords of the `.segment` directive. */
export const SEGMENT_KEYWORDS = ['memory', 'aperture', 'cpuvisible'] as const;

/** `segN` names segment N without a declaration. */
export const NUMBERED_SEGMENT = /^seg([0-9]+)$/i;
