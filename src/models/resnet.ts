import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../augment/rng.js';
import { batchNormalization } from './batchNormalization.js';
import { residualAdd } from './residualAdd.js';

export const BACKBONES = ['resnet18', 'resnet34', 'resnet50'] as const;
export type Backbone = (typeof BACKBONES)[number];

export interface ResNetOptions {
  backbone: Backbone;
  /** Channel multiplier on the standard widths (64, 128, 256, 512). */
  width: number;
  imageSize: number;
  /** 3×3 stride-1 stem without max-pool (CIFAR-style) instead of 7×7 stride 2 + max-pool. */
  cifarStem: boolean;
  /** BatchNorm moving-average momentum (SimCLR uses decay 0.9). */
  bnMomentum?: number;
  /** Seeds the weight initialisation (each layer its own stream): same seed ⇒ same initial model. */
  seed?: number;
}

const STAGES: Record<Backbone, { blocks: number[]; bottleneck: boolean }> = {
  resnet18: { blocks: [2, 2, 2, 2], bottleneck: false },
  resnet34: { blocks: [3, 4, 6, 3], bottleneck: false },
  resnet50: { blocks: [3, 4, 6, 3], bottleneck: true },
};

export function isBackbone(name: string): name is Backbone {
  return name in STAGES;
}

/** Width of h, the encoder's output (after global average pooling). */
export function featureDim(backbone: Backbone, width: number): number {
  return channels(512, width) * (STAGES[backbone].bottleneck ? 4 : 1);
}

function channels(base: number, width: number): number {
  return Math.max(1, Math.round(base * width));
}

/**
 * The encoder f(·): ResNet (He et al. 2016) from NHWC images in [0, 1] to h after global
 * average pooling. Convolutions have no bias (BatchNorm follows each one).
 */
export function buildResNet(options: ResNetOptions): tf.LayersModel {
  const { backbone, width, imageSize, cifarStem } = options;
  const momentum = options.bnMomentum ?? 0.9;
  const { blocks, bottleneck } = STAGES[backbone];
  let names = 0;
  const name = (kind: string) => `${kind}_${++names}`;
  const initSeed = layerSeeds(options.seed ?? 0);

  const conv = (x: tf.SymbolicTensor, filters: number, kernel: number, stride: number) =>
    tf.layers
      .conv2d({
        filters,
        kernelSize: kernel,
        strides: stride,
        padding: 'same',
        useBias: false,
        kernelInitializer: tf.initializers.heNormal({ seed: initSeed() }),
        name: name('conv'),
      })
      .apply(x) as tf.SymbolicTensor;
  const bn = (x: tf.SymbolicTensor, zeroGamma = false) =>
    batchNormalization({
      momentum,
      epsilon: 1e-5,
      gammaInitializer: zeroGamma ? 'zeros' : 'ones',
      name: name('bn'),
    }).apply(x) as tf.SymbolicTensor;
  const relu = (x: tf.SymbolicTensor) => tf.layers.reLU({ name: name('relu') }).apply(x) as tf.SymbolicTensor;
  const add = (a: tf.SymbolicTensor, b: tf.SymbolicTensor) =>
    residualAdd({ name: name('add') }).apply([a, b]) as tf.SymbolicTensor;

  const input = tf.input({ shape: [imageSize, imageSize, 3], name: 'image' });
  let x: tf.SymbolicTensor;
  if (cifarStem) {
    x = relu(bn(conv(input, channels(64, width), 3, 1)));
  } else {
    x = relu(bn(conv(input, channels(64, width), 7, 2)));
    x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: name('maxpool') }).apply(x) as tf.SymbolicTensor;
  }

  let inChannels = channels(64, width);
  [64, 128, 256, 512].forEach((base, stage) => {
    const planes = channels(base, width);
    for (let b = 0; b < blocks[stage]; b++) {
      const stride = b === 0 && stage > 0 ? 2 : 1;
      const outChannels = bottleneck ? planes * 4 : planes;
      let y: tf.SymbolicTensor;
      if (bottleneck) {
        y = relu(bn(conv(x, planes, 1, 1)));
        y = relu(bn(conv(y, planes, 3, stride)));
        y = bn(conv(y, outChannels, 1, 1), true);
      } else {
        y = relu(bn(conv(x, planes, 3, stride)));
        y = bn(conv(y, planes, 3, 1), true);
      }
      // Projection shortcut when the shape changes; the last BN of each residual branch
      // starts at γ = 0 so every block begins as identity (Goyal et al. 2017).
      const shortcut = stride !== 1 || inChannels !== outChannels ? bn(conv(x, outChannels, 1, stride)) : x;
      x = relu(add(y, shortcut));
      inChannels = outChannels;
    }
  });
  const h = tf.layers.globalAveragePooling2d({ name: 'h' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: h, name: `${backbone}_w${width}` });
}

/** Successive per-layer initialiser seeds from the project's one RNG. */
export function layerSeeds(seed: number, stream = 0): () => number {
  const rng = Rng.derive(seed, 0x1417, stream);
  return () => rng.int(2 ** 31);
}
