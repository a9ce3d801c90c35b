import { cloneImage, createImage, type RgbImage } from '../image.js';
import type { Rng } from '../rng.js';
import { checkProbability, luma, reflectIndex } from './pixel.js';

export interface SobelOptions {
  /** Always applied in the ablation grid. */
  p?: number;
}

/**
 * Edge magnitude sqrt(gx² + gy²) of the grayscale image (3×3 Sobel, reflect padding),
 * divided by its maximum so the strongest edge is 1, written to all three channels.
 * A flat image has no edges and maps to 0.
 */
export function sobelEdges(img: RgbImage): RgbImage {
  const { width, height } = img;
  const gray = new Float32Array(width * height);
  for (let i = 0; i < gray.length; i++) gray[i] = luma(img.data[3 * i], img.data[3 * i + 1], img.data[3 * i + 2]);
  const mag = new Float32Array(width * height);
  let max = 0;
  for (let y = 0; y < height; y++) {
    const up = reflectIndex(y - 1, height) * width;
    const mid = y * width;
    const down = reflectIndex(y + 1, height) * width;
    for (let x = 0; x < width; x++) {
      const l = reflectIndex(x - 1, width);
      const r = reflectIndex(x + 1, width);
      const gx = gray[up + r] + 2 * gray[mid + r] + gray[down + r] - gray[up + l] - 2 * gray[mid + l] - gray[down + l];
      const gy = gray[down + l] + 2 * gray[down + x] + gray[down + r] - gray[up + l] - 2 * gray[up + x] - gray[up + r];
      const m = Math.sqrt(gx * gx + gy * gy);
      mag[mid + x] = m;
      if (m > max) max = m;
    }
  }
  const out = createImage(width, height);
  // Below float noise a "flat" image would otherwise be amplified to full-range speckle.
  const scale = max > 1e-6 ? 1 / max : 0;
  for (let i = 0; i < mag.length; i++) {
    const v = mag[i] * scale;
    out.data[3 * i] = v;
    out.data[3 * i + 1] = v;
    out.data[3 * i + 2] = v;
  }
  return out;
}

export function sobel(img: RgbImage, rng: Rng, { p = 1 }: SobelOptions = {}): RgbImage {
  checkProbability('sobel', p);
  return rng.bernoulli(p) ? sobelEdges(img) : cloneImage(img);
}
