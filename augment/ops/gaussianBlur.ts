import { cloneImage, createImage, type RgbImage } from '../image.js';
import type { Rng } from '../rng.js';
import { checkProbability, checkRange, reflectIndex } from './pixel.js';

export interface GaussianBlurOptions {
  p?: number;
  /** σ in pixels is sampled uniformly from this range. */
  sigma?: [number, number];
}

/** SimCLR's kernel: side ≈ 10% of the image side, forced odd and at least 3. */
export function blurKernelRadius(side: number): number {
  return Math.max(1, Math.floor(Math.floor(side / 10) / 2));
}

function gaussianKernel(radius: number, sigma: number): Float64Array {
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/** Separable Gaussian blur with reflect padding (deterministic). */
export function blurImage(img: RgbImage, sigma: number, radius = blurKernelRadius(Math.max(img.width, img.height))): RgbImage {
  if (!(sigma > 0)) throw new Error(`gaussianBlur: sigma must be > 0, got ${sigma}`);
  const { width, height } = img;
  const kernel = gaussianKernel(radius, sigma);
  const tmp = createImage(width, height);
  const out = createImage(width, height);
  // Horizontal pass, then vertical: O(k) per pixel instead of O(k²).
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0;
      for (let t = -radius; t <= radius; t++) {
        const s = row + reflectIndex(x + t, width) * 3;
        const w = kernel[t + radius];
        r += w * img.data[s];
        g += w * img.data[s + 1];
        b += w * img.data[s + 2];
      }
      const d = row + x * 3;
      tmp.data[d] = r;
      tmp.data[d + 1] = g;
      tmp.data[d + 2] = b;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0;
      for (let t = -radius; t <= radius; t++) {
        const s = (reflectIndex(y + t, height) * width + x) * 3;
        const w = kernel[t + radius];
        r += w * tmp.data[s];
        g += w * tmp.data[s + 1];
        b += w * tmp.data[s + 2];
      }
      const d = (y * width + x) * 3;
      out.data[d] = r;
      out.data[d + 1] = g;
      out.data[d + 2] = b;
    }
  }
  return out;
}

/** Blur with probability p (SimCLR: 0.5), σ ~ U(sigma). */
export function gaussianBlur(img: RgbImage, rng: Rng, { p = 0.5, sigma = [0.1, 2.0] }: GaussianBlurOptions = {}): RgbImage {
  checkProbability('gaussianBlur', p);
  checkRange('gaussianBlur', 'sigma', sigma, Number.MIN_VALUE);
  if (!rng.bernoulli(p)) return cloneImage(img);
  return blurImage(img, rng.uniform(sigma[0], sigma[1]));
}
