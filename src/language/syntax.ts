// What the editor features say about pgasm syntax: signatures and snippets of opcodes (derived from
// the opcode table) and of directives, and the small lexical helpers completion and signature
// help use on the text before the cursor.

import { DIRECTIVE_BY_NAME, DirectiveInfo } from '../isa/directives';
import { OPCODE_BY_MNEMONIC, OPERAND_BYTES, OpcodeInfo, OperandInfo } from '../isa/opcodes';

/** A directive's snippet: its operands as placeholders (`a|b` as a choice), repeats and options left out. */
export function directiveSnippet(d: DirectiveInfo): string {
  const required = d.operands.filter(
    (o, i) => o !== '...' && !d.syntax.includes(`[, ${o}`) && !(i > 0 && d.operands[i + 1] === '...'),
  );
  if (!required.length) return d.name;
  return `${d.name} ${required.map((o, i) => (o.includes('|') ? `\${${i + 1}|${o.split('|').join(',')}|}` : `\${${i + 1}:${o}}`)).join(', ')}`;
}

export function opcodeOf(name: string | undefined): OpcodeInfo | undefined {
  return name ? OPCODE_BY_MNEMONIC.get(name.toLowerCase()) : undefined;
}

export function directiveOf(name: string | undefined): DirectiveInfo | undefined {
  if (!name) return undefined;
  const n = name.toLowerCase();
  return DIRECTIVE_BY_NAME.get(n.startsWith('.') ? n : '.' + n);
}

/** `copy dst, src, size`, with `[, irq | monitored]` when the opcode takes flags. */
export function opcodeSignature(op: OpcodeInfo): { label: string; params: [number, number][] } {
  let label = op.mnemonic;
  const params: [number, number][] = [];
  op.operands.forEach((o, i) => {
    label += i === 0 ? ' ' : ', ';
    params.push([label.length, label.length + o.name.length]);
    label += o.name;
  });
  if (op.flags.length) {
    label += op.operands.length ? ' [, ' : ' [';
    const flags = op.flags.map((f) => f.name).join(' | ');
    params.push([label.length, label.length + flags.length]);
    label += flags + ']';
  }
  return { label, params };
}

export function directiveSignature(d: DirectiveInfo): { label: string; params: [number, number][] } {
  // The documented syntax line, with each operand name located in it.
  const label = d.syntax;
  const params: [number, number][] = [];
  let from = d.name.length;
  for (const o of d.operands) {
    const at = label.indexOf(o, from);
    if (at < 0) break;
    params.push([at, at + o.length]);
    from = at + o.length;
  }
  return { label, params };
}

export function opcodeSnippet(op: OpcodeInfo): string {
  if (!op.operands.length) return op.mnemonic;
  return `${op.mnemonic} ${op.operands.map((o, i) => `\${${i + 1}:${o.name}}`).join(', ')}`;
}

export function operandMarkdown(o: OperandInfo): string {
  const facts = [`\`${o.kind}\`, ${OPERAND_BYTES[o.kind]} bytes at +${o.offset}`];
  if (o.min !== undefined && o.max !== undefined) facts.push(`range ${o.min}..${o.max}`);
  if (o.align) facts.push(`aligned to ${o.align}`);
  return `**${o.name}** (${facts.join('; ')}): ${o.doc}`;
}

/** What the text of a line before the cursor says about where the cursor is. */
export interface LineContext {
  /** The mnemonic or directive already typed (complete: followed by a space), lower case. */
  head?: string;
  /** Index of the operand the cursor is in (commas before the cursor in the operand list). */
  operandIndex: number;
  /** The word being typed right before the cursor, and where it starts. */
  word: string;
  wordStart: number;
  /** The character before the word (':' after a segment name, '(' inside mdl(...), ...). */
  before: string;
  inComment: boolean;
  /** True while the head itself is being typed. */
  atHead: boolean;
}

const LABEL_PREFIX = /^\s*[A-Za-z_][A-Za-z0-9_.]*:(?=\s|$)/;

export function lineContext(prefix: string): LineContext {
  const inComment = prefix.includes(';');
  const wordMatch = /[.A-Za-z0-9_]*$/.exec(prefix)!;
  const word = wordMatch[0];
  const wordStart = wordMatch.index;
  const before = wordStart > 0 ? prefix[wordStart - 1] : '';
  let rest = prefix;
  let offset = 0;
  const label = LABEL_PREFIX.exec(rest);
  if (label) {
    offset = label[0].length;
    rest = rest.slice(offset);
  }
  const headMatch = /^\s*([.A-Za-z_][A-Za-z0-9_.]*)(\s+|$)/.exec(rest);
  if (!headMatch || !headMatch[2]) {
    return { operandIndex: 0, word, wordStart, before, inComment, atHead: !inComment };
  }
  const operands = rest.slice(headMatch[0].length);
  let commas = 0;
  let depth = 0;
  for (const ch of operands) {
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) commas++;
  }
  return { head: headMatch[1].toLowerCase(), operandIndex: commas, word, wordStart, before, inComment, atHead: false };
}
