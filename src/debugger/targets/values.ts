// Turns live DDI arguments (what the driver sees) into debugger variables and expression values:
// enums and flags by name, NTSTATUS by name, addresses with a memory reference into the debug
// address space. Objects are expanded lazily through a per-stop registry, so a stop costs nothing
// for structures nobody opens.

import { DXGK_OPERATION_NAMES, statusName } from '../../sim/ddi/contract';
import { describeThrown } from '../../sim/driver/errors';
import { debugAddressOfSegment } from '../../sim/hw';
import { named, NamedValue, Value } from '../expression';
import { formatAddress } from '../memoryReference';
import type { VarNode } from '../model';
import { memDataId } from '../gpu/dataBreakpoints';
import { mdlDataId, mdlRanges } from '../gpu/mdlWatch';
import { hex } from '../../isa/hex';

export function operationValue(op: number): NamedValue {
  const name = DXGK_OPERATION_NAMES[op];
  return name ? named(op, name, `DXGK_OPERATION_${name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`) : named(op, String(op));
}

export function statusValue(status: number): NamedValue {
  return named(status, statusName(status));
}

/** A per-stop registry of objects whose children are fetched on demand. */
export class ObjectRegistry {
  private objects: unknown[] = [];
  private paths: string[] = [];
  /**
   * The offset in its segment of a segment address VidMm gave (which includes the BaseAddress the
   * driver declared; the debug address space counts from the segment's start). As given until the
   * adapter has started.
   */
  segmentOffset: (segmentId: number, address: number) => number = (_, address) => address;

  clear(): void {
    this.objects = [];
    this.paths = [];
  }

  /** Registers `o`; `path` is the expression it was reached by, which its members' evaluateName extend. */
  add(o: unknown, path = ''): string {
    this.objects.push(o);
    this.paths.push(path);
    return `obj:${this.objects.length - 1}`;
  }

  /** The expression a registered object was reached by ('' when unknown). */
  pathOf(key: string): string {
    const m = /^obj:(\d+)$/.exec(key);
    return (m && this.paths[Number(m[1])]) || '';
  }

  get(key: string): unknown {
    const m = /^obj:(\d+)$/.exec(key);
    if (!m) return undefined;
    return this.objects[Number(m[1])];
  }
}

function isMdl(o: Record<string, unknown>): boolean {
  return 'PfnArray' in o && 'ByteCount' in o;
}

/**
 * A data breakpoint on an MDL watches the bytes it describes: one range of memory when its pages are
 * contiguous, else the ranges its pages make (./gpu/mdlWatch.ts).
 */
function mdlWatchId(o: Record<string, unknown>): string | undefined {
  const count = o.ByteCount;
  const offset = typeof o.ByteOffset === 'number' ? o.ByteOffset : 0;
  // mdlRanges checks every page number it uses.
  const ranges = typeof count === 'number' && Array.isArray(o.PfnArray) ? mdlRanges(o.PfnArray as number[], offset, count) : undefined;
  if (!ranges) return undefined;
  return ranges.length === 1 ? memDataId(ranges[0][0], ranges[0][1] - ranges[0][0]) : mdlDataId(ranges);
}

/** The memory reference of an address-like field, from its name and its siblings. */
function addressReference(key: string, value: number, parent: Record<string, unknown>, segmentOffset: (segmentId: number, address: number) => number): string | undefined {
  if (!Number.isSafeInteger(value) || value < 0) return undefined;
  const segmentId = typeof parent.SegmentId === 'number' && parent.SegmentId > 0 ? parent.SegmentId : 0;
  // A place in a segment as VidMm gives it (DXGK_ALLOCATIONLIST, UpdatePageTable, SegmentAddress):
  // the segment's BaseAddress plus the offset. ReadPhysical and WritePhysical name a system address.
  const inSegment = segmentId > 0 && (key === 'SegmentAddress' || (key === 'PhysicalAddress' && ('hDeviceSpecificAllocation' in parent || 'VirtualAddress' in parent)));
  if (inSegment) {
    const offset = segmentOffset(segmentId, value);
    return offset >= 0 ? formatAddress(debugAddressOfSegment(segmentId, offset)) : undefined;
  }
  if (key === 'PhysicalAddress' || key === 'PageListPhysicalAddress' || key === 'DummyPage') return formatAddress(value);
  return undefined;
}

/** Describes `value` (the field `key` of `parent`) as a variable; what the driver left there may throw when read (a getter, a Proxy): then says so. */
export function toVar(key: string, value: unknown, parent: Record<string, unknown> | undefined, reg: ObjectRegistry, path: string, settable: boolean): VarNode {
  try {
    return describeVar(key, value, parent, reg, path, settable);
  } catch (e) {
    return { name: key, value: `<threw when read: ${describeThrown(e)}>` };
  }
}

function describeVar(key: string, value: unknown, parent: Record<string, unknown> | undefined, reg: ObjectRegistry, path: string, settable: boolean): VarNode {
  const evaluateName = path;
  if (value === null || value === undefined) return { name: key, value: String(value), evaluateName };
  if (typeof value === 'number') {
    if (key === 'Operation') return { name: key, value: `${DXGK_OPERATION_NAMES[value] ?? '?'} (${value})`, type: 'DXGK_BUILDPAGINGBUFFER_OPERATION', evaluateName };
    const ref = parent ? addressReference(key, value, parent, reg.segmentOffset) : undefined;
    const node: VarNode = { name: key, value: Number.isInteger(value) ? hex(value) : String(value), type: 'number', evaluateName };
    if (ref) node.memoryReference = ref;
    if (settable) node.settable = `set:${reg.add(parent)}:${key}`;
    return node;
  }
  if (typeof value === 'boolean') {
    const node: VarNode = { name: key, value: String(value), type: 'boolean', evaluateName };
    if (settable) node.settable = `set:${reg.add(parent)}:${key}`;
    return node;
  }
  if (typeof value === 'string') return { name: key, value: JSON.stringify(value), type: 'string', evaluateName };
  if (typeof value === 'bigint') return { name: key, value: '0x' + value.toString(16), type: 'bigint', evaluateName };
  if (typeof value === 'function') return { name: key, value: `function ${value.name || '(anonymous)'}`, type: 'function' };
  if (value instanceof Uint8Array) {
    return { name: key, value: `Uint8Array(${value.length})`, type: 'Uint8Array', lazy: reg.add(value), count: value.length };
  }
  if (Array.isArray(value)) {
    return { name: key, value: `Array(${value.length})`, type: 'array', lazy: reg.add(value, path), count: value.length, evaluateName };
  }
  const o = value as Record<string, unknown>;
  if (key === 'pDmaBuffer' && typeof o.Offset === 'number' && typeof o.PhysicalAddress === 'number') {
    const at = o.PhysicalAddress + o.Offset;
    const node: VarNode = { name: key, value: `${hex(at)} (+${hex(o.Offset)})`, type: 'DMA_BUFFER_POINTER', memoryReference: formatAddress(at), lazy: reg.add(o, path), evaluateName };
    // A data breakpoint on it watches what is left of the buffer from the cursor: what the driver writes next.
    const left = o.Bytes instanceof Uint8Array ? o.Bytes.length - o.Offset : 0;
    if (left > 0) node.dataId = memDataId(at, left);
    return node;
  }
  if (isMdl(o)) {
    const pages = (o.PfnArray as unknown[]).length;
    const dataId = mdlWatchId(o);
    return {
      ...(dataId ? { dataId } : {}),
      name: key,
      value: `MDL(${hex(o.ByteCount as number)} bytes, ${pages} page${pages === 1 ? '' : 's'})`,
      type: 'MDL',
      memoryReference: typeof o.PageListPhysicalAddress === 'number' ? formatAddress(o.PageListPhysicalAddress) : undefined,
      lazy: reg.add(o, path),
      evaluateName,
    };
  }
  if (key === 'Flags' || key.endsWith('Flags')) {
    const set = Object.entries(o).filter(([k, v]) => v === true && k !== 'Value').map(([k]) => k);
    return { name: key, value: set.length ? set.join(' | ') : '0', type: 'flags', lazy: reg.add(o, path), evaluateName };
  }
  const ctor = (o.constructor as { name?: string } | undefined)?.name;
  const summary = /^h[A-Z]/.test(key) || key === 'MiniportDeviceContext' ? `<${ctor && ctor !== 'Object' ? ctor : 'handle'}>` : ctor && ctor !== 'Object' ? ctor : '{…}';
  return { name: key, value: summary, type: ctor ?? 'object', lazy: reg.add(o, path), evaluateName };
}

/** Children of a registered object, as variables. */
export function childrenOf(o: unknown, reg: ObjectRegistry, path: string, settable: boolean): VarNode[] {
  if (o instanceof Uint8Array) {
    const rows: VarNode[] = [];
    for (let i = 0; i < Math.min(o.length, 4096); i += 16) {
      const slice = o.subarray(i, Math.min(i + 16, o.length));
      rows.push({ name: `[${hex(i)}]`, value: Array.from(slice, (b) => b.toString(16).padStart(2, '0')).join(' ') });
    }
    return rows;
  }
  if (Array.isArray(o)) return o.slice(0, 1000).map((v, i) => toVar(`[${i}]`, v, undefined, reg, `${path}[${i}]`, false));
  if (typeof o !== 'object' || o === null) return [];
  const rec = o as Record<string, unknown>;
  let keys: string[];
  try {
    keys = Object.keys(rec);
  } catch (e) {
    return [{ name: '<members>', value: `<threw when read: ${describeThrown(e)}>` }];
  }
  return keys.map((k) => {
    let v: unknown;
    try {
      v = rec[k];
    } catch (e) {
      return { name: k, value: `<threw when read: ${describeThrown(e)}>` };
    }
    return toVar(k, v, rec, reg, path ? `${path}.${k}` : k, settable);
  });
}

/** An argument object as an expression value (enums by name), depth-limited; a member that throws when read is left out. */
export function toValue(v: unknown, key = '', depth = 0): Value {
  try {
    return valueOf(v, key, depth);
  } catch {
    return undefined;
  }
}

function valueOf(v: unknown, key: string, depth: number): Value {
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint') {
    if (key === 'Operation' && typeof v === 'number') return operationValue(v);
    return v as Value;
  }
  if (depth > 6 || typeof v === 'function') return undefined;
  if (v instanceof Uint8Array) return v.length;
  if (Array.isArray(v)) return v.slice(0, 4096).map((x) => toValue(x, '', depth + 1));
  const out: Record<string, Value> = {};
  for (const k of Object.keys(v as object)) {
    let member: unknown;
    try {
      member = (v as Record<string, unknown>)[k];
    } catch {
      continue;
    }
    out[k] = toValue(member, k, depth + 1);
  }
  return out;
}
