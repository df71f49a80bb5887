// The seeded random workload generator: the same options and seed always give the same steps.
// It keeps a pool of live allocations and mixes render submissions, CPU writes (lock/write/unlock),
// destroy-and-recreate, memory pressure and waits, then verifies every allocation's content. Steps
// are made as they are pulled (generateSteps), so a long workload keeps only the pool in memory.
// Given the adapter's segments it makes only workloads that can run: a CPU-visible allocation no
// larger than the CPU-visible memory, and renders whose allocations pack into the memory segments
// they may use (CPU-visible ones only where the CPU sees them), as VidMm would place them.

import { createRandom } from '../hw/random';
import type { WorkloadStep } from './types';

export interface GenerateOptions {
  seed: number;
  allocations: number;
  steps: number;
  minSize: number;
  maxSize: number;
  allocationsPerRender: number;
  weights: { render?: number; write?: number; recreate?: number; pressure?: number; wait?: number };
  verify: boolean;
  /** Ids already used by the hand-written part of the workload (never reused). */
  existing?: string[];
  /** The adapter's segments: with them, every render generated fits (see `packs`). */
  segments?: readonly { kind: 'memory' | 'aperture'; size: number; cpuVisible: boolean }[];
}

const PAGE = 4096;

/** The generated steps as a list (small workloads, tests). */
export function generateWorkload(o: GenerateOptions): WorkloadStep[] {
  return [...generateSteps(o)];
}

export function* generateSteps(o: GenerateOptions): Generator<WorkloadStep> {
  const rnd = createRandom(o.seed >>> 0);
  const minPages = Math.max(1, Math.ceil(o.minSize / PAGE));
  const maxPages = Math.max(minPages, Math.floor(o.maxSize / PAGE));
  const sizes = new Map<string, number>();
  const prefix = o.existing?.some((id) => id.startsWith('g')) ? 'gen' : 'g';
  const ids: string[] = [];
  const visible = new Set<string>();
  const memory = (o.segments ?? []).filter((x) => x.kind === 'memory');
  const largestVisible = Math.max(0, ...memory.filter((x) => x.cpuVisible).map((x) => x.size));
  const create = (id: string): WorkloadStep => {
    const size = (minPages + rnd.int(maxPages - minPages + 1)) * PAGE;
    sizes.set(id, size);
    // A CPU-visible allocation larger than every CPU-visible segment could never be resident.
    const cpuVisible = rnd.int(5) === 0 && (!o.segments || size <= largestVisible);
    if (cpuVisible) visible.add(id);
    else visible.delete(id);
    return { op: 'create', id, size, cpuVisible, fill: rnd.nextU32() };
  };
  const packsInMemory = packer(memory);
  const fits = (list: string[]): boolean => !o.segments || packsInMemory(list.map((id) => ({ size: sizes.get(id)!, cpuVisible: visible.has(id) })));
  for (let i = 0; i < o.allocations; i++) {
    ids.push(`${prefix}${i}`);
    yield create(ids[i]);
  }
  const w = {
    render: o.weights.render ?? 10,
    write: o.weights.write ?? 3,
    recreate: o.weights.recreate ?? 1,
    pressure: o.weights.pressure ?? 1,
    wait: o.weights.wait ?? 1,
  };
  const total = w.render + w.write + w.recreate + w.pressure + w.wait;
  let generation = 0;
  for (let s = 0; s < o.steps; s++) {
    let r = rnd.next() * total;
    if ((r -= w.render) < 0) {
      const n = Math.min(o.allocationsPerRender, ids.length);
      const picked = new Set<string>();
      while (picked.size < n) picked.add(ids[rnd.int(ids.length)]);
      let list = [...picked];
      // Drop allocations (last picked first) until the render fits the segments.
      let ok = fits(list);
      while (list.length > 1 && !ok) {
        list = list.slice(0, -1);
        ok = fits(list);
      }
      if (!ok) continue;
      yield { op: 'render', allocations: list, write: list.filter(() => rnd.int(3) === 0) };
    } else if ((r -= w.write) < 0) {
      const id = ids[rnd.int(ids.length)];
      const size = sizes.get(id)!;
      const offset = rnd.int(size);
      const length = 1 + rnd.int(Math.min(size - offset, 16 * 1024));
      yield { op: 'write', id, offset, length, seed: rnd.nextU32() };
    } else if ((r -= w.recreate) < 0) {
      const i = rnd.int(ids.length);
      yield { op: 'destroy', id: ids[i] };
      ids[i] = `${prefix}${o.allocations + generation++}`;
      yield create(ids[i]);
    } else if ((r -= w.pressure) < 0) {
      yield { op: 'pressure', bytes: (1 + rnd.int(4)) * maxPages * PAGE };
    } else {
      yield rnd.int(2) === 0 ? { op: 'wait' } : { op: 'wait', ns: 1000 * (1 + rnd.int(50)) };
    }
  }
  if (o.verify) yield { op: 'verify' };
}

/**
 * `packs` for one set of segments, answering first the case that needs no placement: when the
 * allocations together fit the smallest segment, the first segment each one tries has room for
 * it (a generated render is a few allocations, the segments hundreds of times larger).
 */
export function packer(segments: readonly { size: number; cpuVisible: boolean }[]): (list: readonly { size: number; cpuVisible: boolean }[]) => boolean {
  const smallest = segments.length ? Math.min(...segments.map((x) => x.size)) : -1;
  const anyVisible = segments.some((x) => x.cpuVisible);
  return (list) => {
    let total = 0;
    let visible = false;
    for (const a of list) {
      total += a.size;
      if (a.cpuVisible) visible = true;
    }
    if (total <= smallest && (anyVisible || !visible)) return true;
    return packs(list, segments);
  };
}

/**
 * Whether allocations of these sizes fit together in the memory segments, placed largest first
 * into the first segment with room: a CPU-visible one only in a CPU-visible segment, the others in
 * the segments the CPU cannot see first (the reference driver's preferences).
 */
export function packs(list: readonly { size: number; cpuVisible: boolean }[], segments: readonly { size: number; cpuVisible: boolean }[]): boolean {
  const free = segments.map((x) => x.size);
  const order = [...list].sort((a, b) => Number(b.cpuVisible) - Number(a.cpuVisible) || b.size - a.size);
  const hiddenFirst = segments.map((_, i) => i).sort((a, b) => Number(segments[a].cpuVisible) - Number(segments[b].cpuVisible));
  for (const a of order) {
    const i = (a.cpuVisible ? hiddenFirst.filter((j) => segments[j].cpuVisible) : hiddenFirst).find((j) => free[j] >= a.size);
    if (i === undefined) return false;
    free[i] -= a.size;
  }
  return true;
}
