// A brute-force record of every change to memory in a run, for checking provenance against: after
// each event, every page of VRAM and system memory is compared with its copy from the event before,
// and each run of changed bytes is noted with the moment; and, when asked, every write the hardware
// reports as it happens. It knows nothing of the recorder.

import type { Machine } from '../../../src/sim/machine';
import { MIXED, PAGE_BYTES, type RunResult, type SparseMemory } from '../../../src/sim/hw/memory';
import { ACCESS_READ } from '../../../src/sim/hw/constants';

export interface Change {
  moment: number;
  space: 'vram' | 'system';
  start: number;
  end: number;
}

class PageCopies {
  private readonly bytes = new Map<number, Uint8Array>();
  private readonly patterns = new Map<number, number>();
  private readonly out: RunResult = { arr: new Uint8Array(0), off: 0, len: 0, pattern: 0 };
  private readonly cur = new Uint8Array(PAGE_BYTES);

  constructor(
    private readonly mem: SparseMemory,
    private readonly space: 'vram' | 'system',
  ) {}

  /** Compares every page with its copy; notes changed runs at `moment`. */
  compare(moment: number, changes: Change[]): void {
    const mem = this.mem;
    for (let page = 0; page < mem.pageCount; page++) {
      const base = page * PAGE_BYTES;
      let prevPattern = this.patterns.get(page) ?? 0;
      const prevBytes = this.bytes.get(page);
      if (!mem.isMaterialised(page)) {
        mem.run(this.out, base, ACCESS_READ, 1);
        const p = this.out.pattern;
        if (!prevBytes && p === prevPattern) continue;
      }
      mem.read(base, this.cur, 0, PAGE_BYTES);
      const before = prevBytes ?? patternPage(prevPattern);
      if (Buffer.compare(this.cur, before) === 0) continue;
      for (let i = 0; i < PAGE_BYTES; ) {
        if (this.cur[i] === before[i]) {
          i++;
          continue;
        }
        let j = i + 1;
        while (j < PAGE_BYTES && this.cur[j] !== before[j]) j++;
        changes.push({ moment, space: this.space, start: base + i, end: base + j });
        i = j;
      }
      if (mem.isMaterialised(page)) this.bytes.set(page, this.cur.slice());
      else {
        this.bytes.delete(page);
        mem.run(this.out, base, ACCESS_READ, 1);
        prevPattern = this.out.pattern === MIXED ? 0 : this.out.pattern;
        this.patterns.set(page, prevPattern);
      }
    }
  }
}

function patternPage(p: number): Uint8Array {
  const b = new Uint8Array(PAGE_BYTES);
  new Uint32Array(b.buffer).fill(p >>> 0);
  return b;
}

/**
 * Runs `machine` to its end, noting every change of memory with the moment it became visible, and
 * in `writes` every write the hardware reports (its write events, which also tell writes that
 * change nothing), with the moment it is dated: the event the machine produces right after it.
 */
export function runWithOracle(machine: Machine, writes?: Change[]): Change[] {
  const st = (machine.gpu as unknown as { state: { vram: SparseMemory; sys: SparseMemory } }).state;
  const copies = [new PageCopies(st.vram, 'vram'), new PageCopies(st.sys, 'system')];
  const changes: Change[] = [];
  const stop = writes
    ? machine.gpu.onEvent((e) => {
        if (e.kind === 'write') writes.push({ moment: machine.eventCount + 1, space: e.target, start: e.address, end: e.address + e.length });
      })
    : undefined;
  while (machine.next()) for (const c of copies) c.compare(machine.eventCount, changes);
  stop?.();
  return changes;
}

/** The moment of the last change to a byte at or before `moment`; 0 when it never changed. */
export function lastChange(changes: readonly Change[], space: 'vram' | 'system', address: number, moment: number): number {
  for (let i = changes.length - 1; i >= 0; i--) {
    const c = changes[i];
    if (c.moment <= moment && c.space === space && address >= c.start && address < c.end) return c.moment;
  }
  return 0;
}
