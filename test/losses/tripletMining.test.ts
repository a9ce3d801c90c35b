import { describe, expect, it } from 'vitest';
import { mineTriplets, negativeShares } from '../../src/losses/tripletMining.js';

// Five points: 0, 1 have label 0; 2, 3, 4 have label 1. Symmetric, written by hand so that
// each strategy picks different negatives (margin α = 0.2, no distance on a category boundary).
const pairs: Record<string, number> = {
  '0-1': 0.5, '0-2': 0.4, '0-3': 0.6, '0-4': 0.9,
  '1-2': 1.1, '1-3': 0.65, '1-4': 0.55,
  '2-3': 0.3, '2-4': 0.8,
  '3-4': 0.2,
};
const n = 5;
const dist = new Float32Array(n * n);
for (const [key, d] of Object.entries(pairs)) {
  const [i, j] = key.split('-').map(Number);
  dist[i * n + j] = dist[j * n + i] = d;
}
const labels = Int32Array.from([0, 0, 1, 1, 1]);
const alpha = 0.2;

describe('mineTriplets on a hand-made distance matrix', () => {
  it("'all' keeps exactly the triplets with positive loss", () => {
    expect(mineTriplets(dist, n, labels, 'all', alpha)).toEqual([
      [0, 1, 2], [0, 1, 3], [1, 0, 3], [1, 0, 4], [2, 3, 0], [2, 4, 0], [4, 2, 0], [4, 2, 1],
    ]);
  });

  it("'hard' takes the farthest positive and the closest negative per anchor", () => {
    expect(mineTriplets(dist, n, labels, 'hard', alpha)).toEqual([
      [0, 1, 2], [1, 0, 4], [2, 4, 0], [3, 2, 0], [4, 2, 1],
    ]);
  });

  it("'semi-hard' takes the closest negative in (d_ap, d_ap + α), else the closest negative", () => {
    expect(mineTriplets(dist, n, labels, 'semi-hard', alpha)).toEqual([
      [0, 1, 3], // window holds 3 (0.6)
      [1, 0, 4], // window holds 3 (0.65) and 4 (0.55): the closer one
      [2, 3, 0], // window holds 0 (0.4)
      [2, 4, 0], // d_ap 0.8: 0 is hard, 1 is easy ⇒ fallback to the closest, 0
      [3, 2, 0], // all easy ⇒ closest
      [3, 4, 0], // all easy ⇒ closest
      [4, 2, 0], // window holds 0 (0.9); 1 (0.55) is hard and skipped
      [4, 3, 1], // all easy ⇒ closest, 1 (0.55)
    ]);
  });

  it('anchors without a positive or a negative yield nothing', () => {
    const lonely = Int32Array.from([0, 1, 1, 1, 1]); // point 0 has no positive
    expect(mineTriplets(dist, n, lonely, 'hard', alpha).map((t) => t[0])).toEqual([1, 2, 3, 4]);
    expect(mineTriplets(dist, n, new Int32Array(n), 'all', alpha)).toEqual([]); // no negatives
  });

  it('rejects bad input', () => {
    expect(() => mineTriplets(dist, 4, labels, 'all', alpha)).toThrow(/n\*n/);
    expect(() => mineTriplets(dist, n, labels.subarray(1), 'all', alpha)).toThrow(/labels/);
    expect(() => mineTriplets(dist, n, labels, 'easy' as never, alpha)).toThrow(/unknown triplet mining/);
    expect(() => negativeShares(dist, n, labels, -1)).toThrow(/margin/);
  });
});

describe('negativeShares', () => {
  it('splits the 18 valid triplets into 10 easy, 5 semi-hard, 3 hard', () => {
    const s = negativeShares(dist, n, labels, alpha);
    expect(s.easy).toBeCloseTo(10 / 18, 12);
    expect(s.semiHard).toBeCloseTo(5 / 18, 12);
    expect(s.hard).toBeCloseTo(3 / 18, 12);
  });

  it('counts d_an = d_ap + α as semi-hard and d_an = d_ap as hard', () => {
    // Anchor 0: positive 1 at 0.5, negatives at exactly 0.5 (hard) and 0.75 (semi-hard); every
    // other (a, p) has easy negatives only. All values exact in float32.
    const d = new Float32Array([0, 0.5, 0.5, 0.75, 0.5, 0, 9, 9, 0.5, 9, 0, 0.125, 0.75, 9, 0.125, 0]);
    const s = negativeShares(d, 4, Int32Array.from([0, 0, 1, 1]), 0.25);
    expect(s).toEqual({ easy: 6 / 8, semiHard: 1 / 8, hard: 1 / 8 });
  });

  it('is all zero when there is no valid triplet', () => {
    expect(negativeShares(dist, n, new Int32Array(n), alpha)).toEqual({ easy: 0, semiHard: 0, hard: 0 });
  });
});
