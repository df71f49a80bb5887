// Who wrote a byte, for the debugger: the `!who ADDRESS [LENGTH]` console command, the
// `pagingLab.whoWrote` custom request and the VRAM view's "Who wrote this?". Turns an address of
// the debug address space into the simulator's memory (VRAM or system memory; an aperture page
// through the GART), asks the run's recording (src/sim/timeline/provenance.ts) for the last write
// of each part of the range and its chain (GPU instruction, paging buffer and submission, the
// DxgkDdiBuildPagingBuffer call, the driver's line, the VidMm operation, the scenario step), or
// for the range's history (every write, in order), and words it.

import { DEBUG_SEGMENT_STRIDE, debugAddressOfSegment } from '../../isa/debugAddress';
import { hex } from '../../isa/hex';
import type { Gpu } from '../../sim/hw/types';
import { chain, history, lastWrite, lastWrites, writerText, type Space } from '../../sim/timeline/provenance';
import type { Recording } from '../../sim/timeline/recorder';
import type { WriteRecord } from '../../sim/timeline/writeLog';
import { type ConsoleCommand, numberArg } from '../console';
import type { WhoLink, WhoPiece, WhoWroteResponse } from '../customRequests';
import { formatAddress } from '../memoryReference';

/** Bytes one question may cover (each part found is a chain; a history lists every write). */
export const MAX_WHO_BYTES = 1 << 20;
/** Writes a history lists at most (the latest). */
const MAX_HISTORY = 200;

/** Where a debug address is in the simulator's memory, or why it is nowhere. */
export function resolveDebugAddress(gpu: Gpu, address: number, length: number): { space: Space; address: number } | string {
  const sys = gpu.config.systemMemoryBytes;
  if (address + length <= sys) return { space: 'system', address };
  if (address < sys) return `${hex(address)}..${hex(address + length - 1)} runs past the end of system memory (${hex(sys)})`;
  const id = Math.floor(address / DEBUG_SEGMENT_STRIDE);
  const offset = address - debugAddressOfSegment(id);
  const seg = gpu.segments.find((s) => s.id === id);
  if (!seg || offset + length > seg.size) return `${hex(address)} is not in system memory or in a segment (segment ${id} at ${hex(debugAddressOfSegment(id))} ${seg ? `has ${hex(seg.size)} bytes` : 'does not exist'})`;
  if (seg.kind === 'memory') return { space: 'vram', address: (seg.vramBase ?? 0) + offset };
  // An aperture page is a system page the GART points at: its bytes are that page's.
  const page = Math.floor(offset / 4096);
  if (Math.floor((offset + length - 1) / 4096) !== page) return `${hex(address)}: ask about one page of an aperture segment at a time (its pages map anywhere in system memory)`;
  const entry = gpu.gartEntry(id, page);
  if (entry.state !== 'mapped') return `${hex(address)} is in aperture segment '${seg.name}', whose page ${page} is ${entry.state === 'dummy' ? 'on the dummy page' : 'not mapped'}`;
  return { space: 'system', address: entry.physical + (offset % 4096) };
}

/** Disassembles the instruction at a bus address, as memory holds it now. */
export type InstructionText = (address: number) => string;

function linksOf(rec: Recording, w: WriteRecord, now: number, text?: InstructionText): WhoLink[] {
  return chain(rec, w).links.map((l) => {
    const link: WhoLink = { kind: l.kind, text: l.text };
    if (l.kind === 'instruction' && l.address !== undefined && text) {
      // Memory holds the instruction as it ran unless its paging buffer was written again since.
      const since = lastWrite(rec, 'system', l.address, now);
      link.text = since && l.moment !== undefined && since.moment > l.moment ? `${l.text} (its paging buffer was written again since)` : `${text(l.address)}  (${l.text})`;
    }
    if (l.moment !== undefined) link.moment = l.moment;
    if (l.address !== undefined) link.memoryReference = formatAddress(l.address);
    if (l.location) link.location = { path: l.location.file, line: l.location.line, column: l.location.column };
    return link;
  });
}

/** The last write of each part of [address, address + length) at `moment` (the one the session stands at), with its chain. */
export function whoWrote(rec: Recording, gpu: Gpu, address: number, length: number, moment: number, withHistory = false, text?: InstructionText): WhoWroteResponse {
  if (!Number.isSafeInteger(length) || length < 1) throw new Error(`LENGTH must be at least 1, got ${length}`);
  if (length > MAX_WHO_BYTES) throw new Error(`LENGTH may be at most ${MAX_WHO_BYTES} bytes, got ${length}`);
  const where = resolveDebugAddress(gpu, address, length);
  if (typeof where === 'string') throw new Error(where);
  const delta = address - where.address;
  const pieces: WhoPiece[] = lastWrites(rec, where.space, where.address, length, moment).map((p) => ({
    memoryReference: formatAddress(p.address + delta),
    length: p.length,
    ...(p.write ? { writer: writerText(rec, p.write), moment: p.write.moment, links: linksOf(rec, p.write, moment, text) } : { links: [] }),
  }));
  const out: WhoWroteResponse = { memoryReference: formatAddress(address), length, space: where.space, moment, pieces };
  if (withHistory) {
    const all = history(rec, where.space, where.address, length, 0, moment);
    out.history = all.slice(-MAX_HISTORY).map((w) => ({
      moment: w.moment,
      time: w.time,
      memoryReference: formatAddress(Math.max(w.address, where.address) + delta),
      length: Math.min(w.address + w.length, where.address + length) - Math.max(w.address, where.address),
      writer: writerText(rec, w),
    }));
    if (all.length > MAX_HISTORY) out.historyDropped = all.length - MAX_HISTORY;
  }
  return out;
}

/**
 * The `!who ADDR [LENGTH] [history]` console command: `address` reads the address argument (an
 * expression), `ask` answers for the moment the session stands at.
 */
export function whoCommand(address: (text: string | undefined) => number, ask: (address: number, length: number, history: boolean) => WhoWroteResponse): ConsoleCommand {
  return {
    name: 'who',
    args: 'ADDR [LENGTH] [history]',
    help: "Who wrote these bytes last: the GPU instruction, its paging buffer, the DxgkDdiBuildPagingBuffer call, the driver's line, the VidMm operation and the scenario step; 'history' lists every write to the range.",
    run: (argv) => {
      const rest = argv.filter((a) => a.toLowerCase() !== 'history');
      return formatWho(ask(address(rest[0]), numberArg(rest, 1, 'LENGTH', 1), rest.length < argv.length));
    },
  };
}

/** `!who`'s answer as console text. */
export function formatWho(r: WhoWroteResponse): string {
  const lines: string[] = [];
  for (const p of r.pieces) {
    const span = `${p.memoryReference}${p.length > 1 ? ` (${p.length} bytes)` : ''}`;
    if (!p.writer) {
      lines.push(`${span}: never written in this run (it holds what it held at the start)`);
      continue;
    }
    lines.push(`${span}:`);
    for (const l of p.links) lines.push(`  ${LINK_LABEL[l.kind] ?? l.kind}: ${l.text}`);
  }
  if (r.history) {
    lines.push(`history of ${r.memoryReference} (${r.length} bytes), oldest first${r.historyDropped ? ` (the ${r.historyDropped} oldest not shown)` : ''}:`);
    if (!r.history.length) lines.push('  no write in this run');
    for (const h of r.history) lines.push(`  moment ${h.moment} (${h.time} ns) ${h.memoryReference} +${h.length}: ${h.writer}`);
  }
  return lines.join('\n');
}

const LINK_LABEL: Record<string, string> = {
  write: 'write',
  instruction: 'GPU instruction',
  ddi: 'DDI call',
  'driver-line': 'driver line',
  cause: 'VidMm',
  step: 'scenario step',
};
