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
  const prefix = o.existing?.some((id) => id.startsWith('g')) ? 'gen' : 'g';
  // The live pool: ids[i] is an allocation's id (each id is used once), kinds[i] its size and
  // visibility. Renders and writes pick by index, so nothing is looked up by name.
  const ids: string[] = [];
  const kinds: { size: number; cpuVisible: boolean }[] = [];
  const memory = (o.segments ?? []).filter((x) => x.kind === 'memory');
  const largestVisible = Math.max(0, ...memory.filter((x) => x.cpuVisible).map((x) => x.size));
  const create = (i: number, id: string): WorkloadStep => {
    const size = (minPages + rnd.int(maxPages - minPages + 1)) * PAGE;
    // A CPU-visible allocation larger than every CPU-visible segment could never be resident.
    const cpuVisible = rnd.int(5) === 0 && (!o.segments || size <= largestVisible);
    ids[i] = id;
    kinds[i] = { size, cpuVisible };
    return { op: 'create', id, size, cpuVisible, fill: rnd.nextU32() };
  };
  const packsInMemory = packer(memory);
  const fits = (picked: number[]): boolean => !o.segments || packsInMemory(picked.map((i) => kinds[i]));
  for (let i = 0; i < o.allocations; i++) yield create(i, `${prefix}${i}`);
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
      const distinct = new Set<number>();
      while (distinct.size < n) distinct.add(rnd.int(ids.length));
      let picked = [...distinct];
      // Drop allocations (last picked first) until the render fits the segments.
      let ok = fits(picked);
      while (picked.length > 1 && !ok) {
        picked = picked.slice(0, -1);
        ok = fits(picked);
      }
      if (!ok) continue;
      const list = picked.map((i) => ids[i]);
      yield { op: 'render', allocations: list, write: list.filter(() => rnd.int(3) === 0) };
    } else if ((r -= w.write) < 0) {
      const k = rnd.int(ids.length);
      const id = ids[k];
      const size = kinds[k].size;
      const offset = rnd.int(size);
      const length = 1 + rnd.int(Math.min(size - offset, 16 * 1024));
      yield { op: 'write', id, offset, length, seed: rnd.nextU32() };
    } else if ((r -= w.recreate) < 0) {
      const i = rnd.int(ids.length);
      yield { op: 'destroy', id: ids[i] };
      yield create(i, `${prefix}${o.allocations + generation++}`);
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
