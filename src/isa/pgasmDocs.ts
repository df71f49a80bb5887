// docs/pgasm.md, generated: the format description below plus tables built from the directive
// list, the diagnostic codes and the opcode table. `npx tsx scripts/gen-pgasm-docs.ts` rewrites the
// file; a test fails when the committed file differs from what this returns.

import { DIAGNOSTIC_CODES } from './diagnosticCodes';
import { DIRECTIVES } from './directives';
import { LOCATION_BYTES, OPCODES, PAGE_LIST_HEADER_BYTES } from './opcodes';
import { DEFAULT_DMA_SIZE, DEFAULT_SEGMENTS } from './profile';
import { opcodeMarkdown } from './reference';

const FORMAT = `# pgasm: the paging assembly format

\`.pgasm\` files hold the GPU instructions a driver writes into a paging (DMA) buffer, as text. The
assembler (\`paging-lab asm FILE.pgasm -o FILE.bin\`) turns them into the bytes the simulated GPU's
paging engine executes; the disassembler (\`paging-lab disasm FILE.bin\`) turns any bytes back into text
that assembles to the same bytes. Examples, one per operation, are in \`samples/pgasm/\`.

This file is generated from the opcode table (\`src/isa/opcodes.ts\`), the directive list and the
diagnostic codes by \`npx tsx scripts/gen-pgasm-docs.ts\`; a test checks it is up to date.

## Lines

One statement per line:

\`\`\`pgasm
label:  mnemonic operand, operand, flag   ; comment
\`\`\`

- \`;\` starts a comment that runs to the end of the line.
- \`name:\` at the start of a line defines a label: the byte offset of what follows, from the start of
  the buffer. A label may stand alone on its line.
- Mnemonics, directives, flags and location-space keywords are case-insensitive; labels, constants
  and segment names are case-sensitive.
- Operands are separated by commas. Flags (\`irq\`, \`coherent\`...) come after the operands, also
  separated by commas, in any order.
- Names are letters, digits, \`_\` and \`.\`, not starting with a digit or \`.\`. \`mdl\`, \`phys\`, \`va\` and
  \`segN\` are reserved.

## Numbers and expressions

- Literals: decimal \`4096\`, hex \`0x1000\`, binary \`0b1010\`, with \`_\` between digits (\`0x1_0000\`) and
  an optional size suffix \`K\`, \`M\` or \`G\` (×1024, ×1024², ×1024³): \`4K\`, \`16M\`, \`0x10K\`.
- Expressions use \`+ - * / % << >> & | ^ ~\` and parentheses with C precedence (\`|\` lowest, then
  \`^\`, \`&\`, shifts, \`+ -\`, \`* / %\`, then unary \`- ~ +\`). Arithmetic is on unbounded integers, so
  nothing wraps silently; \`/\` and \`%\` truncate toward zero; shifts take 0 to 256. The result must
  fit the operand, or the assembler reports PGA006.
- Names in expressions are labels (their offset), constants (\`.equ\`) and segments (their id). They
  may be used before they are defined, except in \`.align\`, whose value decides the layout.

## Locations

A location operand (${LOCATION_BYTES} bytes in the encoding) says where memory is:

| form | space | meaning |
|---|---|---|
| \`vram:0x1000\` | segment | Offset in a segment, by name. |
| \`seg4:0x1000\` | segment | Offset in segment 4, declared or not. |
| \`mdl(label)+offset\` | mdl | System pages described by a page list inside the DMA buffer (\`label\` or any offset from the start of the buffer), and a byte offset into those pages. \`+offset\` may be left out. |
| \`mdl(phys:0x8000)+offset\` | mdl | The same with the page list in system memory at a physical address. |
| \`phys:0x100000\` | physical | A system-memory physical (bus) address. |
| \`va:0x40000000\` | GPU virtual | A GPU virtual address, translated by the page tables. |

Each operand accepts only some spaces (PGA009 otherwise); the tables below list them. An address in
a segment must stay inside it, for as many bytes as the instruction touches (PGA008).

The default adapter profile's segments are known without declarations:

| name | id | kind | size | CPU-visible |
|---|---|---|---|---|
${DEFAULT_SEGMENTS.map((s) => `| \`${s.name}\` | ${s.id} | ${s.kind} | ${s.size / (1 << 20)} MiB | ${s.cpuVisible ? 'yes' : 'no'} |`).join('\n')}

## Page lists

\`.pages\` writes a page list, what an MDL describes: a u32 page count, a u32 zero, then one u64
physical address per 4 KiB page (${PAGE_LIST_HEADER_BYTES} + 8 × count bytes). Put page lists after the last
instruction and point at them with \`mdl(label)+offset\`:

\`\`\`pgasm
    copy vram:0x10000, mdl(pages)+0x0, 8K   ; page two system pages in
    fence phys:0, 1, irq
pages:
    .pages 0x100000, 0x101000
\`\`\`

## Execution

The engine executes instructions in order from the start of the buffer and stops at the first bytes
that are not a valid instruction. Data in front of an instruction therefore makes it unreachable
(PGA013). Each instruction is a whole number of dwords; byte 0 is the opcode, byte 1 the flags,
byte 2 the size in dwords, byte 3 zero, then the operands. Every byte no operand uses must be zero,
so every valid byte sequence has exactly one text form. The program must fit the DMA buffer
(\`.dmasize\`, default ${DEFAULT_DMA_SIZE / 1024}K; PGA010).
`;

function directivesSection(): string {
  return [
    '## Directives',
    '',
    ...DIRECTIVES.flatMap((d) => [`### \`${d.name}\``, '', `\`${d.syntax}\``, '', d.doc, '', '```pgasm', d.example, '```', '']),
  ].join('\n');
}

function diagnosticsSection(): string {
  return [
    '## Diagnostics',
    '',
    'Every problem the assembler reports has a stable code. It reports all of them, never stopping at the first.',
    '',
    '| code | severity | meaning |',
    '|---|---|---|',
    ...Object.entries(DIAGNOSTIC_CODES).map(([code, info]) => `| ${code} | ${info.severity} | ${info.title} |`),
    '',
  ].join('\n');
}

function opcodesSection(): string {
  return [
    '## Opcodes',
    '',
    '| opcode | mnemonic | bytes | summary |',
    '|---|---|---|---|',
    ...OPCODES.map((o) => `| 0x${o.code.toString(16).toUpperCase().padStart(2, '0')} | [\`${o.mnemonic}\`](#${o.mnemonic}-0x${o.code.toString(16).padStart(2, '0')}-${o.size}-bytes) | ${o.size} | ${o.summary} |`),
    '',
    ...OPCODES.map((o) => opcodeMarkdown(o).replace(/^### /, '### ')),
  ].join('\n');
}

export function pgasmMarkdown(): string {
  return [FORMAT, directivesSection(), diagnosticsSection(), opcodesSection()].join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}
