import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../augment/image.js';
import { Rng } from '../../augment/rng.js';
import { colorJitter } from '../../augment/ops/colorJitter.js';
import { cutout } from '../../augment/ops/cutout.js';
import { gaussianBlur } from '../../augment/ops/gaussianBlur.js';
import { gaussianNoise } from '../../augment/ops/gaussianNoise.js';
import { horizontalFlip } from '../../augment/ops/horizontalFlip.js';
import { randomGrayscale } from '../../augment/ops/randomGrayscale.js';
import { randomResizedCrop } from '../../augment/ops/randomResizedCrop.js';
import { rotate } from '../../augment/ops/rotate.js';
import { sobel } from '../../augment/ops/sobel.js';
import { solarize } from '../../augment/ops/solarize.js';
import { randomImage } from './helpers.js';

// Every op forced on (p = 1) so the checks see it do something.
const ops: Record<string, { op: (img: RgbImage, rng: Rng) => RgbImage; size: (w: number, h: number) => [number, number] }> = {
  randomResizedCrop: { op: (img, rng) => randomResizedCrop(img, rng, { size: 24 }), size: () => [24, 24] },
  horizontalFlip: { op: (img, rng) => horizontalFlip(img, rng, { p: 1 }), size: (w, h) => [w, h] },
  colorJitter: { op: (img, rng) => colorJitter(img, rng, { p: 1 }), size: (w, h) => [w, h] },
  randomGrayscale: { op: (img, rng) => randomGrayscale(img, rng, { p: 1 }), size: (w, h) => [w, h] },
  gaussianBlur: { op: (img, rng) => gaussianBlur(img, rng, { p: 1 }), size: (w, h) => [w, h] },
  cutout: { op: (img, rng) => cutout(img, rng), size: (w, h) => [w, h] },
  sobel: { op: (img, rng) => sobel(img, rng), size: (w, h) => [w, h] },
  gaussianNoise: { op: (img, rng) => gaussianNoise(img, rng, { sigma: [0.05, 0.1] }), size: (w, h) => [w, h] },
  rotate: { op: (img, rng) => rotate(img, rng), size: (w, h) => [w, h] }, // square input: same size
  solarize: { op: (img, rng) => solarize(img, rng), size: (w, h) => [w, h] },
};

describe.each(Object.entries(ops))('%s', (_name, { op, size }) => {
  const input = randomImage(40, 40, 7);
  const before = input.data.slice();

  it('returns a new image of the expected shape with values in [0, 1], leaving the input untouched', () => {
    const out = op(input, new Rng(3));
    const [w, h] = size(40, 40);
    expect(out).not.toBe(input);
    expect(out.data).not.toBe(input.data);
    expect([out.width, out.height, out.data.length]).toEqual([w, h, w * h * 3]);
    for (const v of out.data) expect(v >= 0 && v <= 1).toBe(true);
    expect(input.data).toEqual(before);
  });

  it('is deterministic under a seed and changes the image for some seed', () => {
    expect(op(input, new Rng(11)).data).toEqual(op(input, new Rng(11)).data);
    const outputs = [1, 2, 3, 4, 5].map((s) => op(input, new Rng(s)).data);
    expect(outputs.some((d) => d.length !== input.data.length || d.some((v, i) => Math.abs(v - input.data[i]) > 1e-6))).toBe(true);
  });
});
