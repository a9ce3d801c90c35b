import * as tf from '@tensorflow/tfjs';

/** What the contrastive-logit objectives log, in the order contrastiveStatMeans gives them. */
export const CONTRASTIVE_LOGIT_STATS = ['top1', 'positiveCosine', 'negativeCosine'] as const;

/** Pushes a cosine below any real one (≥ −1) so that max() skips it. */
const BELOW_ANY_COSINE = 4;

/**
 * Sums over a block of anchors, so blocks add up (gradient caching works in blocks of rows):
 * [hits, Σ positive cos, positives, Σ negative cos, negatives]. A hit is an anchor whose most
 * similar positive beats every negative. `cos` [A, C] with the masks of pairMasks; `extraCos`
 * [A, K] are cosines to extra negatives (a MoCo queue).
 */
export function contrastiveStatSums(
  cos: tf.Tensor2D,
  positiveMask: tf.Tensor2D,
  negativeMask: tf.Tensor2D,
  extraCos?: tf.Tensor2D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const extra = extraCos !== undefined && extraCos.shape[1] > 0 ? extraCos : undefined;
    const bestPositive = tf.max(tf.sub(cos, tf.mul(tf.sub(1, positiveMask), BELOW_ANY_COSINE)), 1);
    let bestNegative = tf.max(tf.sub(cos, tf.mul(tf.sub(1, negativeMask), BELOW_ANY_COSINE)), 1);
    if (extra) bestNegative = tf.maximum(bestNegative, tf.max(extra, 1));
    const hits = tf.sum(tf.cast(tf.greater(bestPositive, bestNegative), 'float32'));
    let negativeSum = tf.sum(tf.mul(cos, negativeMask));
    let negatives = tf.sum(negativeMask);
    if (extra) {
      negativeSum = tf.add(negativeSum, tf.sum(extra));
      negatives = tf.add(negatives, extra.shape[0] * extra.shape[1]);
    }
    return tf.stack([hits, tf.sum(tf.mul(cos, positiveMask)), tf.sum(positiveMask), negativeSum, negatives]) as tf.Tensor1D;
  });
}

/** [top1, positiveCosine, negativeCosine] (CONTRASTIVE_LOGIT_STATS) from the sums over all `anchors`; a mean over no pair is NaN. */
export function contrastiveStatMeans(sums: tf.Tensor1D, anchors: number): tf.Tensor1D {
  return tf.tidy(() => {
    const [hits, positiveSum, positives, negativeSum, negatives] = tf.unstack(sums);
    return tf.stack([tf.div(hits, anchors), tf.div(positiveSum, positives), tf.div(negativeSum, negatives)]) as tf.Tensor1D;
  });
}
