// Who wrote a byte, and what led to it: queries over a run's recording (./recorder.ts).
//   lastWrite    the last write to a byte at or before a moment
//   lastWrites   a range cut into the pieces each last write covers
//   history      every write to a range between two moments, in order
//   chain        a write's provenance: the GPU instruction (engine, address, submission, fence, time),
//                the DMA buffer bytes of that instruction and the DDI call that wrote them
//                (DxgkDdiBuildPagingBuffer with its operation, flags and MultipassOffset) with the
//                driver's lines, the VidMm operation and the scenario step that caused the call;
//                or the CPU, bus-master DMA, kernel or debugger write with what the kernel was doing.

import type { SourceLocation } from '../driver/errors';
import type { CallSummary } from './moments';
import type { Recording, WriteDetail } from './recorder';
import { SPACE_SYSTEM, SPACE_VRAM, type WriteRecord } from './writeLog';

export type Space = 'vram' | 'system';
const spaceCode = (s: Space): number => (s === 'vram' ? SPACE_VRAM : SPACE_SYSTEM);

/** The last write to the byte at `address` of `space` made at or before `moment`. */
export function lastWrite(rec: Recording, space: Space, address: number, moment: number): WriteRecord | undefined {
  const log = rec.log;
  const sc = spaceCode(space);
  for (let i = log.firstAtOrAfter(moment + 1) - 1; i >= 0; i--) {
    if (log.overlaps(i, sc, address, 1)) return log.get(i);
  }
  return undefined;
}

/** [address, address + length) cut into pieces, each with its last write at or before `moment` (none: never written). */
export function lastWrites(rec: Recording, space: Space, address: number, length: number, moment: number): { address: number; length: number; write?: WriteRecord }[] {
  const log = rec.log;
  const sc = spaceCode(space);
  // Pieces still unexplained, as [start, end) pairs; each write found, newest first, claims its part.
  let open: [number, number][] = [[address, address + length]];
  const found: { address: number; length: number; write?: WriteRecord }[] = [];
  for (let i = log.firstAtOrAfter(moment + 1) - 1; i >= 0 && open.length; i--) {
    if (!log.overlaps(i, sc, address, length)) continue;
    const w = log.get(i);
    const next: [number, number][] = [];
    for (const [a, b] of open) {
      const lo = Math.max(a, w.address);
      const hi = Math.min(b, w.address + w.length);
      if (lo >= hi) {
        next.push([a, b]);
        continue;
      }
      found.push({ address: lo, length: hi - lo, write: w });
      if (a < lo) next.push([a, lo]);
      if (hi < b) next.push([hi, b]);
    }
    open = next;
  }
  for (const [a, b] of open) found.push({ address: a, length: b - a });
  return found.sort((x, y) => x.address - y.address);
}

/** Every write touching [address, address + length) made at moments in [from, to], oldest first. */
export function history(rec: Recording, space: Space, address: number, length: number, from = 0, to = Infinity): WriteRecord[] {
  const log = rec.log;
  const sc = spaceCode(space);
  const out: WriteRecord[] = [];
  const end = Number.isFinite(to) ? log.firstAtOrAfter(to + 1) : log.size;
  for (let i = log.firstAtOrAfter(from); i < end; i++) if (log.overlaps(i, sc, address, length)) out.push(log.get(i));
  return out;
}

/** One link of a provenance chain, most direct first. */
export interface ChainLink {
  kind: 'instruction' | 'write' | 'ddi' | 'driver-line' | 'cause' | 'step';
  text: string;
  /** The moment to travel to for this link (the write, the instruction, the DDI call's entry). */
  moment?: number;
  /** A debug address to show (the instruction, the DMA buffer bytes). */
  address?: number;
  /** A driver source line. */
  location?: SourceLocation;
}

export interface Provenance {
  write: WriteRecord;
  links: ChainLink[];
}

const hex = (n: number): string => '0x' + n.toString(16);

/**
 * The host's writers in words, by kind: the same words for a data breakpoint's stop going forward
 * (which hears how the host reached the memory) and for the log going back. The CPU's are the
 * writes through physical memory too, which is how the kernel writes an allocation's system pages.
 */
export const HOST_WRITER_TEXT = {
  cpu: 'the CPU through a lock or the BAR, or the kernel writing memory',
  dma: 'bus-master DMA',
  debugger: 'the debugger (writeMemory)',
  kernel: 'the kernel',
} as const;

/** The writer of a write in words. */
export function writerText(rec: Recording, w: WriteRecord): string {
  const d = detailOf(rec, w);
  switch (w.writer) {
    case 'gpu':
      return `GPU engine ${w.engine}, instruction at ${hex(w.instruction)}`;
    case 'cpu':
    case 'dma':
    case 'debugger':
      return HOST_WRITER_TEXT[w.writer];
    case 'driver':
      return `the driver, in DDI call #${w.callId}`;
    case 'released':
      return d && 'note' in d ? d.note : 'memory released';
    default:
      return d && 'frame' in d ? `the kernel (${d.frame})` : 'the kernel';
  }
}

export function detailOf(rec: Recording, w: WriteRecord): WriteDetail | undefined {
  return w.detail >= 0 ? (rec.log.details[w.detail] as WriteDetail) : undefined;
}

/** The driver lines of a driver write through the GPU module's writers, innermost first (found by replaying its call, once). */
export function driverLines(rec: Recording, w: WriteRecord): SourceLocation[] {
  const d = detailOf(rec, w);
  if (!d || !('viaWriter' in d) || !w.callId) return [];
  const site = rec.sites(w.callId)?.find((s) => s.physical < w.address + w.length && s.physical + s.length > w.address)?.site;
  return site ? rec.siteLines(site) : [];
}

function callText(c: CallSummary): string {
  const parts = [c.operation, c.multipassOffset !== undefined ? `MultipassOffset ${c.multipassOffset}` : undefined];
  if (c.flags) parts.push(`flags ${c.flags}`);
  const inner = parts.filter(Boolean).join(', ');
  return `${c.ddi} #${c.id}${inner ? ` (${inner})` : ''}`;
}

function fmtLoc(l: SourceLocation): string {
  return `${l.file}:${l.line}:${l.column}${l.lineText ? `  ${l.lineText.trim()}` : ''}`;
}

/**
 * The provenance chain of the write `w`: for a GPU write, the instruction and then the provenance
 * of the instruction's own bytes (who wrote the DMA buffer); for a driver write, the DDI call and
 * the driver's lines; then what caused the call or the write (VidMm operation, scenario step).
 */
export function chain(rec: Recording, w: WriteRecord): Provenance {
  const links: ChainLink[] = [];
  const idx = rec.index;
  links.push({ kind: 'write', text: `written at moment ${w.moment} (${w.time} ns) by ${writerText(rec, w)}: ${w.length} byte${w.length === 1 ? '' : 's'} at ${w.space === 'vram' ? 'VRAM' : 'system'} ${hex(w.address)}`, moment: w.moment, address: w.debugAddress });
  let callId = w.callId;
  if (w.writer === 'gpu') {
    const im = w.moment - 1;
    const at = idx.instructionAt(im);
    const sub = at ? `, submission ${at.submissionId}` : '';
    links.push({ kind: 'instruction', text: `instruction at ${hex(w.instruction)} on engine ${w.engine}${sub}, moment ${im}`, moment: im, address: w.instruction });
    // Who wrote the instruction's bytes: the DDI call that built the buffer.
    const src = lastWrite(rec, 'system', w.instruction, im);
    if (src) {
      links.push({ kind: 'write', text: `the instruction's bytes were written at moment ${src.moment} by ${writerText(rec, src)}`, moment: src.moment, address: src.debugAddress });
      for (const l of driverLines(rec, src)) links.push({ kind: 'driver-line', text: fmtLoc(l), location: l, moment: src.moment });
      callId = src.callId;
    }
  } else if (w.writer === 'driver') {
    for (const l of driverLines(rec, w)) links.push({ kind: 'driver-line', text: fmtLoc(l), location: l, moment: w.moment });
  }
  const call = callId ? idx.call(callId) : undefined;
  if (call) {
    links.push({ kind: 'ddi', text: `${callText(call)}, entered at moment ${call.entry}`, moment: call.entry });
    for (let i = call.cause.length - 1; i >= 0; i--) {
      const label = call.cause[i];
      links.push({ kind: /^step \d+:|\/workload\/\d+/.test(label) ? 'step' : 'cause', text: label });
    }
  } else {
    const d = detailOf(rec, w);
    if (d && 'frame' in d) links.push({ kind: 'cause', text: d.frame });
  }
  return { write: w, links };
}
