import * as tf from '@tensorflow/tfjs';
import { l2Normalize } from './distances.js';

/**
 * NT-Xent (SimCLR, Chen et al. 2020). For the 2N L2-normalised projections z = [z1; z2],
 * ℓ(i, j) = −log( exp(s(i,j)/τ) / Σ_{k≠i} exp(s(i,k)/τ) ), averaged over all 2N anchors;
 * each view's positive is the other view of the same image.
 */
export function ntXentLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, temperature = 0.5): tf.Scalar {
  return tf.tidy(() => ntXentParts(z1, z2, temperature).loss);
}

export interface NtXentStats {
  loss: number;
  /** Share of anchors whose most similar other view is their positive. */
  top1: number;
  /** Mean cosine similarity of positive pairs. */
  positiveCosine: number;
  /** Mean cosine similarity over all negative pairs. */
  negativeCosine: number;
}

/** The loss plus the statistics the trainer logs, as tensors (one [4] tensor, read once). */
export function ntXentWithStats(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  temperature = 0.5,
): { loss: tf.Scalar; stats: tf.Tensor1D } {
  return tf.tidy(() => {
    const { loss, cos, positiveMask, selfMask } = ntXentParts(z1, z2, temperature);
    const n2 = cos.shape[0];
    const negativeMask = tf.sub(tf.sub(1, positiveMask), selfMask);
    // Exclude self from the argmax by pushing its similarity below any cosine.
    const others = tf.sub(cos, tf.mul(selfMask, 4));
    const best = tf.argMax(others, 1);
    const positiveIndex = tf.argMax(positiveMask, 1);
    const top1 = tf.mean(tf.cast(tf.equal(best, positiveIndex), 'float32'));
    const positiveCosine = tf.div(tf.sum(tf.mul(cos, positiveMask)), n2);
    const negativeCosine = tf.div(tf.sum(tf.mul(cos, negativeMask)), n2 * (n2 - 2));
    const stats = tf.stack([loss, top1, positiveCosine, negativeCosine]) as tf.Tensor1D;
    return { loss, stats };
  });
}

export function readNtXentStats(values: ArrayLike<number>): NtXentStats {
  return { loss: values[0], top1: values[1], positiveCosine: values[2], negativeCosine: values[3] };
}

function ntXentParts(z1: tf.Tensor2D, z2: tf.Tensor2D, temperature: number) {
  if (z1.shape[0] !== z2.shape[0] || z1.shape[1] !== z2.shape[1]) {
    throw new Error(`ntXentLoss: views must have the same shape, got [${z1.shape}] and [${z2.shape}]`);
  }
  if (!(temperature > 0)) throw new Error(`ntXentLoss: temperature must be > 0, got ${temperature}`);
  const n = z1.shape[0];
  const z = tf.concat([l2Normalize(z1), l2Normalize(z2)], 0);
  // Explicit transpose: matMul with a transposed operand is far slower on wasm.
  const cos = tf.matMul(z, tf.transpose(z)) as tf.Tensor2D;
  const selfMask = tf.eye(2 * n);
  // Positive of row i is row (i + N) mod 2N.
  const positiveMask = tf.concat(
    [tf.concat([tf.zeros([n, n]), tf.eye(n)], 1), tf.concat([tf.eye(n), tf.zeros([n, n])], 1)],
    0,
  );
  const logits = tf.div(cos, temperature);
  // Self-similarity masked out of the denominator with a large negative (stable log-sum-exp).
  const masked = tf.sub(logits, tf.mul(selfMask, 1e9));
  const logDenominator = tf.logSumExp(masked, 1);
  const positiveLogit = tf.sum(tf.mul(logits, positiveMask), 1);
  const loss = tf.mean(tf.sub(logDenominator, positiveLogit)) as tf.Scalar;
  return { loss, cos, positiveMask, selfMask };
}
