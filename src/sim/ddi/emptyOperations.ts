// The paging operations a driver may answer with STATUS_SUCCESS and nothing written: DiscardContent
// (a hint the hardware may have nothing to do for) and NotifyResidency (it informs the driver). For
// every other operation an empty answer means the operation silently does not happen; the kernel
// and the verifier's dma-pointer-not-advanced rule both ask this one place.

import { DXGK_OPERATION_DISCARD_CONTENT, DXGK_OPERATION_NOTIFY_RESIDENCY } from './contract';

export function mayWriteNothing(operation: number): boolean {
  return operation === DXGK_OPERATION_DISCARD_CONTENT || operation === DXGK_OPERATION_NOTIFY_RESIDENCY;
}
