import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ntXentWithStats } from '../../src/losses/ntXent.js';
import { SimclrModel } from '../../src/models/simclrModel.js';
import { Lars } from '../../src/optim/lars.js';
import { microBatchViews, splitMicroBatches } from '../../src/train/steps/gradientCache.js';
import { cachedNtXentGradient, ntXentStep } from '../../src/train/steps/ntXentStep.js';
import { modelGrads } from '../../src/train/steps/trainStep.js';
import { useWasm } from '../backend/helpers.js';
import { TINY_MODEL, randomViews, readGrads, relativeMapError, setWeights, weightValues, withFrozenBatchNorm } from './helpers.js';

const TAU = 0.5;
let model: SimclrModel;
let initial: Record<string, Float32Array>;

beforeAll(async () => {
  await useWasm();
  model = SimclrModel.build(TINY_MODEL);
  initial = weightValues(model);
});
afterAll(() => model.dispose());

/** Loss and gradient of NT-Xent on z = the given projection of all views, in one tape. */
function fullBatch(project: (views: tf.Tensor4D) => tf.Tensor2D, views: tf.Tensor4D) {
  const { value, grads } = modelGrads(model, () => {
    const [z1, z2] = tf.split(project(views), 2, 0) as [tf.Tensor2D, tf.Tensor2D];
    return ntXentWithStats(z1, z2, TAU).loss;
  });
  const loss = value.dataSync()[0];
  value.dispose();
  return { loss, grads: readGrads(grads) };
}

async function cached(m: SimclrModel, views: tf.Tensor4D, batchSize: number, microBatch: number) {
  const out = await cachedNtXentGradient(m, views, splitMicroBatches(batchSize, microBatch), TAU);
  const loss = out.loss.dataSync()[0];
  tf.dispose([out.loss, out.stats]);
  return { loss, grads: readGrads(out.grads) };
}

describe('splitMicroBatches', () => {
  it('cuts B images into runs of at most M, the last shorter', () => {
    expect(splitMicroBatches(20, 8)).toEqual([{ start: 0, size: 8 }, { start: 8, size: 8 }, { start: 16, size: 4 }]);
    expect(splitMicroBatches(8, 8)).toEqual([{ start: 0, size: 8 }]);
    expect(() => splitMicroBatches(8, 0)).toThrow(/positive integer/);
  });

  it('takes both views of its images', () => {
    const B = 3;
    const views = tf.tensor4d(Float32Array.from({ length: 2 * B }, (_, i) => i), [2 * B, 1, 1, 1]);
    const mb = microBatchViews(views, B, { start: 1, size: 2 });
    expect(Array.from(mb.dataSync())).toEqual([1, 2, 4, 5]);
    tf.dispose([views, mb]);
  });
});

describe('gradient caching (wasm, tiny ResNet-18)', () => {
  it('with BatchNorm in inference mode, micro-batch 8 gives the full-batch loss and parameter gradient', async () => {
    setWeights(model, initial);
    const B = 20; // micro-batches of 8, 8 and 4 images
    const views = tf.tensor4d(randomViews(1, B), [2 * B, 16, 16, 3]);
    const frozen = withFrozenBatchNorm(model);
    const expected = fullBatch((v) => frozen.project(v, false), views);
    const before = tf.memory().numTensors;
    const got = await cached(frozen, views, B, 8);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.loss).toBeCloseTo(expected.loss, 5);
    expect(relativeMapError(got.grads, expected.grads)).toBeLessThan(1e-4);
    views.dispose();
  });

  it('with BatchNorm in training mode, equals the full-batch loss and gradient with per-micro-batch BN, and moves the BN averages once per micro-batch', async () => {
    setWeights(model, initial);
    const B = 12;
    const M = 4;
    const views = tf.tensor4d(randomViews(2, B), [2 * B, 16, 16, 3]);
    const parts = splitMicroBatches(B, M).map((mb) => microBatchViews(views, B, mb));
    // Reference: every micro-batch through the model in training mode inside one tape.
    const perMicroBatchBn = () => {
      const zs = parts.map((p) => tf.split(model.project(p, true), 2, 0));
      return tf.concat([...zs.map((z) => z[0]), ...zs.map((z) => z[1])], 0) as tf.Tensor2D;
    };
    const expected = fullBatch(perMicroBatchBn, views);
    const expectedMoving = weightValues(model);

    setWeights(model, initial);
    const got = await cached(model, views, B, M);
    expect(got.loss).toBeCloseTo(expected.loss, 5);
    expect(relativeMapError(got.grads, expected.grads)).toBeLessThan(1e-4);
    // Same BN moving averages as one training-mode forward per micro-batch (pass 1 left no trace).
    expect(relativeMapError(weightValues(model), expectedMoving)).toBeLessThan(1e-5);
    const after = weightValues(model);
    for (const key of Object.keys(after).filter((k) => /moving_mean/.test(k))) {
      expect(Array.from(after[key])).not.toEqual(Array.from(initial[key]));
    }
    tf.dispose([views, ...parts]);
  });

  it('the micro-batched step makes the same update as the full-batch step (BN in inference mode), ', async () => {
    const B = 16;
    const views = tf.tensor4d(randomViews(3, B), [2 * B, 16, 16, 3]);
    const frozen = withFrozenBatchNorm(model);
    const updated: Record<string, Float32Array>[] = [];
    const losses: number[] = [];
    for (const microBatch of [undefined, 8]) {
      setWeights(model, initial);
      const optimizer = new Lars({ weightDecay: 1e-6 });
      const step = ntXentStep(frozen, optimizer, TAU, { microBatch });
      const outcome = await step.run(views, 0.5);
      expect(outcome.finite).toBe(true);
      expect(Object.keys(outcome.stats)).toEqual(['top1', 'positiveCosine', 'negativeCosine']);
      losses.push(outcome.loss);
      updated.push(weightValues(model, true));
      optimizer.dispose();
    }
    expect(losses[1]).toBeCloseTo(losses[0], 5);
    expect(relativeMapError(updated[1], updated[0])).toBeLessThan(1e-5);
    expect(relativeMapError(initial, updated[0])).toBeGreaterThan(1e-4);
    views.dispose();
  });

  it('a micro-batched step (BN in training mode) leaves no tensor behind once the optimizer has its slots', async () => {
    setWeights(model, initial);
    const B = 8;
    const views = tf.tensor4d(randomViews(4, B), [2 * B, 16, 16, 3]);
    const optimizer = new Lars({ weightDecay: 1e-6 });
    const step = ntXentStep(model, optimizer, TAU, { microBatch: 3 });
    await step.run(views, 0.1);
    const before = tf.memory().numTensors;
    const outcome = await step.run(views, 0.1);
    expect(outcome.finite).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    views.dispose();
  });
});
