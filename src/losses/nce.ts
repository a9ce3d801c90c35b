import * as tf from '@tensorflow/tfjs';
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
 * where s is the model's log (unnormalised) density, e.g. v·f/τ. Computed with softplus:
 * −log σ(x) = softplus(−x), −log(1 − σ(x)) = softplus(x), stable for large |x|.
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
    const real = tf.softplus(tf.sub(shift, positiveLogits));
    const noise = tf.softplus(tf.sub(negativeLogits, shift)).sum(1);
    return real.add(noise).mean() as tf.Scalar;
  });
}
