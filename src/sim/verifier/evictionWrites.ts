// Which driver line wrote the instruction that put each byte of a locked allocation into system
// memory when VidMm evicted it, for `cpu-view-changed-on-eviction`: the kernel sees the application's
// view change only after the eviction ran on the GPU, calls later, when no driver line is running.
// While an allocation is locked through the aperture (src/sim/kernel/cpuAccess.ts says which), every
// DxgkDdiBuildPagingBuffer call that moves it to system memory has its writes into the paging buffer
// recorded (dmaBufferRules.ts, through src/sim/ddi/writeSites.ts); at the return each instruction's
// destination range in the MDL is kept with its line. Evictions under a lock are rare, so a stack per
// instruction costs nothing a paging-heavy run would notice; other transfers are not recorded.

import { DXGK_OPERATION_NAMES, DXGK_OPERATION_SPECIAL_LOCK_TRANSFER, DXGK_OPERATION_TRANSFER, type DXGKARG_BUILDPAGINGBUFFER } from '../ddi/contract';
import type { SourceLocation } from '../driver/errors';
import { accessBytes } from '../../isa/checks';
import { decode } from '../../isa/encoding';
import { LocationSpace, type Location } from '../../isa/opcodes';
import type { BufferWriters } from './bufferWriters';

interface Written {
  mnemonic: string;
  /** The page list the destination names, and the bytes of the pages it describes that the instruction writes. */
  pageList: number;
  begin: number;
  end: number;
  at: () => SourceLocation | undefined;
}

export class EvictionWrites {
  /** hAllocation of each allocation locked through the aperture -> what the calls moving it to system memory wrote since the kernel last asked. */
  private readonly watched = new Map<unknown, Written[]>();

  /** The kernel locked the allocation through the aperture: record its evictions from now on. */
  watch(hAllocation: unknown): void {
    this.watched.set(hAllocation, []);
  }

  /** Unlocked: nothing to record any more. */
  unwatch(hAllocation: unknown): void {
    this.watched.delete(hAllocation);
  }

  /** The hAllocation of a call that moves a watched allocation to system memory, if this is one. */
  evicting(args: DXGKARG_BUILDPAGINGBUFFER): unknown {
    if (args.Operation !== DXGK_OPERATION_TRANSFER && args.Operation !== DXGK_OPERATION_SPECIAL_LOCK_TRANSFER) return undefined;
    const t = (args as unknown as Record<string, { hAllocation?: unknown; Destination?: { SegmentId?: unknown } } | undefined>)[DXGK_OPERATION_NAMES[args.Operation]];
    return t && t.Destination?.SegmentId === 0 && t.hAllocation != null && this.watched.has(t.hAllocation) ? t.hAllocation : undefined;
  }

  /** At the return of such a call: the instructions the driver wrote into [begin, end) of the paging buffer, with their lines. */
  record(hAllocation: unknown, writers: BufferWriters, bytes: Uint8Array, begin: number, end: number): void {
    const list = this.watched.get(hAllocation);
    if (!list) return;
    for (const site of writers.sites()) {
      if (site.offset < begin || site.offset >= end) continue;
      const d = decode(bytes, site.offset, end);
      if (!d.ok || d.length !== site.length) continue; // an operand written alone (writeLocation)
      const i = d.instr.op.operands.findIndex((o) => o.name === 'dst' && o.kind === 'loc');
      const dst = d.instr.operands[i] as Location | undefined;
      if (!dst || dst.space !== LocationSpace.Mdl) continue;
      list.push({ mnemonic: d.instr.op.mnemonic, pageList: dst.address, begin: dst.aux, end: dst.aux + accessBytes(d.instr.op, d.instr.operands), at: () => writers.locate(site) });
    }
  }

  /**
   * The driver line of the last instruction written for the eviction that wrote byte `offset` of
   * the pages the MDL at `pageList` describes (VidMm's MDL describes the whole allocation from its
   * first page, so this is the allocation's byte), and that instruction's mnemonic; then forgets
   * what was recorded (the next eviction starts afresh).
   */
  take(hAllocation: unknown, pageList: number, offset: number): { location: SourceLocation | undefined; mnemonic: string } | undefined {
    const list = this.watched.get(hAllocation);
    if (!list) return undefined;
    this.watched.set(hAllocation, []);
    for (let i = list.length - 1; i >= 0; i--) {
      const w = list[i];
      if (w.pageList === pageList && offset >= w.begin && offset < w.end) return { location: w.at(), mnemonic: w.mnemonic };
    }
    return undefined;
  }
}
