import { describe, expect, it } from 'vitest';
import { applyStandardizer, fitStandardizer } from '../../src/eval/standardize.js';
import { stratifiedSplit } from '../../src/eval/stratifiedSplit.js';
import { randomFeatures } from './synthetic.js';

describe('standardizer', () => {
  it('gives train columns mean 0 and std 1, matching a plain per-column computation', () => {
    const f = randomFeatures(50, 4, 1);
    for (let i = 0; i < f.data.length; i++) f.data[i] = 100 + 3 * f.data[i]; // large offset
    const s = fitStandardizer(f);
    for (let j = 0; j < 4; j++) {
      const col = Array.from({ length: 50 }, (_, i) => f.data[i * 4 + j]);
      const mean = col.reduce((a, b) => a + b, 0) / 50;
      const std = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / 50);
      expect(s.mean[j]).toBeCloseTo(mean, 3);
      expect(s.std[j]).toBeCloseTo(std, 4);
    }
    const z = applyStandardizer(s, f);
    for (let j = 0; j < 4; j++) {
      const col = Array.from({ length: 50 }, (_, i) => z.data[i * 4 + j]);
      const mean = col.reduce((a, b) => a + b, 0) / 50;
      expect(mean).toBeCloseTo(0, 4);
      expect(Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / 50)).toBeCloseTo(1, 4);
    }
  });

  it('only centres a column that is constant in training (no division by ~0)', () => {
    const train = { data: Float32Array.from([1, 5, 2, 5, 3, 5]), n: 3, dim: 2 };
    const s = fitStandardizer(train);
    expect(s.std[1]).toBe(1);
    const z = applyStandardizer(s, { data: Float32Array.from([2, 7]), n: 1, dim: 2 });
    expect(z.data[1]).toBe(2);
    expect(() => applyStandardizer(s, { data: new Float32Array(3), n: 1, dim: 3 })).toThrow(/dim 2/);
  });
});

describe('stratifiedSplit', () => {
  it('holds out the fraction of every class, disjointly, and the same way for the same seed', () => {
    const labels = Int32Array.from({ length: 103 }, (_, i) => (i < 50 ? 0 : i < 90 ? 1 : 2)); // 50 / 40 / 13
    const a = stratifiedSplit(labels, 3, 0.2, 7);
    const count = (idx: Int32Array, c: number) => idx.filter((i) => labels[i] === c).length;
    expect([0, 1, 2].map((c) => count(a.val, c))).toEqual([10, 8, 3]);
    expect(a.train.length + a.val.length).toBe(103);
    expect(new Set([...a.train, ...a.val]).size).toBe(103);
    expect(stratifiedSplit(labels, 3, 0.2, 7)).toEqual(a);
    expect(stratifiedSplit(labels, 3, 0.2, 8).val).not.toEqual(a.val);
    expect(() => stratifiedSplit(labels, 3, 1.5)).toThrow(/valFraction/);
  });
});
