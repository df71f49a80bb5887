// What each paging opcode does, one handler per opcode, in a table by opcode byte. An instruction
// runs in two phases, so that a fault found in its operands changes nothing:
//   check: operands, bounds and cost (added to `x.cost`); nothing changes yet. Returns 0, a fault
//          code (with state.faultMessage), or STALLED when a `wait` is not satisfied;
//   apply: the effects, dated `x.end`. Returns 0, or a fault code if one is met part-way (what
//          was done before it stays done).
// The engine (engine.ts) decodes, times, raises faults and events around these.

import {
  F_BADLOC,
  F_MISALIGNED,
  F_OUTSIDE,
  F_OVERLAP,
  F_PHYSICAL,
  FENCE_IRQ,
  FENCE_MONITORED,
  GPU_VA_LIMIT,
  MAP_CACHE_COHERENT,
  OP_COPY,
  OP_DISCARD,
  OP_FENCE,
  OP_FILL,
  OP_INTERRUPT,
  OP_MAP_APERTURE,
  OP_NOP,
  OP_PAGE_TABLE_UPDATE,
  OP_READ_PHYSICAL,
  OP_SWIZZLE,
  OP_TLB_FLUSH,
  OP_UNMAP_APERTURE,
  OP_UNSWIZZLE,
  OP_WAIT,
  OP_WRITE_PHYSICAL,
  PAGE_LIST_HEADER_BYTES,
  PAGE_SIZE,
  PT_INVALID,
  PT_READ_ONLY,
  S_WAITING,
  SPACE_SEGMENT,
  STALLED,
} from './constants';
import type { Instruction } from './instruction';
import { tilingProblem } from './tiling';
import type { Loc } from './translate';
import { hex, UPPER } from '../../isa/hex';

export interface PagingOp {
  check(x: Instruction): number;
  apply(x: Instruction): number;
}

const nothing = (): number => 0;

/** Handlers by opcode byte; every opcode of the isa's table has one (a test checks). */
export const PAGING_OPS: readonly (PagingOp | undefined)[] = (() => {
  const t: (PagingOp | undefined)[] = new Array(256).fill(undefined);
  const op = (code: number, check: (x: Instruction) => number, apply: (x: Instruction) => number): void => {
    t[code] = { check, apply };
  };

  op(OP_NOP, nothing, nothing);

  // copy dst, src, size
  op(OP_COPY, (x) => checkTwo(x, x.s[8]), (x) => x.data.copy(x.a, x.b, x.s[8]));

  // fill dst, size, pattern: fills run at the fill bandwidth in VRAM, at bus speed in system memory.
  op(
    OP_FILL,
    (x) => {
      const size = x.s[4];
      const f = x.res.prepare(x.a, x.s, 0, size, x.dmaBase);
      if (f === 0) {
        const bw = x.state.config.bandwidths;
        x.cost += Math.ceil(size / (x.res.isSystem(x.a) ? bw.systemToVram : bw.fill));
      }
      return f;
    },
    (x) => x.data.fill(x.a, x.s[4], x.s[5]),
  );

  // discard dst, size: the content is undefined afterwards; this engine leaves it as it is.
  op(OP_DISCARD, (x) => x.res.prepare(x.a, x.s, 0, x.s[4], x.dmaBase), nothing);

  // swizzle / unswizzle dst, src, size, pitch
  const checkRetile = (x: Instruction): number => {
    const problem = tilingProblem(x.s[8], x.s[9]);
    if (problem !== null) {
      x.state.faultMessage = problem;
      return F_MISALIGNED;
    }
    return checkTwo(x, x.s[8]);
  };
  op(OP_SWIZZLE, checkRetile, (x) => x.data.retile(x.a, x.b, x.s[8], x.s[9], true));
  op(OP_UNSWIZZLE, checkRetile, (x) => x.data.retile(x.a, x.b, x.s[8], x.s[9], false));

  // pread src, count: the bytes go nowhere visible (the engine's read port), but the access happens.
  op(OP_READ_PHYSICAL, (x) => x.res.prepare(x.a, x.s, 0, x.s[4], x.dmaBase), (x) => x.data.read(x.a, 0, x.small, 0, x.s[4]));

  // pwrite dst, count, value
  op(
    OP_WRITE_PHYSICAL,
    (x) => x.res.prepare(x.a, x.s, 0, x.s[4], x.dmaBase),
    (x) => {
      putU64(x.small, x.s[5], x.s[6]);
      return x.data.write(x.a, 0, x.small, 0, x.s[4]);
    },
  );

  // mapaperture seg, page, count, list: GART entries from a page list.
  op(
    OP_MAP_APERTURE,
    (x) => {
      const count = x.s[2];
      const f = checkApertureRange(x) || x.res.prepare(x.a, x.s, 3, count * PAGE_SIZE, x.dmaBase);
      return f === 0 ? checkPageList(x, x.a, count) : f;
    },
    (x) => {
      const s = x.s;
      const seg = x.state.segments.byId[s[0]]!;
      const first = x.a.aux / PAGE_SIZE;
      const entries = x.a.listBase + PAGE_LIST_HEADER_BYTES;
      const coherent = (x.flags & MAP_CACHE_COHERENT) !== 0;
      for (let k = 0; k < s[2]; k++) seg.map(s[1] + k, x.state.sys.readU64(entries + (first + k) * 8), coherent);
      return 0;
    },
  );
  // unmapaperture seg, page, count, dummy: the pages point at the dummy page.
  op(
    OP_UNMAP_APERTURE,
    (x) => {
      const f = checkApertureRange(x);
      if (f === 0 && x.s[3] + PAGE_SIZE > x.state.sysBytes) {
        x.state.faultMessage = `dummy page ${hex(x.s[3], UPPER)} is outside system memory`;
        return F_PHYSICAL;
      }
      return f;
    },
    (x) => {
      x.state.segments.byId[x.s[0]]!.pointAtDummy(x.s[1], x.s[2], x.s[3]);
      return 0;
    },
  );

  // fence [dst,] value: the engine's paging fence, or a monitored fence written to memory.
  op(
    OP_FENCE,
    (x) => (x.flags & FENCE_MONITORED ? x.res.prepare(x.a, x.s, 0, 8, x.dmaBase) : 0),
    (x) => {
      const lo = x.s[4];
      const hi = x.s[5];
      const monitored = (x.flags & FENCE_MONITORED) !== 0;
      if (monitored) {
        putU64(x.small, lo, hi);
        const f = x.data.write(x.a, 0, x.small, 0, 8);
        if (f !== 0) return f;
      } else {
        x.e.fenceLo = lo;
        x.e.fenceHi = hi;
      }
      const events = x.state.events;
      if (events.control && (events.listening || x.flags & FENCE_IRQ)) {
        const e = x.e.index;
        const value = (BigInt(hi) << 32n) | BigInt(lo);
        if (events.listening) {
          events.flushWrite();
          events.emit(
            monitored
              ? { kind: 'fence', engine: e, value, monitored, address: x.res.debug, time: x.end }
              : { kind: 'fence', engine: e, value, monitored, time: x.end },
          );
        }
        if (x.flags & FENCE_IRQ) events.emitControl({ kind: 'interrupt', engine: e, reason: 'dma-completed', code: 0, fenceValue: value, time: x.end });
      }
      return 0;
    },
  );

  // wait src, value: stalls until the u64 at src is at least value.
  op(
    OP_WAIT,
    (x) => {
      const s = x.s;
      let f = x.res.prepare(x.a, s, 0, 8, x.dmaBase);
      if (f === 0) f = x.data.read(x.a, 0, x.small, 0, 8);
      if (f !== 0) return f;
      const sm = x.small;
      const lo = (sm[0] | (sm[1] << 8) | (sm[2] << 16) | (sm[3] << 24)) >>> 0;
      const hi = (sm[4] | (sm[5] << 8) | (sm[6] << 16) | (sm[7] << 24)) >>> 0;
      const e = x.e;
      if (hi < s[5] || (hi === s[5] && lo < s[4])) {
        if (e.state !== S_WAITING) {
          e.state = S_WAITING;
          const events = x.state.events;
          if (events.listening) events.emit({ kind: 'wait', engine: e.index, satisfied: false, time: x.start });
        }
        e.recheck = false;
        e.waitEpoch = x.state.epoch;
        return STALLED;
      }
      // Satisfied after stalling: by a write that happened at memTime at the earliest.
      if (e.state === S_WAITING && x.state.memTime > x.start) x.start = x.state.memTime;
      return 0;
    },
    nothing,
  );

  // interrupt code
  op(OP_INTERRUPT, nothing, (x) => {
    const events = x.state.events;
    if (events.control) events.emitControl({ kind: 'interrupt', engine: x.e.index, reason: 'instruction', code: x.s[0], time: x.end });
    return 0;
  });

  // ptupdate va, count, target [, invalid | readonly]
  op(
    OP_PAGE_TABLE_UPDATE,
    (x) => {
      const va = x.s[0];
      const count = x.s[1];
      x.cost += Math.ceil((count * 8) / x.state.config.bandwidths.vramToVram);
      if (va + count * PAGE_SIZE > GPU_VA_LIMIT) {
        x.state.faultMessage = `GPU virtual range ${hex(va, UPPER)}+${count} pages is beyond the 48-bit address space`;
        return F_BADLOC;
      }
      return x.flags & PT_INVALID ? 0 : x.res.prepare(x.a, x.s, 2, count * PAGE_SIZE, x.dmaBase);
    },
    (x) => {
      const first = x.s[0] / PAGE_SIZE;
      const count = x.s[1];
      if (x.flags & PT_INVALID) x.pageTable.unmap(first, count);
      else x.pageTable.map(first, count, x.a.space === SPACE_SEGMENT ? x.a.sub : 0, x.a.address, (x.flags & PT_READ_ONLY) !== 0);
      return 0;
    },
  );

  // tlbflush va, count (0: all)
  op(OP_TLB_FLUSH, nothing, (x) => {
    x.pageTable.flush(x.s[0] / PAGE_SIZE, x.s[1]);
    return 0;
  });

  return t;
})();

/** Prepares the destination (slots 0..3) and source (4..7) of a two-location move of `size` bytes, and its cost. */
function checkTwo(x: Instruction, size: number): number {
  const res = x.res;
  let f = res.prepare(x.a, x.s, 0, size, x.dmaBase) || res.prepare(x.b, x.s, 4, size, x.dmaBase);
  if (f === 0 && res.overlaps(x.a, x.b, size)) {
    f = F_OVERLAP;
    x.state.faultMessage = `source and destination overlap (${hex(size, UPPER)} bytes)`;
  }
  if (f === 0) {
    const bw = x.state.config.bandwidths;
    x.cost += Math.ceil(size / (res.isSystem(x.a) || res.isSystem(x.b) ? bw.systemToVram : bw.vramToVram));
  }
  return f;
}

/** The aperture segment and page range of mapaperture/unmapaperture (slots 0..2), and their cost. */
function checkApertureRange(x: Instruction): number {
  const s = x.s;
  const st = x.state;
  const seg = st.segments.byId[s[0]];
  const page = s[1];
  const count = s[2];
  x.cost += Math.ceil((count * 8) / st.config.bandwidths.vramToVram);
  if (seg === undefined || seg.memory) {
    st.faultMessage = seg === undefined ? `there is no segment ${s[0]}` : `segment ${seg.id} (${seg.name}) is not an aperture segment`;
    return F_BADLOC;
  }
  if (page + count > seg.pages) {
    st.faultMessage = `pages ${page}..${page + count - 1} are outside aperture segment ${seg.id} (${seg.name}, ${seg.pages} pages)`;
    return F_OUTSIDE;
  }
  return 0;
}

/** Every entry of the page list a mapaperture maps must be a page of system memory. */
function checkPageList(x: Instruction, loc: Loc, count: number): number {
  const first = loc.aux / PAGE_SIZE;
  const entries = loc.listBase + PAGE_LIST_HEADER_BYTES;
  for (let k = 0; k < count; k++) {
    const p = x.state.sys.readU64(entries + (first + k) * 8);
    if (p % PAGE_SIZE !== 0 || p + PAGE_SIZE > x.state.sysBytes) {
      x.state.faultMessage = `page list entry ${first + k} (${hex(p, UPPER)}) is not a 4 KiB page of system memory`;
      return F_PHYSICAL;
    }
  }
  return 0;
}

/** Little-endian u64 from two 32-bit halves into out[0..8). */
function putU64(out: Uint8Array, lo: number, hi: number): void {
  out[0] = lo & 0xff;
  out[1] = (lo >>> 8) & 0xff;
  out[2] = (lo >>> 16) & 0xff;
  out[3] = lo >>> 24;
  out[4] = hi & 0xff;
  out[5] = (hi >>> 8) & 0xff;
  out[6] = (hi >>> 16) & 0xff;
  out[7] = hi >>> 24;
}
