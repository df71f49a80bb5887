// Compact, readable renderings of DDI arguments for traces and error reports: byte arrays and MDLs
// are summarized, driver handles shown by type, depth bounded.

import { DXGK_OPERATION_NAMES } from '../ddi/contract';

export function describeValue(v: unknown, depth = 3): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'number') return Number.isInteger(v) && v > 0xffff ? `0x${v.toString(16)}` : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'function') return `[function ${v.name || 'anonymous'}]`;
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (Array.isArray(v)) {
    if (depth <= 0) return `[${v.length} items]`;
    const items = v.slice(0, 8).map((x) => describeValue(x, depth - 1));
    return `[${items.join(', ')}${v.length > 8 ? `, …${v.length - 8} more` : ''}]`;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('PfnArray' in o && 'ByteCount' in o) return `MDL(${o.ByteCount} bytes, ${(o.PfnArray as unknown[]).length} pages)`;
    if (depth <= 0) return '{…}';
    const parts: string[] = [];
    for (const [k, x] of Object.entries(o)) {
      if (k === 'Operation' && typeof x === 'number') parts.push(`Operation: ${DXGK_OPERATION_NAMES[x] ?? x}`);
      else if (k === 'pDmaBuffer' && x && typeof x === 'object' && 'Offset' in x) {
        const p = x as { Offset: number; PhysicalAddress: number };
        parts.push(`pDmaBuffer: 0x${(p.PhysicalAddress + p.Offset).toString(16)} (+${p.Offset})`);
      } else if (/^h[A-Z]/.test(k) && x && typeof x === 'object') parts.push(`${k}: <${x.constructor?.name ?? 'object'}>`);
      else if (k === 'DriverObject' || k === 'DxgkInterface') parts.push(`${k}: {…}`);
      else parts.push(`${k}: ${describeValue(x, depth - 1)}`);
    }
    return `{ ${parts.join(', ')} }`;
  }
  return String(v);
}
