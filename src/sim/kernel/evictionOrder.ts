// The order in which VidMm picks what to evict: lowest priority first, and least recently used
// within a priority. "An allocation priority defines both the likelihood that the allocation
// remains resident and [...]" (pfnSetPriorityCb); the driver gives each allocation its starting
// level in DXGK_ALLOCATIONINFO.AllocationPriority. One LruOrder per level in use (a driver uses a
// few), walked from the lowest level up: with every allocation at one level, as with the reference
// driver, this is the plain order of use.

import { counter, LruOrder, type LruMember } from './lruOrder';

/** What the order keeps on each member besides its stamp: its priority, and the level it is filed under. */
export interface EvictionMember extends LruMember {
  priority: number;
  /** The level of the LruOrder holding it (its priority when it was last used). */
  lruPriority: number;
}

export class EvictionOrder<T extends EvictionMember> {
  /** One stamp source for every level, so a stamp left behind in one level never matches another's. */
  private readonly stamp = counter();
  private readonly levels = new Map<number, LruOrder<T>>();
  /** The levels' priorities, ascending. */
  private priorities: number[] = [];

  /** Makes `x` the most recently used of its priority (filing it again when its priority changed). */
  touch(x: T): void {
    if (x.lruStamp !== 0 && x.lruPriority !== x.priority) this.levels.get(x.lruPriority)?.delete(x);
    x.lruPriority = x.priority;
    this.level(x.priority).touch(x);
  }

  delete(x: T): void {
    if (x.lruStamp !== 0) this.level(x.lruPriority).delete(x);
  }

  /** The member VidMm evicts first among those for which `accept` holds: the lowest priority, least recently used. */
  first(accept: (x: T) => boolean): T | undefined {
    for (const p of this.priorities) {
      const x = this.levels.get(p)!.first(accept);
      if (x) return x;
    }
    return undefined;
  }

  /** The level last looked up: with one priority in use (the usual case) a use costs no Map lookup. */
  private lastPriority = NaN;
  private lastLevel: LruOrder<T> | undefined;

  private level(priority: number): LruOrder<T> {
    if (priority === this.lastPriority) return this.lastLevel!;
    let l = this.levels.get(priority);
    if (!l) {
      this.levels.set(priority, (l = new LruOrder<T>(this.stamp)));
      this.priorities = [...this.levels.keys()].sort((a, b) => a - b);
    }
    this.lastPriority = priority;
    this.lastLevel = l;
    return l;
  }
}
