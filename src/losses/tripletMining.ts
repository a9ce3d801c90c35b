/**
 * Online triplet mining on a plain distance matrix (FaceNet, Schroff et al. 2015). Pure JS:
 * the selection is not differentiated, only the distances of the chosen triplets are.
 *
 * `dist` is row-major [n, n]; `labels[i]` is point i's group. A valid triplet (a, p, n) has
 * a ≠ p with labels[a] = labels[p] and labels[n] ≠ labels[a]; every ordered (a, p) counts.
 * Ties are broken by the lowest index. `related` adds positives between related groups
 * (--pairs): then a ≠ p is a positive when same(a, p), a negative otherwise.
 */
import { positivePredicate, type GroupRelation } from './views.js';

/** Online mining strategies (--mining). */
export const TRIPLET_MININGS = ['all', 'hard', 'semi-hard'] as const;
export type TripletMining = (typeof TRIPLET_MININGS)[number];

export type Triplet = [anchor: number, positive: number, negative: number];

export interface NegativeShares {
  /** d(a,n) > d(a,p) + α: zero loss. */
  easy: number;
  /** d(a,p) < d(a,n) ≤ d(a,p) + α: inside the margin. */
  semiHard: number;
  /** d(a,n) ≤ d(a,p): the negative is at least as close as the positive. */
  hard: number;
}

/**
 * - 'all': every valid triplet with positive loss d(a,p) − d(a,n) + α > 0 (batch-all).
 * - 'hard': per anchor, the farthest positive and the closest negative (batch-hard).
 * - 'semi-hard': per (a, p), the closest negative with d(a,p) < d(a,n) < d(a,p) + α, or, when
 *   there is none, the closest negative overall (smallest d(a,n)).
 * Anchors without a positive or without a negative yield nothing.
 */
export function mineTriplets(
  dist: Float32Array,
  n: number,
  labels: Int32Array,
  strategy: TripletMining,
  margin: number,
  related?: GroupRelation,
): Triplet[] {
  const flat = mineTripletIndices(dist, n, labels, strategy, margin, related);
  const out: Triplet[] = [];
  for (let t = 0; t < flat.length; t += 3) out.push([flat[t], flat[t + 1], flat[t + 2]]);
  return out;
}

/** mineTriplets as a flat Int32Array [a0, p0, n0, a1, ...] (batch-all can be millions). */
export function mineTripletIndices(
  dist: Float32Array,
  n: number,
  labels: Int32Array,
  strategy: TripletMining,
  margin: number,
  related?: GroupRelation,
): Int32Array {
  checkMiningInput(dist, n, labels, margin);
  const same = positivePredicate(labels, related);
  if (strategy !== 'all' && strategy !== 'hard' && strategy !== 'semi-hard') {
    throw new Error(`unknown triplet mining '${String(strategy)}' (expected all, hard or semi-hard)`);
  }
  const out: number[] = [];
  for (let a = 0; a < n; a++) {
    const row = a * n;
    if (strategy === 'hard') {
      let p = -1;
      let neg = -1;
      for (let j = 0; j < n; j++) {
        if (j === a) continue;
        if (same(a, j)) {
          if (p < 0 || dist[row + j] > dist[row + p]) p = j;
        } else if (neg < 0 || dist[row + j] < dist[row + neg]) {
          neg = j;
        }
      }
      if (p >= 0 && neg >= 0) out.push(a, p, neg);
      continue;
    }
    for (let p = 0; p < n; p++) {
      if (p === a || !same(a, p)) continue;
      const dap = dist[row + p];
      if (strategy === 'all') {
        for (let j = 0; j < n; j++) {
          if (!same(a, j) && dap - dist[row + j] + margin > 0) out.push(a, p, j);
        }
      } else {
        let semiHard = -1;
        let closest = -1;
        for (let j = 0; j < n; j++) {
          if (same(a, j)) continue;
          const dan = dist[row + j];
          if (closest < 0 || dan < dist[row + closest]) closest = j;
          if (dan > dap && dan < dap + margin && (semiHard < 0 || dan < dist[row + semiHard])) {
            semiHard = j;
          }
        }
        if (closest >= 0) out.push(a, p, semiHard >= 0 ? semiHard : closest);
      }
    }
  }
  return Int32Array.from(out);
}

/** Shares of easy / semi-hard / hard negatives over all valid triplets (all 0 if none). */
export function negativeShares(
  dist: Float32Array,
  n: number,
  labels: Int32Array,
  margin: number,
  related?: GroupRelation,
): NegativeShares {
  checkMiningInput(dist, n, labels, margin);
  const same = positivePredicate(labels, related);
  let easy = 0;
  let semiHard = 0;
  let hard = 0;
  for (let a = 0; a < n; a++) {
    const row = a * n;
    for (let p = 0; p < n; p++) {
      if (p === a || !same(a, p)) continue;
      const dap = dist[row + p];
      for (let j = 0; j < n; j++) {
        if (same(a, j)) continue;
        const dan = dist[row + j];
        if (dan <= dap) hard++;
        else if (dan <= dap + margin) semiHard++;
        else easy++;
      }
    }
  }
  const total = easy + semiHard + hard;
  if (total === 0) return { easy: 0, semiHard: 0, hard: 0 };
  return { easy: easy / total, semiHard: semiHard / total, hard: hard / total };
}

function checkMiningInput(dist: Float32Array, n: number, labels: Int32Array, margin: number): void {
  if (!Number.isInteger(n) || n < 0 || dist.length !== n * n) {
    throw new Error(`distance matrix must have n*n = ${n}*${n} entries, got ${dist.length}`);
  }
  if (labels.length !== n) throw new Error(`labels must have ${n} entries, got ${labels.length}`);
  if (!(margin >= 0) || !Number.isFinite(margin)) {
    throw new Error(`triplet margin must be a non-negative number, got ${margin}`);
  }
}
