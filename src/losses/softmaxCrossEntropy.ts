import * as tf from '@tensorflow/tfjs';
import type { ContrastiveLogits } from './contrastiveLogits.js';

/** The softmax cross-entropy of the positives, averaged over the anchors: NT-Xent, InfoNCE, MoCo. */
export function softmaxCrossEntropy(l: Pick<ContrastiveLogits, 'logits' | 'positiveMask'>): tf.Scalar {
  return tf.tidy(() => tf.mean(positiveCrossEntropyRows(tf.logSoftmax(l.logits) as tf.Tensor2D, l.positiveMask)) as tf.Scalar);
}

/**
 * −log p of each anchor's positive, [A], from the row log-softmax [A, C + K] and the positive
 * mask [A, C]; with several positives, the mean over them (SupCon's L_out).
 */
export function positiveCrossEntropyRows(logProbabilities: tf.Tensor2D, positiveMask: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const [a, c] = positiveMask.shape;
    const batch = c === logProbabilities.shape[1] ? logProbabilities : tf.slice(logProbabilities, [0, 0], [a, c]);
    return tf.neg(tf.sum(tf.mul(batch, positiveWeights(positiveMask)), 1)) as tf.Tensor1D;
  });
}

/** The positive mask with each row summing to 1 (an anchor without a positive stays all 0, not NaN). */
export function positiveWeights(positiveMask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(positiveMask, tf.maximum(tf.sum(positiveMask, 1, true), 1)));
}
