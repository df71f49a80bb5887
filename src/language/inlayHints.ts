// Inlay hints: where each statement's bytes land in the buffer (offset and size), shown after the code.

import { InlayHint, Range } from 'vscode-languageserver';
import type { Analysis } from './analysis';
import { hex } from '../isa/hex';

export function inlayHints(a: Analysis, range: Range): InlayHint[] {
  const out: InlayHint[] = [];
  for (let line = range.start.line; line <= range.end.line; line++) {
    const s = a.statementAt(line);
    if (!s || s.offset === undefined || !s.size) continue;
    const last = s.operands.length ? s.operands[s.operands.length - 1].range.end : s.head?.range.end;
    if (!last) continue;
    out.push({
      position: last,
      label: `@${hex(s.offset, { upper: true, digits: 4 })} +${s.size}`,
      paddingLeft: true,
      tooltip: `Bytes ${s.offset}..${s.offset + s.size - 1} of the DMA buffer (${s.size} bytes).`,
    });
  }
  return out;
}
