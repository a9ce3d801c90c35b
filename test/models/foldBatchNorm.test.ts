import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { fromLayersModel } from '../../src/models/featureExtractor.js';
import { foldBatchNorm } from '../../src/models/foldBatchNorm.js';
import { buildProjectionHead } from '../../src/models/projectionHead.js';
import { buildResNet, type ResNetOptions } from '../../src/models/resnet.js';
import { randomValues, relativeError } from '../backend/helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Trained-looking BatchNorm: γ of both signs away from 1 (the residual branches' last γ start
 * at 0), β, moving means and variances far from 0 and 1, so a fold that drops any of them shows.
 */
function randomizeBatchNorm(model: tf.LayersModel, seed: number): void {
  const rng = Rng.derive(seed, 7);
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    layer.setWeights(
      layer.weights.map((w) => {
        const n = w.shape[0] as number;
        const kind = w.originalName.split('/').pop();
        const v = Float32Array.from({ length: n }, () =>
          kind === 'gamma' ? (rng.bernoulli(0.2) ? -1 : 1) * rng.uniform(0.3, 1.7)
            : kind === 'moving_variance' ? rng.uniform(0.2, 3)
              : rng.uniform(-0.8, 0.8));
        return tf.tensor1d(v);
      }),
    );
  }
}

function classNames(model: tf.LayersModel): string[] {
  return model.layers.map((l) => l.getClassName());
}

const countOf = (names: string[], name: string) => names.filter((n) => n === name).length;

/** The model's output for x, unfolded (BN in inference mode), and the folded copy's. */
function compare(model: tf.LayersModel, x: tf.Tensor): { want: Float32Array; got: Float32Array; folded: string[] } {
  const unfolded = model.apply(x, { training: false }) as tf.Tensor;
  const want = unfolded.dataSync() as Float32Array;
  unfolded.dispose();
  const folded = foldBatchNorm(model);
  const names = classNames(folded);
  const out = folded.predict(x) as tf.Tensor;
  const got = out.dataSync() as Float32Array;
  out.dispose();
  folded.dispose();
  return { want, got, folded: names };
}

const RESNETS: [string, ResNetOptions][] = [
  ['resnet18, CIFAR stem', { backbone: 'resnet18', width: 0.125, imageSize: 16, cifarStem: true, seed: 1 }],
  ['resnet18, ImageNet stem (7×7 stride 2, max-pool)', { backbone: 'resnet18', width: 0.125, imageSize: 32, cifarStem: false, seed: 2 }],
  ['resnet50 (bottleneck blocks), CIFAR stem', { backbone: 'resnet50', width: 0.0625, imageSize: 16, cifarStem: true, seed: 3 }],
];

describe('foldBatchNorm', () => {
  for (const [label, options] of RESNETS) {
    it(`gives the unfolded encoder's features: ${label}`, () => {
      const model = buildResNet(options);
      randomizeBatchNorm(model, options.seed!);
      const x = tf.tensor4d(randomValues(Rng.derive(options.seed!, 1), 3 * options.imageSize ** 2 * 3), [3, options.imageSize, options.imageSize, 3]);
      const before = tf.memory().numTensors;
      const { want, got, folded } = compare(model, x);
      expect(tf.memory().numTensors).toBe(before);
      expect(got.length).toBe(want.length);
      expect(relativeError(got, want)).toBeLessThan(1e-4);

      // Every BN gone; each residual block's last conv, add and ReLU are one layer.
      const original = classNames(model);
      const blocks = countOf(original, 'Add');
      expect(countOf(folded, 'BatchNormalization')).toBe(0);
      expect(countOf(folded, 'Add')).toBe(0);
      expect(countOf(folded, 'SimclrResidualConv2D')).toBe(blocks);
      expect(countOf(folded, 'Conv2D') + blocks).toBe(countOf(original, 'Conv2D'));
      expect(countOf(folded, 'ReLU')).toBe(0);
      expect(countOf(folded, 'MaxPooling2D')).toBe(countOf(original, 'MaxPooling2D'));
      x.dispose();
      model.dispose();
    });
  }

  it('folds dense → BN → ReLU in the projection head', () => {
    const head = buildProjectionHead({ inputDim: 12, outputDim: 5, layers: 3, seed: 4 });
    randomizeBatchNorm(head, 4);
    const x = tf.tensor2d(randomValues(Rng.derive(4, 1), 4 * 12), [4, 12]);
    const { want, got, folded } = compare(head, x);
    expect(relativeError(got, want)).toBeLessThan(1e-5);
    expect(countOf(folded, 'BatchNormalization')).toBe(0);
    expect(countOf(folded, 'Dense')).toBe(3);
    x.dispose();
    head.dispose();
  });

  it('leaves a BN unfolded where the convolution before it feeds another layer too, and copies what it does not fold', () => {
    const input = tf.input({ shape: [6, 6, 2] });
    const conv = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', useBias: true }).apply(input) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization().apply(conv) as tf.SymbolicTensor;
    const capped = tf.layers.reLU({ maxValue: 0.5 }).apply(bn) as tf.SymbolicTensor; // not a plain ReLU: stays
    const out = tf.layers.add().apply([capped, conv]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    randomizeBatchNorm(model, 5);
    model.layers[1].setWeights([tf.randomNormal([3, 3, 2, 3], 0, 1, 'float32', 5), tf.randomNormal([3], 0, 1, 'float32', 6)]);
    const x = tf.tensor4d(randomValues(Rng.derive(5, 1), 2 * 6 * 6 * 2), [2, 6, 6, 2]);
    const before = tf.memory().numTensors;
    const { want, got, folded } = compare(model, x);
    expect(tf.memory().numTensors).toBe(before);
    expect(relativeError(got, want)).toBeLessThan(1e-5);
    expect(countOf(folded, 'BatchNormalization')).toBe(1);
    x.dispose();
    model.dispose();
  });

  it('is what fromLayersModel embeds with: the features of the unfolded encoder, and no tensor left behind', () => {
    const model = buildResNet(RESNETS[0][1]);
    randomizeBatchNorm(model, 6);
    const rng = Rng.derive(6, 1);
    const pixels = Uint8Array.from({ length: 5 * 16 * 16 * 3 }, () => rng.int(256));
    const unfolded = tf.tidy(() => model.apply(tf.tensor4d(pixels, [5, 16, 16, 3]).div(255), { training: false }) as tf.Tensor);
    const want = unfolded.dataSync();
    unfolded.dispose();
    const before = tf.memory().numTensors;
    const extractor = fromLayersModel('test', model, { batchSize: 2, borrowed: true });
    const got = extractor.embed(pixels, 5);
    extractor.dispose();
    expect(tf.memory().numTensors).toBe(before); // the borrowed encoder is still there
    expect(relativeError(got, want)).toBeLessThan(1e-4);
    model.dispose();
  });
});
