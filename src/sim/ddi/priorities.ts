// The allocation priority levels of D3dukmdt.h (D3DDDI_ALLOCATIONPRIORITY_*), by the names a
// scenario's set-priority step uses and the names traces and the debugger print.

import {
  D3DDDI_ALLOCATIONPRIORITY_HIGH,
  D3DDDI_ALLOCATIONPRIORITY_LOW,
  D3DDDI_ALLOCATIONPRIORITY_MAXIMUM,
  D3DDDI_ALLOCATIONPRIORITY_MINIMUM,
  D3DDDI_ALLOCATIONPRIORITY_NORMAL,
} from './contract';

export const PRIORITY_LEVELS = {
  minimum: D3DDDI_ALLOCATIONPRIORITY_MINIMUM,
  low: D3DDDI_ALLOCATIONPRIORITY_LOW,
  normal: D3DDDI_ALLOCATIONPRIORITY_NORMAL,
  high: D3DDDI_ALLOCATIONPRIORITY_HIGH,
  maximum: D3DDDI_ALLOCATIONPRIORITY_MAXIMUM,
} as const;

const NAMES = new Map<number, string>(Object.entries(PRIORITY_LEVELS).map(([k, v]) => [v, `D3DDDI_ALLOCATIONPRIORITY_${k.toUpperCase()}`]));

/** A priority level by its D3dukmdt.h name, or in hex between them ("0x78000001 [...] slightly above normal"). */
export function priorityName(priority: number): string {
  return NAMES.get(priority) ?? `0x${priority.toString(16)}`;
}
