import * as tf from '@tensorflow/tfjs';
import type { SimclrModel } from '../../models/simclrModel.js';
import { modelGrads, type NamedGrads } from './trainStep.js';

/**
 * Gradient caching (Gao et al. 2021): the exact full-batch NT-Xent gradient with the activations
 * of one micro-batch in memory. Pass 1 projects every micro-batch without recording gradients
 * and keeps only z; the loss and dL/dz are computed over the whole batch; pass 2 projects each
 * micro-batch again with gradients and back-propagates its slice of dL/dz (a vector-Jacobian
 * product), summing parameter gradients.
 *
 * A micro-batch is a run of images and holds BOTH views of each, as a SimCLR replica on one
 * accelerator does. BatchNorm therefore normalises over each micro-batch's 2m views — per
 * micro-batch statistics, like multi-GPU training without sync-BN; only with one micro-batch
 * is the step the plain full-batch step.
 */

/** Images [start, start + size) of the batch; their views are rows start… and B + start… */
export interface MicroBatch {
  start: number;
  size: number;
}

/** Images per micro-batch: as asked, else the batch shared out over the replicas (all of it for one). */
export function microBatchSize(batchSize: number, microBatch: number | undefined, replicas = 1): number {
  return Math.min(batchSize, microBatch ?? Math.ceil(batchSize / replicas));
}

/** The batch of B images cut into runs of at most `microBatch` images (the last may be shorter). */
export function splitMicroBatches(batchSize: number, microBatch: number): MicroBatch[] {
  if (!Number.isInteger(microBatch) || microBatch < 1) throw new Error(`micro-batch must be a positive integer, got ${microBatch}`);
  const out: MicroBatch[] = [];
  for (let start = 0; start < batchSize; start += microBatch) out.push({ start, size: Math.min(microBatch, batchSize - start) });
  return out;
}

/** The 2m views of a micro-batch, [view 1 of its images; view 2 of the same images]. */
export function microBatchViews(views: tf.Tensor4D, batchSize: number, mb: MicroBatch): tf.Tensor4D {
  return tf.tidy(() => {
    const first = tf.slice(views, [mb.start, 0, 0, 0], [mb.size, -1, -1, -1]);
    const second = tf.slice(views, [batchSize + mb.start, 0, 0, 0], [mb.size, -1, -1, -1]);
    return tf.concat([first, second], 0);
  });
}

/** Micro-batch projections ([z1 rows; z2 rows] each, in batch order) joined into the batch's z1, z2. */
export function joinProjections(zs: tf.Tensor2D[]): [tf.Tensor2D, tf.Tensor2D] {
  return tf.tidy(() => {
    const halves = zs.map((z) => tf.split(z, 2, 0) as [tf.Tensor2D, tf.Tensor2D]);
    return [tf.concat(halves.map((h) => h[0]), 0), tf.concat(halves.map((h) => h[1]), 0)];
  });
}

/** The inverse of joinProjections: each micro-batch's slice of a batch-sized dz1, dz2. */
export function splitProjections(dz1: tf.Tensor2D, dz2: tf.Tensor2D, microBatches: MicroBatch[]): tf.Tensor2D[] {
  return microBatches.map((mb) =>
    tf.tidy(() => tf.concat([tf.slice(dz1, [mb.start, 0], [mb.size, -1]), tf.slice(dz2, [mb.start, 0], [mb.size, -1])], 0)),
  );
}

/**
 * Pass 1: z of each micro-batch's views, no gradient recorded. It runs in training mode — batch
 * statistics, as pass 2 will, or the cached dL/dz would belong to another function — and
 * training mode also moves the BN averages; they are restored afterwards so that only pass 2
 * updates them (once per micro-batch).
 */
export function projectWithoutGradient(model: SimclrModel, views: tf.Tensor4D[]): tf.Tensor2D[] {
  const trainable = new Set(Object.keys(model.namedWeights(true)));
  const moving = Object.entries(model.namedWeights()).filter(([key]) => !trainable.has(key)).map(([, v]) => v);
  const saved = moving.map((v) => tf.clone(v));
  try {
    return views.map((v) => model.project(v, true));
  } finally {
    moving.forEach((v, i) => v.assign(saved[i]));
    tf.dispose(saved);
  }
}

/** Pass 2: the parameter gradient Σ_mb (∂z_mb/∂θ)ᵀ dz_mb, one micro-batch's activations at a time. */
export function backpropCachedGradient(model: SimclrModel, views: tf.Tensor4D[], dz: tf.Tensor2D[]): NamedGrads {
  let total: NamedGrads = {};
  views.forEach((v, i) => {
    // dz is a constant here, so d⟨z, dz⟩/dθ is exactly the vector-Jacobian product.
    const { value, grads } = modelGrads(model, () => tf.sum(tf.mul(model.project(v, true), dz[i])));
    value.dispose();
    total = addGrads(total, grads);
  });
  return total;
}

/** Element-wise sum of two gradient maps; both are consumed (disposed), the sum is returned. */
export function addGrads(a: NamedGrads, b: NamedGrads): NamedGrads {
  const out: NamedGrads = { ...a };
  for (const [key, g] of Object.entries(b)) {
    const previous = out[key];
    if (!previous) {
      out[key] = g;
      continue;
    }
    out[key] = tf.add(previous, g);
    tf.dispose([previous, g]);
  }
  return out;
}
