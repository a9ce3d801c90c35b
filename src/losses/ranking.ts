import type * as tf from '@tensorflow/tfjs';
import { TRIPLET_STATS, tripletLossWithStats, type TripletStats } from './triplet.js';
import type { TripletMining } from './tripletMining.js';
import type { GroupRelation } from './views.js';

/**
 * Pairwise margin ranking loss over the 2N views of a batch: a positive should score higher
 * than a negative by m,
 *
 *   L = mean over (a, p, n) of max(0, m − (s(a,p) − s(a,n))),   s = cosine similarity,
 *
 * the mean over every valid (a, p, n) with --mining all, over the mined ones with hard or
 * semi-hard. As s = 1 − d_cos, the hinge is the triplet hinge on the cosine distance; what
 * differs from `--loss triplet --distance cosine --mining all` is the mean, over all valid
 * triplets rather than the violating ones only (the plain pairwise-ranking average).
 */
export interface RankingOptions {
  /** m (default RANKING_MARGIN). */
  margin?: number;
  mining?: TripletMining;
  labels?: Int32Array;
  related?: GroupRelation;
}

/** Margin on the cosine score gap. */
export const RANKING_MARGIN = 0.2;

/** What the ranking objective logs (the shares are of score gaps: beyond m, inside it, inverted). */
export const RANKING_STATS = TRIPLET_STATS;

export function rankingLossWithStats(z1: tf.Tensor2D, z2: tf.Tensor2D, o: RankingOptions = {}): { loss: tf.Scalar; stats: TripletStats } {
  return tripletLossWithStats(z1, z2, { ...o, margin: o.margin ?? RANKING_MARGIN, distance: 'cosine', mining: o.mining ?? 'all', average: 'valid' });
}

export function rankingLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, o: RankingOptions = {}): tf.Scalar {
  return rankingLossWithStats(z1, z2, o).loss;
}
