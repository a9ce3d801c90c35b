import { describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { flipLeftRight, horizontalFlip } from '../../augment/ops/horizontalFlip.js';
import { randomResizedCrop, sampleCropBox } from '../../augment/ops/randomResizedCrop.js';
import { resizeBilinear, resizeBoxBilinear } from '../../augment/ops/resize.js';
import { rotate, rotate90 } from '../../augment/ops/rotate.js';
import { pixel, randomImage } from './helpers.js';

describe('sampleCropBox', () => {
  it('keeps area fraction within scale and aspect ratio within ratio (up to pixel rounding)', () => {
    const rng = new Rng(5);
    const W = 1000, H = 800;
    for (let i = 0; i < 500; i++) {
      const b = sampleCropBox(W, H, rng);
      expect(b.x >= 0 && b.y >= 0 && b.x + b.width <= W && b.y + b.height <= H).toBe(true);
      const area = (b.width * b.height) / (W * H);
      expect(area).toBeGreaterThanOrEqual(0.08 * 0.97);
      expect(area).toBeLessThanOrEqual(1);
      const aspect = b.width / b.height;
      expect(aspect).toBeGreaterThanOrEqual((3 / 4) * 0.99);
      expect(aspect).toBeLessThanOrEqual((4 / 3) * 1.01);
    }
  });

  it('covers the scale range: small and large crops both occur', () => {
    const rng = new Rng(6);
    const areas = Array.from({ length: 300 }, () => {
      const b = sampleCropBox(500, 500, rng);
      return (b.width * b.height) / 250000;
    });
    expect(Math.min(...areas)).toBeLessThan(0.15);
    expect(Math.max(...areas)).toBeGreaterThan(0.8);
  });

  it('falls back to a centred crop with the ratio clamped when no sample fits', () => {
    // Aspect 2 at full area never fits a square: 10 failures, then the fallback.
    expect(sampleCropBox(100, 100, new Rng(1), [1, 1], [2, 2])).toEqual({ x: 0, y: 25, width: 100, height: 50 });
    expect(sampleCropBox(100, 40, new Rng(1), [1, 1], [1, 1])).toEqual({ x: 30, y: 0, width: 40, height: 40 });
  });

  it('rejects bad ranges with a clear message', () => {
    expect(() => sampleCropBox(10, 10, new Rng(1), [0.5, 0.1])).toThrow(/scale must be/);
    expect(() => sampleCropBox(10, 10, new Rng(1), [0.1, 1], [0, 1])).toThrow(/ratio must be/);
  });
});

describe('bilinear resize', () => {
  it('matches a plain half-pixel bilinear formula', () => {
    const img = randomImage(7, 5, 3);
    const out = resizeBilinear(img, 11, 4);
    for (const [x, y] of [[0, 0], [5, 2], [10, 3], [3, 1]]) {
      const fx = Math.min(Math.max((x + 0.5) * (7 / 11) - 0.5, 0), 6);
      const fy = Math.min(Math.max((y + 0.5) * (5 / 4) - 0.5, 0), 4);
      const x0 = Math.floor(fx), y0 = Math.floor(fy);
      const x1 = Math.min(x0 + 1, 6), y1 = Math.min(y0 + 1, 4);
      const ax = fx - x0, ay = fy - y0;
      for (let c = 0; c < 3; c++) {
        const v = (xx: number, yy: number) => pixel(img, xx, yy)[c];
        const expected = (1 - ay) * ((1 - ax) * v(x0, y0) + ax * v(x1, y0)) + ay * ((1 - ax) * v(x0, y1) + ax * v(x1, y1));
        expect(pixel(out, x, y)[c]).toBeCloseTo(expected, 5);
      }
    }
  });

  it('is the identity at the same size and reads only inside the box', () => {
    const img = randomImage(9, 9, 4);
    expect(resizeBilinear(img, 9, 9).data).toEqual(img.data);
    const box = resizeBoxBilinear(img, { x: 2, y: 3, width: 4, height: 4 }, 4, 4);
    expect(pixel(box, 0, 0)).toEqual(pixel(img, 2, 3));
    expect(pixel(box, 3, 3)).toEqual(pixel(img, 5, 6));
  });

  it('randomResizedCrop output equals resizing the sampled box', () => {
    const img = randomImage(30, 20, 5);
    const box = sampleCropBox(30, 20, new Rng(9));
    expect(randomResizedCrop(img, new Rng(9), { size: 16 }).data).toEqual(resizeBoxBilinear(img, box, 16, 16).data);
  });
});

describe('horizontalFlip', () => {
  it('mirrors columns, twice is the identity, p = 0 copies', () => {
    const img = randomImage(5, 3, 2);
    const flipped = flipLeftRight(img);
    expect(pixel(flipped, 0, 1)).toEqual(pixel(img, 4, 1));
    expect(pixel(flipped, 3, 2)).toEqual(pixel(img, 1, 2));
    expect(flipLeftRight(flipped).data).toEqual(img.data);
    expect(horizontalFlip(img, new Rng(1), { p: 0 }).data).toEqual(img.data);
  });

  it('flips about half the time at the default p', () => {
    const img = randomImage(4, 4, 2);
    const rng = new Rng(3);
    let flips = 0;
    for (let i = 0; i < 1000; i++) if (horizontalFlip(img, rng).data[0] !== img.data[0]) flips++;
    expect(flips).toBeGreaterThan(440);
    expect(flips).toBeLessThan(560);
  });
});

describe('rotate', () => {
  it('rotates counter-clockwise by 90° and four turns are the identity', () => {
    const img = randomImage(4, 3, 8);
    const once = rotate90(img, 1);
    expect([once.width, once.height]).toEqual([3, 4]);
    // CCW: the top-right corner moves to the top-left.
    expect(pixel(once, 0, 0)).toEqual(pixel(img, 3, 0));
    expect(pixel(once, 2, 3)).toEqual(pixel(img, 0, 2));
    let r = img;
    for (let i = 0; i < 4; i++) r = rotate90(r, 1);
    expect(r.data).toEqual(img.data);
    expect(rotate90(img, 2).data).toEqual(rotate90(rotate90(img, 1), 1).data);
  });

  it('draws every multiple of 90°', () => {
    const img = randomImage(6, 6, 9);
    const seen = new Set<number>();
    const rng = new Rng(4);
    for (let i = 0; i < 50; i++) {
      const out = rotate(img, rng);
      const k = [0, 1, 2, 3].find((t) => rotate90(img, t).data.every((v, j) => v === out.data[j]));
      expect(k).toBeDefined();
      seen.add(k!);
    }
    expect(seen.size).toBe(4);
  });
});
