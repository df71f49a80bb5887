// The tiled layout shared by the `swizzle`/`unswizzle` opcodes and the CPU aperture's swizzling
// ranges: a surface of `pitch` bytes per row is cut into tiles of TILE_ROWS rows of
// TILE_WIDTH_BYTES bytes (4 KiB), stored tile after tile, row-major across the surface.

import { TILE_ROWS, TILE_WIDTH_BYTES } from '../../isa/opcodes';

export const TILE_BYTES = TILE_WIDTH_BYTES * TILE_ROWS;

/** Offset in the tiled layout of the byte at `linear` in the linear layout. */
export function tiledOffset(linear: number, pitch: number): number {
  const row = Math.floor(linear / pitch);
  const col = linear - row * pitch;
  const tileX = Math.floor(col / TILE_WIDTH_BYTES);
  const tileY = Math.floor(row / TILE_ROWS);
  const tile = tileY * (pitch / TILE_WIDTH_BYTES) + tileX;
  return tile * TILE_BYTES + (row % TILE_ROWS) * TILE_WIDTH_BYTES + (col % TILE_WIDTH_BYTES);
}

/** Why a surface geometry cannot be tiled, or null. */
export function tilingProblem(size: number, pitch: number): string | null {
  if (!Number.isInteger(pitch) || pitch < TILE_WIDTH_BYTES || pitch % TILE_WIDTH_BYTES !== 0) {
    return `pitch ${pitch} is not a positive multiple of ${TILE_WIDTH_BYTES}`;
  }
  if (!Number.isInteger(size) || size <= 0 || size % (pitch * TILE_ROWS) !== 0) {
    return `size ${size} is not a multiple of pitch * ${TILE_ROWS} (${pitch * TILE_ROWS})`;
  }
  return null;
}

/**
 * Rearranges one band of TILE_ROWS rows (pitch * TILE_ROWS bytes) between layouts.
 * toTiled: `src` linear, `dst` tiled; otherwise the inverse.
 */
export function retileBand(src: Uint8Array, dst: Uint8Array, pitch: number, toTiled: boolean): void {
  const tilesPerRow = pitch / TILE_WIDTH_BYTES;
  for (let row = 0; row < TILE_ROWS; row++) {
    for (let tx = 0; tx < tilesPerRow; tx++) {
      const lin = row * pitch + tx * TILE_WIDTH_BYTES;
      const til = tx * TILE_BYTES + row * TILE_WIDTH_BYTES;
      if (toTiled) dst.set(src.subarray(lin, lin + TILE_WIDTH_BYTES), til);
      else dst.set(src.subarray(til, til + TILE_WIDTH_BYTES), lin);
    }
  }
}
