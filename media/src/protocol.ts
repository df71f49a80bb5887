// Messages between the VRAM view's webview script and the extension host. Plain data, shared by
// both sides so they agree on one definition. Bytes travel as base64 (what DAP readMemory returns).

import type { Overlay } from './rows';
import type { NamedRegion } from './address';

/** What the view shows: a region of the debug address space. */
export interface ViewTarget {
  /** Title, e.g. "vram" or "allocation 0x12 (Texture)". */
  title: string;
  /** Debug address of the region's first byte. */
  base: number;
  size: number;
  /** Address to put the cursor on first. */
  cursor: number;
}

export interface ViewState {
  segments: NamedRegion[];
  overlays: Overlay[];
}

export type HostToView =
  | { type: 'init'; target: ViewTarget; bytesPerRow: number; state: ViewState; running: boolean }
  /** Bytes read for request `id`; `address` is where `base64` starts (bytes before it are unreadable). */
  | { type: 'data'; id: number; address: number; count: number; base64?: string; error?: string }
  | { type: 'stopped'; state: ViewState }
  | { type: 'continued' }
  | { type: 'memory'; address: number; count: number }
  | { type: 'ended' }
  | { type: 'goto'; address: number }
  /** Ctrl+G (a keybinding while the view is the active editor): put the keyboard in the go-to box. */
  | { type: 'focusGoto' }
  | { type: 'writeResult'; address: number; error?: string }
  /** A line for the view's status (why an action could not run). */
  | { type: 'notice'; text: string };

export type ViewToHost =
  | { type: 'ready' }
  | { type: 'read'; id: number; address: number; count: number }
  | { type: 'write'; address: number; base64: string }
  /** "Who wrote this?" on [address, address + length), or that range's history (every write, in order). */
  | { type: 'who'; address: number; length: number; history: boolean }
  | { type: 'status'; text: string };

export function isViewToHost(m: unknown): m is ViewToHost {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  const n = (k: string) => typeof (m as Record<string, unknown>)[k] === 'number' && Number.isSafeInteger((m as Record<string, number>)[k]);
  switch (t) {
    case 'ready': return true;
    case 'read': return n('id') && n('address') && n('count');
    case 'write': return n('address') && typeof (m as { base64?: unknown }).base64 === 'string';
    case 'status': return typeof (m as { text?: unknown }).text === 'string';
    case 'who': return n('address') && n('length') && (m as { length: number }).length > 0 && typeof (m as { history?: unknown }).history === 'boolean';
    default: return false;
  }
}

/** base64 without Buffer (the webview has atob/btoa; Node 20 has them too). */
export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return btoa(s);
}

export function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
