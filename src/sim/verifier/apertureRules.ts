// Aperture rules, checked on the GART once the paging buffers holding the operations have run. They
// judge the end state, whatever instructions the driver used (an unmap may map the range onto the
// dummy page with the map instruction itself):
//   unmap-not-dummy-page     UnmapApertureSegment leaves every page of the range on DummyPage
//                            (GPU access stays enabled, so corruption can be detected)
//   map-incomplete           MapApertureSegment maps every page of the range to its MDL page
//   cache-coherent-mismatch  MapApertureSegment maps cache coherent exactly when Flags.CacheCoherent
//   aperture-outside-range   neither changes a GART entry outside its range
// The verifier keeps its own picture of each aperture segment's GART (what the operations asked
// for, from the state at the segment's first operation) to tell which entries an operation had no
// business changing.

import {
  type DXGKARG_BUILDPAGINGBUFFER,
  DXGK_OPERATION_MAP_APERTURE_SEGMENT,
  DXGK_OPERATION_UNMAP_APERTURE_SEGMENT,
  PAGE_SIZE,
  STATUS_SUCCESS,
} from '../ddi/contract';
import type { SourceLocation } from '../driver/errors';
import type { GartEntry } from '../hw/types';
import type { DdiCall } from '../kernel/events';
import { decodeAll } from '../../isa/encoding';
import { Op } from '../../isa/opcodes';
import type { DdiCallOptions, RuleContext, RuleFamily } from './context';

interface Expectation {
  kind: 'map' | 'unmap';
  segmentId: number;
  page: number;
  count: number;
  /** Per page of the range: the physical page it must lead to. */
  targets: number[];
  coherent: boolean;
  call: DdiCall;
  args: unknown;
  location: SourceLocation | undefined;
}

/** What a GART entry should be: invalid, or leading to a physical page (mapped, or on a dummy page: the same to the GPU). */
type Picture = { valid: false } | { valid: true; physical: number };

const describeEntry = (g: GartEntry): string =>
  g.state === 'mapped' ? `mapped to system page 0x${g.physical.toString(16)}` : g.state === 'dummy' ? `on page 0x${g.physical.toString(16)}` : 'invalid (GPU accesses fault)';

export function apertureRules(ctx: RuleContext): RuleFamily {
  let pending: Expectation[] = [];
  const pictures = new Map<number, Picture[]>();
  const k = ctx.kernel;

  const pagingIdle = (): boolean => !k.ddi.current && k.vidsch.idle && !(k.vidmm?.pagingBuffers() ?? []).some((b) => b.state !== 'free' && b.write > b.start);

  const picture = (segmentId: number): Picture[] => {
    let p = pictures.get(segmentId);
    if (!p) {
      const seg = k.gpu.segments.find((s) => s.id === segmentId);
      const pages = seg && seg.kind === 'aperture' ? seg.size / PAGE_SIZE : 0;
      p = Array.from({ length: pages }, (_, i) => {
        const g = k.gpu.gartEntry(segmentId, i);
        return g.state === 'invalid' ? { valid: false } : { valid: true, physical: g.physical };
      });
      pictures.set(segmentId, p);
    }
    return p;
  };

  const checkRange = (e: Expectation): void => {
    const where = `pages [${e.page}, ${e.page + e.count}) of segment ${e.segmentId}`;
    for (let i = 0; i < e.count; i++) {
      const p = e.page + i;
      const g = k.gpu.gartEntry(e.segmentId, p);
      const leads = g.state !== 'invalid' && g.physical === e.targets[i];
      if (e.kind === 'unmap' && !leads) {
        throw ctx.violation('unmap-not-dummy-page', e.call, `after UnmapApertureSegment of ${where} ran, page ${p} is ${describeEntry(g)}; DummyPage was 0x${e.targets[i].toString(16)}`, { location: e.location, args: e.args });
      }
      if (e.kind === 'map' && !leads) {
        throw ctx.violation('map-incomplete', e.call, `after MapApertureSegment of ${where} ran, page ${p} is ${describeEntry(g)}; the MDL's page for it is 0x${e.targets[i].toString(16)}`, { location: e.location, args: e.args });
      }
      if (e.kind === 'map' && g.state === 'mapped' && g.coherent !== e.coherent) {
        throw ctx.violation(
          'cache-coherent-mismatch',
          e.call,
          `MapApertureSegment of ${where} had Flags.CacheCoherent ${e.coherent}, but page ${p} was mapped ${g.coherent ? 'cache coherent' : 'not cache coherent'}`,
          { location: e.location, args: e.args },
        );
      }
    }
  };

  /** Every entry of the segments the operations touched matches the picture; a change outside every range is blamed on the nearest operation. */
  const checkOutside = (list: Expectation[]): void => {
    for (const segmentId of new Set(list.map((e) => e.segmentId))) {
      const ops = list.filter((e) => e.segmentId === segmentId);
      const pic = picture(segmentId);
      for (let p = 0; p < pic.length; p++) {
        if (ops.some((e) => p >= e.page && p < e.page + e.count)) continue;
        const g = k.gpu.gartEntry(segmentId, p);
        const want = pic[p];
        const same = want.valid ? g.state !== 'invalid' && g.physical === want.physical : g.state === 'invalid';
        if (same) continue;
        const e = ops.reduce((best, x) => (distance(x, p) < distance(best, p) ? x : best));
        const name = e.kind === 'map' ? 'MapApertureSegment' : 'UnmapApertureSegment';
        const was = want.valid ? `led to page 0x${want.physical.toString(16)}` : 'was invalid';
        throw ctx.violation(
          'aperture-outside-range',
          e.call,
          `${name} of pages [${e.page}, ${e.page + e.count}) of segment ${segmentId} also changed page ${p}, outside its range: it ${was} and is now ${describeEntry(g)}`,
          { location: e.location, args: e.args },
        );
      }
    }
  };

  const check = (list: Expectation[]): void => {
    for (const e of list) checkRange(e);
    checkOutside(list);
  };

  /** The driver line that wrote the call's last aperture instruction (`apmap`, `apunmap`) for the segment, else the DDI's implementation. */
  const writer = (call: DdiCall, segmentId: number, opts: DdiCallOptions): SourceLocation | undefined => {
    const w = ctx.pagingWrites;
    const a = call.args as unknown as DXGKARG_BUILDPAGINGBUFFER;
    let line: SourceLocation | undefined;
    if (w && w.callId === call.id && a.pDmaBuffer) {
      for (const d of decodeAll(a.pDmaBuffer.Bytes, w.begin, a.pDmaBuffer.Offset)) {
        if (!d.ok || (d.instr.op.code !== Op.MapAperture && d.instr.op.code !== Op.UnmapAperture) || d.instr.operands[0] !== segmentId) continue;
        line = w.writers.lineOf(d.offset) ?? line;
      }
    }
    return line ?? ctx.locate(call.ddi, opts.fn);
  };

  return {
    after(call: DdiCall, result: unknown, opts: DdiCallOptions) {
      if (call.ddi !== 'DxgkDdiBuildPagingBuffer' || result !== STATUS_SUCCESS) return;
      const a = call.args as unknown as DXGKARG_BUILDPAGINGBUFFER;
      let e: Expectation | undefined;
      if (a.Operation === DXGK_OPERATION_UNMAP_APERTURE_SEGMENT) {
        const u = a.UnmapApertureSegment;
        e = { kind: 'unmap', segmentId: u.SegmentId, page: u.OffsetInPages, count: u.NumberOfPages, targets: Array(u.NumberOfPages).fill(u.DummyPage), coherent: false, call, args: u, location: writer(call, u.SegmentId, opts) };
      } else if (a.Operation === DXGK_OPERATION_MAP_APERTURE_SEGMENT) {
        const m = a.MapApertureSegment;
        const targets = Array.from({ length: m.NumberOfPages }, (_, i) => (m.pMdl.PfnArray[m.MdlOffset + i] ?? -1) * PAGE_SIZE);
        e = { kind: 'map', segmentId: m.SegmentId, page: m.OffsetInPages, count: m.NumberOfPages, targets, coherent: m.Flags.CacheCoherent, call, args: { ...m, pMdl: m.pMdl }, location: writer(call, m.SegmentId, opts) };
      }
      if (!e) return;
      // The picture before this operation, then what it asks for.
      const pic = picture(e.segmentId);
      e.targets.forEach((physical, i) => {
        if (e.page + i < pic.length) pic[e.page + i] = { valid: true, physical };
      });
      // A later operation on the same pages supersedes an earlier one not yet checked.
      pending = pending.filter((x) => x.segmentId !== e.segmentId || x.page + x.count <= e.page || e.page + e.count <= x.page);
      pending.push(e);
    },
    observe() {
      if (!pending.length || !pagingIdle()) return;
      const list = pending;
      pending = [];
      check(list);
    },
    finish() {
      const list = pending;
      pending = [];
      check(list);
    },
  };
}

function distance(e: Expectation, page: number): number {
  return page < e.page ? e.page - page : page - (e.page + e.count - 1);
}
