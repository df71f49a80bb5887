// Compares two V8 heap snapshots of one thread: live objects grouped by constructor (V8's node type
// and name: `object:Map`, `code`, `string`...), with the change in count and in bytes (self size),
// largest change first. What grows between two points of a soak is what a leak would be made of.

import { readFileSync } from 'node:fs';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface Growth {
  what: string;
  count: number;
  bytes: number;
}

/** Live objects of a snapshot file by constructor: count and self size. */
function byConstructor(file: string): Map<string, { count: number; bytes: number }> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const width = fields.length;
  const type = fields.indexOf('type');
  const name = fields.indexOf('name');
  const size = fields.indexOf('self_size');
  const groups = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const t = types[s.nodes[i + type]];
    // Strings, numbers and code are named by their content: group them by type alone.
    const key = t === 'object' || t === 'closure' || t === 'native' || t === 'hidden' || t === 'object shape' ? `${t}:${s.strings[s.nodes[i + name]].slice(0, 60)}` : t;
    const g = groups.get(key) ?? { count: 0, bytes: 0 };
    g.count++;
    g.bytes += s.nodes[i + size];
    groups.set(key, g);
  }
  return groups;
}

/** What changed from snapshot `a` to snapshot `b`, largest change in bytes first. */
export function heapGrowth(a: string, b: string, top = 6): Growth[] {
  const before = byConstructor(a);
  const after = byConstructor(b);
  const out: Growth[] = [];
  for (const what of new Set([...before.keys(), ...after.keys()])) {
    const x = before.get(what) ?? { count: 0, bytes: 0 };
    const y = after.get(what) ?? { count: 0, bytes: 0 };
    if (y.bytes !== x.bytes || y.count !== x.count) out.push({ what, count: y.count - x.count, bytes: y.bytes - x.bytes });
  }
  return out.sort((p, q) => Math.abs(q.bytes) - Math.abs(p.bytes)).slice(0, top);
}
