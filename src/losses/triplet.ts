import * as tf from '@tensorflow/tfjs';
import { type DistanceMetric, pairwiseDistances } from './distances.js';
import {
  mineTripletIndices,
  negativeShares,
  type NegativeShares,
  type TripletMining,
} from './tripletMining.js';
import { positivePredicate, stackViews, viewLabels, type GroupRelation } from './views.js';

/**
 * Triplet loss (FaceNet, Schroff et al. 2015) with online mining over the 2N views of a batch:
 *
 *   L = mean over mined triplets of max(0, d(a,p) − d(a,n) + α)
 *
 * d is measured between L2-normalised embeddings ('euclidean' = ‖u − v‖, not squared as in the
 * paper; 'cosine' = 1 − cos). Positives are the other view of the same image, or, with
 * `labels` (one per image), every view with the same label. Mining (see tripletMining.ts):
 * 'all' averages over the triplets with non-zero loss only (the usual batch-all: averaging over
 * all would let the growing number of easy triplets shrink the gradient); 'hard' averages over
 * anchors; 'semi-hard' (the paper's choice, default) over (anchor, positive) pairs.
 * With no triplet to average, the loss is 0 (still connected to z1, z2: zero gradients).
 */
export interface TripletOptions {
  /** α (default 0.2). */
  margin?: number;
  distance?: DistanceMetric;
  mining?: TripletMining;
  /** Per-image labels (length N): same label ⇒ positive. */
  labels?: Int32Array;
  /** Images (by label, or by batch position without labels) that are also positives: pairs from --pairs. */
  related?: GroupRelation;
  /**
   * What the hinges are averaged over: 'mined' (default) the mined triplets — for 'all' mining
   * only those with positive loss; 'valid' every valid (a, p, n) under 'all' mining (the
   * ranking loss's plain mean), the mined ones otherwise.
   */
  average?: 'mined' | 'valid';
}

export interface TripletStats extends NegativeShares {
  loss: number;
  /** Number of triplets the loss averaged over. */
  triplets: number;
}

/** FaceNet's α. */
export const TRIPLET_MARGIN = 0.2;

/** What the triplet objective logs, in this order. */
export const TRIPLET_STATS = ['easy', 'semiHard', 'hard', 'triplets'] as const satisfies readonly (keyof TripletStats)[];

export function tripletLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, options: TripletOptions = {}): tf.Scalar {
  return minedTripletLoss(z1, z2, options).loss;
}

/** The loss plus plain numbers for logging, including the easy / semi-hard / hard shares. */
export function tripletLossWithStats(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  options: TripletOptions = {},
): { loss: tf.Scalar; stats: TripletStats } {
  const { loss, dist, labels, triplets } = minedTripletLoss(z1, z2, options);
  const shares = negativeShares(dist, labels.length, labels, options.margin ?? TRIPLET_MARGIN, options.related);
  return { loss, stats: { loss: loss.dataSync()[0], triplets, ...shares } };
}

function minedTripletLoss(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  options: TripletOptions,
): { loss: tf.Scalar; dist: Float32Array; labels: Int32Array; triplets: number } {
  const margin = options.margin ?? TRIPLET_MARGIN;
  const labels = viewLabels(z1.shape[0], options.labels);
  const m = labels.length;
  let dist: Float32Array = new Float32Array(0);
  let triplets = 0;
  const mining = options.mining ?? 'semi-hard';
  const loss = tf.tidy(() => {
    const d = pairwiseDistances(stackViews(z1, z2, options.labels || options.related ? 1 : 2), options.distance);
    dist = d.dataSync() as Float32Array;
    const idx = mineTripletIndices(dist, m, labels, mining, margin, options.related);
    triplets = options.average === 'valid' && mining === 'all' ? validTriplets(labels, options.related) : idx.length / 3;
    // The mean hinge over the mined triplets is linear in d on the active ones, so it is
    // written as Σ W⊙d with W[a,p] += 1, W[a,n] −= 1 per active triplet: one elementwise
    // product instead of a gather (whose gradient kernel wasm lacks) over up to millions of indices.
    const weights = new Float32Array(m * m);
    let active = 0;
    for (let t = 0; t < idx.length; t += 3) {
      const ap = idx[t] * m + idx[t + 1];
      const an = idx[t] * m + idx[t + 2];
      if (dist[ap] - dist[an] + margin > 0) {
        weights[ap] += 1;
        weights[an] -= 1;
        active++;
      }
    }
    return d
      .mul(tf.tensor2d(weights, [m, m]))
      .sum()
      .add(margin * active)
      .div(Math.max(triplets, 1)) as tf.Scalar;
  });
  return { loss, dist, labels, triplets };
}

/** Number of valid (a, p, n): Σ over anchors of positives × negatives. */
function validTriplets(labels: Int32Array, related?: GroupRelation): number {
  const same = positivePredicate(labels, related);
  let total = 0;
  for (let a = 0; a < labels.length; a++) {
    let positives = 0;
    for (let j = 0; j < labels.length; j++) if (j !== a && same(a, j)) positives++;
    total += positives * (labels.length - 1 - positives);
  }
  return total;
}
