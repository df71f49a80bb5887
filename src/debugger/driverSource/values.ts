// How a JavaScript value of the driver reads in the Variables view, the hover and the Debug Console,
// from the inspector's description of it (so nothing of the driver's code runs to show it): what a
// JavaScript debugger shows, e.g. `4096`, `"Transfer"`, `{size: 65536, tiled: false, …}`,
// `Array(4) [null, null, null, null]`, `ƒ emit(args, mnemonic, operands, flags)`.

import type { ObjectPreview, RemoteObject } from '../runtime/cdp';

const MAX_STRING = 200;

function quote(s: string): string {
  const q = JSON.stringify(s.length > MAX_STRING ? s.slice(0, MAX_STRING) : s);
  return s.length > MAX_STRING ? `${q.slice(0, -1)}…"` : q;
}

function previewValue(p: ObjectPreview['properties'][number]): string {
  if (p.type === 'string') return quote(p.value ?? '');
  if (p.type === 'function') return 'ƒ';
  if (p.type === 'object' && p.subtype !== 'null') return p.value && p.value !== 'Object' ? p.value : '{…}';
  return p.value ?? p.type;
}

function previewText(o: RemoteObject): string | undefined {
  const p = o.preview;
  if (!p) return undefined;
  const isArray = o.subtype === 'array' || o.subtype === 'typedarray';
  const items = p.properties.map((x) => (isArray ? previewValue(x) : `${x.name}: ${previewValue(x)}`));
  if (p.overflow) items.push('…');
  const body = isArray ? `[${items.join(', ')}]` : `{${items.join(', ')}}`;
  const head = o.description && o.description !== 'Object' ? `${o.description} ` : '';
  return head + body;
}

/** The one-line text of a value. */
export function valueText(o: RemoteObject): string {
  switch (o.type) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return quote(String(o.value));
    case 'number':
    case 'bigint':
      return o.description ?? o.unserializableValue ?? String(o.value);
    case 'boolean':
      return String(o.value);
    case 'symbol':
      return o.description ?? 'Symbol()';
    case 'function': {
      const d = (o.description ?? '').split('\n')[0].replace(/\s*\{.*$/, '').replace(/^function\s*/, '');
      return `ƒ ${d || o.className || 'function'}`;
    }
    case 'object':
      if (o.subtype === 'null') return 'null';
      if (o.subtype === 'error') return (o.description ?? 'Error').split('\n')[0];
      if (o.subtype === 'regexp' || o.subtype === 'date') return o.description ?? o.className ?? 'Object';
      return previewText(o) ?? o.description ?? o.className ?? 'Object';
  }
}

/** The type name the Variables view may show. */
export function typeText(o: RemoteObject): string {
  if (o.type === 'object') return o.subtype === 'null' ? 'null' : (o.className ?? 'Object');
  return o.type;
}

/** Whether the value has members to expand. */
export function expandable(o: RemoteObject): boolean {
  return (o.type === 'object' && o.subtype !== 'null' && !!o.objectId) || false;
}
