// The summary lines of `paging-lab run` about the WDK paths beyond residency: CPU access through the
// aperture, aperture segments (and evictions through them), the device paging queue, bus-master DMA and its common buffers, and
// whether the verifier was on. Only paths the run used get a line.

import type { MemoryPaths } from '../sim/kernel/memoryPaths';
import type { Machine } from '../sim/machine';

export function pathsSummary(machine: Machine): string[] {
  const w = machine.kernel.extension as MemoryPaths | undefined;
  if (!w) return [];
  const lines: string[] = [];
  const c = w.cpu.stats;
  if (c.apertureLocks || c.systemFallbacks) {
    const r = w.cpu.ranges.stats;
    lines.push(
      `  cpu access    ${c.apertureLocks} locks through the aperture (${c.cachedRanges} with a swizzling range cached since an earlier lock; ${r.taken} range${r.taken === 1 ? '' : 's'} released for another allocation), ${c.systemFallbacks} served from system memory, ${c.evictedWhileLocked} evicted while locked`,
    );
  }
  const a = w.aperture.stats;
  if (a.maps || a.unmaps || a.evictionsDirect) {
    const evictions = a.evictionsThrough || a.evictionsDirect ? `; ${a.evictionsThrough} evictions through an aperture segment (EvictionSegmentSet), ${a.evictionsDirect} straight to system memory for want of room there` : '';
    lines.push(`  aperture      ${a.maps} MapApertureSegment, ${a.unmaps} UnmapApertureSegment, ${a.writePhysical} WritePhysical, ${a.readPhysical} ReadPhysical, ${a.gpuWrites} GPU writes${evictions}`);
  }
  const q = w.pagingQueue.operations;
  if (q.length) lines.push(`  paging queue  ${q.length} operations (${q.filter((o) => o.fenceValue === 0).length} done at once); paging fence at ${w.pagingQueue.value()}`);
  const d = w.dma.stats;
  const budget = machine.gpu.commonBufferUsage();
  if (d.adapters) {
    lines.push(
      `  bus-master    ${d.adapters} DMA adapter(s), ${d.transfers} scatter/gather transfers (${d.packets} packets, ${d.bytes} bytes); common buffers: peak ${d.peakCommonBufferBytes} bytes, ${d.commonBufferBytes} still held; all common buffers ${budget.used} of ${budget.budget} bytes`,
    );
  }
  lines.push(`  verifier      ${w.verifier ? 'on' : 'off (--no-verifier or "verifier": false)'}`);
  return lines;
}
