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
