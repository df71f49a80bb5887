// Which NTSTATUS values each DDI may return, per the WDK reference pages. The kernel treats any
// other value as a driver bug and reports it (naming the DDI, its arguments and the driver's line).
// Pages that list their return codes are followed to the letter. The others allow any code of
// error severity: DxgkDdiAddDevice, DxgkDdiStartDevice and DxgkDdiStopDevice return "STATUS_SUCCESS
// if it succeeds; otherwise, ... one of the error codes defined in Ntstatus.h", DriverEntry what
// DxgkInitialize returned (the same words) or an error of its own, and DxgkDdiDestroyAllocation
// and DxgkDdiReleaseSwizzlingRange "STATUS_SUCCESS, or an appropriate error result" when nothing
// was released.

import {
  type DdiName,
  STATUS_GRAPHICS_ALLOCATION_BUSY,
  STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_INVALID_PARAMETER,
  STATUS_NO_MEMORY,
  STATUS_SUCCESS,
  STATUS_GRAPHICS_DRIVER_MISMATCH,
  STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE,
  STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNSUPPORTED,
  NT_ERROR,
  statusName,
  DXGK_OPERATION_TRANSFER,
  DXGK_OPERATION_DISCARD_CONTENT,
  DXGK_OPERATION_SPECIAL_LOCK_TRANSFER,
} from './contract';

const RULES: Partial<Record<DdiName, readonly number[]>> = {
  DxgkDdiQueryAdapterInfo: [STATUS_SUCCESS, STATUS_INVALID_PARAMETER, STATUS_NO_MEMORY, STATUS_GRAPHICS_DRIVER_MISMATCH],
  DxgkDdiCreateAllocation: [STATUS_SUCCESS, STATUS_INVALID_PARAMETER, STATUS_NO_MEMORY, STATUS_GRAPHICS_DRIVER_MISMATCH],
  DxgkDdiBuildPagingBuffer: [STATUS_SUCCESS, STATUS_GRAPHICS_INSUFFICIENT_DMA_BUFFER, STATUS_GRAPHICS_ALLOCATION_BUSY],
  DxgkDdiPatch: [STATUS_SUCCESS],
  DxgkDdiSubmitCommand: [STATUS_SUCCESS],
  DxgkDdiAcquireSwizzlingRange: [STATUS_SUCCESS, STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNSUPPORTED, STATUS_GRAPHICS_UNSWIZZLING_APERTURE_UNAVAILABLE],
  DxgkDdiBusMasterTransfer: [STATUS_SUCCESS, STATUS_INSUFFICIENT_RESOURCES],
};

/** The DDIs whose page allows STATUS_SUCCESS or any error code defined in Ntstatus.h. */
const SUCCESS_OR_ANY_ERROR: ReadonlySet<string> = new Set(['DriverEntry', 'DxgkDdiAddDevice', 'DxgkDdiStartDevice', 'DxgkDdiStopDevice', 'DxgkDdiDestroyAllocation', 'DxgkDdiReleaseSwizzlingRange']);

export function allowedStatuses(ddi: DdiName): readonly number[] {
  return RULES[ddi] ?? [STATUS_SUCCESS];
}

/**
 * What Windows does when `ddi` returns error code `status`, where its page says (DxgkDdiPatch's and
 * DxgkDdiSubmitCommand's: "the operating system causes a system bugcheck to occur"); else ''.
 */
export function errorConsequence(ddi: DdiName, status: number): string {
  if (!NT_ERROR(status >>> 0)) return '';
  const cause = ddi === 'DxgkDdiSubmitCommand' ? 0x2 : ddi === 'DxgkDdiPatch' ? 0x3 : 0;
  return cause ? `; on Windows an error code here stops the system with BugCheck 0x119 (VIDEO_SCHEDULER_INTERNAL_ERROR), first parameter 0x${cause.toString(16)}` : '';
}

/** What `ddi` may return, for a message: the codes its page lists, or success and any error code. */
export function describeAllowed(ddi: DdiName): string {
  if (SUCCESS_OR_ANY_ERROR.has(ddi)) return 'STATUS_SUCCESS, or an error code of Ntstatus.h (0xC0000000 and above)';
  return allowedStatuses(ddi).map(statusName).join(', ');
}

/**
 * Whether `status` is a value `ddi` may return. For DxgkDdiBuildPagingBuffer the WDK allows
 * STATUS_GRAPHICS_ALLOCATION_BUSY only for the operations that reference an allocation the GPU may
 * be using: Transfer, DiscardContent and SpecialLockTransfer.
 */
export function isAllowedStatus(ddi: DdiName, status: number, operation?: number): boolean {
  const s = status >>> 0;
  if (SUCCESS_OR_ANY_ERROR.has(ddi)) return s === STATUS_SUCCESS || NT_ERROR(s);
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
