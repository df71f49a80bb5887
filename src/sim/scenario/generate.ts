// The seeded random workload generator: the same options and seed always give the same steps.
// It keeps a pool of live allocations and mixes render submissions, CPU writes (lock/write/unlock),
// destroy-and-recreate, memory pressure and waits, then verifies every allocation's content. Steps
// are made as they are pulled (generateSteps), so a long workload keeps only the pool in memory.

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
  const create = (id: string): WorkloadStep => {
    const size = (minPages + rnd.int(maxPages - minPages + 1)) * PAGE;
    sizes.set(id, size);
    return { op: 'create', id, size, cpuVisible: rnd.int(5) === 0, fill: rnd.nextU32() };
  };
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
      const list = [...picked];
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
