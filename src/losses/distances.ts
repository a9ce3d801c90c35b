import * as tf from '@tensorflow/tfjs';

/** Distances between normalised embeddings (--distance). */
export const DISTANCE_METRICS = ['euclidean', 'cosine'] as const;
export type DistanceMetric = (typeof DISTANCE_METRICS)[number];

/**
 * Floor under squared distances before the square root: sqrt has an infinite slope at 0, and
 * coinciding points (or rounding in 2 − 2cos) would otherwise give NaN gradients.
 */
const MIN_SQUARED_DISTANCE = 1e-12;

/** Rows scaled to unit L2 norm; an all-zero row stays zero (norm floored at `eps`). */
export function l2Normalize(z: tf.Tensor2D, eps = 1e-12): tf.Tensor2D {
  return tf.tidy(() => z.mul(tf.rsqrt(tf.maximum(z.square().sum(1, true), eps * eps))));
}

/** Cosine similarity of every pair of rows, [M, M]. */
export function cosineSimilarityMatrix(z: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const u = l2Normalize(z);
    // Explicit transpose: matMul with transposeB is several times slower on wasm.
    return tf.matMul(u, tf.transpose(u)) as tf.Tensor2D;
  });
}

/** ‖u_i − u_j‖² of the L2-normalised rows, = 2 − 2cos, clamped at 0 against rounding. */
export function pairwiseSquaredDistances(z: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.relu(tf.sub(2, cosineSimilarityMatrix(z).mul(2))) as tf.Tensor2D);
}

/** Euclidean distance from squared distance, with a finite gradient at 0. */
export function euclideanFromSquared(squared: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.sqrt(tf.maximum(squared, MIN_SQUARED_DISTANCE)) as tf.Tensor2D);
}

/**
 * Distance between every pair of rows after L2 normalisation, [M, M]:
 * 'euclidean' = ‖u_i − u_j‖ ∈ [0, 2], 'cosine' = 1 − cos ∈ [0, 2].
 * The diagonal is not exactly 0 for 'euclidean' (≈1e-6, see MIN_SQUARED_DISTANCE).
 */
export function pairwiseDistances(z: tf.Tensor2D, metric: DistanceMetric = 'euclidean'): tf.Tensor2D {
  if (metric === 'cosine') return tf.tidy(() => tf.sub(1, cosineSimilarityMatrix(z)));
  if (metric === 'euclidean') return tf.tidy(() => euclideanFromSquared(pairwiseSquaredDistances(z)));
  throw new Error(`unknown distance '${String(metric)}' (expected 'euclidean' or 'cosine')`);
}
