// Renders the opcode table as Markdown: the opcode section of docs/pgasm.md and the
// "Show Paging Opcode Reference" command both come from here, so the docs cannot drift from the table.

import { OPCODES, OpcodeInfo, OPERAND_BYTES } from './opcodes';

function hex(n: number, width = 2): string {
  return '0x' + n.toString(16).toUpperCase().padStart(width, '0');
}

export function opcodeMarkdown(op: OpcodeInfo): string {
  const syntax = [op.mnemonic, op.operands.map((o) => o.name).join(', ')].filter(Boolean).join(' ');
  const flags = op.flags.length ? ` [, ${op.flags.map((f) => f.name).join(' | ')}]` : '';
  const rows = [
    '| bytes | field | kind | meaning |',
    '|---|---|---|---|',
    `| 0 | opcode | u8 | \`${hex(op.code)}\` |`,
    `| 1 | flags | u8 | ${op.flags.length ? op.flags.map((f) => `bit ${f.bit} \`${f.name}\`: ${f.doc}`).join('<br>') : 'none (0)'} |`,
    `| 2 | size | u8 | ${op.size / 4} (dwords) |`,
    '| 3 | reserved | u8 | 0 |',
    ...op.operands.map(
      (o) =>
        `| ${o.offset}..${o.offset + OPERAND_BYTES[o.kind] - 1} | ${o.name} | ${o.kind} | ${o.doc}${
          o.min !== undefined ? ` Range ${o.min}..${o.max}.` : ''
        }${o.align ? ` Aligned to ${o.align}.` : ''} |`,
    ),
  ];
  return [
    `### \`${op.mnemonic}\` (${hex(op.code)}, ${op.size} bytes)`,
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
  ].join('\n');
}

export function opcodeReferenceMarkdown(): string {
  return ['# Paging opcodes', '', ...OPCODES.map(opcodeMarkdown)].join('\n');
}
