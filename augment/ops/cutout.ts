import { cloneImage, type RgbImage } from '../image.js';
import type { Rng } from '../rng.js';
import type { Box } from './resize.js';
import { checkProbability, checkRange } from './pixel.js';

export interface CutoutOptions {
  /** Always applied in the ablation grid: the transform itself is what is measured. */
  p?: number;
  /**
   * Side of the erased square as a fraction of the shorter image side, ~ U(side). The default
   * [0.1, 0.5] erases 1%–25% of a square image (DeVries & Taylor's cutout uses about half the
   * side on CIFAR; the SimCLR paper does not state its range).
   */
  side?: [number, number];
}

/** A square with side round(U(side)·min(W, H)) (at least 1 px), placed fully inside the image. */
export function sampleCutoutBox(width: number, height: number, rng: Rng, side: [number, number] = [0.1, 0.5]): Box {
  checkRange('cutout', 'side', side);
  if (side[1] > 1) throw new Error(`cutout: side fractions must be <= 1, got [${side[0]}, ${side[1]}]`);
  const s = Math.max(1, Math.round(rng.uniform(side[0], side[1]) * Math.min(width, height)));
  return { x: rng.int(width - s + 1), y: rng.int(height - s + 1), width: s, height: s };
}

/** Erase one random square to 0 (black). */
export function cutout(img: RgbImage, rng: Rng, { p = 1, side = [0.1, 0.5] }: CutoutOptions = {}): RgbImage {
  checkProbability('cutout', p);
  const out = cloneImage(img);
  if (!rng.bernoulli(p)) return out;
  const box = sampleCutoutBox(img.width, img.height, rng, side);
  for (let y = box.y; y < box.y + box.height; y++) {
    const start = (y * img.width + box.x) * 3;
    out.data.fill(0, start, start + box.width * 3);
  }
  return out;
}
