import { cloneImage, createImage, type RgbImage } from '../image.js';
import type { Rng } from '../rng.js';
import { checkProbability, checkRange, clamp01 } from './pixel.js';

export interface GaussianNoiseOptions {
  /** Always applied in the ablation grid. */
  p?: number;
  /** Per-image σ ~ U(sigma), in [0, 1] pixel units; [0, 0.1] keeps the image recognisable. */
  sigma?: [number, number];
}

/** Add i.i.d. N(0, σ²) to every value, then clamp to [0, 1]. */
export function gaussianNoise(img: RgbImage, rng: Rng, { p = 1, sigma = [0, 0.1] }: GaussianNoiseOptions = {}): RgbImage {
  checkProbability('gaussianNoise', p);
  checkRange('gaussianNoise', 'sigma', sigma);
  if (!rng.bernoulli(p)) return cloneImage(img);
  const s = rng.uniform(sigma[0], sigma[1]);
  const out = createImage(img.width, img.height);
  for (let i = 0; i < img.data.length; i++) out.data[i] = clamp01(img.data[i] + s * rng.normal());
  return out;
}
