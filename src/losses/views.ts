import * as tf from '@tensorflow/tfjs';

/**
 * The 2N views of a batch as one [2N, D] matrix: rows 0..N−1 are z1, rows N..2N−1 are z2,
 * so view v belongs to image v mod N. `minImages` guards against batches with no negatives.
 */
export function stackViews(z1: tf.Tensor2D, z2: tf.Tensor2D, minImages = 2): tf.Tensor2D {
  checkViewPair(z1, z2, minImages);
  return tf.concat([z1, z2], 0);
}

export function checkViewPair(z1: tf.Tensor, z2: tf.Tensor, minImages = 1): void {
  if (z1.rank !== 2 || z2.rank !== 2 || z1.shape[0] !== z2.shape[0] || z1.shape[1] !== z2.shape[1]) {
    throw new Error(
      `expected two [N, D] embeddings of the same shape, got [${z1.shape}] and [${z2.shape}]`,
    );
  }
  const [n, d] = z1.shape as number[];
  if (n < minImages || d < 1) {
    throw new Error(`need at least ${minImages} images with D ≥ 1, got [${z1.shape}]`);
  }
}

/**
 * Group id of each of the 2N views: the image index (self-supervised: only the two views of an
 * image are positives) or, with per-image `labels` (length N), the image's label.
 */
export function viewLabels(n: number, labels?: Int32Array): Int32Array {
  if (labels !== undefined && labels.length !== n) {
    throw new Error(`labels must have one entry per image (${n}), got ${labels.length}`);
  }
  const out = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) out[i] = out[n + i] = labels ? labels[i] : i;
  return out;
}

/**
 * Groups that are positives of each other besides being the same group: a pair relation
 * (from --pairs), symmetric but not necessarily transitive, so it cannot be a label vector.
 */
export type GroupRelation = (a: number, b: number) => boolean;

/** Whether points i and j (groups labels[i], labels[j]) are positives: the same group, or related groups. */
export function positivePredicate(labels: Int32Array, related?: GroupRelation): (i: number, j: number) => boolean {
  if (!related) return (i, j) => labels[i] === labels[j];
  return (i, j) => labels[i] === labels[j] || related(labels[i], labels[j]);
}
