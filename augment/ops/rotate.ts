import { createImage, type RgbImage } from '../image.js';
import type { Rng } from '../rng.js';
import { checkProbability } from './pixel.js';

export interface RotateOptions {
  /** Always applied in the ablation grid (a quarter of the draws are 0° anyway). */
  p?: number;
}

/** Rotate counter-clockwise by k·90° (deterministic); width and height swap for odd k. */
export function rotate90(img: RgbImage, k: number): RgbImage {
  const turns = ((k % 4) + 4) % 4;
  const { width: w, height: h } = img;
  const out = turns % 2 === 0 ? createImage(w, h) : createImage(h, w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Destination of source pixel (x, y) for a counter-clockwise rotation.
      const [dx, dy] = turns === 0 ? [x, y] : turns === 1 ? [y, w - 1 - x] : turns === 2 ? [w - 1 - x, h - 1 - y] : [h - 1 - y, x];
      const s = (y * w + x) * 3;
      const d = (dy * out.width + dx) * 3;
      out.data[d] = img.data[s];
      out.data[d + 1] = img.data[s + 1];
      out.data[d + 2] = img.data[s + 2];
    }
  }
  return out;
}

/** Rotate by a uniformly random multiple of 90° (0, 90, 180 or 270). */
export function rotate(img: RgbImage, rng: Rng, { p = 1 }: RotateOptions = {}): RgbImage {
  checkProbability('rotate', p);
  return rotate90(img, rng.bernoulli(p) ? rng.int(4) : 0);
}
