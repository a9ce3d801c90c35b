import { describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { pairRetrieval } from '../../src/eval/pairRetrieval.js';

describe('pairRetrieval', () => {
  it('ranks each partner among all other images, both ways (hand-made 2-d points)', () => {
    // Angles 0°, 10°, 50°, 90°, 180°: from 0 the order is 1, 2, 3, 4.
    const angles = [0, 10, 50, 90, 180].map((d) => (d * Math.PI) / 180);
    const data = Float32Array.from(angles.flatMap((a) => [Math.cos(a), Math.sin(a)]));
    const r = pairRetrieval({ data, n: 5, dim: 2 }, [[0, 2], [3, 4]], [1, 2]);
    // 0→2: 1 (10°) is closer ⇒ rank 2. 2→0 (50°): 1 and 3 (40° each) closer ⇒ rank 3.
    // 3→4 (90°): 2 (40°) and 1 (80°) closer, 0 ties at 90° and goes after the partner ⇒ rank 3.
    // 4→3 (90°): every other image is farther ⇒ rank 1.
    expect(r.queries).toBe(4);
    expect(r.recallAt).toEqual({ 1: 1 / 4, 2: 2 / 4 });
    expect(r.mrr).toBeCloseTo((1 / 2 + 1 / 3 + 1 / 3 + 1) / 4, 12);
  });

  it('matches a brute-force sort on random features', () => {
    const rng = new Rng(3);
    const n = 30;
    const dim = 4;
    const data = Float32Array.from({ length: n * dim }, () => rng.normal());
    const pairs: [number, number][] = [[0, 1], [2, 9], [0, 17], [25, 4]];
    const unit = (i: number) => {
      const v = Array.from(data.subarray(i * dim, (i + 1) * dim));
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    };
    const cos = (i: number, j: number) => unit(i).reduce((s, x, d) => s + x * unit(j)[d], 0);
    const ranks: number[] = [];
    for (const [a, b] of pairs) {
      for (const [q, p] of [[a, b], [b, a]]) {
        const order = [...Array(n).keys()].filter((j) => j !== q).sort((x, y) => cos(q, y) - cos(q, x));
        ranks.push(order.indexOf(p) + 1);
      }
    }
    const r = pairRetrieval({ data, n, dim }, pairs);
    expect(r.queries).toBe(8);
    for (const k of [1, 5, 10]) expect(r.recallAt[k]).toBeCloseTo(ranks.filter((x) => x <= k).length / 8, 12);
    expect(r.mrr).toBeCloseTo(ranks.reduce((s, x) => s + 1 / x, 0) / 8, 9);
  });

  it('refuses no pair and out-of-range pairs', () => {
    const f = { data: new Float32Array(4), n: 2, dim: 2 };
    f.data.set([1, 0, 0, 1]);
    expect(() => pairRetrieval(f, [])).toThrow(/at least one pair/);
    expect(() => pairRetrieval(f, [[0, 2]])).toThrow(/not two of the 2 images/);
  });
});
