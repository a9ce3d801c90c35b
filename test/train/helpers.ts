import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../augment/rng.js';
import { SimclrModel, type ModelConfig } from '../../src/models/simclrModel.js';

/** Tiny model for step tests: ResNet-18 at width 0.125 on 16×16 views. */
export const TINY_MODEL: ModelConfig = { backbone: 'resnet18', width: 0.125, imageSize: 16, cifarStem: true, projDim: 16, projLayers: 2 };

export function randomViews(seed: number, batchSize: number, size = TINY_MODEL.imageSize): Float32Array {
  const rng = new Rng(seed);
  const values = new Float32Array(2 * batchSize * size * size * 3);
  for (let i = 0; i < values.length; i++) values[i] = rng.uniform(0, 1);
  return values;
}

/** The same model with BatchNorm in inference mode in every forward: no batch coupling through BN. */
export function withFrozenBatchNorm(model: SimclrModel): SimclrModel {
  const frozen = Object.create(model) as SimclrModel;
  frozen.project = (images: tf.Tensor4D) => model.project(images, false);
  return frozen;
}

/** Every weight's values, by stable name. */
export function weightValues(model: SimclrModel, trainableOnly = false): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(model.namedWeights(trainableOnly)).map(([k, v]) => [k, v.dataSync() as Float32Array]));
}

export function setWeights(model: SimclrModel, values: Record<string, Float32Array>): void {
  for (const [k, v] of Object.entries(model.namedWeights())) tf.tidy(() => v.assign(tf.tensor(values[k], v.shape)));
}

/** max |a−b| / max |b| over every entry of two maps with the same keys. */
export function relativeMapError(a: Record<string, ArrayLike<number>>, b: Record<string, ArrayLike<number>>): number {
  let diff = 0;
  let scale = 0;
  for (const key of Object.keys(b)) {
    if (!(key in a)) throw new Error(`missing ${key}`);
    for (let i = 0; i < b[key].length; i++) {
      diff = Math.max(diff, Math.abs(a[key][i] - b[key][i]));
      scale = Math.max(scale, Math.abs(b[key][i]));
    }
  }
  return diff / Math.max(scale, 1e-30);
}

export function readGrads(grads: tf.NamedTensorMap): Record<string, Float32Array> {
  const out = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.dataSync() as Float32Array]));
  tf.dispose(Object.values(grads));
  return out;
}
