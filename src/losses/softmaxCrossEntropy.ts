import * as tf from '@tensorflow/tfjs';
import type { ContrastiveLogits } from './contrastiveLogits.js';

/**
 * The softmax cross-entropy of the positives, averaged over the anchors (NT-Xent, InfoNCE,
 * MoCo): −log p of each anchor's positive, p the softmax over its candidates' logits [A, C] and
 * its extra negatives' logits [A, K]; with several positives, the mean over them (SupCon's
 * L_out). The gradient is written out, ∂L/∂l = (softmax − W)/A with W the positive weights:
 * tfjs's own logSumExp gradient took ~5 s for B = 256, K = 65536 on wasm, this one is a few
 * elementwise passes, and the two blocks are never joined into one [A, C + K] copy.
 */
export function softmaxCrossEntropy(l: Pick<ContrastiveLogits, 'logits' | 'extraLogits' | 'positiveMask'>): tf.Scalar {
  const anchors = l.logits.shape[0];
  const op = tf.customGrad((...inputs) => {
    const save = inputs.pop() as tf.GradSaveFunc;
    const [batch, extra] = inputs as [tf.Tensor2D, tf.Tensor2D | undefined];
    const weights = positiveWeights(l.positiveMask);
    const lse = rowLogSumExp(batch, extra);
    // Saved (the engine keeps a clone) so the backward pass outlives this call's tensors.
    save([batch, lse, weights, ...(extra ? [extra] : [])]);
    return {
      value: tf.mean(crossEntropyGivenLse(lse, batch, weights)) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedBatch, savedLse, savedWeights, savedExtra] = saved;
        const scale = tf.div(dy, anchors);
        const batchGrad = tf.mul(tf.sub(tf.exp(tf.sub(savedBatch, savedLse)), savedWeights), scale);
        return savedExtra ? [batchGrad, tf.mul(tf.exp(tf.sub(savedExtra, savedLse)), scale)] : [batchGrad];
      },
    };
  });
  return tf.tidy(() => (l.extraLogits ? op(l.logits, l.extraLogits) : op(l.logits)) as tf.Scalar);
}

/** log Σ exp of each row over both blocks, [A, 1], shifted by the row max so large logits do not overflow. */
export function rowLogSumExp(logits: tf.Tensor2D, extraLogits?: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    if (!extraLogits) return tf.logSumExp(logits, 1, true) as tf.Tensor2D;
    const top = tf.maximum(tf.max(logits, 1, true), tf.max(extraLogits, 1, true));
    const sum = tf.add(tf.sum(tf.exp(tf.sub(logits, top)), 1, true), tf.sum(tf.exp(tf.sub(extraLogits, top)), 1, true));
    return tf.add(top, tf.log(sum)) as tf.Tensor2D;
  });
}

/** −log p of the positives per anchor from the row log-sum-exp: lse − Σ W·logits, [A]. */
export function crossEntropyGivenLse(lse: tf.Tensor2D, logits: tf.Tensor2D, weights: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sub(tf.squeeze(lse, [1]), tf.sum(tf.mul(logits, weights), 1)) as tf.Tensor1D);
}

/** The positive mask with each row summing to 1 (an anchor without a positive stays all 0, not NaN). */
export function positiveWeights(positiveMask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(positiveMask, tf.maximum(tf.sum(positiveMask, 1, true), 1)));
}
