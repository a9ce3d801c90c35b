import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { benchSetup, IMAGE_SIZE } from '../../bench/benchModel.js';
import { registerOnednnBackend } from '../../src/backend/onednn/index.js';
import type { SimclrModel } from '../../src/models/simclrModel.js';
import { randomValues, relativeError } from './helpers.js';
import { onednnAvailable } from './onednnHelpers.js';

// Two images (four views): the pure-JS cpu backend takes tens of seconds on a loaded machine.
const B = 2;

function snapshot(model: SimclrModel): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(model.namedWeights()).map(([k, v]) => [k, v.dataSync() as Float32Array]));
}

/** One LARS step of the bench model on `backend` from the given weights (or its own seeded init). */
async function oneStep(backend: string, views: Float32Array, init?: Record<string, Float32Array>) {
  await tf.setBackend(backend);
  const setup = benchSetup(B);
  if (init) {
    for (const [k, v] of Object.entries(setup.model.namedWeights())) {
      const value = tf.tensor(init[k], v.shape);
      v.assign(value);
      value.dispose();
    }
  }
  const before = snapshot(setup.model);
  const x = tf.tensor4d(views, [2 * B, IMAGE_SIZE, IMAGE_SIZE, 3]);
  const outcome = await setup.step.run(x, 0.5);
  const after = snapshot(setup.model);
  x.dispose();
  setup.dispose();
  return { outcome, before, after };
}

describe.skipIf(!onednnAvailable('onednnTrainStep.test.ts'))('a training step of the bench model on onednn', () => {
  afterAll(() => tf.setBackend('cpu'));

  it('gives the cpu backend\'s loss, gradient norm, updated weights and BN statistics', async () => {
    registerOnednnBackend();
    await tf.setBackend('cpu');
    const views = randomValues(Rng.derive(41, 0), 2 * B * IMAGE_SIZE * IMAGE_SIZE * 3).map((v) => (v + 1) / 2);
    // The project's optimizers leave a few tensors behind per setup (their slots' zerosLike):
    // onednn must leave exactly what cpu does.
    let t0 = performance.now();
    let numTensors = tf.memory().numTensors;
    const cpu = await oneStep('cpu', views);
    const cpuLeft = tf.memory().numTensors - numTensors;
    console.log(`cpu step ${(performance.now() - t0).toFixed(0)} ms`);
    t0 = performance.now();
    numTensors = tf.memory().numTensors;
    const one = await oneStep('onednn', views, cpu.before);
    expect(tf.memory().numTensors - numTensors).toBe(cpuLeft);
    console.log(`onednn step ${(performance.now() - t0).toFixed(0)} ms`);

    expect(Number.isFinite(cpu.outcome.loss)).toBe(true);
    expect(Math.abs(one.outcome.loss - cpu.outcome.loss) / Math.abs(cpu.outcome.loss)).toBeLessThan(1e-4);
    expect(Math.abs(one.outcome.gradNorm - cpu.outcome.gradNorm) / cpu.outcome.gradNorm).toBeLessThan(1e-4);
    let moved = 0;
    for (const name of Object.keys(cpu.after)) {
      expect(relativeError(one.after[name], cpu.after[name]), name).toBeLessThan(1e-4);
      // The update itself, relative to its own size (weights that did not move are skipped).
      const delta = (w: { before: Record<string, Float32Array>; after: Record<string, Float32Array> }) =>
        w.after[name].map((v, i) => v - w.before[name][i]);
      const want = delta(cpu);
      if (want.some((v) => v !== 0)) {
        moved++;
        expect(relativeError(delta(one), want), `update of ${name}`).toBeLessThan(1e-3);
      }
    }
    expect(moved).toBeGreaterThan(40);
  }, 600_000);
});
