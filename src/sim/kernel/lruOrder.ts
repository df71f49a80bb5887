// VidMm's order of use, least recently used first, from which it picks what to evict. A render
// uses a few allocations of thousands; a Map kept in order by deleting and setting again hashed
// each of them twice per render (the scaled kernel stress spent more time there than in its fills).
// Here a use stamps the allocation and appends it; the walk skips the entries a later use or a
// removal has made stale, and the list is compacted when stale entries outnumber live ones.

/** What the order keeps on each member: the stamp of its last use, 0 while it is not in the order. */
export interface LruMember {
  lruStamp: number;
}

export class LruOrder<T extends LruMember> {
  private items: T[] = [];
  private stamps: number[] = [];
  private head = 0;
  private live = 0;

  /**
   * `stamp` gives each use a stamp above every earlier one. Orders that members move between
   * (./evictionOrder.ts) share one, so that a stamp left in one order never matches one given by another.
   */
  constructor(private readonly stamp: () => number = counter()) {}

  /** Makes `x` the most recently used (adding it if it is not in the order). */
  touch(x: T): void {
    if (x.lruStamp === 0) this.live++;
    x.lruStamp = this.stamp();
    this.items.push(x);
    this.stamps.push(x.lruStamp);
    if (this.items.length > 2 * this.live + 64) this.compact();
  }

  delete(x: T): void {
    if (x.lruStamp === 0) return;
    x.lruStamp = 0;
    this.live--;
  }

  /** The least recently used member for which `accept` holds. */
  first(accept: (x: T) => boolean): T | undefined {
    const { items, stamps } = this;
    for (let i = this.head; i < items.length; i++) {
      const x = items[i];
      if (x.lruStamp !== stamps[i]) {
        if (i === this.head) this.head++;
        continue;
      }
      if (accept(x)) return x;
    }
    return undefined;
  }

  private compact(): void {
    const items: T[] = [];
    const stamps: number[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const x = this.items[i];
      if (x.lruStamp !== this.stamps[i]) continue;
      items.push(x);
      stamps.push(this.stamps[i]);
    }
    this.items = items;
    this.stamps = stamps;
    this.head = 0;
  }
}

/** A stamp source of its own: 1, 2, 3... */
export function counter(): () => number {
  let n = 0;
  return () => ++n;
}
