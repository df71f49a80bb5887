// Places in a segment, as VidMm gives them and as the GPU takes them. The driver declares each
// segment's BaseAddress (DXGK_SEGMENTDESCRIPTOR) as where the hardware puts the segment in the
// GPU's view (DEVICE_REGISTERS.Segments[i].GpuBaseAddress); VidMm then gives every place in the
// segment as "the sum of the segment offset and the base address of the segment" (SegmentAddress,
// an allocation list's PhysicalAddress). The GPU's segment operands and registers take the offset,
// so the base comes off here, in one place.

import type { DEVICE_REGISTERS } from 'paging-lab/ddi';
import { type Location, segmentLocation } from 'paging-lab/gpu';

/** The offset in segment `segmentId` of the segment address VidMm gave. */
export function segmentOffset(registers: DEVICE_REGISTERS, segmentId: number, segmentAddress: number): number {
  const base = registers.Segments[segmentId - 1]?.GpuBaseAddress ?? 0;
  return segmentAddress - base;
}

/** The GPU operand for `plus` bytes past the segment address VidMm gave. */
export function segmentAt(registers: DEVICE_REGISTERS, segmentId: number, segmentAddress: number, plus = 0): Location {
  return segmentLocation(segmentId, segmentOffset(registers, segmentId, segmentAddress) + plus);
}
