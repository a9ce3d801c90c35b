import { createImage, type RgbImage } from '../../augment/image.js';
import { Rng } from '../../augment/rng.js';

/** An image of uniform noise in [0, 1]. */
export function randomImage(width: number, height: number, seed = 1): RgbImage {
  const rng = new Rng(seed);
  const img = createImage(width, height);
  for (let i = 0; i < img.data.length; i++) img.data[i] = rng.next();
  return img;
}

export function constantImage(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const img = createImage(width, height);
  for (let i = 0; i < img.data.length; i++) img.data[i] = rgb[i % 3];
  return img;
}

export function pixel(img: RgbImage, x: number, y: number): number[] {
  const i = (y * img.width + x) * 3;
  return Array.from(img.data.subarray(i, i + 3));
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}
