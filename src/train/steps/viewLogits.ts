import * as tf from '@tensorflow/tfjs';
import { l2Normalize } from '../../losses/distances.js';

/**
 * Cosine a view's logits are pushed to where a column is not a negative (itself, its positive):
 * exp(−1e4/τ) and softplus(−1e4/τ) are exactly 0 in float32 for any τ < 100, so those columns
 * weigh nothing in InfoNCE's softmax or NCE's noise term and get zero gradient. Masking keeps the
 * negatives one dense [A, 2B] matrix: wasm has no gradient kernel for the gather that removing
 * them would need.
 */
const MASKED_COSINE = -1e4;

export const VIEW_LOGIT_STATS = ['top1', 'positiveCosine', 'negativeCosine'] as const;

export interface ViewLogits {
  /** cos(anchor, its positive), [A]. */
  positive: tf.Tensor1D;
  /** cos(anchor, every view), [A, 2B], with self and positive at MASKED_COSINE. */
  negative: tf.Tensor2D;
  /** [top1, positiveCosine, negativeCosine] over the anchors (VIEW_LOGIT_STATS). */
  stats: tf.Tensor1D;
}

/**
 * Cosine similarities of the first `anchors` of the 2B views [z1; z2] (B or 2B) to their
 * positive (the other view of the same image) and to the other 2B − 2 views as negatives.
 */
export function viewLogits(z1: tf.Tensor2D, z2: tf.Tensor2D, anchors: number): ViewLogits {
  const b = z1.shape[0];
  if (z2.shape[0] !== b || b < 2 || !(Number.isInteger(anchors) && anchors >= 1 && anchors <= 2 * b)) {
    throw new Error(`viewLogits: need two [B ≥ 2, D] views and 1..2B anchors, got [${z1.shape}], [${z2.shape}], ${anchors}`);
  }
  const positiveMask = new Float32Array(anchors * 2 * b);
  const excludedMask = new Float32Array(anchors * 2 * b);
  for (let i = 0; i < anchors; i++) {
    const positive = i < b ? i + b : i - b;
    positiveMask[i * 2 * b + positive] = 1;
    excludedMask[i * 2 * b + positive] = 1;
    excludedMask[i * 2 * b + i] = 1;
  }
  return tf.tidy(() => {
    const all = l2Normalize(tf.concat([z1, z2], 0));
    const a = anchors === 2 * b ? all : all.slice([0, 0], [anchors, -1]);
    // Explicit transpose: matMul with a transposed operand is far slower on wasm.
    const cos = tf.matMul(a, tf.transpose(all)) as tf.Tensor2D;
    const isPositive = tf.tensor2d(positiveMask, [anchors, 2 * b]);
    const isExcluded = tf.tensor2d(excludedMask, [anchors, 2 * b]);
    const positive = cos.mul(isPositive).sum(1) as tf.Tensor1D;
    const negative = cos.add(isExcluded.mul(MASKED_COSINE)) as tf.Tensor2D;
    const top1 = tf.greater(positive, negative.max(1)).cast('float32').mean();
    const negativeCosine = cos
      .mul(tf.sub(1, isExcluded))
      .sum()
      .div(anchors * (2 * b - 2));
    const stats = tf.stack([top1, positive.mean(), negativeCosine]) as tf.Tensor1D;
    return { positive, negative, stats };
  });
}
