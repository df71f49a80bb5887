// Workload steps for the WDK paths beyond plain residency: aperture segments (map, unmap, GPU writes
// and CPU reads of aperture memory with a physical read for coherency), device paging queues (fence
// values, CPU and GPU waits, GPU virtual addresses), bus-master DMA, and VidMm compacting a segment
// (its own raw moves: transfers with hAllocation NULL). The kernel side is
// src/sim/kernel/memoryPaths.ts. Their format (PathWorkloadStep) and normalized form (PathStep) are in types.ts
// with the other steps; here, how one is checked and normalized.

import type { Size, PathStep, PathWorkloadStep } from './types';

export interface ExpandHelpers {
  known(id: string, path: string): void;
  size(v: Size | undefined, path: string, fallback: number, opts?: { page?: boolean; min?: number }): number;
  problem(path: string, message: string): void;
}

/** Normalizes one WDK step (the schema has already checked its shape). */
export function expandPathStep(s: PathWorkloadStep, path: string, h: ExpandHelpers): PathStep {
  switch (s.op) {
    case 'map-aperture':
      h.known(s.id, `${path}/id`);
      return { op: s.op, path, id: s.id, segment: s.segment, cached: s.cached ?? false };
    case 'unmap-aperture':
      h.known(s.id, `${path}/id`);
      return { op: s.op, path, id: s.id };
    case 'gpu-write-physical': {
      h.known(s.id, `${path}/id`);
      const offset = h.size(s.offset, `${path}/offset`, 0);
      if (offset % 4) h.problem(`${path}/offset`, 'must be a multiple of 4');
      return { op: s.op, path, id: s.id, offset, value: s.value >>> 0 };
    }
    case 'cpu-read': {
      h.known(s.id, `${path}/id`);
      const offset = h.size(s.offset, `${path}/offset`, 0);
      if (offset % 4) h.problem(`${path}/offset`, 'must be a multiple of 4');
      return { op: s.op, path, id: s.id, offset, expect: s.expect === undefined ? undefined : s.expect >>> 0 };
    }
    case 'paging-queue': {
      if (s.id !== undefined) h.known(s.id, `${path}/id`);
      if ((s.action === 'make-resident' || s.action === 'map-va') && s.id === undefined) h.problem(path, `'${s.action}' needs the allocation's 'id'`);
      if (s.action !== 'make-resident' && s.va === undefined) h.problem(path, `'${s.action}' needs a GPU virtual address 'va'`);
      const va = s.va === undefined ? undefined : h.size(s.va, `${path}/va`, 0, { page: true });
      return { op: s.op, path, action: s.action, id: s.id, va, pages: s.pages ?? 1 };
    }
    case 'wait-paging-fence': {
      if (s.on === 'gpu' && s.va === undefined) h.problem(path, "a GPU wait needs the GPU virtual address 'va' the context then reads");
      const va = s.va === undefined ? undefined : h.size(s.va, `${path}/va`, 0);
      return { op: s.op, path, on: s.on, value: s.value, va, expect: s.expect === undefined ? undefined : s.expect >>> 0 };
    }
    case 'dma-transfer':
      h.known(s.id, `${path}/id`);
      return { op: s.op, path, id: s.id, direction: s.direction };
    case 'lock-surface':
      h.known(s.id, `${path}/id`);
      h.known(s.linear, `${path}/linear`);
      if (s.id === s.linear) h.problem(`${path}/linear`, 'the linear allocation must be a second allocation');
      return { op: s.op, path, id: s.id, linear: s.linear };
    case 'defragment':
      return { op: s.op, path, segment: s.segment };
  }
}
