// Whether the allocations of one submission can ever be resident together: some set of segments may
// be smaller than the allocations that may live only there (for example CPU-visible allocations,
// which only CPU-visible segments can hold). Asked before a render, so a workload that can never
// run says why instead of evicting forever.

import type { Allocation, SegmentState } from './vidmmRecords';

/**
 * Why the allocations of one submission can never be resident together, or undefined: some set
 * of segments is smaller than the allocations that may live only there (for example CPU-visible
 * allocations, which only CPU-visible segments can hold).
 */
export function residencyLimit(list: readonly Allocation[], segment: (id: number) => SegmentState | undefined): string | undefined {
  // Any set of segments holds at least as much as the smallest of them: when the whole list fits
  // the smallest segment any of its allocations may use, no set is too small (nearly every render).
  let total = 0;
  let smallest = Infinity;
  for (const a of list) {
    total += a.size;
    if (a.smallestCandidate < smallest) smallest = a.smallestCandidate;
  }
  if (total <= smallest) return undefined;
  const ids = [...new Set(list.flatMap((a) => a.candidates))];
  if (ids.length > 30) return undefined;
  const bit = (id: number): number => 1 << ids.indexOf(id);
  const masks = list.map((a) => a.candidates.reduce((m, id) => m | bit(id), 0));
  // Only sets of segments that are unions of the allocations' own sets can be too small for the
  // allocations confined to them (there are few distinct ones: CPU-visible and the rest).
  const distinct = [...new Set(masks)];
  const unions = new Set<number>();
  for (let pick = 1; pick < 1 << Math.min(distinct.length, 10); pick++) {
    let u = 0;
    distinct.forEach((m, k) => {
      if (pick & (1 << k)) u |= m;
    });
    unions.add(u);
  }
  const name = (xs: readonly Allocation[]): string => xs.map((a) => `'${a.name}'`).join(', ');
  for (const mask of [...unions].sort((a, b) => popcount(a) - popcount(b))) {
    const segs = ids.filter((_, i) => mask & (1 << i)).map((id) => segment(id)!);
    const confined = list.filter((_, k) => (masks[k] & ~mask) === 0);
    const need = confined.reduce((n, a) => n + a.size, 0);
    const room = segs.reduce((n, s) => n + s.size, 0);
    if (need <= room) continue;
    const visible = confined.every((a) => a.cpuVisible) && segs.every((s) => s.cpuVisible);
    return `${visible ? 'the CPU-visible allocations ' : ''}${name(confined)} need ${need} bytes together but may only use ${segs.map((s) => s.name).join(', ')}${visible ? ' (the CPU-visible memory)' : ''}, which hold${segs.length === 1 ? 's' : ''} ${room} bytes`;
  }
  return undefined;
}

function popcount(n: number): number {
  let c = 0;
  for (; n; n &= n - 1) c++;
  return c;
}
