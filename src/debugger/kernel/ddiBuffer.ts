// Where a DDI that works on a DMA buffer stands in it, so the DDI's frame can open the Disassembly
// view on the buffer the driver is writing (or the kernel is patching or submitting).

import type { MachineEvent, MachineState } from '../../sim/machine';
import type { CodeRegion } from '../gpu/disassembly';
import { formatAddress } from '../memoryReference';

/**
 * Where a DDI that works on a DMA buffer is in it, in the debug address space: the write pointer
 * of DxgkDdiBuildPagingBuffer (pDmaBuffer's physical address plus its offset), the start of the
 * range DxgkDdiPatch patches and DxgkDdiSubmitCommand submits. Undefined for other DDIs, or when
 * the driver left something unreadable there.
 */
export function ddiBufferPointer(ddi: string, args: Record<string, unknown>): number | undefined {
  const num = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);
  try {
    if (ddi === 'DxgkDdiBuildPagingBuffer') {
      const p = args.pDmaBuffer as { PhysicalAddress?: unknown; Offset?: unknown } | undefined;
      const base = num(p?.PhysicalAddress);
      const offset = num(p?.Offset);
      return base === undefined || offset === undefined ? undefined : base + offset;
    }
    const start = num(args.DmaBufferSubmissionStartOffset);
    const base = ddi === 'DxgkDdiPatch' ? num(args.DmaBufferSegmentAddress) : ddi === 'DxgkDdiSubmitCommand' ? num(args.DmaBufferPhysicalAddress) : undefined;
    return base === undefined || start === undefined ? undefined : base + start;
  } catch {
    return undefined;
  }
}

/** The DDI frame's instructionPointerReference: the buffer pointer as a memory reference. */
export function ddiBufferReference(ddi: string, args: Record<string, unknown>): string | undefined {
  const p = ddiBufferPointer(ddi, args);
  return p === undefined ? undefined : formatAddress(p);
}

/**
 * The code regions with the paging buffer DxgkDdiBuildPagingBuffer is writing (the event being
 * shown, else the kernel's current DDI) as the bytes written so far, so the Disassembly view
 * decodes them from the buffer's start and marks where the writing stopped.
 */
export function withDdiBuffer(regions: CodeRegion[], event: MachineEvent | undefined, state: MachineState | undefined): CodeRegion[] {
  const call = event && (event.kind === 'ddi-entry' || event.kind === 'ddi-return') ? event.call : state?.currentDdi;
  if (!call || call.ddi !== 'DxgkDdiBuildPagingBuffer') return regions;
  const p = ddiBufferPointer(call.ddi, call.args as Record<string, unknown>);
  let start: unknown;
  try {
    start = (call.args as { pDmaBuffer?: { PhysicalAddress?: unknown } }).pDmaBuffer?.PhysicalAddress;
  } catch {
    return regions;
  }
  if (p === undefined || typeof start !== 'number' || p <= start) return regions;
  return [...regions.filter((r) => r.start !== start), { start, length: p - start, name: 'paging buffer being built' }];
}
