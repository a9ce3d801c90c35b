import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { batchNormTraining, registerOnednnBackend } from '../../src/backend/onednn/index.js';
import { batchNormalization } from '../../src/models/batchNormalization.js';
import { randomValues, relativeError, runKernelOn } from './helpers.js';
import { onednnAvailable } from './onednnHelpers.js';

const EPS = 1e-5;
const SHAPES = [[3, 5, 7, 4], [1, 4, 3, 6], [2, 1, 1, 3], [5, 9], [7, 1], [4, 8, 8, 16]];

/** TF.js-layers' composition on the cpu backend: moments over all but the last axis, then batchNorm. */
function composed(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) {
  const axes = x.shape.map((_, i) => i).slice(0, -1);
  const { mean, variance } = tf.moments(x, axes);
  return { y: tf.batchNorm(x, mean, variance, beta, gamma, EPS), mean, variance };
}

async function valuesOf(ts: tf.Tensor[]): Promise<Float32Array[]> {
  const out = await Promise.all(ts.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(ts);
  return out;
}

/** y, mean, variance and the gradients of Σ y·r wrt x, γ, β, on `backend` with `bn`. */
async function run(backend: string, shape: number[], seed: number, fused: boolean): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const rng = Rng.derive(51, seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const c = shape[shape.length - 1];
  // An offset and scale per channel, so normalisation has work to do.
  const x = tf.tidy(() => tf.add(tf.mul(tf.tensor(randomValues(rng, size), shape), 3), 1.5));
  const gamma = tf.tensor1d(randomValues(rng, c));
  const beta = tf.tensor1d(randomValues(rng, c));
  const r = tf.tensor(randomValues(rng, size), shape);
  const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => (fused ? batchNormTraining(a, g, b, EPS) : composed(a, g, b));
  const { y, mean, variance } = f(x, gamma, beta);
  const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, g, b).y, r)))([x, gamma, beta]);
  const out = await valuesOf([y, mean, variance, ...grads]);
  tf.dispose([x, gamma, beta, r]);
  return out;
}

describe.skipIf(!onednnAvailable('onednnBatchNorm.test.ts'))('onednn fused batch norm (training)', () => {
  beforeAll(() => {
    registerOnednnBackend();
  });

  const names = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];
  for (const [i, shape] of SHAPES.entries()) {
    it(`matches moments + batchNorm on the cpu backend, with gradients: [${shape}]`, async () => {
      const want = await run('cpu', shape, i, false);
      const before = tf.memory().numTensors;
      const got = await run('onednn', shape, i, true);
      expect(tf.memory().numTensors).toBe(before);
      for (const [k, name] of names.entries()) {
        if (name !== 'dx') expect(relativeError(got[k], want[k]), name).toBeLessThan(1e-4);
      }
      // dx = γσ⁻¹/M · (M·dy − Σdy − x̂·Σdy·x̂) cancels almost to 0 when a channel has few values
      // (two values normalise to ±1 whatever x is): its error is measured against the size of
      // the terms, σ⁻¹ (|γ|, |dy| ≤ 1), not against dx's own size.
      const [, , variance, dx] = want;
      const termScale = Math.max(...variance.map((v) => 1 / Math.sqrt(v + EPS)));
      let diff = 0;
      for (let j = 0; j < dx.length; j++) diff = Math.max(diff, Math.abs(got[3][j] - dx[j]));
      expect(diff / termScale, 'dx').toBeLessThan(1e-4);
    });
  }

  for (const [i, shape] of SHAPES.entries()) {
    for (const withAffine of [true, false]) {
      it(`FusedBatchNorm with given statistics (inference) matches the cpu kernel: [${shape}]${withAffine ? '' : ' without offset and scale'}`, async () => {
        const rng = Rng.derive(53, i);
        const c = shape[shape.length - 1];
        const vec = () => ({ values: randomValues(rng, c), shape: [c] });
        const inputs: Record<string, { values: Float32Array; shape: number[] }> = {
          x: { values: randomValues(rng, shape.reduce((a, b) => a * b, 1)), shape },
          mean: vec(),
          variance: { values: randomValues(rng, c).map((v) => v * v + 0.1), shape: [c] },
        };
        if (withAffine) Object.assign(inputs, { offset: vec(), scale: vec() });
        const want = await runKernelOn('cpu', 'FusedBatchNorm', inputs, { varianceEpsilon: EPS });
        const before = tf.memory().numTensors;
        const got = await runKernelOn('onednn', 'FusedBatchNorm', inputs, { varianceEpsilon: EPS });
        expect(tf.memory().numTensors).toBe(before);
        expect(relativeError(got.values, want.values)).toBeLessThan(1e-6);
      });
    }
  }

  it('the layer trains like the stock one (output and moving statistics) and saves as BatchNormalization', async () => {
    const rng = Rng.derive(52, 0);
    const xs = randomValues(rng, 2 * 4 * 4 * 3);
    const results: Float32Array[][] = [];
    for (const [backend, make] of [['cpu', tf.layers.batchNormalization], ['onednn', batchNormalization]] as const) {
      await tf.setBackend(backend);
      const layer = make({ momentum: 0.9, epsilon: EPS, gammaInitializer: 'ones' });
      const x = tf.tensor4d(xs, [2, 4, 4, 3]);
      const y = layer.apply(x, { training: true }) as tf.Tensor;
      const w = layer.getWeights();
      results.push(await valuesOf([y, w[2].clone(), w[3].clone()]));
      x.dispose();
      layer.dispose();
    }
    for (let k = 0; k < 3; k++) expect(relativeError(results[1][k], results[0][k])).toBeLessThan(1e-4);
    // The moving statistics moved (momentum 0.9 from 0 and 1).
    expect(Math.max(...results[1][1].map(Math.abs))).toBeGreaterThan(1e-3);

    const model = tf.sequential({ layers: [batchNormalization({ inputShape: [3], epsilon: EPS })] });
    const json = JSON.stringify(model.toJSON(undefined, false));
    expect(json).toContain('"class_name":"BatchNormalization"');
    const reloaded = await tf.models.modelFromJSON(JSON.parse(json));
    expect(reloaded.layers[0].getClassName()).toBe('BatchNormalization');
    model.dispose();
    reloaded.dispose();
  });
});
