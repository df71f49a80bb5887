// Hex-digit editing and cursor movement for the VRAM view's keyboard handling. Pure (no DOM).
// Typing a hex digit sets the high nibble of the byte under the cursor, then the low nibble,
// then moves to the next byte, as in a hex editor.

export interface EditState {
  cursor: number;
  /** 0: next digit is the high nibble; 1: the low nibble. */
  nibble: 0 | 1;
}

export interface EditResult {
  state: EditState;
  /** The byte's new value to write at `address`. */
  write: { address: number; value: number };
}

export function typeHexDigit(state: EditState, current: number, key: string, regionEnd: number): EditResult | undefined {
  if (!/^[0-9a-fA-F]$/.test(key)) return undefined;
  const d = parseInt(key, 16);
  const value = state.nibble === 0 ? (d << 4) | (current & 0x0f) : (current & 0xf0) | d;
  const next: EditState =
    state.nibble === 0 ? { cursor: state.cursor, nibble: 1 } : { cursor: Math.min(state.cursor + 1, regionEnd - 1), nibble: 0 };
  return { state: next, write: { address: state.cursor, value } };
}

export type NavKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'PageUp' | 'PageDown' | 'Home' | 'End';

/**
 * The cursor after a navigation key. Home/End go to the row's start/end, or with ctrl to the
 * region's start/end.
 */
export function moveCursor(
  cursor: number,
  key: NavKey,
  opts: { base: number; size: number; bytesPerRow: number; pageRows: number; ctrl?: boolean },
): number {
  const { base, size, bytesPerRow, pageRows } = opts;
  const end = base + size - 1;
  const rowStart = base + Math.floor((cursor - base) / bytesPerRow) * bytesPerRow;
  let c = cursor;
  switch (key) {
    case 'ArrowLeft': c = cursor - 1; break;
    case 'ArrowRight': c = cursor + 1; break;
    case 'ArrowUp': c = cursor - bytesPerRow; break;
    case 'ArrowDown': c = cursor + bytesPerRow; break;
    case 'PageUp': c = cursor - bytesPerRow * pageRows; break;
    case 'PageDown': c = cursor + bytesPerRow * pageRows; break;
    case 'Home': c = opts.ctrl ? base : rowStart; break;
    case 'End': c = opts.ctrl ? end : Math.min(rowStart + bytesPerRow - 1, end); break;
  }
  if (c < base) return key === 'ArrowUp' || key === 'PageUp' ? cursor - Math.floor((cursor - base) / bytesPerRow) * bytesPerRow : base;
  if (c > end) return key === 'ArrowDown' || key === 'PageDown' ? cursor + Math.floor((end - cursor) / bytesPerRow) * bytesPerRow : end;
  return c;
}
