import { Rng } from '../../augment/rng.js';

/**
 * Negative sampling (--negatives K): each anchor's softmax denominator keeps its positives and K
 * of its negatives drawn uniformly without replacement, the others left out. Draws come from
 * `rng`, row by row in anchor order, so a seeded Rng gives the same draws.
 */
export interface NegativeSample {
  count: number;
  rng: Rng;
}

/** Key of the draws' RNG stream (apart from the image order's and the views'). */
const NEGATIVES_KEY = 0x4e47;

/** The draws of one step of a run: a function of (seed, step) alone, so a resumed run draws the same. */
export function stepNegatives(count: number, seed: number, step: number): NegativeSample {
  return { count, rng: Rng.derive(seed, step, NEGATIVES_KEY) };
}

/** `count` of `columns` (all of them when there are no more), uniformly, by a partial Fisher–Yates. */
export function drawNegatives(columns: readonly number[], count: number, rng: Rng): number[] {
  if (columns.length <= count) return [...columns];
  const pool = [...columns];
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}

/**
 * K of `columns` extra negatives (a MoCo queue) per anchor, the same draws as `drawNegatives`
 * on [0, columns) row by row in anchor order, as flat indices into the [anchors, columns] block
 * (row-major): `k` per row, min(count, columns). One pool serves every row: each row's K swaps
 * are undone after it, so a row costs O(K), not a copy of the whole queue.
 */
export function drawExtraNegatives(anchors: number, columns: number, sample: NegativeSample): { indices: Int32Array; k: number } {
  const k = Math.min(sample.count, columns);
  const pool = Int32Array.from({ length: columns }, (_, j) => j);
  const swaps = new Int32Array(k);
  const indices = new Int32Array(anchors * k);
  for (let i = 0; i < anchors; i++) {
    if (k < columns) {
      for (let t = 0; t < k; t++) {
        const j = t + sample.rng.int(columns - t);
        swaps[t] = j;
        [pool[t], pool[j]] = [pool[j], pool[t]];
      }
    }
    for (let t = 0; t < k; t++) indices[i * k + t] = i * columns + pool[t];
    if (k < columns) for (let t = k - 1; t >= 0; t--) [pool[t], pool[swaps[t]]] = [pool[swaps[t]], pool[t]];
  }
  return { indices, k };
}
