import { describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, applyJitter, colorJitter, sampleJitterParams } from '../../augment/ops/colorJitter.js';
import { randomGrayscale, toGrayscale } from '../../augment/ops/randomGrayscale.js';
import { solarize } from '../../augment/ops/solarize.js';
import { constantImage, pixel, randomImage } from './helpers.js';

const clamp = (v: number) => Math.min(1, Math.max(0, v));
const gray = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;

describe('colour adjustments (torchvision semantics)', () => {
  const img = randomImage(6, 5, 21);

  it('brightness multiplies and clamps', () => {
    const out = adjustBrightness(img, 1.7);
    for (let i = 0; i < img.data.length; i++) expect(out.data[i]).toBeCloseTo(clamp(img.data[i] * 1.7), 6);
  });

  it('contrast blends with the mean grayscale of the image', () => {
    let m = 0;
    for (let p = 0; p < 30; p++) m += gray(img.data[3 * p], img.data[3 * p + 1], img.data[3 * p + 2]) / 30;
    const out = adjustContrast(img, 0.4);
    for (let i = 0; i < img.data.length; i++) expect(out.data[i]).toBeCloseTo(clamp(0.4 * img.data[i] + 0.6 * m), 6);
  });

  it('saturation blends each pixel with its own gray value; 0 gives grayscale', () => {
    const out = adjustSaturation(img, 1.5);
    for (let p = 0; p < 30; p++) {
      const [r, g, b] = pixel(img, p % 6, Math.floor(p / 6));
      const y = gray(r, g, b);
      expect(pixel(out, p % 6, Math.floor(p / 6))).toEqual([r, g, b].map((v) => expect.closeTo(clamp(1.5 * v - 0.5 * y), 6)));
    }
    const zero = adjustSaturation(img, 0);
    for (let i = 0; i < img.data.length; i++) expect(zero.data[i]).toBeCloseTo(toGrayscale(img).data[i], 6);
  });

  it('hue rotates pure colours around the wheel and keeps grays', () => {
    const red = constantImage(2, 2, [1, 0, 0]);
    expect(pixel(adjustHue(red, 1 / 3), 0, 0).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([0, 1, 0]);
    expect(pixel(adjustHue(red, -1 / 3), 1, 1).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([0, 0, 1]);
    // A half-turn maps (0.8, 0.4, 0.2) to its complement in HSV: same V and S, hue + 180°.
    expect(pixel(adjustHue(constantImage(1, 1, [0.8, 0.4, 0.2]), 0.5), 0, 0).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([0.2, 0.6, 0.8]);
    const g = constantImage(2, 2, [0.3, 0.3, 0.3]);
    expect(adjustHue(g, 0.2).data).toEqual(g.data);
  });

  it('a zero hue shift is the identity up to float rounding', () => {
    const out = adjustHue(img, 0);
    for (let i = 0; i < img.data.length; i++) expect(out.data[i]).toBeCloseTo(img.data[i], 5);
  });
});

describe('colorJitter', () => {
  const img = randomImage(8, 8, 22);

  it('strength 0 and p = 0 are the identity', () => {
    expect(colorJitter(img, new Rng(1), { strength: 0, p: 1 }).data).toEqual(img.data);
    expect(colorJitter(img, new Rng(1), { p: 0 }).data).toEqual(img.data);
  });

  it('brightness alone scales every value by one sampled factor in [1 − b, 1 + b]', () => {
    const dim = constantImage(4, 4, [0.1, 0.2, 0.3]); // stays below 1 for factors up to 1.8: no clamping
    for (let seed = 1; seed <= 20; seed++) {
      const out = colorJitter(dim, new Rng(seed), { p: 1, brightness: 0.8, contrast: 0, saturation: 0, hue: 0 });
      const factor = out.data[0] / dim.data[0];
      expect(factor).toBeGreaterThanOrEqual(0.2);
      expect(factor).toBeLessThanOrEqual(1.8);
      for (let i = 0; i < dim.data.length; i++) expect(out.data[i]).toBeCloseTo(dim.data[i] * factor, 5);
    }
  });

  it('applies with probability p = 0.8 by default', () => {
    const rng = new Rng(2);
    let applied = 0;
    for (let i = 0; i < 500; i++) if (colorJitter(img, rng).data.some((v, j) => v !== img.data[j])) applied++;
    expect(applied).toBeGreaterThan(360);
    expect(applied).toBeLessThan(440);
  });

  it('draws factors in range and every order of the adjustments', () => {
    const orders = new Set<string>();
    for (let seed = 1; seed <= 300; seed++) {
      const params = sampleJitterParams(new Rng(seed), { brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2 });
      for (const k of ['brightness', 'contrast', 'saturation'] as const) {
        expect(params[k]).toBeGreaterThanOrEqual(0.2);
        expect(params[k]).toBeLessThanOrEqual(1.8);
      }
      expect(Math.abs(params.hue)).toBeLessThanOrEqual(0.2);
      expect([...params.order].sort()).toEqual(['brightness', 'contrast', 'hue', 'saturation']);
      orders.add(params.order.join());
    }
    expect(orders.size).toBe(24);
  });

  it('applies the drawn adjustments in the drawn order', () => {
    // Saturation and hue do not commute, so the order shows in the result.
    const base = { brightness: 1, contrast: 1, saturation: 1.6, hue: 0.15 };
    const satFirst = applyJitter(img, { ...base, order: ['saturation', 'hue'] });
    const hueFirst = applyJitter(img, { ...base, order: ['hue', 'saturation'] });
    expect(satFirst.data).toEqual(adjustHue(adjustSaturation(img, 1.6), 0.15).data);
    expect(hueFirst.data).toEqual(adjustSaturation(adjustHue(img, 0.15), 1.6).data);
    expect(satFirst.data).not.toEqual(hueFirst.data);
  });

  it('rejects bad parameters', () => {
    expect(() => colorJitter(img, new Rng(1), { p: 2 })).toThrow(/p must be in \[0, 1\]/);
    expect(() => colorJitter(img, new Rng(1), { strength: -1 })).toThrow(/strength/);
    expect(() => colorJitter(img, new Rng(1), { hue: 0.7 })).toThrow(/hue/);
  });
});

describe('randomGrayscale', () => {
  it('writes the luma to all three channels', () => {
    const img = randomImage(5, 5, 30);
    const out = randomGrayscale(img, new Rng(1), { p: 1 });
    for (let p = 0; p < 25; p++) {
      const [r, g, b] = pixel(img, p % 5, Math.floor(p / 5));
      const [a, c, d] = pixel(out, p % 5, Math.floor(p / 5));
      expect(a).toBe(c);
      expect(c).toBe(d);
      expect(a).toBeCloseTo(gray(r, g, b), 6);
    }
    expect(randomGrayscale(img, new Rng(1), { p: 0 }).data).toEqual(img.data);
  });
});

describe('solarize', () => {
  it('inverts values at or above the threshold and keeps the rest', () => {
    const img = randomImage(6, 6, 31);
    const out = solarize(img, new Rng(1), { threshold: 0.5 });
    for (let i = 0; i < img.data.length; i++) {
      const v = img.data[i];
      expect(out.data[i]).toBeCloseTo(v >= 0.5 ? 1 - v : v, 6);
    }
    expect(solarize(img, new Rng(1), { p: 0 }).data).toEqual(img.data);
    expect(() => solarize(img, new Rng(1), { threshold: 2 })).toThrow(/threshold/);
  });
});
