// Which NTSTATUS values each DDI may return, per the WDK reference pages. The kernel treats any
// other value as a driver bug and reports it (naming the DDI, its arguments and the driver's line).

import {
  type DdiName,
  STATUS_GRAPHICS_ALLOCATION_BUSY,
  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_INVALID_PARAMETER,
  STATUS_NO_MEMORY,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  STATUS_NOT_SUPPORTED,
  STATUS_GRAPHICS_NO_VIDEO_MEMORY,
  DXGK_OPERATION_TRANSFER,
  DXGK_OPERATION_DISCARD_CONTENT,
  DXGK_OPERATION_SPECIAL_LOCK_TRANSFER,
} from './contract';

const RULES: Partial<Record<DdiName, readonly number[]>> = {
  DriverEntry: [STATUS_SUCCESS, STATUS_UNSUCCESSFUL, STATUS_INVALID_PARAMETER],
  DxgkDdiAddDevice: [STATUS_SUCCESS, STATUS_NO_MEMORY, STATUS_UNSUCCESSFUL],
  DxgkDdiStartDevice: [STATUS_SUCCESS, STATUS_NO_MEMORY, STATUS_UNSUCCESSFUL, STATUS_INSUFFICIENT_RESOURCES],
  DxgkDdiStopDevice: [STATUS_SUCCESS],
  DxgkDdiQueryAdapterInfo: [STATUS_SUCCESS, STATUS_INVALID_PARAMETER, STATUS_NO_MEMORY, STATUS_NOT_SUPPORTED],
  DxgkDdiCreateAllocation: [STATUS_SUCCESS, STATUS_INVALID_PARAMETER, STATUS_NO_MEMORY, STATUS_GRAPHICS_NO_VIDEO_MEMORY],
  DxgkDdiDestroyAllocation: [STATUS_SUCCESS],
  DxgkDdiBuildPagingBuffer: [STATUS_SUCCESS, STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER, STATUS_GRAPHICS_ALLOCATION_BUSY],
  DxgkDdiPatch: [STATUS_SUCCESS],
  DxgkDdiSubmitCommand: [STATUS_SUCCESS],
  DxgkDdiAcquireSwizzlingRange: [STATUS_SUCCESS, STATUS_INSUFFICIENT_RESOURCES, STATUS_NO_MEMORY, STATUS_UNSUCCESSFUL],
  DxgkDdiReleaseSwizzlingRange: [STATUS_SUCCESS],
  DxgkDdiBusMasterTransfer: [STATUS_SUCCESS, STATUS_INSUFFICIENT_RESOURCES],
};

export function allowedStatuses(ddi: DdiName): readonly number[] {
  return RULES[ddi] ?? [STATUS_SUCCESS];
}

/**
 * Whether `status` is a value `ddi` may return. For DxgkDdiBuildPagingBuffer the WDK allows
 * STATUS_GRAPHICS_ALLOCATION_BUSY only for the operations that reference an allocation the GPU may
 * be using: Transfer, DiscardContent and SpecialLockTransfer.
 */
export function isAllowedStatus(ddi: DdiName, status: number, operation?: number): boolean {
  const s = status >>> 0;
  if (!allowedStatuses(ddi).includes(s)) return false;
  if (ddi === 'DxgkDdiBuildPagingBuffer' && s === STATUS_GRAPHICS_ALLOCATION_BUSY) {
    return (
      operation === DXGK_OPERATION_TRANSFER ||
      operation === DXGK_OPERATION_DISCARD_CONTENT ||
      operation === DXGK_OPERATION_SPECIAL_LOCK_TRANSFER
    );
  }
  return true;
}
