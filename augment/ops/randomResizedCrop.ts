import type { RgbImage } from '../image.js';
import type { Rng } from '../rng.js';
import { checkImageSize, checkRange } from './pixel.js';
import { resizeBoxBilinear, type Box } from './resize.js';

export interface RandomResizedCropOptions {
  /** Output side: the view is size × size. */
  size: number;
  /** Range of the crop's area as a fraction of the image area. */
  scale?: [number, number];
  /** Range of the crop's aspect ratio width / height, sampled log-uniformly. */
  ratio?: [number, number];
}

const ATTEMPTS = 10;

/**
 * Sample the crop box the way torchvision's RandomResizedCrop does: up to 10 tries of
 * (area fraction ~ U(scale), aspect ~ logU(ratio)) that fit inside the image, then a
 * centre crop with the aspect ratio clamped into `ratio`.
 */
export function sampleCropBox(
  width: number,
  height: number,
  rng: Rng,
  scale: [number, number] = [0.08, 1],
  ratio: [number, number] = [3 / 4, 4 / 3],
): Box {
  checkRange('randomResizedCrop', 'scale', scale, Number.MIN_VALUE);
  checkRange('randomResizedCrop', 'ratio', ratio, Number.MIN_VALUE);
  const area = width * height;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let i = 0; i < ATTEMPTS; i++) {
    const targetArea = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const w = Math.round(Math.sqrt(targetArea * aspect));
    const h = Math.round(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return { x: rng.int(width - w + 1), y: rng.int(height - h + 1), width: w, height: h };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) h = Math.max(1, Math.round(width / ratio[0]));
  else if (inRatio > ratio[1]) w = Math.max(1, Math.round(height * ratio[1]));
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h };
}

/** SimCLR's random crop: a random box (see sampleCropBox) resampled bilinearly to size × size. */
export function randomResizedCrop(img: RgbImage, rng: Rng, options: RandomResizedCropOptions): RgbImage {
  checkImageSize('randomResizedCrop', options.size);
  const box = sampleCropBox(img.width, img.height, rng, options.scale, options.ratio);
  return resizeBoxBilinear(img, box, options.size, options.size);
}
