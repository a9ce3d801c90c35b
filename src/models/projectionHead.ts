import * as tf from '@tensorflow/tfjs';
import { batchNormalization } from './batchNormalization.js';
import { layerSeeds } from './resnet.js';

export interface ProjectionHeadOptions {
  inputDim: number;
  /** Hidden width; SimCLR uses the feature width. */
  hiddenDim?: number;
  outputDim?: number;
  /** Number of dense layers (2 = SimCLR v1's MLP; v2 uses 3). */
  layers?: number;
  bnMomentum?: number;
  /** Seeds the weight initialisation: same seed ⇒ same initial head. */
  seed?: number;
}

/**
 * The projection head g(·): h → z, (layers − 1) × [dense → BN → ReLU] then a linear layer.
 * The loss is computed on z; downstream tasks use h (the head is thrown away).
 */
export function buildProjectionHead(options: ProjectionHeadOptions): tf.LayersModel {
  const { inputDim, hiddenDim = inputDim, outputDim = 128, layers = 2, bnMomentum = 0.9 } = options;
  const initSeed = layerSeeds(options.seed ?? 0, 1);
  if (layers < 1) throw new Error(`--proj-layers must be ≥ 1, got ${layers}`);
  const input = tf.input({ shape: [inputDim], name: 'h_in' });
  let x: tf.SymbolicTensor = input;
  for (let i = 1; i < layers; i++) {
    x = tf.layers
      .dense({ units: hiddenDim, useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: initSeed() }), name: `proj_dense_${i}` })
      .apply(x) as tf.SymbolicTensor;
    x = batchNormalization({ momentum: bnMomentum, epsilon: 1e-5, name: `proj_bn_${i}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: `proj_relu_${i}` }).apply(x) as tf.SymbolicTensor;
  }
  const z = tf.layers
    .dense({ units: outputDim, kernelInitializer: tf.initializers.glorotUniform({ seed: initSeed() }), name: `proj_dense_${layers}` })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: z, name: 'projection_head' });
}
