import * as tf from '@tensorflow/tfjs';
import { checkLogits } from './logits.js';

/**
 * InfoNCE (van den Oord et al. 2018): cross-entropy of the positive among its 1 + K logits,
 *
 *   L = mean_b [ −s⁺_b/τ + log( exp(s⁺_b/τ) + Σ_k exp(s⁻_bk/τ) ) ]
 *
 * (log-sum-exp with the max subtracted, so large logits/τ do not overflow). τ = 0.07 is
 * MoCo's default; pass cosine similarities as logits.
 */
export function infoNceLoss(
  positiveLogits: tf.Tensor1D,
  negativeLogits: tf.Tensor2D,
  temperature = 0.07,
): tf.Scalar {
  checkLogits(positiveLogits, negativeLogits, 'infoNceLoss');
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new Error(`infoNceLoss: temperature must be a positive number, got ${temperature}`);
  }
  return tf.tidy(() => {
    const pos = positiveLogits.div(temperature).expandDims(1);
    const all = tf.concat([pos, negativeLogits.div(temperature)], 1);
    return tf.logSumExp(all, 1).sub(pos.squeeze([1])).mean() as tf.Scalar;
  });
}
