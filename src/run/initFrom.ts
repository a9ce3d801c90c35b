import type * as tf from '@tensorflow/tfjs';
import type { SimclrModel } from '../models/simclrModel.js';
import { hasCheckpoint, loadCheckpointWeights } from '../train/checkpoint.js';
import { loadEncoder } from './loadEncoder.js';
import { runPaths } from './runDirectory.js';

/**
 * Warm start (`--init-from`): copies the weights of a run (its latest checkpoint: encoder and
 * head, BN statistics included) or of an encoder directory (encoder only; the head keeps its
 * fresh initialisation) into `model`. A source of another shape is one clear error.
 */
export async function initFrom(spec: string, model: SimclrModel): Promise<string> {
  const checkpoint = runPaths(spec).checkpoint;
  try {
    if (hasCheckpoint(checkpoint)) {
      const step = await loadCheckpointWeights(checkpoint, model);
      return `${spec} (checkpoint at step ${step}: encoder and head)`;
    }
    const { encoder, label } = await loadEncoder(spec);
    try {
      copyWeights(encoder, model.encoder);
    } finally {
      encoder.dispose();
    }
    return `${label} (encoder; the head starts fresh)`;
  } catch (err) {
    throw new Error(`--init-from ${spec}: ${(err as Error).message.replace(/^--encoder \S+: /, '')}`);
  }
}

/** Weights in layer order (both models come from the same builder), shapes checked first. */
function copyWeights(from: tf.LayersModel, to: tf.LayersModel): void {
  const source = from.weights;
  const target = to.weights;
  if (source.length !== target.length) {
    throw new Error(`its encoder has ${source.length} weights, this model's ${target.length}: a different --backbone?`);
  }
  target.forEach((w, i) => {
    if (source[i].shape.join() !== w.shape.join()) {
      throw new Error(`its weight ${source[i].originalName} has shape [${source[i].shape}], this model's ${w.originalName} [${w.shape}] (check --backbone, --width, --image-size, --cifar-stem)`);
    }
  });
  target.forEach((w, i) => w.write(source[i].read()));
}
