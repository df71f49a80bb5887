// Hover: on a mnemonic or directive, what the line became first (its offset, size and encoded
// bytes), then a one-line summary, then a link to its section of the full reference; on an operand
// its meaning, on a flag, a label, a constant, a segment or a number literal its meaning or value.

import { Hover, MarkupKind, Position } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AsmSymbol, Statement } from '../isa/asmTypes';
import { parseNumber } from '../isa/lexer';
import { Analysis, contains } from './analysis';
import type { DocsLinks } from './docsLink';
import { directiveOf, opcodeOf, opcodeSignature, operandMarkdown } from './syntax';
import { hex, UPPER } from '../isa/hex';

/** Bytes as hex, one group of four per dword: `10 00 0B 00  01 00 …`. */
export function encodedBytes(bytes: Uint8Array, offset: number, size: number): string {
  const groups: string[] = [];
  for (let i = offset; i < offset + size && i < bytes.length; i += 4) {
    const g: string[] = [];
    for (let j = i; j < Math.min(i + 4, offset + size, bytes.length); j++) g.push(bytes[j].toString(16).toUpperCase().padStart(2, '0'));
    groups.push(g.join(' '));
  }
  return groups.join('  ');
}

/** Where a statement's bytes are, on one line: `Offset 0x002C (44), 32 bytes: \`11 00 08 00  …\``. */
export function placement(a: Analysis, s: Statement): string | undefined {
  if (s.offset === undefined || !s.size) return undefined;
  const bytes = encodedBytes(a.result.bytes, s.offset, s.size);
  return `Offset ${hex(s.offset, { upper: true, digits: 4 })} (${s.offset}), ${s.size} bytes${bytes ? `: \`${bytes}\`` : ''}`;
}

/** The link to `topic`'s section of the reference, as a Markdown paragraph. */
function referenceLink(links: DocsLinks | undefined, topic: string, section: string): string | undefined {
  const href = links?.href([topic], section);
  return href ? `[\`${topic}\` in the pgasm reference](${href})` : undefined;
}

function symbolMarkdown(sym: AsmSymbol): string {
  switch (sym.kind) {
    case 'label':
      return `label \`${sym.name}\`: offset ${hex(sym.value, { upper: true, digits: 4 })} (${sym.value})`;
    case 'constant':
      return `constant \`${sym.name}\` = ${sym.value} (${hex(sym.value, UPPER)})`;
    case 'segment':
      return `segment \`${sym.name}\`: id ${sym.value}`;
  }
}

function segmentMarkdown(a: Analysis, name: string): string | undefined {
  const seg = a.result.segments.find((s) => s.name === name);
  if (!seg) return undefined;
  const size = seg.size % (1024 * 1024) === 0 ? `${seg.size / (1024 * 1024)} MiB` : `${seg.size} bytes`;
  return `segment \`${seg.name}\`: id ${seg.id}, ${seg.kind}, ${size}${seg.cpuVisible ? ', CPU-visible' : ''}`;
}

export function hover(a: Analysis, doc: TextDocument, pos: Position, links?: DocsLinks): Hover | null {
  const s = a.statementAt(pos.line);
  const occ = a.occurrenceAt(pos.line, pos.character);
  const parts: string[] = [];
  let range = occ?.range;

  if (s?.head && contains(s.head.range, pos.line, pos.character)) {
    range = s.head.range;
    const op = opcodeOf(s.head.name);
    const dir = s.head.directive ? directiveOf(s.head.name) : undefined;
    if (!(op && !s.head.directive) && !dir) return null;
    const lines = [placement(a, s)];
    if (op && !s.head.directive) {
      lines.push(`\`${opcodeSignature(op).label}\`: ${op.summary}`, referenceLink(links, op.mnemonic, 'opcodes'));
    } else if (dir) {
      lines.push(`\`${dir.syntax}\`: ${dir.doc}`, `Example: \`${dir.example}\``, referenceLink(links, dir.name, 'directives'));
    }
    parts.push(lines.filter((l) => l !== undefined).join('\n\n'));
  } else if (s) {
    const i = s.operands.findIndex((o) => contains(o.range, pos.line, pos.character));
    if (i >= 0) {
      const operand = s.operands[i];
      const op = s.head && !s.head.directive ? opcodeOf(s.head.name) : undefined;
      const dir = s.head?.directive ? directiveOf(s.head.name) : undefined;
      range = range ?? operand.range;
      const flag = op?.flags.find((f) => f.name === operand.text.trim().toLowerCase());
      if (flag) parts.push(`flag **${flag.name}** (bit ${flag.bit} of \`${op!.mnemonic}\`): ${flag.doc}`);
      else if (op && i < op.operands.length) parts.push(operandMarkdown(op.operands[i]));
      else if (dir) {
        const names = dir.operands.filter((o) => o !== '...');
        const name = names[Math.min(i, names.length - 1)];
        if (name) parts.push(`**${name}** of \`${dir.syntax}\``);
      }
    }
  }

  if (occ) {
    parts.push(symbolMarkdown(occ.symbol));
    if (occ.symbol.kind === 'segment') {
      const seg = segmentMarkdown(a, occ.symbol.name);
      if (seg) parts[parts.length - 1] = seg;
    }
  } else if (s?.label && contains(s.label.range, pos.line, pos.character)) {
    range = s.label.range;
    const sym = a.symbol(s.label.name);
    parts.push(sym ? symbolMarkdown(sym) : `label \`${s.label.name}\``);
  }
  // A number literal: its value, whatever the notation (`4K`, `0x1000`, `0b1_0000`).
  const num = a.tokensOn(pos.line).find((t) => t.cls === 'number' && t.start <= pos.character && pos.character <= t.start + t.length);
  if (num) {
    const line = doc.getText({ start: { line: pos.line, character: 0 }, end: { line: pos.line + 1, character: 0 } });
    const literal = line.slice(num.start, num.start + num.length);
    const value = parseNumber(literal, 0, literal.length);
    if (value !== undefined) {
      parts.push(`\`${literal}\` = ${value} (${hex(value, UPPER)})`);
      range = range ?? { start: { line: pos.line, character: num.start }, end: { line: pos.line, character: num.start + num.length } };
    }
  }
  if (!parts.length) return null;
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') }, range };
}
