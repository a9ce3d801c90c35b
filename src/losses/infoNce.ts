import * as tf from '@tensorflow/tfjs';
import { checkLogits } from './logits.js';

/**
 * InfoNCE (van den Oord et al. 2018): cross-entropy of the positive among its 1 + K logits,
 *
 *   L = mean_b [ −s⁺_b/τ + log( exp(s⁺_b/τ) + Σ_k exp(s⁻_bk/τ) ) ]
 *
 * (log-sum-exp with the row max subtracted, so large logits/τ do not overflow). τ = 0.07 is
 * MoCo's default; pass cosine similarities as logits. The gradient is written out,
 * ∂L/∂s = (softmax − onehot(positive)) / (Bτ): tfjs's own logSumExp gradient was ~5 s for
 * B = 256, K = 65536 on wasm, the written-out one is a few elementwise passes.
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
  const b = positiveLogits.shape[0];
  const hasNegatives = negativeLogits.shape[1] > 0;
  const loss = tf.customGrad((...inputs) => {
    const [pos, neg, save] = inputs as [tf.Tensor1D, tf.Tensor2D, tf.GradSaveFunc];
    const sp = pos.div(temperature);
    const sn = neg.div(temperature);
    const top = hasNegatives ? tf.maximum(sp, sn.max(1)) : sp;
    let sum = tf.exp(sp.sub(top));
    if (hasNegatives) sum = sum.add(tf.exp(sn.sub(top.expandDims(1))).sum(1));
    const logSumExp = top.add(tf.log(sum));
    save([sp, sn, logSumExp]);
    return {
      value: logSumExp.sub(sp).mean() as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedPos, savedNeg, savedLse] = saved;
        const scale = dy.div(b * temperature);
        const gradPos = tf.exp(savedPos.sub(savedLse)).sub(1).mul(scale);
        const gradNeg = hasNegatives
          ? tf.exp(savedNeg.sub(savedLse.expandDims(1))).mul(scale)
          : tf.zerosLike(savedNeg);
        return [gradPos, gradNeg];
      },
    };
  });
  return loss(positiveLogits, negativeLogits);
}
