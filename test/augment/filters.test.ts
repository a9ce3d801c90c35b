import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../augment/image.js';
import { Rng } from '../../augment/rng.js';
import { cutout, sampleCutoutBox } from '../../augment/ops/cutout.js';
import { blurImage, blurKernelRadius, gaussianBlur } from '../../augment/ops/gaussianBlur.js';
import { gaussianNoise } from '../../augment/ops/gaussianNoise.js';
import { sobelEdges } from '../../augment/ops/sobel.js';
import { constantImage, mean, pixel, randomImage } from './helpers.js';

describe('gaussianBlur', () => {
  it('uses a kernel about 10% of the side, odd and at least 3', () => {
    expect(2 * blurKernelRadius(32) + 1).toBe(3);
    expect(2 * blurKernelRadius(8) + 1).toBe(3);
    expect(2 * blurKernelRadius(96) + 1).toBe(9);
    expect(2 * blurKernelRadius(224) + 1).toBe(23);
  });

  it('keeps a constant image constant and roughly preserves the mean', () => {
    const flat = constantImage(20, 20, [0.2, 0.5, 0.9]);
    const out = blurImage(flat, 1.5);
    for (let i = 0; i < out.data.length; i++) expect(out.data[i]).toBeCloseTo(flat.data[i], 5);
    const img = randomImage(40, 40, 41);
    expect(mean(blurImage(img, 2).data)).toBeCloseTo(mean(img.data), 2);
  });

  it('matches a direct 2-D convolution with reflect padding', () => {
    const img = randomImage(9, 7, 42);
    const out = blurImage(img, 1.3, 2);
    for (const [x, y] of [[0, 0], [4, 3], [8, 6], [1, 5]]) {
      for (let c = 0; c < 3; c++) expect(pixel(out, x, y)[c]).toBeCloseTo(directBlur(img, 1.3, 2, x, y, c), 5);
    }
  });

  it('dropping taps beyond 4σ changes nothing visible (< 1e-4)', () => {
    const img = randomImage(30, 30, 44);
    const out = blurImage(img, 0.7, 10); // uses radius 3
    for (const [x, y] of [[0, 0], [15, 15], [29, 3]]) {
      for (let c = 0; c < 3; c++) expect(Math.abs(pixel(out, x, y)[c] - directBlur(img, 0.7, 10, x, y, c))).toBeLessThan(1e-4);
    }
  });

  it('blurs with probability p and copies otherwise', () => {
    const img = randomImage(10, 10, 43);
    expect(gaussianBlur(img, new Rng(1), { p: 0 }).data).toEqual(img.data);
    expect(gaussianBlur(img, new Rng(1), { p: 1 }).data).not.toEqual(img.data);
    expect(() => gaussianBlur(img, new Rng(1), { sigma: [0, 1] })).toThrow(/sigma/);
  });
});

/** One output value of a full (2r+1)² Gaussian convolution with reflect padding, as a plain loop. */
function directBlur(img: RgbImage, sigma: number, r: number, x: number, y: number, c: number): number {
  const w = (t: number) => Math.exp(-(t * t) / (2 * sigma * sigma));
  let norm = 0;
  for (let t = -r; t <= r; t++) norm += w(t);
  const reflect = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  let s = 0;
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) s += ((w(dx) * w(dy)) / (norm * norm)) * pixel(img, reflect(x + dx, img.width), reflect(y + dy, img.height))[c];
  }
  return s;
}

describe('sobel', () => {
  it('gives zero on a constant image and peaks at 1 on an edge', () => {
    expect(sobelEdges(constantImage(8, 8, [0.4, 0.4, 0.4])).data.every((v) => v === 0)).toBe(true);
    // Vertical step: left half black, right half white.
    const step = constantImage(8, 8, [0, 0, 0]);
    for (let y = 0; y < 8; y++) for (let x = 4; x < 8; x++) step.data.fill(1, (y * 8 + x) * 3, (y * 8 + x) * 3 + 3);
    const out = sobelEdges(step);
    expect(pixel(out, 3, 2)).toEqual([1, 1, 1]);
    expect(pixel(out, 4, 2)).toEqual([1, 1, 1]);
    expect(pixel(out, 0, 5)).toEqual([0, 0, 0]);
    expect(pixel(out, 7, 5)).toEqual([0, 0, 0]);
  });
});

describe('gaussianNoise', () => {
  it('adds noise with the stated σ and zero mean', () => {
    const gray = constantImage(100, 100, [0.5, 0.5, 0.5]);
    const out = gaussianNoise(gray, new Rng(3), { sigma: [0.05, 0.05] });
    const diffs = out.data.map((v, i) => v - gray.data[i]);
    const m = mean(diffs);
    const sd = Math.sqrt(mean(diffs.map((d) => (d - m) ** 2)));
    expect(m).toBeCloseTo(0, 2);
    expect(sd).toBeGreaterThan(0.049);
    expect(sd).toBeLessThan(0.051);
  });
});

describe('cutout', () => {
  it('erases one square whose side is the stated fraction of the shorter side', () => {
    const img = constantImage(50, 40, [0.6, 0.7, 0.8]);
    const sides = new Set<number>();
    for (let seed = 1; seed <= 30; seed++) {
      const out = cutout(img, new Rng(seed), { side: [0.2, 0.4] });
      let erased = 0, x0 = 50, x1 = -1, y0 = 40, y1 = -1;
      for (let y = 0; y < 40; y++) for (let x = 0; x < 50; x++) {
        const px = pixel(out, x, y);
        if (px.every((v) => v === 0)) {
          erased++;
          x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
        } else {
          expect(px).toEqual(pixel(img, x, y));
        }
      }
      const side = x1 - x0 + 1;
      expect(y1 - y0 + 1).toBe(side);
      expect(erased).toBe(side * side); // one solid square
      expect(side).toBeGreaterThanOrEqual(8); // 0.2 · 40
      expect(side).toBeLessThanOrEqual(16); // 0.4 · 40
      sides.add(side);
    }
    expect(sides.size).toBeGreaterThan(3);
  });

  it('samples boxes inside the image and rejects fractions above 1', () => {
    const rng = new Rng(4);
    for (let i = 0; i < 100; i++) {
      const b = sampleCutoutBox(13, 9, rng, [0.9, 1]);
      expect(b.x >= 0 && b.y >= 0 && b.x + b.width <= 13 && b.y + b.height <= 9).toBe(true);
    }
    expect(() => sampleCutoutBox(10, 10, rng, [0.5, 1.5])).toThrow(/<= 1/);
  });
});
