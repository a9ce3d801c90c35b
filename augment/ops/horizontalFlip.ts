import { cloneImage, createImage, type RgbImage } from '../image.js';
import type { Rng } from '../rng.js';
import { checkProbability } from './pixel.js';

export interface HorizontalFlipOptions {
  p?: number;
}

/** Mirror left-right (deterministic). */
export function flipLeftRight(img: RgbImage): RgbImage {
  const out = createImage(img.width, img.height);
  const { width, height } = img;
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let x = 0; x < width; x++) {
      const s = row + x * 3;
      const d = row + (width - 1 - x) * 3;
      out.data[d] = img.data[s];
      out.data[d + 1] = img.data[s + 1];
      out.data[d + 2] = img.data[s + 2];
    }
  }
  return out;
}

/** Flip left-right with probability p (a copy otherwise). */
export function horizontalFlip(img: RgbImage, rng: Rng, { p = 0.5 }: HorizontalFlipOptions = {}): RgbImage {
  checkProbability('horizontalFlip', p);
  return rng.bernoulli(p) ? flipLeftRight(img) : cloneImage(img);
}
