// Aperture rules, checked on the GART once the paging buffers holding the operation have run:
//   unmap-not-dummy-page     UnmapApertureSegment leaves every page of the range on DummyPage
//                            (GPU access stays enabled, so corruption can be detected)
//   cache-coherent-mismatch  MapApertureSegment maps cache coherent exactly when Flags.CacheCoherent

import {
  type DXGKARG_BUILDPAGINGBUFFER,
  DXGK_OPERATION_MAP_APERTURE_SEGMENT,
  DXGK_OPERATION_UNMAP_APERTURE_SEGMENT,
  STATUS_SUCCESS,
} from '../ddi/contract';
import type { SourceLocation } from '../driver/errors';
import type { DdiCall } from '../kernel/events';
import type { DdiCallOptions, RuleContext, RuleFamily } from './context';

interface Expectation {
  kind: 'map' | 'unmap';
  segmentId: number;
  page: number;
  count: number;
  dummy: number;
  coherent: boolean;
  call: DdiCall;
  args: unknown;
  location: SourceLocation | undefined;
}

export function apertureRules(ctx: RuleContext): RuleFamily {
  let pending: Expectation[] = [];
  const k = ctx.kernel;

  const pagingIdle = (): boolean => !k.ddi.current && k.vidsch.idle && !(k.vidmm?.pagingBuffers() ?? []).some((b) => b.state !== 'free' && b.write > b.start);

  const check = (e: Expectation): void => {
    for (let p = e.page; p < e.page + e.count; p++) {
      const g = k.gpu.gartEntry(e.segmentId, p);
      if (e.kind === 'unmap' && (g.state !== 'dummy' || g.physical !== e.dummy)) {
        const now = g.state === 'mapped' ? `still mapped to system page 0x${g.physical.toString(16)}` : g.state === 'dummy' ? `on page 0x${g.physical.toString(16)}, not the DummyPage` : 'invalid (GPU accesses fault instead of reaching the dummy page)';
        throw ctx.violation(
          'unmap-not-dummy-page',
          e.call,
          `after UnmapApertureSegment of pages [${e.page}, ${e.page + e.count}) of segment ${e.segmentId} ran, page ${p} is ${now}; DummyPage was 0x${e.dummy.toString(16)}`,
          { location: e.location, args: e.args },
        );
      }
      if (e.kind === 'map' && g.state === 'mapped' && g.coherent !== e.coherent) {
        throw ctx.violation(
          'cache-coherent-mismatch',
          e.call,
          `MapApertureSegment of pages [${e.page}, ${e.page + e.count}) of segment ${e.segmentId} had Flags.CacheCoherent ${e.coherent}, but page ${p} was mapped ${g.coherent ? 'cache coherent' : 'not cache coherent'}`,
          { location: e.location, args: e.args },
        );
      }
    }
  };

  return {
    after(call: DdiCall, result: unknown, opts: DdiCallOptions) {
      if (call.ddi !== 'DxgkDdiBuildPagingBuffer' || result !== STATUS_SUCCESS) return;
      const a = call.args as unknown as DXGKARG_BUILDPAGINGBUFFER;
      let e: Expectation | undefined;
      if (a.Operation === DXGK_OPERATION_UNMAP_APERTURE_SEGMENT) {
        const u = a.UnmapApertureSegment;
        e = { kind: 'unmap', segmentId: u.SegmentId, page: u.OffsetInPages, count: u.NumberOfPages, dummy: u.DummyPage, coherent: false, call, args: u, location: ctx.locate(call.ddi, opts.fn) };
      } else if (a.Operation === DXGK_OPERATION_MAP_APERTURE_SEGMENT) {
        const m = a.MapApertureSegment;
        e = { kind: 'map', segmentId: m.SegmentId, page: m.OffsetInPages, count: m.NumberOfPages, dummy: 0, coherent: m.Flags.CacheCoherent, call, args: { ...m, pMdl: m.pMdl }, location: ctx.locate(call.ddi, opts.fn) };
      }
      if (!e) return;
      // A later operation on the same pages supersedes an earlier one not yet checked.
      pending = pending.filter((x) => x.segmentId !== e.segmentId || x.page + x.count <= e.page || e.page + e.count <= x.page);
      pending.push(e);
    },
    observe() {
      if (!pending.length || !pagingIdle()) return;
      const list = pending;
      pending = [];
      for (const e of list) check(e);
    },
    finish() {
      const list = pending;
      pending = [];
      for (const e of list) check(e);
    },
  };
}
