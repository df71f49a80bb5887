// What the VRAM view can be opened on, computed from the adapter state: segments and allocations
// as regions of the debug address space, the region that holds an address, and memory references.
// No `vscode` here, so it runs under plain mocha.

import type { AdapterStateResponse, AllocationState, SegmentState } from '../debugger/customRequests';
import { debugAddressOfSegment, DEBUG_SEGMENT_STRIDE } from '../isa/debugAddress';
import { DEFAULT_SEGMENTS } from '../isa/profile';
import type { NamedRegion } from '../../media/src/address';
import type { Overlay } from '../../media/src/rows';
import type { ViewState, ViewTarget } from '../../media/src/protocol';

/** The segments to show: the adapter's when a session has stopped, else the default profile's. */
export function segmentRegions(state: AdapterStateResponse | undefined): NamedRegion[] {
  const list = state?.segments ?? DEFAULT_SEGMENTS.map((s) => ({ id: s.id, name: s.name, size: s.size }));
  return list.map((s) => ({ name: s.name, address: debugAddressOfSegment(s.id), size: s.size }));
}

export function allocationAddress(a: AllocationState): number | undefined {
  if (a.state !== 'resident' || a.segmentId === undefined || a.offset === undefined) return undefined;
  return debugAddressOfSegment(a.segmentId, a.offset);
}

export function allocationLabel(a: AllocationState): string {
  return a.name ? `${a.name} (0x${a.handle.toString(16)})` : `allocation 0x${a.handle.toString(16)}`;
}

/** Resident allocations, drawn over the hex grid with their names. */
export function overlaysOf(state: AdapterStateResponse | undefined): Overlay[] {
  const out: Overlay[] = [];
  for (const a of state?.allocations ?? []) {
    const address = allocationAddress(a);
    if (address !== undefined && a.size > 0) out.push({ name: allocationLabel(a), address, size: a.size });
  }
  return out;
}

export function viewState(state: AdapterStateResponse | undefined): ViewState {
  return { segments: segmentRegions(state), overlays: overlaysOf(state) };
}

/** The region holding `address`: its segment, or system memory below the first segment. */
export function targetForAddress(address: number, state: AdapterStateResponse | undefined, title?: string): ViewTarget {
  if (!Number.isSafeInteger(address) || address < 0) throw new Error(`${address} is not an address in the debug address space.`);
  for (const s of segmentRegions(state)) {
    if (address >= s.address && address < s.address + s.size) return { title: title ?? s.name, base: s.address, size: s.size, cursor: address };
  }
  if (address < DEBUG_SEGMENT_STRIDE) return { title: title ?? 'system memory', base: 0, size: DEBUG_SEGMENT_STRIDE, cursor: address };
  throw new Error(`0x${address.toString(16)} is in no segment of the adapter (segment N starts at N * 2^40).`);
}

export function targetForSegment(s: Pick<SegmentState, 'id' | 'name' | 'size'>): ViewTarget {
  const base = debugAddressOfSegment(s.id);
  return { title: s.name, base, size: s.size, cursor: base };
}

export function targetForAllocation(a: AllocationState, state: AdapterStateResponse | undefined): ViewTarget {
  const address = allocationAddress(a);
  if (address === undefined) {
    throw new Error(`${allocationLabel(a)} is ${a.state}, not resident in a segment: there are no VRAM bytes to show.`);
  }
  return { ...targetForAddress(address, state), title: allocationLabel(a) };
}

/**
 * The DAP memory reference of a debug address. The adapter's references are URI-safe hex
 * strings of the address; `parseMemoryReference` also accepts the references the adapter hands
 * out for segments and allocations.
 */
export function memoryReferenceOf(address: number): string {
  return '0x' + address.toString(16);
}

export function parseMemoryReference(ref: string, state?: AdapterStateResponse): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(ref)) {
    const n = parseInt(ref.slice(2), 16);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  if (/^\d+$/.test(ref)) return Number(ref);
  const seg = state?.segments.find((s) => s.memoryReference === ref);
  if (seg) return debugAddressOfSegment(seg.id);
  const alloc = state?.allocations.find((a) => a.memoryReference === ref);
  return alloc ? allocationAddress(alloc) : undefined;
}
