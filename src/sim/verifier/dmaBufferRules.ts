// The paging-buffer rules of DxgkDdiBuildPagingBuffer:
//   dma-buffer-overrun        bytes written outside [pDmaBuffer, pDmaBuffer + DmaSize)
//   dma-pointer-past-end      pDmaBuffer left outside [pDmaBuffer, pDmaBuffer + DmaSize]
//   dma-pointer-not-advanced  STATUS_SUCCESS with nothing written (DiscardContent and NotifyResidency may write nothing)
//   dma-pointer-behind-data   pDmaBuffer left before bytes the driver wrote
//   fill-aperture-segment     a `fill` aimed at an aperture segment
//   physical-access-missing   ReadPhysical / WritePhysical written without an access to the address
// Overruns are caught like a special pool does: for the call, the driver writes into a copy of the
// paging buffer whose free space is filled with guard bytes, followed by more guard bytes; on return
// the copy goes back, the guard past the space is checked, and the last byte that is no longer a
// guard byte is the last one the driver wrote.

import {
  type DMA_BUFFER_POINTER,
  type DXGKARG_BUILDPAGINGBUFFER,
  DXGK_OPERATION_NAMES,
  DXGK_OPERATION_READ_PHYSICAL,
  DXGK_OPERATION_WRITE_PHYSICAL,
  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER,
  STATUS_SUCCESS,
} from '../ddi/contract';
import { mayWriteNothing } from '../ddi/emptyOperations';
import type { SourceLocation } from '../driver/errors';
import type { DdiCall } from '../kernel/events';
import { decodeAll } from '../../isa/encoding';
import { LocationSpace, OPCODE_BY_CODE, Op, type Location } from '../../isa/opcodes';
import { BufferWriters } from './bufferWriters';
import type { DdiCallOptions, RuleContext, RuleFamily } from './context';

const GUARD_BYTES = 4096;
const FILL_SIZE = OPCODE_BY_CODE[Op.Fill]!.size;
const GUARD = 0xa5;
const GUARD_PATTERN = Buffer.alloc(GUARD_BYTES, GUARD);
let guards = GUARD_PATTERN;

/** `n` guard bytes, to compare the free space of a paging buffer with. */
function guardBytes(n: number): Buffer {
  if (guards.length < n) guards = Buffer.alloc(n, GUARD);
  return guards.subarray(0, n);
}

/** A Buffer view of bytes [start, end) (for fast comparisons). */
function bytesOf(b: Uint8Array, start: number, end: number): Buffer {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start);
}

interface Open {
  real: DMA_BUFFER_POINTER;
  copy: Uint8Array;
  begin: number;
  dmaSize: number;
  /** Where the driver first set pDmaBuffer.Offset outside the space given, and to what. */
  stray?: { location: SourceLocation | undefined; value: unknown };
  writers?: BufferWriters;
  /** The hAllocation of a locked allocation this call moves to system memory (every write recorded, evictionWrites.ts). */
  evicting?: unknown;
}

export function dmaBufferRules(ctx: RuleContext): RuleFamily {
  const open = new Map<number, Open>();
  const apertures = new Set(ctx.kernel.gpu.segments.filter((s) => s.kind === 'aperture').map((s) => s.id));
  /** The instructions a rule judges by their bytes: `apmap` and `apunmap` (the aperture rules), a `fill` of an aperture segment. */
  const judged = (bytes: Uint8Array, offset: number, length: number): boolean => {
    const code = bytes[offset];
    if (code === Op.MapAperture || code === Op.UnmapAperture) return length >= OPCODE_BY_CODE[code]!.size;
    // A fill's destination: its location's space, then its segment id (little-endian), at +4.
    return code === Op.Fill && length >= FILL_SIZE && bytes[offset + 4] === LocationSpace.Segment && apertures.has(bytes[offset + 6] | (bytes[offset + 7] << 8));
  };
  const everything = (): boolean => true;
  // One copy reused from call to call while its size holds (a paging buffer's size rarely changes):
  // a fresh copy per call was an allocation of the whole buffer, about 12 MiB per sample run, and
  // the garbage collections it caused. Every byte of it is written again before the driver sees it
  // (the earlier operations, then guard bytes), and the time-travel recorder knows a copy only for
  // the call it was handed out in.
  let spare: Uint8Array | undefined;
  const copyOfSize = (n: number): Uint8Array => (spare?.length === n && open.size === 0 ? spare : (spare = new Uint8Array(n)));
  return {
    before(call: DdiCall) {
      if (call.ddi !== 'DxgkDdiBuildPagingBuffer') return;
      const args = call.args as unknown as DXGKARG_BUILDPAGINGBUFFER;
      const real = args.pDmaBuffer;
      if (!real || !(real.Bytes instanceof Uint8Array)) return;
      const limit = Math.min(real.Bytes.length, real.Offset + args.DmaSize);
      const copy = copyOfSize(limit + GUARD_BYTES);
      copy.set(real.Bytes.subarray(0, real.Offset));
      copy.fill(GUARD, real.Offset);
      const o: Open = { real, copy, begin: real.Offset, dmaSize: limit - real.Offset };
      open.set(call.id, o);
      const map = ctx.kernel.ddi.sourceMap;
      if (map) {
        o.evicting = ctx.evictionWrites.evicting(args);
        o.writers = new BufferWriters(copy.buffer, map, o.evicting === undefined ? judged : everything);
        o.writers.start();
        ctx.pagingWrites = { callId: call.id, begin: o.begin, writers: o.writers };
      }
      // Offset is an accessor for the call: a value outside [begin, limit] records the driver line
      // that set it (the only moment that line is known), at no cost while the driver stays inside.
      let offset = real.Offset;
      const pointer = { Bytes: copy, PhysicalAddress: real.PhysicalAddress } as DMA_BUFFER_POINTER;
      Object.defineProperty(pointer, 'Offset', {
        get: () => offset,
        set: (v: number) => {
          offset = v;
          if (!o.stray && !(Number.isInteger(v) && v >= o.begin && v <= limit)) o.stray = { location: ctx.here(), value: v };
        },
        enumerable: true,
        configurable: true,
      });
      args.pDmaBuffer = pointer;
    },
    threw(call: DdiCall) {
      restore(call);
    },
    after(call: DdiCall, result: unknown, opts: DdiCallOptions) {
      if (call.ddi !== 'DxgkDdiBuildPagingBuffer') return;
      const o = restore(call);
      if (!o) return;
      const args = call.args as unknown as DXGKARG_BUILDPAGINGBUFFER;
      const name = DXGK_OPERATION_NAMES[args.Operation] ?? String(args.Operation);
      const limit = o.begin + o.dmaSize;
      // Bytes outside the space given: before pDmaBuffer (earlier operations) or past DmaSize.
      let before = -1;
      if (!bytesOf(o.copy, 0, o.begin).equals(bytesOf(o.real.Bytes, 0, o.begin))) {
        for (let i = 0; i < o.begin && before < 0; i++) if (o.copy[i] !== o.real.Bytes[i]) before = i;
      }
      let past = 0;
      let firstPast = -1;
      if (!bytesOf(o.copy, limit, o.copy.length).equals(GUARD_PATTERN)) {
        for (let i = limit; i < o.copy.length; i++) {
          if (o.copy[i] !== GUARD) {
            past = i - limit + 1;
            if (firstPast < 0) firstPast = i;
          }
        }
      }
      const where = `pDmaBuffer was at offset ${o.begin} with DmaSize ${o.dmaSize}, so the space given was [${o.begin}, ${limit})`;
      const stray = o.stray?.location ? { ...opts, location: o.stray.location } : opts;
      if (firstPast >= 0) {
        const moved = o.stray?.location ? `; it then set pDmaBuffer.Offset to ${String(o.stray.value)}, past the end, at ${o.stray.location.file}:${o.stray.location.line}` : '';
        throw ctx.violation(
          'dma-buffer-overrun',
          call,
          `DxgkDdiBuildPagingBuffer (${name}) wrote past DmaSize: bytes [${firstPast}, ${limit + past}) of the paging buffer changed; ${where}${moved}. It must check DmaSize before writing and return STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER when an instruction does not fit`,
          stray,
        );
      }
      if (before >= 0) {
        throw ctx.violation('dma-buffer-overrun', call, `DxgkDdiBuildPagingBuffer (${name}) wrote at offset ${before}, before pDmaBuffer, over operations already in the paging buffer; ${where}`, opts);
      }
      const end = (args.pDmaBuffer as { Offset?: unknown } | undefined)?.Offset;
      if (typeof end !== 'number' || !Number.isInteger(end) || end < o.begin || end > limit) {
        throw ctx.violation(
          'dma-pointer-past-end',
          call,
          `DxgkDdiBuildPagingBuffer (${name}) left pDmaBuffer.Offset at ${String(end)}, outside the space it was given [${o.begin}, ${limit}] (DmaSize was ${o.dmaSize})`,
          stray,
        );
      }
      if (result === STATUS_SUCCESS && end === o.begin && !mayWriteNothing(args.Operation as number)) {
        throw ctx.violation(
          'dma-pointer-not-advanced',
          call,
          `DxgkDdiBuildPagingBuffer returned STATUS_SUCCESS for ${name} without writing anything (pDmaBuffer.Offset did not advance from ${o.begin}): the operation would silently not happen`,
          { ...opts, location: ctx.returned(call, result, opts.fn) },
        );
      }
      if (result === STATUS_SUCCESS || result === STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER) {
        let last = end - 1;
        if (end < limit && !bytesOf(o.copy, end, limit).equals(guardBytes(limit - end))) {
          for (last = limit - 1; last >= end && o.copy[last] === GUARD; last--);
        }
        if (last >= end) {
          throw ctx.violation(
            'dma-pointer-behind-data',
            call,
            `DxgkDdiBuildPagingBuffer (${name}) wrote up to offset ${last} of the paging buffer but left pDmaBuffer.Offset at ${end} and returned ${result === STATUS_SUCCESS ? 'STATUS_SUCCESS' : 'STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER'}: VidMm submits the buffer up to pDmaBuffer, so bytes [${end}, ${last + 1}) never reach the GPU and the next operation writes over them`,
            { ...opts, location: ctx.returned(call, result, opts.fn) },
          );
        }
      }
      if (end > o.begin) checkFills(call, o.real.Bytes, o.begin, end, opts, o.writers);
      if (o.evicting !== undefined && o.writers && end > o.begin) ctx.evictionWrites.record(o.evicting, o.writers, o.real.Bytes, o.begin, end);
      if (result === STATUS_SUCCESS && (args.Operation === DXGK_OPERATION_READ_PHYSICAL || args.Operation === DXGK_OPERATION_WRITE_PHYSICAL)) {
        checkPhysical(call, args, o.real.Bytes, o.begin, end, { ...opts, location: ctx.returned(call, result, opts.fn) });
      }
    },
  };

  /** ReadPhysical / WritePhysical: some instruction written reads (writes) the physical address. */
  function checkPhysical(call: DdiCall, args: DXGKARG_BUILDPAGINGBUFFER, bytes: Uint8Array, begin: number, end: number, opts: DdiCallOptions & { location?: SourceLocation }): void {
    const read = args.Operation === DXGK_OPERATION_READ_PHYSICAL;
    const address = read ? (args as Extract<DXGKARG_BUILDPAGINGBUFFER, { Operation: 3 }>).ReadPhysical.PhysicalAddress : (args as Extract<DXGKARG_BUILDPAGINGBUFFER, { Operation: 4 }>).WritePhysical.PhysicalAddress;
    const covers = (loc: unknown, size: unknown): boolean => {
      const l = loc as Location;
      return typeof size === 'number' && l?.space === LocationSpace.Physical && address >= l.address && address < l.address + Math.max(1, size);
    };
    const written: string[] = [];
    for (const d of decodeAll(bytes, begin, end)) {
      if (!d.ok) continue;
      const [a, b, c] = d.instr.operands;
      written.push(d.instr.op.mnemonic);
      const code = d.instr.op.code;
      if (read && ((code === Op.ReadPhysical && covers(a, b)) || (code === Op.Copy && covers(b, c)))) return;
      if (!read && ((code === Op.WritePhysical && covers(a, b)) || (code === Op.Copy && covers(a, c)) || (code === Op.Fill && covers(a, b)))) return;
    }
    const name = read ? 'ReadPhysical' : 'WritePhysical';
    throw ctx.violation(
      'physical-access-missing',
      call,
      `DxgkDdiBuildPagingBuffer returned STATUS_SUCCESS for ${name} of physical address 0x${address.toString(16)}, but nothing it wrote (${written.join(', ') || 'no instruction'}) ${read ? 'reads' : 'writes'} that address: the coherency operation would silently not happen`,
      opts,
    );
  }

  function restore(call: DdiCall): Open | undefined {
    const o = open.get(call.id);
    if (!o) return undefined;
    open.delete(call.id);
    o.writers?.stop();
    const args = call.args as unknown as DXGKARG_BUILDPAGINGBUFFER;
    const now = args.pDmaBuffer as DMA_BUFFER_POINTER | undefined;
    const offset = now && typeof now === 'object' ? (now.Offset as number) : (now as unknown as number);
    // What the driver wrote goes back. The guard bytes past its pointer are the verifier's, not the
    // kernel's: they stay in the copy (the paging buffer keeps what it held there), unless the driver
    // wrote among them, a bug the rules below report, with the bytes in place to see.
    const limit = o.begin + o.dmaSize;
    const end = typeof offset === 'number' && offset >= o.begin && offset <= limit ? offset : limit;
    const untouched = end === limit || bytesOf(o.copy, end, limit).equals(guardBytes(limit - end));
    o.real.Bytes.set(o.copy.subarray(o.begin, untouched ? end : limit), o.begin);
    // The kernel reads the driver's Offset from the real pointer object it handed out.
    o.real.Offset = offset;
    args.pDmaBuffer = o.real;
    return o;
  }

  function checkFills(call: DdiCall, bytes: Uint8Array, begin: number, end: number, opts: DdiCallOptions, writers: BufferWriters | undefined): void {
    const segments = ctx.kernel.gpu.segments;
    for (const d of decodeAll(bytes, begin, end)) {
      if (!d.ok || d.instr.op.code !== Op.Fill) continue;
      const dst = d.instr.operands[0] as Location;
      if (dst.space !== LocationSpace.Segment) continue;
      const seg = segments.find((s) => s.id === dst.sub);
      if (seg?.kind === 'aperture') {
        throw ctx.violation(
          'fill-aperture-segment',
          call,
          `DxgkDdiBuildPagingBuffer (${DXGK_OPERATION_NAMES[(call.args as { Operation: number }).Operation]}) wrote \`fill\` at offset ${d.offset} of the paging buffer aimed at segment ${seg.id} (${seg.name}), an aperture segment: the pages behind an aperture are system memory the application may own`,
          { ...opts, location: writers?.lineOf(d.offset) },
        );
      }
    }
  }
}
