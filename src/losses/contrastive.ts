import * as tf from '@tensorflow/tfjs';
import { euclideanFromSquared, pairwiseSquaredDistances } from './distances.js';
import { positivePredicate, stackViews, viewLabels, type GroupRelation } from './views.js';

/**
 * Contrastive (margin) loss of Hadsell, Chopra & LeCun (2006) over the 2N views of a batch:
 *
 *   L = mean over positive pairs of ½d²  +  mean over negative pairs of ½·max(0, m − d)²
 *
 * with d the Euclidean distance between L2-normalised embeddings (so d ∈ [0, 2]; the default
 * m = 1 pushes negatives apart until cos ≤ 0.5). Pairs are the unordered pairs of distinct views.
 * Self-supervised: the positives are the N pairs (z1_i, z2_i) and every cross-image pair is a
 * negative. With `labels` (one per image), any two views with the same label are positives.
 * The two means are weighted equally (not pooled): otherwise the ~2N negatives per positive
 * would swamp the attraction term.
 */
export interface ContrastiveOptions {
  /** Margin m on the Euclidean distance of normalised embeddings (default 1.0). */
  margin?: number;
  /** Per-image labels (length N): same label ⇒ positive pair. */
  labels?: Int32Array;
  /** Images (by label, or by batch position without labels) that are also positives: pairs from --pairs. */
  related?: GroupRelation;
}

export interface ContrastiveStats {
  loss: number;
  /** Mean d over positive pairs. */
  positiveDistance: number;
  /** Mean d over negative pairs (NaN when there are none). */
  negativeDistance: number;
  /** Fraction of negative pairs closer than the margin (the ones that still push). */
  activeNegatives: number;
}

/** Hadsell–Chopra–LeCun's m on normalised embeddings: negatives are pushed until cos ≤ 0.5. */
export const CONTRASTIVE_MARGIN = 1.0;

/** What the contrastive (margin) objective logs, in this order. */
export const CONTRASTIVE_STATS = ['positiveDistance', 'negativeDistance', 'activeNegatives'] as const satisfies readonly (keyof ContrastiveStats)[];

export function contrastiveLoss(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  options: ContrastiveOptions = {},
): tf.Scalar {
  const { loss, distances } = contrastiveLossAndDistances(z1, z2, options);
  distances.dispose();
  return loss;
}

/** The loss plus plain numbers for logging (one synchronous read of the distance matrix). */
export function contrastiveLossWithStats(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  options: ContrastiveOptions = {},
): { loss: tf.Scalar; stats: ContrastiveStats } {
  const margin = options.margin ?? CONTRASTIVE_MARGIN;
  const { loss, distances, masks } = contrastiveLossAndDistances(z1, z2, options);
  const d = distances.dataSync();
  distances.dispose();
  let positive = 0;
  let negative = 0;
  let active = 0;
  for (let i = 0; i < d.length; i++) {
    if (masks.positive[i]) positive += d[i];
    if (masks.negative[i]) {
      negative += d[i];
      if (d[i] < margin) active++;
    }
  }
  const stats: ContrastiveStats = {
    loss: loss.dataSync()[0],
    positiveDistance: positive / masks.numPositive,
    negativeDistance: masks.numNegative ? negative / masks.numNegative : NaN,
    activeNegatives: masks.numNegative ? active / masks.numNegative : 0,
  };
  return { loss, stats };
}

interface PairMasks {
  /** [M*M], 1 on the upper triangle where the pair is positive. */
  positive: Float32Array;
  negative: Float32Array;
  numPositive: number;
  numNegative: number;
}

function pairMasks(labels: Int32Array, related?: GroupRelation): PairMasks {
  const m = labels.length;
  const same = positivePredicate(labels, related);
  const positive = new Float32Array(m * m);
  const negative = new Float32Array(m * m);
  let numPositive = 0;
  let numNegative = 0;
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      if (same(i, j)) {
        positive[i * m + j] = 1;
        numPositive++;
      } else {
        negative[i * m + j] = 1;
        numNegative++;
      }
    }
  }
  return { positive, negative, numPositive, numNegative };
}

function contrastiveLossAndDistances(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  options: ContrastiveOptions,
): { loss: tf.Scalar; distances: tf.Tensor2D; masks: PairMasks } {
  const margin = options.margin ?? CONTRASTIVE_MARGIN;
  if (!(margin > 0) || !Number.isFinite(margin)) {
    throw new Error(`contrastive margin must be a positive number, got ${margin}`);
  }
  const n = z1.shape[0];
  // In labelled mode one image is enough (other images may share its label or not).
  const masks = pairMasks(viewLabels(n, options.labels), options.related);
  const [loss, distances] = tf.tidy(() => {
    const m = 2 * n;
    const squared = pairwiseSquaredDistances(stackViews(z1, z2, options.labels || options.related ? 1 : 2));
    const d = euclideanFromSquared(squared);
    const pull = squared
      .mul(tf.tensor2d(masks.positive, [m, m]))
      .sum()
      .div(2 * masks.numPositive);
    if (masks.numNegative === 0) return [pull as tf.Scalar, d];
    const push = tf
      .relu(tf.sub(margin, d))
      .square()
      .mul(tf.tensor2d(masks.negative, [m, m]))
      .sum()
      .div(2 * masks.numNegative);
    return [pull.add(push) as tf.Scalar, d];
  });
  return { loss, distances, masks };
}
