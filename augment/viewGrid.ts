import { toRgbBytes } from './image.js';

/**
 * Tile the first `pairs` (view 1, view 2) pairs of a [2B, S, S, 3] batch for an image
 * summary: one row per image, view 1 on the left and view 2 on the right, as 8-bit RGB.
 */
export function viewPairsGrid(batch: Float32Array, B: number, S: number, pairs = 8): { width: number; height: number; rgb: Uint8Array } {
  if (batch.length !== 2 * B * S * S * 3) throw new Error(`viewPairsGrid: batch has ${batch.length} values, expected 2·${B}·${S}·${S}·3`);
  const rows = Math.min(pairs, B);
  const width = 2 * S;
  const height = rows * S;
  const rgb = new Uint8Array(width * height * 3);
  const viewLength = S * S * 3;
  for (let i = 0; i < rows; i++) {
    for (let v = 0; v < 2; v++) {
      const start = (v * B + i) * viewLength;
      const bytes = toRgbBytes({ width: S, height: S, data: batch.subarray(start, start + viewLength) });
      for (let y = 0; y < S; y++) rgb.set(bytes.subarray(y * S * 3, (y + 1) * S * 3), ((i * S + y) * width + v * S) * 3);
    }
  }
  return { width, height, rgb };
}
