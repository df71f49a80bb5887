// Checks of the program as a whole, once every line is placed and written: that it fits the DMA
// buffer, and that no instruction sits behind data the engine would stop at.

import type { Range } from '../asmTypes';
import { DecodedSlots, decodeInto } from '../encoding';
import { DEFAULT_DMA_SIZE } from '../profile';
import type { DiagnosticSink } from './report';

/** The lines that placed bytes, in the order they did (the line map, or the incremental analysis's lines, where a line that places nothing has length 0). */
export interface PlacedLines {
  readonly count: number;
  line(k: number): number;
  offset(k: number): number;
  length(k: number): number;
  isInstruction(k: number): boolean;
}

/** Where a line's mnemonic or directive is. */
export type HeadRange = (line: number) => Range;

/** A program of `size` bytes must fit `.dmasize` (or the default): the first line that does not fit is reported. */
export function checkDmaSize(sink: DiagnosticSink, lineMap: PlacedLines, size: number, dmaSize: number | undefined, headRange: HeadRange): void {
  const limit = dmaSize ?? DEFAULT_DMA_SIZE;
  if (size <= limit) return;
  // The first line whose bytes end past the limit (bytes are placed in order, so by binary search).
  let lo = 0;
  let hi = lineMap.count - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lineMap.offset(mid) + lineMap.length(mid) <= limit) lo = mid + 1;
    else hi = mid;
  }
  const k = lo;
  const line = lineMap.line(k);
  const r = headRange(line);
  const declared = dmaSize !== undefined;
  sink.diag(
    'PGA010',
    `the program needs ${size} bytes but the DMA buffer holds ${limit} (${declared ? '.dmasize' : 'the default; declare a larger one with .dmasize'}); this line is the first that does not fit`,
    line,
    r.start.character,
    r.end.character,
    '.dmasize',
    { size, limit },
  );
}

/**
 * The engine runs instructions in order and stops at the first bytes that are not a valid
 * instruction. Data (page lists, `.u32`...) followed by an instruction therefore makes that
 * instruction unreachable, unless the data happens to decode as valid instructions.
 */
export function checkReachability(sink: DiagnosticSink, lineMap: PlacedLines, bytes: Uint8Array, view: DataView, headRange: HeadRange): void {
  let dataStart = -1;
  let dataLine = -1;
  const slots = new DecodedSlots();
  for (let k = 0; k < lineMap.count; k++) {
    if (lineMap.length(k) === 0) continue;
    const offset = lineMap.offset(k);
    if (!lineMap.isInstruction(k)) {
      if (dataStart < 0) {
        dataStart = offset;
        dataLine = lineMap.line(k);
      }
      continue;
    }
    if (dataStart < 0) continue;
    let at = dataStart;
    while (at < offset) {
      const n = decodeInto(bytes, view, at, offset, slots);
      if (n <= 0) break;
      at += n;
    }
    if (at === offset) {
      dataStart = -1;
      continue;
    }
    const line = lineMap.line(k);
    const r = headRange(line);
    sink.diag(
      'PGA013',
      `unreachable: the engine stops at the data on line ${dataLine + 1}, which is not an instruction; put data after the last instruction`,
      line,
      r.start.character,
      r.end.character,
    );
    return;
  }
}
