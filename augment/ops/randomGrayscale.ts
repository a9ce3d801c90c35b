import { cloneImage, createImage, type RgbImage } from '../image.js';
import type { Rng } from '../rng.js';
import { checkProbability, luma } from './pixel.js';

export interface RandomGrayscaleOptions {
  p?: number;
}

/** Luma written to all three channels (deterministic). */
export function toGrayscale(img: RgbImage): RgbImage {
  const out = createImage(img.width, img.height);
  const d = img.data;
  for (let i = 0; i < d.length; i += 3) {
    const y = luma(d[i], d[i + 1], d[i + 2]);
    out.data[i] = y;
    out.data[i + 1] = y;
    out.data[i + 2] = y;
  }
  return out;
}

/** Grayscale with probability p (SimCLR: 0.2). */
export function randomGrayscale(img: RgbImage, rng: Rng, { p = 0.2 }: RandomGrayscaleOptions = {}): RgbImage {
  checkProbability('randomGrayscale', p);
  return rng.bernoulli(p) ? toGrayscale(img) : cloneImage(img);
}
