/**
 * Two classifiers scored on the same test items: is the gap in accuracy real? The items both
 * get right (or wrong) say nothing about the gap, so the test looks only at the discordant ones
 * (McNemar), and the standard error is that of the per-item difference, not of two independent
 * accuracies (which overstates it when the classifiers err on the same items).
 */
export interface PairedComparison {
  /** accuracy(a) − accuracy(b), as a fraction. */
  difference: number;
  /** Standard error of `difference` over the n paired items. */
  standardError: number;
  /** Items only `a` got right, and only `b`. */
  onlyA: number;
  onlyB: number;
  /** Exact two-sided McNemar p-value (0 when it is below the smallest double). */
  pValue: number;
  /** log10 of the p-value, finite even where `pValue` underflows. */
  log10PValue: number;
}

/** Compare per-item correctness (truthy = right) of two classifiers on the same n items. */
export function comparePaired(aCorrect: ArrayLike<number | boolean>, bCorrect: ArrayLike<number | boolean>): PairedComparison {
  const n = aCorrect.length;
  if (n === 0) throw new Error('comparePaired: no items');
  if (bCorrect.length !== n) throw new Error(`comparePaired: ${n} items for a, ${bCorrect.length} for b`);
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < n; i++) {
    const a = Boolean(aCorrect[i]);
    const b = Boolean(bCorrect[i]);
    if (a && !b) onlyA++;
    else if (b && !a) onlyB++;
  }
  const difference = (onlyA - onlyB) / n;
  // d_i ∈ {−1, 0, 1}: mean(d²) = (onlyA + onlyB) / n; SE = sqrt(var(d) / n).
  const variance = (onlyA + onlyB) / n - difference * difference;
  const log10PValue = mcnemarExactLog10P(onlyA, onlyB);
  return { difference, standardError: Math.sqrt(Math.max(variance, 0) / n), onlyA, onlyB, pValue: 10 ** log10PValue, log10PValue };
}

/**
 * log10 of the exact two-sided McNemar p-value: under "no difference" each of the b + c
 * discordant items is equally likely to favour either side, so p = 2·P(X ≤ min(b, c)) with
 * X ~ Binomial(b + c, ½), capped at 1. Summed in log space: p underflows for large gaps.
 */
export function mcnemarExactLog10P(b: number, c: number): number {
  if (!(Number.isInteger(b) && Number.isInteger(c) && b >= 0 && c >= 0)) {
    throw new Error(`mcnemarExactLog10P: counts must be non-negative integers, got ${b} and ${c}`);
  }
  const n = b + c;
  const k = Math.min(b, c);
  if (2 * k >= n) return 0; // b = c: the tail already holds half the mass or more
  // ln C(n, i) − n ln 2 for i = 0..k, by the ratio C(n, i) = C(n, i−1) · (n − i + 1) / i;
  // increasing in i (k < n / 2), so the last term is the largest.
  const terms: number[] = [];
  let logTerm = -n * Math.LN2;
  terms.push(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log(n - i + 1) - Math.log(i);
    terms.push(logTerm);
  }
  const max = logTerm;
  const logTail = max + Math.log(terms.reduce((s, t) => s + Math.exp(t - max), 0));
  return Math.min(0, (Math.LN2 + logTail) / Math.LN10);
}
