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
 * K of `columns` extra negatives (a MoCo queue) per anchor, drawn by `drawNegatives` row by row
 * in anchor order, as flat indices into the [anchors, columns] block (row-major): `k` per row,
 * min(count, columns).
 */
export function drawExtraNegatives(anchors: number, columns: number, sample: NegativeSample): { indices: Int32Array; k: number } {
  const k = Math.min(sample.count, columns);
  const all = Array.from({ length: columns }, (_, j) => j);
  const indices = new Int32Array(anchors * k);
  for (let i = 0; i < anchors; i++) {
    const drawn = drawNegatives(all, k, sample.rng);
    for (let j = 0; j < k; j++) indices[i * k + j] = i * columns + drawn[j];
  }
  return { indices, k };
}
