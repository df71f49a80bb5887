// Checks of the program as a whole, once every line is placed and written: that it fits the DMA
// buffer, and that no instruction sits behind data the engine would stop at.

import { DecodedSlots, decodeInto } from '../encoding';
import { headRangeOf } from '../lineTable';
import { DEFAULT_DMA_SIZE } from '../profile';
import type { LineMap } from './lineMap';
import type { DiagnosticSink } from './report';
import { WORKSPACE } from './workspace';

/** A program of `size` bytes must fit `.dmasize` (or the default): the first line that does not fit is reported. */
export function checkDmaSize(sink: DiagnosticSink, text: string, lineMap: LineMap, size: number, dmaSize: number | undefined): void {
  const limit = dmaSize ?? DEFAULT_DMA_SIZE;
  if (size <= limit) return;
  let k = 0;
  while (lineMap.offset(k) + lineMap.length(k) <= limit) k++;
  const line = lineMap.line(k);
  const r = headRangeOf(text, line, WORKSPACE.lexemes);
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
export function checkReachability(sink: DiagnosticSink, text: string, lineMap: LineMap, bytes: Uint8Array, view: DataView): void {
  let dataStart = -1;
  let dataLine = -1;
  const slots = new DecodedSlots();
  for (let k = 0; k < lineMap.count; k++) {
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
    const r = headRangeOf(text, line, WORKSPACE.lexemes);
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
