// pgasm programs the language tests open. Line numbers in the tests refer to these texts, so each
// is laid out with one purpose per line.

/** A correct program: constants, a page list, two label sections, a comment block. */
export const PROGRAM = [
  '; Page in an allocation and clear another.', //  0
  '; Then signal the paging fence.', //              1
  '.dmasize 4K', //                                  2
  '.equ SIZE, 8K', //                                3
  '', //                                             4
  'start:', //                                       5
  '    copy vram:0x10000, mdl(pages)+0, SIZE ; page-in', // 6
  '    fill local:0x0, SIZE, 0xDEADBEEF', //         7
  '', //                                             8
  'done:', //                                        9
  '    fence phys:0, 42, irq', //                    10
  '    nop', //                                      11
  'pages: .pages 0x100000, 0x101000', //            12
  '',
].join('\n');

/** Common mistakes, one per line. */
export const ERRORS = [
  'start:', //                                       0
  '    copi vram:0x1000, phys:0x2000, 4K', //        1 unknown mnemonic (copy)
  '    fill vram:0x2, 4K, 0', //                     2 misaligned destination
  '    pread phys:0x0, 9', //                        3 count out of range
  '    copy vram:0x0, phys:0x0, MISSING', //         4 undefined symbol
  'start:', //                                       5 duplicate label
  '    fence phys:0, 1, irk', //                     6 unknown flag (irq)
  '',
].join('\n');

/** Every opcode and directive with every kind of lexeme, for the grammar comparison. */
export const GRAMMAR_SAMPLE = [
  '; every kind of lexeme',
  '.dmasize 64K',
  '.equ SIZE, 4K * 2 + (1 << 12)',
  '.segment extra, 4, memory, 16M, cpuvisible',
  '.align 8',
  'pages: .pages 0x100000, 0x101000',
  'table: .u8 1, 2, 0xff',
  '    .u16 0x1234',
  '    .u32 0xDEADBEEF',
  '    .u64 0x123456789ABCDEF0',
  '    .align 4',
  'start:',
  '    nop',
  '    copy vram:0x10000, mdl(pages)+0x0, SIZE ; comment',
  '    fill local:0x0, 4K, 0xDEADBEEF',
  '    discard vram:0x20000, 64K',
  '    swizzle vram:0x0, mdl(pages)+0, 4K, 1024',
  '    unswizzle mdl(pages)+0, vram:0x0, 4K, 1024',
  '    pread phys:0x100000, 4',
  '    pwrite phys:0x100000, 4, 0x12345678',
  '    apmap gart, 0, 2, mdl(pages)+0, coherent',
  '    apunmap gart, 0, 2, 0x1000',
  '    fence phys:0x3000, 42, irq, monitored',
  '    wait phys:0x2000, 7',
  '    interrupt 1',
  '    ptupdate 0x100000, 16, vram:0x40000',
  '    tlbflush 0, 0',
  '    copy extra:0x0, va:0x1000, 1_000',
  'end: nop ; the end',
  '',
].join('\n');
