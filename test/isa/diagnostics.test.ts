// Every diagnostic code: a source that triggers it, the exact message and the exact range.
// Ranges are [line, startCharacter, endCharacter], zero-based as in LSP.

import assert from 'node:assert/strict';
import { assemble, DIAGNOSTIC_CODES } from '../../src/isa/assembler';
import type { AsmDiagnostic } from '../../src/isa/asmTypes';

interface Case {
  code: string;
  src: string;
  message: string;
  range: [number, number, number];
  replacement?: string;
  options?: Parameters<typeof assemble>[1];
}

const PAGES16 = 'pages: .pages ' + Array.from({ length: 16 }, (_, i) => `0x${(0x100 + i).toString(16)}000`).join(', ');

const CASES: Case[] = [
  { code: 'PGA001', src: 'nop\n  copy vram:0, , 4', message: "missing operand before ','", range: [1, 15, 16] },
  { code: 'PGA001', src: '42 nop', message: "expected a mnemonic or directive, found '42'", range: [0, 0, 2] },
  { code: 'PGA001', src: 'interrupt 1 +', message: "expected a value after '+'", range: [0, 12, 13] },
  { code: 'PGA001', src: 'interrupt (1 + 2', message: "missing ')'", range: [0, 10, 11] },
  { code: 'PGA001', src: 'interrupt 1 $', message: "unexpected '$' in expression", range: [0, 12, 13] },
  { code: 'PGA001', src: 'copy vram:0, mdl(pages)-4, 4\n' + PAGES16, message: "expected '+offset' after mdl(...), found '-'", range: [0, 23, 24] },
  { code: 'PGA002', src: 'nop\nfense phys:0, 1', message: "unknown mnemonic 'fense' (did you mean 'fence'?)", range: [1, 0, 5], replacement: 'fence' },
  { code: 'PGA002', src: 'frobnicate 1', message: "unknown mnemonic 'frobnicate'", range: [0, 0, 10] },
  { code: 'PGA003', src: '  .algn 8', message: "unknown directive '.algn' (did you mean '.align'?)", range: [0, 2, 7], replacement: '.align' },
  { code: 'PGA004', src: 'copy vram:0, vram:0x1000', message: 'copy takes 3 operands (dst, src, size), found 2', range: [0, 0, 4] },
  { code: 'PGA004', src: 'nop 1, 2', message: 'nop takes no operands, found 2', range: [0, 4, 8] },
  { code: 'PGA004', src: '.equ A', message: '.equ takes 2 operands (.equ NAME, expr), found 1', range: [0, 0, 4] },
  { code: 'PGA005', src: 'copy 0x1000, vram:0, 4', message: 'copy dst must be a location (SEGMENT:offset, mdl(page_list)+offset, phys:address, va:address), not a number', range: [0, 5, 11] },
  { code: 'PGA005', src: 'interrupt phys:4', message: 'interrupt code must be a number, not a location', range: [0, 10, 16] },
  { code: 'PGA006', src: 'pread phys:0x100000, 9', message: 'pread count 9 is out of range 1..8', range: [0, 21, 22] },
  { code: 'PGA006', src: '.u8 256', message: '.u8 value 256 is out of range -128..255', range: [0, 4, 7] },
  { code: 'PGA006', src: 'interrupt 1 << 300', message: 'shift amount 300 is outside 0..256', range: [0, 12, 14] },
  { code: 'PGA007', src: 'fill vram:2, 4, 0', message: 'fill dst address 2 must be a multiple of 4', range: [0, 10, 11] },
  { code: 'PGA007', src: 'swizzle vram:0, vram:0x100000, 64K, 100', message: 'swizzle pitch 100 must be a multiple of 64', range: [0, 36, 39] },
  { code: 'PGA008', src: 'copy vram:(1 << 28) - 8, local:0, 16', message: 'copy dst vram:0xFFFFFF8 + 0x10 bytes runs past the end of segment vram (256M)', range: [0, 5, 23] },
  { code: 'PGA008', src: 'apunmap gart, 16380, 8, 0x1000', message: 'apunmap pages 16380..16387 run past the end of aperture gart (16384 pages)', range: [0, 8, 12] },
  { code: 'PGA009', src: 'discard phys:0, 4K', message: 'discard dst cannot be a phys location (it accepts: segment)', range: [0, 8, 14] },
  { code: 'PGA010', src: '.dmasize 8\nnop\nnop\nnop', message: 'the program needs 12 bytes but the DMA buffer holds 8 (.dmasize); this line is the first that does not fit', range: [3, 0, 3] },
  { code: 'PGA011', src: 'a: nop\na: nop', message: "'a' is already defined as a label on line 1", range: [1, 0, 1] },
  { code: 'PGA011', src: 'vram: nop', message: "'vram' is already defined as a segment of the adapter profile", range: [0, 0, 4] },
  { code: 'PGA012', src: '.equ SIZE, 4K\nfill vram:0, SIZ, 0', message: "undefined symbol 'SIZ' (did you mean 'SIZE'?)", range: [1, 13, 16], replacement: 'SIZE' },
  { code: 'PGA013', src: 'nop\n.u32 7\nnop', message: 'unreachable: the engine stops at the data on line 2, which is not an instruction; put data after the last instruction', range: [2, 0, 3] },
  { code: 'PGA014', src: 'fence phys:0, 1, irx', message: "fence has no flag 'irx' (its flags: irq, monitored); did you mean 'irq'?", range: [0, 17, 20], replacement: 'irq' },
  { code: 'PGA015', src: 'fill vrm:0, 4, 0', message: "unknown segment or location space 'vrm' (known: vram, local, gart, phys, va, mdl(...)); did you mean 'vram'?", range: [0, 5, 8], replacement: 'vram' },
  { code: 'PGA015', src: 'x: nop\nfill x:0, 4, 0', message: "'x' is a label, not a segment", range: [1, 5, 6] },
  { code: 'PGA016', src: 'interrupt 4 / (2 - 2)', message: 'division by zero', range: [1 - 1, 12, 13] },
  { code: 'PGA017', src: '.equ A, B + 1\n.equ B, A * 2', message: "constant 'A' is defined in terms of itself", range: [0, 5, 6] },
  { code: 'PGA018', src: 'interrupt 0x12G4', message: "'0x12G4' is not a number (decimal, 0x hex or 0b binary, optional _ separators and K/M/G suffix)", range: [0, 10, 16] },
  { code: 'PGA019', src: '.align later\nlater: nop', message: ".align needs its value here, but 'later' is defined after this line", range: [0, 7, 12] },
  { code: 'PGA020', src: 'fill seg9:0, 4, 0', message: 'segment 9 is not declared, so fill dst is not bounds-checked (declare it with .segment)', range: [0, 5, 11] },
  { code: 'PGA021', src: 'fence phys:0, 1, irq, irq', message: "flag 'irq' is given more than once", range: [0, 22, 25] },
  { code: 'PGA022', src: 'apunmap vram, 0, 1, 0x1000', message: 'apunmap needs an aperture segment, but vram is a memory segment', range: [0, 8, 12] },
  { code: 'PGA023', src: 'copy vram:0, mdl(0x40)+0, 4', message: 'mdl(0x40) does not point at a .pages list of this file', range: [0, 17, 21] },
  { code: 'PGA024', src: 'copy vram:0, mdl(pages)+4K, 8K\npages: .pages 0x100000, 0x101000', message: 'copy src reaches byte 0x3000 of a page list of 2 pages (8K)', range: [0, 13, 26] },
  { code: 'PGA025', src: '.segment big, 4, memroy, 1G', message: "segment kind must be 'memory' or 'aperture', found 'memroy'", range: [0, 17, 23] },
  { code: 'PGA025', src: '.segment big, 4, memory, 1G, visible', message: "the last operand of .segment can only be 'cpuvisible', found 'visible'", range: [0, 29, 36] },
  { code: 'PGA026', src: '.segment a1, 4, memory, 1M\n.segment a2, 4, memory, 1M', message: 'segment id 4 is already declared on line 1', range: [1, 13, 14] },
  { code: 'PGA027', src: '.dmasize 4K\n.dmasize 8K', message: '.dmasize is already given on line 1', range: [1, 0, 8] },
  { code: 'PGA028', src: 'phys: nop', message: "'phys' is reserved (a location space) and cannot be defined", range: [0, 0, 4] },
  { code: 'PGA028', src: '.equ seg2, 1', message: "'seg2' is reserved (it names a segment by number) and cannot be defined", range: [0, 5, 9] },
  {
    code: 'PGA029',
    src: Array.from({ length: 500 }, (_, i) => `.equ c${i}, c${i + 1} + 1`).join('\n') + '\n.equ c500, 1',
    message: "constant 'c400' is reached through more than 400 other constants",
    range: [400, 5, 9],
  },
  { code: 'PGA001', src: 'interrupt ' + '('.repeat(300) + '1' + ')'.repeat(300), message: 'expression nested too deeply (more than 200 levels)', range: [0, 211, 212] },
  { code: 'PGA001', src: '.equ x, 1\ninterrupt ' + Array(2100).fill('x').join('+'), message: 'expression too long (more than 2000 operators)', range: [1, 4011, 4012] },
  { code: 'PGA099', src: 'x1\nx2\nx3', message: '2 more diagnostics not shown', range: [1, 0, 2], options: { maxDiagnostics: 1 } },
];

function find(diags: AsmDiagnostic[], c: Case): AsmDiagnostic {
  const d = diags.find((x) => x.code === c.code && x.message === c.message);
  assert.ok(d, `expected ${c.code} '${c.message}', got:\n${diags.map((x) => `${x.code} ${x.message}`).join('\n')}`);
  return d;
}

describe('isa: every diagnostic code', () => {
  for (const c of CASES) {
    it(`${c.code}: ${c.message}`, () => {
      const r = assemble(c.src, c.options);
      const d = find(r.diagnostics, c);
      assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.character], c.range);
      assert.equal(d.range.end.line, c.range[0]);
      assert.equal(d.severity, DIAGNOSTIC_CODES[c.code as keyof typeof DIAGNOSTIC_CODES].severity);
      assert.equal(d.data?.replacement, c.replacement);
    });
  }

  it('PGA000: an internal failure comes back as a diagnostic, not an exception', () => {
    const options = {
      get segments(): never {
        throw new Error('profile unavailable');
      },
    };
    const r = assemble('nop', options);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.message]),
      [['PGA000', 'internal assembler error: profile unavailable']],
    );
  });

  it('has a test for every code in the table', () => {
    const tested = new Set([...CASES.map((c) => c.code), 'PGA000']);
    assert.deepEqual(Object.keys(DIAGNOSTIC_CODES).filter((c) => !tested.has(c)), []);
  });

  it('diagnostics carry a topic for the docs link', () => {
    const r = assemble('pread phys:0x100000, 9\n.dmasize 3');
    assert.deepEqual(
      r.diagnostics.map((d) => d.topic),
      ['pread', '.dmasize'],
    );
  });

  it('collects every error rather than stopping at the first', () => {
    const r = assemble('fense 1\nnop 2\npread phys:0, 0\n.u8 1000\ncopy a:0, b:0, 4');
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.range.start.line]),
      [
        ['PGA002', 0],
        ['PGA004', 1],
        ['PGA006', 2],
        ['PGA006', 3],
        ['PGA015', 4],
        ['PGA015', 4],
      ],
    );
  });
});
