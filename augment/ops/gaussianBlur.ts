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
export function blurImage(img: RgbImage, sigma: number, maxRadius = blurKernelRadius(Math.max(img.width, img.height))): RgbImage {
  if (!(sigma > 0)) throw new Error(`gaussianBlur: sigma must be > 0, got ${sigma}`);
  const { width, height } = img;
  // Taps beyond 4σ carry < 1e-4 of the weight (below 8-bit precision): drop them, it halves the cost.
  const radius = Math.min(maxRadius, Math.ceil(4 * sigma));
  const kernel = gaussianKernel(radius, sigma);
  const taps = kernel.length;
  const rowLength = width * 3;
  // Horizontal pass over one reflect-padded row at a time, so the inner loop is contiguous.
  const tmp = new Float32Array(img.data.length);
  const padded = new Float32Array((width + 2 * radius) * 3);
  for (let y = 0; y < height; y++) {
    const row = y * rowLength;
    for (let x = -radius; x < width + radius; x++) {
      const s = row + reflectIndex(x, width) * 3;
      const d = (x + radius) * 3;
      padded[d] = img.data[s];
      padded[d + 1] = img.data[s + 1];
      padded[d + 2] = img.data[s + 2];
    }
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0;
      for (let k = 0, p = x * 3; k < taps; k++, p += 3) {
        const w = kernel[k];
        r += w * padded[p];
        g += w * padded[p + 1];
        b += w * padded[p + 2];
      }
      const d = row + x * 3;
      tmp[d] = r;
      tmp[d + 1] = g;
      tmp[d + 2] = b;
    }
  }
  // Vertical pass as weighted sums of whole rows (cache-friendly).
  const out = createImage(width, height);
  for (let y = 0; y < height; y++) {
    const dst = y * rowLength;
    for (let k = 0; k < taps; k++) {
      const src = reflectIndex(y + k - radius, height) * rowLength;
      const w = kernel[k];
      for (let i = 0; i < rowLength; i++) out.data[dst + i] += w * tmp[src + i];
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
