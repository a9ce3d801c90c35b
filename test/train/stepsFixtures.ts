import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../augment/rng.js';
import { selectBackend } from '../../src/backend/select.js';
import { SimclrModel } from '../../src/models/simclrModel.js';
import { createOptimizer } from '../../src/optim/index.js';
import type { Optimizer } from '../../src/optim/optimizer.js';

/** Tiny model, 8 images of 16×16: a step takes a fraction of a second on wasm. */
export const B = 8;
export const SIZE = 16;

export async function useWasm(): Promise<void> {
  await selectBackend('wasm', { quiet: true });
}

export function tinyModel(optimizer: Optimizer = createOptimizer('lars', 1e-6)): { model: SimclrModel; optimizer: Optimizer } {
  const model = SimclrModel.build({ backbone: 'resnet18', width: 0.125, imageSize: SIZE, cifarStem: true, projDim: 16, projLayers: 2 });
  return { model, optimizer };
}

/**
 * Plain SGD without state, for leak counts that see the step's own tensors only (the project's
 * optimizers keep slot variables, and their SlotStore leaves behind the zerosLike each is made from).
 */
export function plainSgd(): Optimizer {
  return {
    name: 'sgd',
    applyGradients(grads, variables, lr) {
      for (const [name, g] of Object.entries(grads)) tf.tidy(() => variables[name].assign(variables[name].sub(g.mul(lr))));
    },
    getState: () => ({ tensors: {}, scalars: {} }),
    setState() {},
    dispose() {},
  };
}

/** Deterministic views [2B, S, S, 3] for `step`. */
export function viewsFor(step: number): tf.Tensor4D {
  const rng = Rng.derive(7, step);
  const values = new Float32Array(2 * B * SIZE * SIZE * 3);
  for (let i = 0; i < values.length; i++) values[i] = rng.uniform(0, 1);
  return tf.tensor4d(values, [2 * B, SIZE, SIZE, 3]);
}
