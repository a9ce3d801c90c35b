import { cloneImage, createImage, type RgbImage } from '../image.js';
import type { Rng } from '../rng.js';
import { checkProbability } from './pixel.js';

export interface SolarizeOptions {
  /** Always applied in the ablation grid (BYOL uses 0.2 on its second view). */
  p?: number;
  threshold?: number;
}

/** Values at or above the threshold are inverted (v → 1 − v), as in PIL's ImageOps.solarize. */
export function solarize(img: RgbImage, rng: Rng, { p = 1, threshold = 0.5 }: SolarizeOptions = {}): RgbImage {
  checkProbability('solarize', p);
  if (!(threshold >= 0 && threshold <= 1)) throw new Error(`solarize: threshold must be in [0, 1], got ${threshold}`);
  if (!rng.bernoulli(p)) return cloneImage(img);
  const out = createImage(img.width, img.height);
  for (let i = 0; i < img.data.length; i++) {
    const v = img.data[i];
    out.data[i] = v >= threshold ? 1 - v : v;
  }
  return out;
}
