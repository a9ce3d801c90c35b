import * as tf from '@tensorflow/tfjs';
import { checkLogits } from './logits.js';
import { softmaxCrossEntropy } from './softmaxCrossEntropy.js';

/** τ of InfoNCE and MoCo (MoCo v1's default). */
export const INFO_NCE_TEMPERATURE = 0.07;

/**
 * InfoNCE (van den Oord et al. 2018) on given logits: cross-entropy of the positive among its
 * 1 + K logits,
 *
 *   L = mean_b [ −s⁺_b/τ + log( exp(s⁺_b/τ) + Σ_k exp(s⁻_bk/τ) ) ]
 *
 * Pass cosine similarities as logits. The objectives get their logits from contrastiveLogits;
 * this form (the positive as the one candidate, the negatives as extra negatives) goes through
 * the same softmaxCrossEntropy.
 */
export function infoNceLoss(
  positiveLogits: tf.Tensor1D,
  negativeLogits: tf.Tensor2D,
  temperature = INFO_NCE_TEMPERATURE,
): tf.Scalar {
  checkLogits(positiveLogits, negativeLogits, 'infoNceLoss');
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new Error(`infoNceLoss: temperature must be a positive number, got ${temperature}`);
  }
  return tf.tidy(() => {
    const logits = tf.div(tf.expandDims(positiveLogits, 1), temperature) as tf.Tensor2D;
    const extraLogits = negativeLogits.shape[1] > 0 ? (tf.div(negativeLogits, temperature) as tf.Tensor2D) : undefined;
    return softmaxCrossEntropy({ logits, extraLogits, positiveMask: tf.ones([positiveLogits.shape[0], 1]) });
  });
}
