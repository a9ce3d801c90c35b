import * as tf from '@tensorflow/tfjs';
import type { ContrastiveLogits } from './contrastiveLogits.js';
import { checkLogits } from './logits.js';

export interface NceOptions {
  /**
   * log Pn of the noise distribution the K negatives were drawn from (e.g. −log(n) for
   * uniform noise over n instances, as in InstDisc). Omitted: no correction, h(s) = σ(s).
   */
  noiseLogProb?: number;
}

/**
 * Noise-contrastive estimation (Gutmann & Hyvärinen 2010; the binary form InstDisc uses):
 * each positive is classified as real and each of its K noise samples as noise, with
 *
 *   h(s) = P(real | s) = exp(s) / (exp(s) + K·Pn) = σ(s − log(K·Pn))
 *   L = −mean_b [ log h(s⁺_b) + Σ_k log(1 − h(s⁻_bk)) ]
 *
 * where s is the model's log (unnormalised) density, e.g. v·f/τ. This form takes the positive
 * [B] and noise [B, K] logits apart; it goes through binaryNce, as the objective does.
 */
export function nceLoss(
  positiveLogits: tf.Tensor1D,
  negativeLogits: tf.Tensor2D,
  options: NceOptions = {},
): tf.Scalar {
  checkLogits(positiveLogits, negativeLogits, 'nceLoss');
  const k = negativeLogits.shape[1];
  if (k < 1) throw new Error('nceLoss: needs at least one noise sample per positive (K ≥ 1)');
  const { noiseLogProb } = options;
  if (noiseLogProb !== undefined && !Number.isFinite(noiseLogProb)) {
    throw new Error(`nceLoss: noiseLogProb must be a finite log-probability, got ${noiseLogProb}`);
  }
  const shift = noiseLogProb === undefined ? 0 : Math.log(k) + noiseLogProb;
  return tf.tidy(() => {
    const b = positiveLogits.shape[0];
    const logits = tf.sub(tf.expandDims(positiveLogits, 1), shift) as tf.Tensor2D;
    return binaryNce({ logits, extraLogits: tf.sub(negativeLogits, shift) as tf.Tensor2D, positiveMask: tf.ones([b, 1]), negativeMask: tf.zeros([b, 1]) });
  });
}

/**
 * Binary NCE on contrastive logits: −log σ(s) for each positive and −log(1 − σ(s)) for each
 * negative, summed per anchor, averaged over the anchors. softplus keeps both stable for large
 * |s|: −log σ(s) = softplus(−s), −log(1 − σ(s)) = softplus(s).
 */
export function binaryNce(l: Pick<ContrastiveLogits, 'logits' | 'extraLogits' | 'positiveMask' | 'negativeMask'>): tf.Scalar {
  return tf.tidy(() => {
    const positive = tf.mul(tf.softplus(tf.neg(l.logits)), l.positiveMask);
    let rows = tf.sum(tf.add(positive, tf.mul(tf.softplus(l.logits), l.negativeMask)), 1);
    if (l.extraLogits) rows = tf.add(rows, tf.sum(tf.softplus(l.extraLogits), 1));
    return tf.mean(rows) as tf.Scalar;
  });
}
