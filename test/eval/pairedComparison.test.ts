import { describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { comparePaired, mcnemarExactLog10P } from '../../src/eval/pairedComparison.js';

/** log10 of 2·Σ_{i ≤ min(b,c)} C(b+c, i) / 2^(b+c), capped at 0, in exact integer arithmetic. */
function exactLog10P(b: number, c: number): number {
  const n = b + c;
  const k = Math.min(b, c);
  let binom = 1n;
  let tail = 0n;
  for (let i = 0; i <= k; i++) {
    if (i > 0) binom = (binom * BigInt(n - i + 1)) / BigInt(i);
    tail += binom;
  }
  const twice = 2n * tail;
  if (twice >= 1n << BigInt(n)) return 0;
  const digits = twice.toString();
  const lead = Number(`${digits[0]}.${digits.slice(1, 16)}`);
  return digits.length - 1 + Math.log10(lead) - n * Math.log10(2);
}

describe('mcnemarExactLog10P', () => {
  it('matches closed forms: one-sided runs of 5 and 1, and ties', () => {
    expect(10 ** mcnemarExactLog10P(0, 5)).toBeCloseTo(2 / 32, 12); // 2 · (½)^5
    expect(10 ** mcnemarExactLog10P(7, 0)).toBeCloseTo(2 / 128, 12);
    expect(mcnemarExactLog10P(0, 1)).toBe(0); // 2 · ½ = 1
    expect(mcnemarExactLog10P(4, 4)).toBe(0);
    expect(mcnemarExactLog10P(0, 0)).toBe(0);
  });

  it('matches the binomial tail summed in exact integers, down to p far below the smallest double', () => {
    for (const [b, c] of [[3, 10], [12, 5], [40, 60], [558, 812], [300, 2600], [2500, 30]]) {
      expect(mcnemarExactLog10P(b, c)).toBeCloseTo(exactLog10P(b, c), 8);
    }
    expect(mcnemarExactLog10P(2500, 30)).toBeLessThan(-320); // where 10^x is 0 as a double
  });

  it('rejects counts that are not non-negative integers', () => {
    expect(() => mcnemarExactLog10P(-1, 3)).toThrow(/non-negative integers/);
    expect(() => mcnemarExactLog10P(1.5, 3)).toThrow(/non-negative integers/);
  });
});

describe('comparePaired', () => {
  it('gives the mean and standard error of the per-item difference, by a plain loop', () => {
    const rng = new Rng(7);
    const n = 2000;
    const a: number[] = Array.from({ length: n }, () => (rng.next() < 0.8 ? 1 : 0));
    // b agrees with a mostly: correlated errors, as two classifiers on the same test set.
    const b = a.map((x) => (rng.next() < 0.85 ? x : rng.next() < 0.7 ? 1 : 0));
    const d = a.map((x, i) => x - b[i]);
    const mean = d.reduce((s, x) => s + x, 0) / n;
    const variance = d.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
    const r = comparePaired(a, b);
    expect(r.difference).toBeCloseTo(mean, 12);
    expect(r.standardError).toBeCloseTo(Math.sqrt(variance / n), 12);
    expect(r.onlyA).toBe(d.filter((x) => x === 1).length);
    expect(r.onlyB).toBe(d.filter((x) => x === -1).length);
    expect(r.log10PValue).toBeCloseTo(exactLog10P(r.onlyA, r.onlyB), 8);
    // Correlated errors: the paired error is smaller than that of two independent accuracies.
    const accA = a.reduce((s, x) => s + x, 0) / n;
    const accB = b.reduce((s, x) => s + x, 0) / n;
    expect(r.standardError).toBeLessThan(Math.sqrt((accA * (1 - accA) + accB * (1 - accB)) / n));
  });

  it('rejects empty and unequal inputs', () => {
    expect(() => comparePaired([], [])).toThrow(/no items/);
    expect(() => comparePaired([1, 0], [1])).toThrow(/2 items for a, 1 for b/);
  });
});
