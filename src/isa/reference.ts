// Renders the opcode table as Markdown: the opcode section of docs/pgasm.md and the
// "Show Paging Opcode Reference" command both come from here, so the docs cannot drift from the table.

import { LocationSpace, OPCODES, OpcodeInfo, OPERAND_BYTES } from './opcodes';
import { hex } from './hex';

const SPACE_FORMS: Record<LocationSpace, string> = {
  [LocationSpace.Segment]: '`SEGMENT:offset`',
  [LocationSpace.Mdl]: '`mdl(list)+offset`',
  [LocationSpace.Physical]: '`phys:address`',
  [LocationSpace.GpuVirtual]: '`va:address`',
};

export function opcodeMarkdown(op: OpcodeInfo): string {
  const syntax = [op.mnemonic, op.operands.map((o) => o.name).join(', ')].filter(Boolean).join(' ');
  const flags = op.flags.length ? ` [, ${op.flags.map((f) => f.name).join(' | ')}]` : '';
  const rows = [
    '| bytes | field | kind | meaning |',
    '|---|---|---|---|',
    `| 0 | opcode | u8 | \`${hex(op.code, { upper: true, digits: 2 })}\` |`,
    `| 1 | flags | u8 | ${op.flags.length ? op.flags.map((f) => `bit ${f.bit} \`${f.name}\`: ${f.doc}`).join('<br>') : 'none (0)'} |`,
    `| 2 | size | u8 | ${op.size / 4} (dwords) |`,
    '| 3 | reserved | u8 | 0 |',
    ...op.operands.map(
      (o) =>
        `| ${o.offset}..${o.offset + OPERAND_BYTES[o.kind] - 1} | ${o.name} | ${o.kind} | ${o.doc}${
          o.min !== undefined ? ` Range ${o.min}..${o.max}.` : ''
        }${o.align ? ` Aligned to ${o.align}${o.kind === 'loc' ? ' (the byte offset, for an mdl location)' : ''}.` : ''}${
          o.spaces ? ` Accepts: ${o.spaces.map((sp) => SPACE_FORMS[sp]).join(', ')}.` : ''
        } |`,
    ),
  ];
  return [
    `### \`${op.mnemonic}\` (${hex(op.code, { upper: true, digits: 2 })}, ${op.size} bytes)`,
    '',
    `\`${syntax}${flags}\``,
    '',
    op.doc,
    '',
    op.wdk.length ? `WDK: ${op.wdk.join(', ')}. ` : '',
    `Cost: ${op.cost.fixedNs} ns${op.cost.bytesFrom ? ` + bytes moved (\`${op.cost.bytesFrom}\`${op.cost.bytesPerUnit ? ` × ${op.cost.bytesPerUnit}` : ''}) over the bandwidth` : ''}.`,
    '',
    ...rows,
    '',
    'Example:',
    '',
    '```pgasm',
    op.example,
    '```',
    '',
    ...(op.operands.some((o) => o.kind === 'loc')
      ? [
          'A `loc` operand is 16 bytes: +0 u8 space (1 segment, 2 mdl, 3 phys, 4 va), +1 u8 0, +2 u16 sub ' +
            '(segment id; for mdl 0 = page list in the DMA buffer, 1 = at a physical address), +4 u32 aux ' +
            '(byte offset into the pages, mdl only), +8 u64 address.',
          '',
        ]
      : []),
  ].join('\n');
}

export function opcodeReferenceMarkdown(): string {
  return ['# Paging opcodes', '', ...OPCODES.map(opcodeMarkdown)].join('\n');
}
